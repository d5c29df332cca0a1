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
