"""The one reader of untrusted JSON bodies (API requests and partners' deliveries): bounded before any model sees
it, so hostile input is a 400 or a 422 naming the field, never a slow parse or a hidden character."""

import json
import re
from typing import Any

from chalicelib.errors import FieldError, InvalidInput, MalformedRequest

MAX_JSON_DEPTH = 32  # our deepest body (registration's relative.address) nests 3
MAX_JSON_NUMBER_CHARS = 40  # no field of ours needs more; a 5,000-digit integer would cost quadratic parsing


def _bounded_number(text: str) -> str:
    if len(text) > MAX_JSON_NUMBER_CHARS:
        raise ValueError("number too long")
    return text


def _nesting(text: str) -> int:
    """The deepest nesting of arrays and objects, read outside strings (JSON's own escapes respected)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


# C0 and C1 controls but tab, line feed and carriage return; bidirectional overrides and isolates, which can make an
# operator's screen show text in another order than it was written; lone surrogates (JSON's "\ud800" parses to one,
# which cannot even be encoded back to UTF-8).
_HIDDEN_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _visible(key: str) -> str:
    """A body's key as a field path may quote it: hidden characters written as \\uXXXX escapes."""
    return _HIDDEN_CHARACTERS.sub(lambda match: f"\\u{ord(match.group()):04x}", key)


def _hidden_characters(value: Any, path: str = "") -> list[FieldError]:
    """Field errors for every string (or key) of a parsed body that holds a control, bidi-override or lone surrogate
    character."""
    if isinstance(value, str):
        return [FieldError(path or "body", "hidden_characters")] if _HIDDEN_CHARACTERS.search(value) else []
    if isinstance(value, dict):
        return [error for key, item in value.items()
                for field in [f"{path}.{_visible(key)}" if path else _visible(key)]
                for error in _hidden_characters(key, field) or _hidden_characters(item, field)]
    if isinstance(value, list):
        return [error for index, item in enumerate(value) for error in _hidden_characters(item, f"{path}[{index}]")]
    return []


def json_body(raw: bytes | None) -> Any:
    """The one JSON reader of request bodies: UTF-8, well formed, at most MAX_JSON_DEPTH deep and with numbers of at
    most MAX_JSON_NUMBER_CHARS characters (else 400), and no control or bidi-override character in any string (else
    422 naming each field), before any model sees it."""
    try:
        text = (raw or b"").decode("utf-8") or "null"
    except UnicodeDecodeError as exc:
        raise MalformedRequest("body-not-utf8") from exc
    # No deeper than it has brackets: a body with few of them (every body of ours) skips the character walk.
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _nesting(text) > MAX_JSON_DEPTH:
        raise MalformedRequest("json-limits", depth=MAX_JSON_DEPTH, digits=MAX_JSON_NUMBER_CHARS)
    try:
        parsed = json.loads(text, parse_int=lambda t: int(_bounded_number(t)),
                            parse_float=lambda t: float(_bounded_number(t)))
    except json.JSONDecodeError as exc:
        raise MalformedRequest("malformed-json", line=exc.lineno, column=exc.colno) from exc
    except ValueError as exc:  # a number over the bound
        raise MalformedRequest("json-limits", depth=MAX_JSON_DEPTH, digits=MAX_JSON_NUMBER_CHARS) from exc
    # A string can only hold such a character if the text does, or writes one as an escape (\u0000, \b, \f):
    # without either, the walk through the parsed body would find nothing.
    hidden = _hidden_characters(parsed) if "\\" in text or _HIDDEN_CHARACTERS.search(text) else []
    if hidden:
        raise InvalidInput(hidden)
    return parsed
