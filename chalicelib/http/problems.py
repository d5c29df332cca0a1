"""RFC 9457 problem responses: the one shape of every error this API returns."""

from typing import Any

from chalice import Response
from pydantic import ValidationError

from chalicelib.errors import AppError, FieldError, InvalidInput, MethodNotAllowed, Unauthenticated
from chalicelib.i18n import Language, has_text, text

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:pti-migrante:problem:"


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
        body["errors"] = [
            {"field": item.field, "message": text(f"field.{item.key}", language, **item.params)} for item in error.errors
        ]
    return body


def problem_response(error: AppError, language: Language, *, instance: str, correlation_id: str) -> Response:
    headers = {"Content-Type": PROBLEM_CONTENT_TYPE, "Content-Language": language}
    if isinstance(error, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if error.detail_key != "token-missing" else "Bearer"
    if isinstance(error, MethodNotAllowed) and "allowed" in error.params:
        headers["Allow"] = error.params["allowed"]
    body = problem_body(error, language, instance=instance, correlation_id=correlation_id)
    return Response(body=body, status_code=error.status, headers=headers)


def invalid_input(exc: ValidationError, prefix: str = "") -> InvalidInput:
    """Every failed field of a pydantic validation, with its path, as one InvalidInput."""
    errors = []
    for error in exc.errors(include_url=False):
        path = prefix + field_path(error["loc"])
        params = {k: _display(v) for k, v in (error.get("ctx") or {}).items()}
        key = error["type"] if has_text(f"field.{error['type']}") else "invalid"
        errors.append(FieldError(path or "body", key, params))
    return InvalidInput(errors)


def field_path(loc: tuple[int | str, ...]) -> str:
    """('relative', 'address', 'zip') → relative.address.zip; ('children', 0, 'curp') → children[0].curp."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _display(value: Any) -> Any:
    return value if isinstance(value, (str, int, float)) else str(value)
