"""The one way routes are declared: sign-in, roles, input parsing, rendering and errors for every handler.

    router = Router(__name__, tag="members")

    @router.route("/v1/me", "GET", roles={Role.MEMBER}, response=MemberOut, summary="My profile")
    def my_profile(caller: Caller) -> MemberOut: ...

A handler receives its path parameters, `caller` when the route needs sign-in, `body` and `query` as validated
pydantic models when declared; it returns its response model (or a `Reply` to pick the status). Each view carries its
`Operation`, from which the OpenAPI document is generated off the app's own route table.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from chalicelib import wiring
from chalicelib.errors import AppError, Forbidden, MalformedRequest
from chalicelib.http import request_scope
from chalicelib.http.auth import Caller, Role
from chalicelib.http.problems import invalid_input, problem_response
from chalicelib.i18n import negotiate, text
from chalicelib.logs import service_logger

PUBLIC = None  # `roles=PUBLIC`: no sign-in; stated at each route so that no route is public by omission
ANY_ROLE: frozenset[Role] = frozenset()  # `roles=ANY_ROLE`: signed in, whatever the role

_log = service_logger()


@dataclass(frozen=True)
class Reply:
    """A handler's answer when the status is not the route's default."""

    body: BaseModel | dict[str, Any]
    status: int


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
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(handler: Callable[..., Any]) -> Callable[..., Any]:
            operation = Operation(
                path=path,
                method=method,
                name=handler.__name__,
                summary=summary,
                tag=self.tag,
                roles=None if roles is None else frozenset(roles),
                body=body,
                query=query,
                response=response,
                status=status,
                extra_statuses=tuple(extra_statuses),
            )

            def view(**path_params: str) -> Response:
                return self._serve(operation, handler, path_params)

            view.__name__ = handler.__name__
            view.operation = operation  # type: ignore[attr-defined]
            self.blueprint.route(path, methods=[method])(view)
            return handler

        return register

    def _serve(self, operation: Operation, handler: Callable[..., Any], path_params: dict[str, str]) -> Response:
        request = self.blueprint.current_request
        language = negotiate(request.headers.get("accept-language"))
        correlation_id = request_scope.correlation_id.get()
        try:
            arguments: dict[str, Any] = dict(path_params)
            if operation.roles is not None:
                arguments["caller"] = _authorize(request.headers.get("authorization"), operation.roles, language)
            if operation.query is not None:
                arguments["query"] = _validate(operation.query, dict(request.query_params or {}), prefix="query.")
            if operation.body is not None:
                arguments["body"] = _validate(operation.body, _json_body(request.raw_body))
            result = handler(**arguments)
        except AppError as error:
            return problem_response(error, language, instance=request.path, correlation_id=correlation_id)
        except Exception:
            _log.exception("unhandled error", extra={"route": operation.path, "correlation_id": correlation_id})
            return problem_response(AppError(), language, instance=request.path, correlation_id=correlation_id)
        reply = result if isinstance(result, Reply) else Reply(result, operation.status)
        payload = reply.body.model_dump(mode="json") if isinstance(reply.body, BaseModel) else reply.body
        return Response(body=payload, status_code=reply.status, headers={"Content-Type": "application/json"})


def _authorize(authorization: str | None, roles: frozenset[Role], language: str) -> Caller:
    caller = wiring.token_verifier().verify(authorization)
    request_scope.caller_roles.set(caller.roles_label)
    if roles and not (caller.roles & roles):
        names = ", ".join(sorted(text(f"role.{role.value}", language) for role in roles))
        raise Forbidden("role-required", roles=names)
    return caller


def _json_body(raw: bytes | None) -> Any:
    try:
        return json.loads((raw or b"").decode("utf-8") or "null")
    except UnicodeDecodeError as exc:
        raise MalformedRequest("body-not-utf8") from exc
    except json.JSONDecodeError as exc:
        raise MalformedRequest("malformed-json", line=exc.lineno, column=exc.colno) from exc


def _validate(model: type[BaseModel], data: Any, prefix: str = "") -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc, prefix) from None
