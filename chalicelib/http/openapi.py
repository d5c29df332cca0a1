"""OpenAPI 3.1 document generated from the declared operations and their pydantic models."""

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.http.api import _IDEMPOTENCY_KEY, PATH_ID_PATTERN, Operation
from chalicelib.http.problems import PROBLEM_CONTENT_TYPE

_PATH_PARAM = re.compile(r"{(\w+)}")
_REF = "#/components/schemas/{model}"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details. Text is Spanish unless Accept-Language prefers English.",
    "required": ["type", "title", "status", "detail", "correlation_id"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "correlation_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

# Request headers routes read (`headers=` on the route, `Idempotency-Key` on idempotent ones): (required, schema,
# description). Documented because a client built from this document could not otherwise call PATCH /v1/me at all
# (428 for a header it never mentioned) nor know retries are safe; contract fuzzing, which builds requests from this
# document, could get nothing but 428 from it.
_HEADERS: dict[str, tuple[bool, dict[str, Any], str]] = {
    "If-Match": (True, {"type": "string"}, "The ETag from GET; 428 without it, 412 when it changed since"),
    "Idempotency-Key": (False, {"type": "string", "pattern": _IDEMPOTENCY_KEY.pattern},  # the wrapper's own pattern
                        ("1-255 visible ASCII characters; a retry with the same key and body replays the first answer "
                         "(`Idempotent-Replayed: true`), with another body it is a 422")),
    "webhook-id": (True, {"type": "string"}, "Standard Webhooks: the event's id, the same on every retry"),
    "webhook-timestamp": (True, {"type": "string"}, "Standard Webhooks: this attempt's time, integer Unix seconds"),
    "webhook-signature": (True, {"type": "string"}, "Standard Webhooks: `v1,<base64>`, space-separated while rotating"),
}

_ERROR_DESCRIPTIONS = {
    400: "Malformed JSON",
    401: "Missing, invalid or expired access token",
    403: "Signed in without the role this operation needs",
    409: "Conflicts with the current state",
    413: "Body larger than the limit",
    406: "The caller's Accept admits no type this operation answers",
    415: "Body is not application/json",
    422: "Invalid fields, all listed in `errors`",
    500: "Unexpected error; quote `correlation_id` to support",
    503: "A dependency is unavailable; retry later",
}


def operations_of(routes: dict[str, dict[str, Any]]) -> list[Operation]:
    """The declared operation behind every route of a Chalice app (routes not declared through Router have none)."""
    return [
        getattr(entry.view_function, "operation")
        for methods in routes.values()
        for entry in methods.values()
        if hasattr(entry.view_function, "operation")
    ]


def build_document(operations: list[Operation], *, title: str, version: str) -> dict[str, Any]:
    # Each model only in the mode it is used: read from bodies (validation) or written to answers (serialization);
    # query models become parameters, not schemas.
    read = {op.body for op in operations if op.body is not None}
    written = {op.response for op in operations if op.response is not None}
    refs, definitions = models_json_schema(
        [(model, "validation") for model in read] + [(model, "serialization") for model in written],
        ref_template=_REF,
    )
    schemas = {**definitions.get("$defs", {}), "Problem": PROBLEM_SCHEMA}
    for name, schema in schemas.items():
        # pydantic splits a model read and written differently into X-Input and X-Output, both titled X: generators
        # name models by title, so each gets its own (XInput, XOutput).
        if name.endswith(("-Input", "-Output")):
            schema["title"] = name.replace("-", "")
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "cognito": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "Cognito access token; roles come from the `cognito:groups` claim.",
                }
            },
        },
    }


def _operation(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    parameters = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "string", "pattern": PATH_ID_PATTERN, "maxLength": 128}}
        for name in _PATH_PARAM.findall(op.path)
    ]
    if op.query is not None:
        parameters += _query_parameters(op.query)
    parameters += [_header_parameter(name) for name in op.headers]
    statuses = {500}
    if _PATH_PARAM.search(op.path):
        statuses.add(404)  # an id of the wrong shape, or one that names nothing of the caller's
    if op.body is not None:
        statuses |= {400, 413, 415, 422}
    if op.query is not None:
        statuses.add(422)
    if op.roles is not None:
        statuses |= {401, 403}
    statuses |= set(op.extra_statuses)
    responses: dict[str, Any] = {str(op.status): _success(op, refs)}
    for status in sorted(statuses):
        responses[str(status)] = {
            "description": _ERROR_DESCRIPTIONS.get(status, "Error"),
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": _REF.format(model="Problem")}}},
        }
        if status in op.reply_statuses:
            # Answered with the response model (health's 503 lists the tables), not a problem; the wrapper's own
            # problems (application/problem+json) stay possible.
            responses[str(status)]["content"] = {**_success(op, refs)["content"], **responses[str(status)]["content"]}
    document: dict[str, Any] = {
        "operationId": op.name,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if op.roles is not None:
        document["security"] = [{"cognito": []}]
        document["x-roles"] = sorted(role.value for role in op.roles)
    if op.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    return document


def _success(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    if op.response is None and not op.media_type.endswith("json"):  # a file (a PDF): bytes, not a JSON document
        return {"description": "OK", "content": {op.media_type: {"schema": {"type": "string", "format": "binary"}}}}
    schema = {"type": "object"} if op.response is None else refs[(op.response, "serialization")]
    return {"description": "OK", "content": {op.media_type: {"schema": schema}}}


def _header_parameter(name: str) -> dict[str, Any]:
    required, schema, description = _HEADERS.get(name, (False, {"type": "string"}, ""))
    return {"name": name, "in": "header", "required": required, "schema": schema, "description": description}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=_REF)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]
