"""RFC 9457 problem responses: the one shape of every error this API returns."""

from typing import Any

from chalice import Response

from chalicelib.http.rendering import json_response
from chalicelib.errors import AppError, FieldError, InvalidInput, MethodNotAllowed, ServiceUnavailable, Unauthenticated
from chalicelib.i18n import Language, text

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
