"""The one way routes are declared: sign-in, roles, input parsing, rendering and errors for every handler.

    router = Router(__name__, tag="members")

    @router.route("/v1/me", "GET", roles={Role.MEMBER}, response=MemberProfile, summary="My profile")
    def my_profile(caller: Caller, language: Language) -> MemberProfile: ...

A handler names what it needs and receives only that: its path parameters, `caller` (routes with sign-in), `body`
and `query` (validated pydantic models, when declared), `headers`, `raw_body` (bytes, for signature checks),
`language` (`es`/`en`), `now` (this request's UTC clock, also the validation context) and, on `idempotent` routes,
`idempotency`, whose `writes(...)` go into the effect's own transaction. A name it cannot be given fails the import,
as does an idempotent route whose handler does not take `idempotency`. It returns its response model, or a `Reply`
to choose status and headers. Each view carries its `Operation`, from which the OpenAPI document is generated off
the app's own route table.
"""

import hashlib
import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from chalicelib import logs, wiring
from chalicelib.errors import (
    AppError, FieldError, Forbidden, InvalidInput, NotFound, ServiceUnavailable, UnsupportedMediaType, field_errors,
)
from chalicelib.http import request_scope
from chalicelib.auth import Caller, Role
from chalicelib.http.problems import instance_of, problem_response
from chalicelib.http.rendering import json_response
from chalicelib.i18n import Language, negotiate, text
from chalicelib.json_input import json_body
from chalicelib.logs import service_logger

if TYPE_CHECKING:
    from chalicelib.store.idempotency import StoredResponse
    from chalicelib.store.transactions import Write

PUBLIC = None  # `roles=PUBLIC`: no sign-in; stated at each route so that no route is public by omission
ANY_ROLE: frozenset[Role] = frozenset()  # `roles=ANY_ROLE`: signed in, whatever the role

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
# Every id a path carries (UUIDs, hex payment ids, slot ids, partner names) fits this; anything else is answered 404
# before any lookup (a long one would otherwise reach DynamoDB's key-size limit).
PATH_ID_PATTERN = r"^[A-Za-z0-9_.:@-]{1,128}$"
_PATH_ID = re.compile(PATH_ID_PATTERN)
_log = service_logger()


def idempotency_store():
    """Idempotency records (the store, PynamoDB, botocore): imported with the first request that needs them."""
    from chalicelib.store import idempotency

    return idempotency


def utc_now() -> datetime:
    """The request clock (one seam, so tests can stand at a month boundary)."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Reply:
    """A handler's answer when the status or headers are not the route's defaults."""

    body: BaseModel | dict[str, Any]
    status: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Binary:
    """A handler's answer that is a file (a PDF), sent as the route's `media_type`. The app lists that type in
    `app.api.binary_types`, so Chalice base64-encodes it for API Gateway, which sends the bytes to a caller whose
    Accept admits them (Chalice answers others 400, as API Gateway would)."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    name: str
    summary: str
    tag: str
    roles: frozenset[Role] | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    extra_statuses: tuple[int, ...]
    idempotent: bool
    headers: tuple[str, ...]
    reply_statuses: tuple[int, ...] = ()  # extra statuses a handler answers with its response model (a Reply)
    media_type: str = "application/json"  # of its successful answers (the FHIR export: application/fhir+json)


@dataclass(frozen=True)
class IdempotencyKey:
    """A POST's Idempotency-Key, scoped to the operation and the caller, with the hash of the body it came with."""

    record_key: str
    request_hash: str

    def record(self, status: int, body: BaseModel, now: datetime) -> "Write":
        return idempotency_store().record(self.record_key, self.request_hash, status, body.model_dump(mode="json"), now)


@dataclass
class Idempotency:
    """What an idempotent route's handler receives, with or without an Idempotency-Key header."""

    key: IdempotencyKey | None
    written: bool = False

    def writes(self, status: int, body: BaseModel, now: datetime) -> list["Write"]:
        """The write that stores this answer (none without a key): put it in the same transaction as the effect, so
        the record exists exactly when the effect does."""
        self.written = True
        return [] if self.key is None else [self.key.record(status, body, now)]


class Router:
    def __init__(self, import_name: str, *, tag: str) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag

    def route(
        self,
        path: str,
        method: str,
        *,
        roles: Iterable[Role] | None,
        summary: str,
        response: type[BaseModel] | None,
        status: int = 200,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        extra_statuses: Iterable[int] = (),
        idempotent: bool = False,
        headers: Iterable[str] = (),
        reply_statuses: Iterable[int] = (),
        media_type: str = "application/json",
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(handler: Callable[..., Any]) -> Callable[..., Any]:
            operation = Operation(
                path=path, method=method, name=handler.__name__, summary=summary, tag=self.tag,
                roles=None if roles is None else frozenset(roles), body=body, query=query, response=response,
                status=status, extra_statuses=tuple(extra_statuses), idempotent=idempotent,
                headers=tuple(headers) + (("Idempotency-Key",) if idempotent else ()),
                reply_statuses=tuple(reply_statuses), media_type=media_type,
            )
            wanted = frozenset(inspect.signature(handler).parameters)
            _check_parameters(operation, handler, wanted)

            def view(**path_params: str) -> Response:
                return self._serve(operation, handler, wanted, path_params)

            view.__name__ = handler.__name__
            view.operation = operation  # type: ignore[attr-defined]
            self.blueprint.route(path, methods=[method])(view)
            return handler

        return register

    def _serve(self, operation: Operation, handler: Callable[..., Any], wanted: frozenset[str],
               path_params: dict[str, str]) -> Response:
        request = self.blueprint.current_request
        language = negotiate(request.headers.get("accept-language"))
        correlation_id = logs.correlation_id() or "-"
        now = utc_now()
        try:
            caller = None
            if operation.roles is not None:
                caller = _authorize(request.headers.get("authorization"), operation.roles, language)
            if not all(_PATH_ID.fullmatch(value) for value in path_params.values()):
                raise NotFound("resource-not-found")
            if (operation.body is not None or "raw_body" in wanted) and not request.headers.get("content-type"):
                # Chalice refuses a wrong Content-Type itself (415) but lets a missing one through.
                raise UnsupportedMediaType(content_type="—")
            context = {"now": now}
            available: dict[str, Any] = {**path_params, "caller": caller, "language": language, "now": now,
                                         "headers": request.headers, "raw_body": request.raw_body or b""}
            if operation.query is not None:
                available["query"] = _validate(operation.query, dict(request.query_params or {}), context, "query.")
            raw = json_body(request.raw_body) if operation.body is not None else None
            if operation.body is not None:
                available["body"] = _validate(operation.body, raw, context)
            key = (_idempotency_key(operation, request.headers, caller, path_params, raw) if operation.idempotent
                   else None)
            if key is not None:
                stored = idempotency_store().find(key.record_key, now)
                if stored is not None:
                    return _replay(stored, key)
            available["idempotency"] = idempotency = Idempotency(key)
            try:
                result = handler(**{name: available[name] for name in wanted})
            except idempotency_store().AlreadyAnswered:
                # A concurrent request with the same key committed first: answer as it did.
                return _replay(idempotency_store().find(key.record_key, now), key)
            if operation.idempotent and not idempotency.written:
                raise RuntimeError(f"{operation.name} stored no idempotency record")
        except AppError as error:
            return problem_response(error, language, instance=instance_of(request), correlation_id=correlation_id)
        except Exception as error:
            from chalicelib.store.transactions import transient_cause

            cause = transient_cause(error)
            if cause:
                # DynamoDB throttled or out of reach even after botocore's retries: a 503 the caller may retry, not a
                # bug. A warning naming the cause, no traceback: there is nothing of ours to fix.
                _log.warning("dependency unavailable", extra={"route": operation.path, "correlation_id": correlation_id,
                                                              "cause": cause})
                return problem_response(ServiceUnavailable(), language, instance=instance_of(request),
                                        correlation_id=correlation_id)
            _log.exception("unhandled error", extra={"route": operation.path, "correlation_id": correlation_id})
            return problem_response(AppError(), language, instance=instance_of(request), correlation_id=correlation_id)
        if isinstance(result, Binary):
            return Response(body=result.body, status_code=operation.status,
                            headers={"Content-Type": operation.media_type, **result.headers})
        reply = result if isinstance(result, Reply) else Reply(result, operation.status)
        payload = reply.body.model_dump(mode="json") if isinstance(reply.body, BaseModel) else reply.body
        return json_response(payload, reply.status, reply.headers, content_type=operation.media_type)


_ALWAYS = frozenset({"language", "now", "headers", "raw_body"})


def _check_parameters(operation: Operation, handler: Callable[..., Any], wanted: frozenset[str]) -> None:
    """At import: every parameter the handler names is one the route can give it."""
    given = _ALWAYS | set(re.findall(r"{(\w+)}", operation.path))
    given |= {"caller"} if operation.roles is not None else set()
    given |= {"body"} if operation.body is not None else set()
    given |= {"query"} if operation.query is not None else set()
    given |= {"idempotency"} if operation.idempotent else set()
    if wanted - given:
        raise TypeError(f"{handler.__qualname__} asks for {sorted(wanted - given)}, which {operation.method} "
                        f"{operation.path} cannot give; it can give {sorted(given)}")
    if operation.idempotent and "idempotency" not in wanted:
        raise TypeError(f"{handler.__qualname__}: an idempotent route's handler must take `idempotency`")


def _authorize(authorization: str | None, roles: frozenset[Role], language: Language) -> Caller:
    caller = wiring.token_verifier().verify(authorization)
    request_scope.caller_roles.set(caller.roles_label)
    if roles and not (caller.roles & roles):
        names = ", ".join(sorted(text(f"role.{role.value}", language) for role in roles))
        raise Forbidden("role-required", roles=names)
    return caller


def _validate(model: type[BaseModel], data: Any, context: dict[str, Any], prefix: str = "") -> BaseModel:
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, prefix)) from None


def _idempotency_key(operation: Operation, headers: Mapping[str, str], caller: Caller | None,
                     path_params: Mapping[str, str], body: Any) -> IdempotencyKey | None:
    """The record's key and the request's hash. The path's ids are part of the request: the same key and body sent
    to another resource's path is a reuse (422), never a replay of the first resource's answer."""
    supplied = headers.get("idempotency-key")
    if supplied is None:
        return None
    if not _IDEMPOTENCY_KEY.match(supplied):
        raise InvalidInput([FieldError("Idempotency-Key", "idempotency_key_format")])
    canonical = json.dumps({"path": dict(path_params), "body": body} if path_params else body, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    owner = caller.user_id if caller else "anonymous"
    return IdempotencyKey(f"{operation.name}#{owner}#{supplied}", hashlib.sha256(canonical.encode()).hexdigest())


def _replay(stored: "StoredResponse | None", key: IdempotencyKey) -> Response:
    if stored is None:  # expired between the write and this read: vanishingly rare, and safe to retry
        raise AppError()
    if stored.request_hash != key.request_hash:
        raise InvalidInput([FieldError("Idempotency-Key", "idempotency_key_reused")])
    return json_response(stored.body, stored.status, {"Idempotent-Replayed": "true"})
