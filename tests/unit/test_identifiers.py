"""Identifier rules with the official test vectors, one valid and one invalid real-looking value per rule."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from chalicelib.domain.catalogs import CURP_BIRTH_STATES, MEXICAN_STATES
from chalicelib.domain.identifiers import (
    Country, Curp, Email, MexicanPhone, MexicanState, Nss, Phone, PostalCode, Rfc, TimeZoneName, UsState, age_on,
    birthday, curp_facts, rfc_matches_curp, rfc_warnings,
)
from tests.people import make_curp, make_nss, make_rfc


def _error(kind, value) -> str | None:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError as exc:
        return exc.errors()[0]["type"]
    return None


# Official vectors from ../shared/reference/imss-pti-rules.md §8.
def test_official_vectors():
    assert _error(Curp, "BOXW310820HNERXN09") is None
    assert _error(Rfc, "GODE561231GR8") is None and rfc_warnings("GODE561231GR8") == []
    assert _error(Rfc, "VACE460910SX6") is None and [w.key for w in rfc_warnings("VACE460910SX6")] == ["rfc_check_digit"]
    assert _error(Nss, "12345678903") is None


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("BOXW310820HNERXN09", None),
        (" boxw-310820-hnerxn09 ", None),  # typing habits are normalised away
        ("BOXW310820HNERXN0", "curp_length"),
        ("B0XW310820HNERXN09", "curp_format"),
        ("BOXW310820HNERXN08", "curp_check_digit"),
        ("BOXW311320HNERXN09", "curp_birth_date"),
        ("BOXW310230HNERXN09", "curp_birth_date"),
        ("BOXW310820XNERXN09", "curp_sex"),
        ("BOXW310820HZZRXN09", "curp_state"),
        ("BUEI310820HNERXN09", "curp_inconvenient_word"),
        (12345, "string_type"),
    ],
)
def test_curp(value, error):
    assert _error(Curp, value) == error


def test_curp_facts_include_born_abroad():
    facts = curp_facts("BOXW310820HNERXN09")
    assert facts == type(facts)(date(1931, 8, 20), "H", "NE") and facts.born_abroad
    assert curp_facts(make_curp(birth=date(2004, 2, 29), state="JC")).birth_date == date(2004, 2, 29)


@pytest.mark.parametrize(
    ("value", "error"),
    [("12345678903", None), ("1234 5678 903", None), ("12345678904", "nss_check_digit"),
     ("1234567890", "nss_format"), ("1234567890A", "nss_format")],
)
def test_nss(value, error):
    assert _error(Nss, value) == error


@pytest.mark.parametrize(
    ("value", "error"),
    [("GODE561231GR8", None), ("gode-561231-gr8", None), ("GOD561231GR8", "rfc_format"),
     ("GODE5612319R8X", "rfc_format"), ("GODE561331GR8", "rfc_birth_date"), ("GODE561231", "rfc_format")],
)
def test_rfc(value, error):
    assert _error(Rfc, value) == error


def test_rfc_and_curp_birth_dates():
    curp = make_curp(birth=date(1985, 6, 15))
    assert rfc_matches_curp(make_rfc(curp), curp)
    assert not rfc_matches_curp("GOMA850616AB1", curp)


@pytest.mark.parametrize(
    ("kind", "valid", "invalid", "error"),
    [
        (Email, "maria.lopez+imss@example.com", "maria.lopez@", "email_format"),
        (Email, "Ana@Example.COM", "ana@@example.com", "email_format"),
        (Phone, "+1 (310) 555-0123", "310-555-0123", "phone_format"),
        (MexicanPhone, "+52 33 1234 5678", "+1 310 555 0123", "mx_phone_format"),
        (PostalCode, "44100", "4410", "postal_code_format"),
        (MexicanState, "jal", "JA", "mx_state_unknown"),
        (UsState, "ca", "XX", "us_state_unknown"),
        (Country, "us", "ZZ", "country_unknown"),
        (TimeZoneName, "America/Los_Angeles", "America/Springfield", "time_zone_unknown"),
    ],
)
def test_contact_data(kind, valid, invalid, error):
    assert _error(kind, valid) is None
    assert _error(kind, invalid) == error


def test_normalised_values():
    assert TypeAdapter(Email).validate_python(" Ana@Example.COM ") == "Ana@example.com"
    assert TypeAdapter(Phone).validate_python("+1 (310) 555-0123") == "+13105550123"
    assert TypeAdapter(MexicanState).validate_python(" jal ") == "JAL"


def test_catalogues():
    assert len(MEXICAN_STATES) == 32 and "CMX" in MEXICAN_STATES
    assert "NE" in CURP_BIRTH_STATES and len(CURP_BIRTH_STATES) == 33


def test_ages_and_birthdays():
    assert age_on(date(2000, 6, 15), date(2016, 6, 14)) == 15
    assert age_on(date(2000, 6, 15), date(2016, 6, 15)) == 16
    assert birthday(date(2004, 2, 29), 16) == date(2020, 2, 29)
    assert birthday(date(2004, 2, 29), 17) == date(2021, 3, 1)


# --- Invariants --------------------------------------------------------------------------------------------------------

BIRTHS = st.dates(min_value=date(1930, 1, 1), max_value=date(2025, 12, 31))
LETTERS = st.text(alphabet="BCDFGHJKLMNPQRSTVWXYZ", min_size=3, max_size=3)


@given(birth=BIRTHS, sex=st.sampled_from("HM"), state=st.sampled_from(sorted(CURP_BIRTH_STATES)), consonants=LETTERS)
def test_every_well_formed_curp_validates_and_keeps_its_birth_date(birth, sex, state, consonants):
    curp = make_curp("GOMA", birth, sex, state, consonants)
    assert _error(Curp, curp) is None
    assert _error(Curp, "-".join([curp[:4].lower(), curp[4:10], f" {curp[10:]} "])) is None
    assert curp_facts(curp).birth_date == birth


@given(seed=st.integers(min_value=0, max_value=10**10 - 1), position=st.integers(0, 10), delta=st.integers(1, 9))
def test_nss_check_digit_catches_every_single_digit_typo(seed, position, delta):
    nss = make_nss(seed)
    typo = nss[:position] + str((int(nss[position]) + delta) % 10) + nss[position + 1:]
    assert _error(Nss, nss) is None
    assert _error(Nss, typo) == "nss_check_digit"


@given(seed=st.integers(min_value=0, max_value=10**10 - 1), position=st.integers(0, 9))
def test_nss_check_digit_catches_adjacent_swaps_except_09_90(seed, position):
    nss = make_nss(seed)
    a, b = nss[position], nss[position + 1]
    swapped = nss[:position] + b + a + nss[position + 2:]
    if a != b and {a, b} != {"0", "9"}:  # Luhn's one known blind spot
        assert _error(Nss, swapped) == "nss_check_digit"


@pytest.mark.parametrize(
    ("kind", "value"),
    [(Nss, "١٢٣٤٥٦٧٨٩٠٣"), (Curp, "BOXW٣١٠٨٢٠HNERXN09"), (PostalCode, "٤٤١٠٠"), (Phone, "+١٣١٠٥٥٥٠١٢٣")],
)
def test_only_ascii_digits_count_as_digits(kind, value):
    """Python's and pydantic's \\d also match Arabic-Indic and other digits; identifiers must not."""
    assert _error(kind, value) is not None
