"""The HTTP middleware around every request: correlation id, body-size limit, one log line, errors as problems."""

import re
import uuid
from time import perf_counter
from typing import Any, Callable

from chalice import Response
from chalice.app import Request

from chalicelib.errors import AppError, MalformedRequest, MethodNotAllowed, NotFound, PayloadTooLarge, UnsupportedMediaType
from chalicelib.http import request_scope
from chalicelib.http.cors import console_cors
from chalicelib.http.problems import instance_of, problem_response
from chalicelib.i18n import negotiate
from chalicelib import logs
from chalicelib.logs import metric_fields, service_logger

MAX_BODY_BYTES = 64 * 1024  # our largest request (a registration) is ~2 KB; API Gateway's own cap is 10 MB
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_log = service_logger()


def observe_request(request: Request, get_response: Callable[[Request], Response]) -> Response:
    started = perf_counter()
    correlation_id = _correlation_id(request)
    logs.follow(correlation_id)
    request_scope.caller_roles.set("anonymous")
    language = negotiate(request.headers.get("accept-language"))
    body_size = len(request.raw_body or b"")
    try:
        if body_size > MAX_BODY_BYTES:
            error: AppError = PayloadTooLarge(size=body_size, limit=MAX_BODY_BYTES)
            response = problem_response(error, language, instance=instance_of(request), correlation_id=correlation_id)
        else:
            response = _as_problem(get_response(request), request, language, correlation_id)
    except Exception:
        _log.exception("unhandled error", extra={"correlation_id": correlation_id})
        response = problem_response(AppError(), language, instance=instance_of(request), correlation_id=correlation_id)
    response.headers["X-Correlation-Id"] = correlation_id
    allowed = console_cors()
    if allowed is not None:  # this layer's own answers (413, 500) too, or the console could not read them
        for name, value in allowed.get_access_control_headers().items():
            response.headers.setdefault(name, value)
    latency_ms = round((perf_counter() - started) * 1000, 1)
    route = request.context.get("resourcePath") or "unknown"
    _log.info(
        "request",
        extra={
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "latency_ms": latency_ms,
            "correlation_id": correlation_id,
            "caller_role": request_scope.caller_roles.get(),
            **metric_fields({"Route": f"{request.method} {route}"}, Latency=latency_ms,
                            Http5xx=int(response.status_code >= 500)),
        },
    )
    return response


def _correlation_id(request: Request) -> str:
    """The caller's X-Correlation-Id when well-formed (lets a partner trace its call), else API Gateway's id."""
    supplied = request.headers.get("x-correlation-id", "")
    if _CORRELATION_ID.match(supplied):
        return supplied
    return request.context.get("requestId") or str(uuid.uuid4())


def _as_problem(response: Response, request: Request, language: Any, correlation_id: str) -> Response:
    """Chalice answers some errors itself (405, 415, a last-resort 500) as {Code, Message}; restate them as problems."""
    if not (isinstance(response.body, dict) and set(response.body) == {"Code", "Message"}):
        return response
    error = _chalice_error(response, request)
    return problem_response(error, language, instance=instance_of(request), correlation_id=correlation_id)


def _chalice_error(response: Response, request: Request) -> AppError:
    status = response.status_code
    if status == 405:
        allowed = {k.lower(): v for k, v in response.headers.items()}.get("allow", "")
        return MethodNotAllowed(path=request.path, method=request.method, allowed=allowed)
    if status == 415:
        return UnsupportedMediaType(content_type=request.headers.get("content-type", "-"))
    if status == 404:
        return NotFound(path=request.path)
    if status == 400:
        return MalformedRequest()
    _log.error("chalice error response", extra={"status": status})  # the line carries the correlation id
    return AppError()
