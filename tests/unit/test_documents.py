"""Verification tokens and masked names of members' documents; the PDF library stays out of the app's import."""

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, strategies as st

from chalicelib.domain.documents import TOKEN_LENGTH, document_id, expiry, masked, opened, sign

NOW = datetime(2026, 11, 30, 18, tzinfo=timezone.utc)
KEY, OTHER = b"k" * 32, b"o" * 32
ROOT = Path(__file__).resolve().parents[2]


def test_a_token_opens_to_its_document_until_it_expires():
    issued = document_id(KEY, "receipt", "member", "payment", "2026-11-30", "", "2027-01")
    token = sign(issued, NOW + timedelta(days=1), KEY)
    assert len(token) == TOKEN_LENGTH and token.replace("-", "").replace("_", "").isalnum()
    assert opened(token, NOW, (KEY,)) == issued
    assert opened(token, NOW, (OTHER, KEY)) == issued  # a rotation keeps the previous key verifying
    assert opened(token, NOW + timedelta(days=1), (KEY,)) is None
    assert opened(token, NOW, (OTHER,)) is None


@given(st.integers(0, TOKEN_LENGTH - 1), st.sampled_from("AQgw-_09"))
def test_any_changed_character_is_refused(position, replacement):
    token = sign(document_id(KEY, "certificate", "member"), NOW + timedelta(days=1), KEY)
    changed = token[:position] + replacement + token[position + 1:]
    if changed != token:
        assert opened(changed, NOW, (KEY,)) is None


@given(st.text(max_size=60))
def test_anything_else_is_refused_without_error(text):
    assert opened(text, NOW, (KEY,)) is None


def test_an_id_is_the_same_for_the_same_facts_and_unrelated_otherwise():
    facts = ("receipt", "member", "payment", "2026-11-30", "A**** G****", "2027-01,2027-02")
    assert document_id(KEY, *facts) == document_id(KEY, *facts)
    assert len(document_id(KEY, *facts)) == 22
    assert document_id(OTHER, *facts) != document_id(KEY, *facts)
    assert document_id(KEY, *facts[:-1], "2027-01") != document_id(KEY, *facts)
    # fields are separated, so moving text from one to the next is another document
    assert document_id(KEY, "a", "bc") != document_id(KEY, "ab", "c")


def test_a_document_verifies_until_midnight_mexico_city_after_its_validity():
    late = datetime(2026, 12, 1, 5, 59, tzinfo=timezone.utc)  # still 30 November in Mexico City (UTC-6)
    assert expiry("certificate", NOW) == expiry("certificate", late) == datetime(2027, 3, 1, 6, tzinfo=timezone.utc)
    assert expiry("receipt", datetime(2026, 12, 1, 6, tzinfo=timezone.utc)) == datetime(2027, 12, 2, 6,
                                                                                       tzinfo=timezone.utc)


def test_masked_names_keep_initials_only():
    assert masked("María Guadalupe", "López", None) == "M**** G**** L****"
    assert masked("ana", "de la Cruz", "Ñúñez") == "A**** D**** L**** C**** Ñ****"
    assert masked() is None and masked(None, "") is None


def test_importing_the_app_does_not_load_the_pdf_library():
    check = "import sys, app; assert not [m for m in sys.modules if m.split('.')[0] in ('reportlab', 'PIL')]"
    subprocess.run([sys.executable, "-c", check], cwd=ROOT, check=True)
