"""Errors the service reports to its callers.

Each class is one problem type (RFC 9457). They carry message *keys* and parameters, never rendered text, so the
HTTP layer can answer in the caller's language; no HTTP framework is imported here.
"""

from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import ValidationError


@dataclass(frozen=True)
class FieldError:
    """One bad input field: a dotted path (`relative.address.postal_code`, `beneficiaries[0].curp`) and a message key."""

    field: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)


def field_path(loc: tuple[int | str, ...]) -> str:
    """('relative', 'address', 'zip') → relative.address.zip; ('children', 0, 'curp') → children[0].curp."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def field_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    """Every failed field of a pydantic validation; the error type is the message key."""
    errors = []
    for error in exc.errors(include_url=False):
        params = {k: v if isinstance(v, (str, int, float)) else str(v) for k, v in (error.get("ctx") or {}).items()}
        path = field_path(error["loc"])
        errors.append(FieldError(prefix + path if path else prefix.rstrip(".") or "body", error["type"], params))
    return errors


class AppError(Exception):
    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal"

    def __init__(self, detail_key: str | None = None, /, **params: Any) -> None:
        super().__init__(detail_key or self.slug)
        self.detail_key = detail_key or self.slug
        self.params = params
        self.extensions: dict[str, Any] = {}  # extra members of the problem body (RFC 9457 §3.2), e.g. alternatives


class MalformedRequest(AppError):
    status, slug = 400, "malformed-request"


class Unauthenticated(AppError):
    status, slug = 401, "unauthenticated"


class Forbidden(AppError):
    status, slug = 403, "forbidden"


class NotFound(AppError):
    status, slug = 404, "not-found"


class MethodNotAllowed(AppError):
    status, slug = 405, "method-not-allowed"


class NotAcceptable(AppError):
    status, slug = 406, "not-acceptable"


class Conflict(AppError):
    status, slug = 409, "conflict"


class PreconditionFailed(AppError):
    status, slug = 412, "precondition-failed"


class PayloadTooLarge(AppError):
    status, slug = 413, "payload-too-large"


class UnsupportedMediaType(AppError):
    status, slug = 415, "unsupported-media-type"


class InvalidInput(AppError):
    status, slug = 422, "validation"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__()
        self.errors = errors


class PreconditionRequired(AppError):
    status, slug = 428, "precondition-required"


class ServiceUnavailable(AppError):
    status, slug = 503, "unavailable"
