"""Caller-facing text in Spanish (default) and English, chosen by `Accept-Language`.

Keys are problem slugs, detail keys and field-error keys (pydantic error types or our own). A key missing from the
catalogue falls back to a generic sentence, so a new pydantic error type never turns into a 500.
"""

from typing import Any, Literal

Language = Literal["es", "en"]
DEFAULT_LANGUAGE: Language = "es"

_TEXT: dict[str, tuple[str, str]] = {
    # Problem titles, by slug.
    "title.malformed-request": ("Solicitud mal formada", "Malformed request"),
    "title.unauthenticated": ("Autenticación requerida", "Authentication required"),
    "title.forbidden": ("Acceso denegado", "Access denied"),
    "title.not-found": ("Recurso no encontrado", "Resource not found"),
    "title.method-not-allowed": ("Método no permitido", "Method not allowed"),
    "title.conflict": ("Conflicto", "Conflict"),
    "title.payload-too-large": ("Solicitud demasiado grande", "Request too large"),
    "title.unsupported-media-type": ("Tipo de contenido no admitido", "Unsupported media type"),
    "title.validation": ("Datos inválidos", "Invalid data"),
    "title.unavailable": ("Servicio no disponible", "Service unavailable"),
    "title.internal": ("Error interno", "Internal error"),
    # Problem details, by detail key.
    "malformed-request": ("La solicitud no se pudo interpretar.", "The request could not be understood."),
    "malformed-json": (
        "El cuerpo no es JSON válido (línea {line}, columna {column}).",
        "The body is not valid JSON (line {line}, column {column}).",
    ),
    "body-not-utf8": ("El cuerpo debe estar codificado en UTF-8.", "The body must be UTF-8 encoded."),
    "unauthenticated": (
        "Inicie sesión y envíe su token en el encabezado Authorization: Bearer <token>.",
        "Sign in and send your token in the Authorization: Bearer <token> header.",
    ),
    "token-missing": (
        "Falta el encabezado Authorization: Bearer <token>.",
        "The Authorization: Bearer <token> header is missing.",
    ),
    "token-expired": ("Su sesión expiró; inicie sesión de nuevo.", "Your session expired; sign in again."),
    "token-invalid": ("El token de acceso no es válido.", "The access token is not valid."),
    "forbidden": ("Su cuenta no tiene permiso para esta operación.", "Your account may not perform this operation."),
    "role-required": (
        "Esta operación es solo para: {roles}.",
        "This operation is only for: {roles}.",
    ),
    "not-found": ("No existe la ruta {path}.", "There is no route {path}."),
    "method-not-allowed": (
        "La ruta {path} no admite {method}; use {allowed}.",
        "Route {path} does not accept {method}; use {allowed}.",
    ),
    "conflict": ("La operación choca con el estado actual; intente de nuevo.", "The operation conflicts with the current state; try again."),
    "payload-too-large": (
        "El cuerpo mide {size} bytes; el máximo es {limit}.",
        "The body is {size} bytes; the maximum is {limit}.",
    ),
    "unsupported-media-type": (
        "Envíe el cuerpo como application/json (recibido: {content_type}).",
        "Send the body as application/json (received: {content_type}).",
    ),
    "validation": (
        "Revise los campos indicados en `errors`.",
        "Check the fields listed in `errors`.",
    ),
    "unavailable": (
        "El servicio no está disponible por el momento; intente de nuevo en unos segundos.",
        "The service is unavailable right now; try again in a few seconds.",
    ),
    "internal": (
        "Ocurrió un error inesperado. Si persiste, comparta el identificador {correlation_id} con soporte.",
        "An unexpected error occurred. If it persists, give support the identifier {correlation_id}.",
    ),
    # Role names, as shown to callers.
    "role.member": ("personas aseguradas", "insured members"),
    "role.nurse": ("personal de enfermería", "nurses"),
    "role.operator": ("personal operador del IMSS", "IMSS operators"),
    # Field errors, by pydantic error type or our own key.
    "field.missing": ("Este campo es obligatorio.", "This field is required."),
    "field.extra_forbidden": ("Este campo no se admite.", "This field is not allowed."),
    "field.string_type": ("Debe ser texto.", "Must be text."),
    "field.string_too_short": ("Debe tener al menos {min_length} caracteres.", "Must have at least {min_length} characters."),
    "field.string_too_long": ("Debe tener como máximo {max_length} caracteres.", "Must have at most {max_length} characters."),
    "field.string_pattern_mismatch": ("El formato no es válido.", "The format is not valid."),
    "field.int_type": ("Debe ser un número entero.", "Must be a whole number."),
    "field.int_parsing": ("Debe ser un número entero.", "Must be a whole number."),
    "field.int_from_float": ("Debe ser un número entero.", "Must be a whole number."),
    "field.float_type": ("Debe ser un número.", "Must be a number."),
    "field.float_parsing": ("Debe ser un número.", "Must be a number."),
    "field.decimal_type": ("Debe ser un número.", "Must be a number."),
    "field.decimal_parsing": ("Debe ser un número.", "Must be a number."),
    "field.decimal_max_places": ("Admite como máximo {decimal_places} decimales.", "Allows at most {decimal_places} decimal places."),
    "field.bool_type": ("Debe ser true o false.", "Must be true or false."),
    "field.bool_parsing": ("Debe ser true o false.", "Must be true or false."),
    "field.literal_error": ("Debe ser uno de: {expected}.", "Must be one of: {expected}."),
    "field.enum": ("Debe ser uno de: {expected}.", "Must be one of: {expected}."),
    "field.greater_than": ("Debe ser mayor que {gt}.", "Must be greater than {gt}."),
    "field.greater_than_equal": ("Debe ser mayor o igual a {ge}.", "Must be at least {ge}."),
    "field.less_than": ("Debe ser menor que {lt}.", "Must be less than {lt}."),
    "field.less_than_equal": ("Debe ser menor o igual a {le}.", "Must be at most {le}."),
    "field.too_short": ("Debe tener al menos {min_length} elementos.", "Must have at least {min_length} items."),
    "field.too_long": ("Debe tener como máximo {max_length} elementos.", "Must have at most {max_length} items."),
    "field.model_type": ("Debe ser un objeto JSON.", "Must be a JSON object."),
    "field.model_attributes_type": ("Debe ser un objeto JSON.", "Must be a JSON object."),
    "field.dict_type": ("Debe ser un objeto JSON.", "Must be a JSON object."),
    "field.list_type": ("Debe ser una lista.", "Must be a list."),
    "field.date_type": ("Debe ser una fecha AAAA-MM-DD.", "Must be a date YYYY-MM-DD."),
    "field.date_parsing": ("Debe ser una fecha AAAA-MM-DD.", "Must be a date YYYY-MM-DD."),
    "field.date_from_datetime_parsing": ("Debe ser una fecha AAAA-MM-DD.", "Must be a date YYYY-MM-DD."),
    "field.datetime_type": ("Debe ser fecha y hora ISO 8601 con zona horaria.", "Must be an ISO 8601 date-time with a time zone."),
    "field.datetime_parsing": ("Debe ser fecha y hora ISO 8601 con zona horaria.", "Must be an ISO 8601 date-time with a time zone."),
    "field.timezone_aware": ("Debe incluir la zona horaria.", "Must include the time zone."),
    "field.url_parsing": ("Debe ser una URL válida.", "Must be a valid URL."),
    "field.invalid": ("El valor no es válido.", "The value is not valid."),
}


def negotiate(accept_language: str | None) -> Language:
    """Pick `en` only when the caller ranks English above Spanish; Spanish otherwise (RFC 9110 §12.5.4 q-values)."""
    best: tuple[float, Language] = (0.0, DEFAULT_LANGUAGE)
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("es", "en"):
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        # Strictly greater: on a tie the tag listed first wins, as clients list their preference order.
        if quality > best[0]:
            best = (quality, primary)  # type: ignore[assignment]
    return best[1]


def text(key: str, language: Language, **params: Any) -> str:
    """Render a catalogue entry; unknown keys fall back to the generic field message."""
    spanish, english = _TEXT.get(key) or _TEXT["field.invalid"]
    template = english if language == "en" else spanish
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def has_text(key: str) -> bool:
    return key in _TEXT
