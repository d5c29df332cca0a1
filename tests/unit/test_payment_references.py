"""Payment references: check digits people can rely on, and which months a payment covers by when."""

from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.payments import (
    SPEI_ACCOUNT, first_payable_month, grouped, is_valid_reference, months_to_cover, normalize_reference,
    payment_deadline, reference_code,
)

BODIES = st.from_regex(r"[0-9]{16}", fullmatch=True)


@given(body=BODIES, position=st.integers(0, 17), delta=st.integers(1, 9))
def test_every_mistyped_digit_is_caught(body, position, delta):
    code = reference_code(body)
    typo = code[:position] + str((int(code[position]) + delta) % 10) + code[position + 1:]
    assert is_valid_reference(code) and not is_valid_reference(typo)


@given(body=BODIES, position=st.integers(0, 16))
def test_every_adjacent_swap_is_caught(body, position):
    code = reference_code(body)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
    assert swapped == code or not is_valid_reference(swapped)


def test_display_and_typing_habits():
    code = reference_code("4000123456789012")
    assert grouped(code) == "4000 1234 5678 9012 86"
    assert normalize_reference(" 4000-1234.5678 9012 86 ") == code
    assert not is_valid_reference(code[:-1]) and not is_valid_reference("abc")


@pytest.mark.parametrize(
    ("today", "day", "first"),
    [(date(2026, 11, 15), 15, date(2026, 12, 1)), (date(2026, 11, 16), 15, date(2027, 1, 1)),
     (date(2026, 12, 20), 20, date(2027, 1, 1)), (date(2026, 12, 21), 20, date(2027, 2, 1))],
)
def test_paying_by_the_deadline_covers_next_month(today, day, first):
    assert first_payable_month(today, day) == first


def test_paying_ahead_starts_after_current_coverage_and_spans_the_new_year():
    months = months_to_cover(date(2026, 11, 21), 15, covered_through=date(2027, 2, 1), count=12)
    assert months[0] == date(2027, 3, 1) and months[-1] == date(2028, 2, 1)
    assert months_to_cover(date(2026, 11, 10), 15, covered_through=date(2026, 10, 1), count=2) == [
        date(2026, 12, 1), date(2027, 1, 1)]


def test_deadline_is_end_of_day_in_mexico_city():
    assert payment_deadline(date(2027, 1, 1), 15) == datetime(2026, 12, 16, 5, 59, 59, tzinfo=timezone.utc)


def test_the_imss_clabe_carries_a_valid_check_digit():
    """Banxico's CLABE rule: weights 3, 7, 1 over 17 digits; guards the data against a typo."""
    clabe = SPEI_ACCOUNT["clabe"]
    total = sum(int(d) * w % 10 for d, w in zip(clabe[:17], [3, 7, 1] * 6))
    assert len(clabe) == 18 and (10 - total % 10) % 10 == int(clabe[17])


def test_non_ascii_digits_are_not_a_reference():
    assert not is_valid_reference("෦00000000000000098")
    with pytest.raises(ValueError):
        reference_code("٠" * 16)
