import string

import pytest

from chalicelib.i18n import negotiate, text


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "es"),
        ("", "es"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("en;q=0.5,es;q=0.9", "es"),
        ("fr-FR, en;q=0.7", "en"),
        ("fr", "es"),
        ("en;q=0", "es"),
        ("es, en", "es"),
        ("EN-us", "en"),
        ("en;q=abc", "es"),
    ],
)
def test_negotiates_spanish_unless_english_is_preferred(header, expected):
    assert negotiate(header) == expected


def test_text_formats_parameters_in_each_language():
    assert text("field.string_too_short", "es", min_length=3) == "Debe tener al menos 3 caracteres."
    assert text("field.string_too_short", "en", min_length=3) == "Must have at least 3 characters."


def test_unknown_key_and_missing_parameter_never_raise():
    assert text("field.no-such-key", "es") == "El valor no es válido."
    assert "{min_length}" in text("field.string_too_short", "en")


def _keys_used_in_code() -> set[str]:
    """Every message key the code raises: custom field errors (`field.<type>`) and problem detail keys."""
    import ast
    from pathlib import Path

    problems = {"Conflict", "NotFound", "Forbidden", "PreconditionFailed", "Unauthenticated", "MalformedRequest",
                "ServiceUnavailable", "PayloadTooLarge", "UnsupportedMediaType", "MethodNotAllowed", "FieldError"}
    keys = set()
    for path in (Path(__file__).resolve().parents[2] / "chalicelib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name == "PydanticCustomError":
                keys.add(f"field.{node.args[0].value}")
            elif name in problems and name != "FieldError":
                keys.add(node.args[0].value)
            elif name == "FieldError" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                keys.add(f"field.{node.args[1].value}")
    return keys


def test_every_key_the_code_raises_has_spanish_and_english_text():
    from chalicelib.i18n import _TEXT

    missing = sorted(key for key in _keys_used_in_code() if key not in _TEXT)
    assert missing == [], missing
    empty = [key for key, texts in _TEXT.items()
             if set(texts) != {"es", "en"} or not all(isinstance(t, str) and t.strip() for t in texts.values())]
    assert empty == []


def test_both_languages_of_a_text_take_the_same_placeholders():
    from chalicelib.i18n import _TEXT

    # A parameter given in each language: the day's name (domain/scheduling.py passes `dia` and `weekday`).
    same_value = {"dia": "weekday"}

    def placeholders(template: str) -> set[str]:
        return {same_value.get(name, name) for _, name, _, _ in string.Formatter().parse(template) if name}

    differing = {key: (placeholders(t["es"]), placeholders(t["en"])) for key, t in _TEXT.items()
                 if placeholders(t["es"]) != placeholders(t["en"])}
    assert differing == {}
