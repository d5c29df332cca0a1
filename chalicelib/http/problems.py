"""RFC 9457 problem responses: the one shape of every error this API returns."""

import re
from typing import Any
from urllib.parse import quote, unquote

from chalice import Response
from chalice.app import Request

from chalicelib.http.rendering import json_response
from chalicelib.errors import AppError, FieldError, InvalidInput, MethodNotAllowed, ServiceUnavailable, Unauthenticated
from chalicelib.i18n import Language, text

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:pti-migrante:problem:"
_PATH_PARAMETER = re.compile(r"{([^}]+)}")


def instance_of(request: Request) -> str:
    """The path the caller asked for (RFC 9457 `instance`): the route's template filled with its path values,
    percent-encoded once (API Gateway hands them decoded, the local servers as sent), so a hostile value cannot put
    characters of its own into the document."""
    values = request.uri_params or {}
    return _PATH_PARAMETER.sub(lambda name: quote(unquote(values.get(name[1], name[0])), safe=":@"), request.path)


def problem_body(error: AppError, language: Language, *, instance: str, correlation_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + error.slug,
        "title": text(f"title.{error.slug}", language),
        "status": error.status,
        "detail": text(error.detail_key, language, correlation_id=correlation_id, **error.params),
        "instance": instance,
        "correlation_id": correlation_id,
    }
    if isinstance(error, InvalidInput):
        body["errors"] = field_messages(error.errors, language)
    return {**error.extensions, **body}


def field_messages(errors: list[FieldError], language: Language) -> list[dict[str, str]]:
    """`[{field, message}]`, the shape of problem `errors` and of warnings."""
    return [{"field": item.field, "message": text(f"field.{item.key}", language, **item.params)} for item in errors]


def problem_response(error: AppError, language: Language, *, instance: str, correlation_id: str) -> Response:
    headers = {"Content-Language": language}
    if isinstance(error, Unauthenticated) and error.detail_key != "webhook-signature":
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if error.detail_key != "token-missing" else "Bearer"
    if isinstance(error, ServiceUnavailable):
        headers["Retry-After"] = "1"
    if isinstance(error, MethodNotAllowed) and "allowed" in error.params:
        headers["Allow"] = error.params["allowed"]
    body = problem_body(error, language, instance=instance, correlation_id=correlation_id)
    return json_response(body, error.status, headers, content_type=PROBLEM_CONTENT_TYPE)
