"""Matching a payment to a reference, payment ids, coverage status and reversals: pure rules."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.coverage import merged, month_of, not_started, status_for
from chalicelib.domain.members import MemberStatus
from chalicelib.domain.payment_events import payment_id, unmatched_reason
from chalicelib.domain.payments import PaymentReference, reference_code

NOW = datetime(2026, 11, 21, 18, tzinfo=timezone.utc)
CODE = reference_code("1234567890123456")


def _reference(**changes) -> PaymentReference:
    fields = dict(reference=CODE, member_id="m", months=["2027-01"], amount_mxn=Decimal("1766.90"), status="open",
                  issued_at=NOW, expires_at=NOW + timedelta(days=20), rate_tables=[], estimated=False)
    return PaymentReference(**{**fields, **changes})


@pytest.mark.parametrize("reference, amount, paid_at, reason", [
    (_reference(), Decimal("1766.90"), NOW, None),
    (_reference(), Decimal("1766.89"), NOW, "wrong-amount"),
    (_reference(), Decimal("1766.90"), NOW + timedelta(days=21), "reference-expired"),
    (_reference(status="paid"), Decimal("1766.90"), NOW, "reference-paid"),
    (_reference(status="superseded"), Decimal("1766.90"), NOW, "reference-superseded"),
    (None, Decimal("1"), NOW, "unknown-reference"),
])
def test_only_the_exact_amount_on_an_open_reference_by_its_deadline_is_applied(reference, amount, paid_at, reason):
    assert unmatched_reason(CODE, reference, amount, paid_at) == reason


def test_unknown_codes_say_whether_they_were_mistyped():
    mistyped = CODE[:-3] + str((int(CODE[-3]) + 1) % 10) + CODE[-2:]
    assert unmatched_reason(mistyped, None, Decimal(1), NOW) == "invalid-reference"
    assert unmatched_reason(None, None, Decimal(1), NOW) == "no-open-reference"


def test_payment_ids_are_stable_per_partner_transaction():
    assert payment_id("finabien", "tx-1") == payment_id("finabien", "tx-1")
    assert len({payment_id("finabien", "tx-1"), payment_id("spei", "tx-1"), payment_id("finabien", "tx-2")}) == 3


@pytest.mark.parametrize("months, status", [([], MemberStatus.PENDING_PAYMENT), (["2026-10"], MemberStatus.LAPSED),
                                            (["2026-11"], MemberStatus.ACTIVE), (["2027-03"], MemberStatus.ACTIVE)])
def test_status_follows_the_last_covered_month_on_mexico_citys_calendar(months, status):
    assert status_for(months, MemberStatus.ACTIVE, NOW) is status


def test_cancelled_stays_cancelled_and_the_month_turns_at_mexico_city_midnight():
    assert status_for(["2027-01"], MemberStatus.CANCELLED, NOW) is MemberStatus.CANCELLED
    # 1 December 03:00 UTC is still 30 November in Mexico City.
    assert status_for(["2026-11"], MemberStatus.ACTIVE, datetime(2026, 12, 1, 3, tzinfo=timezone.utc)) is MemberStatus.ACTIVE
    assert status_for(["2026-11"], MemberStatus.ACTIVE, datetime(2026, 12, 1, 7, tzinfo=timezone.utc)) is MemberStatus.LAPSED


months = st.dates(date(2024, 1, 1), date(2030, 12, 1)).map(month_of)


@given(st.lists(months, max_size=24), st.datetimes(datetime(2024, 1, 1), datetime(2031, 1, 1)))
def test_a_reversal_takes_exactly_the_months_after_this_one(covered, instant):
    now = instant.replace(tzinfo=timezone.utc)
    taken = not_started(covered, now)
    current = month_of(now.astimezone(timezone(timedelta(hours=-6))).date())
    assert all(month > current for month in taken)
    assert all(month <= current for month in covered if month not in taken)


@given(st.lists(months), st.lists(months))
def test_merging_coverage_is_sorted_without_repeats_and_loses_nothing(covered, added):
    result = merged(covered, added)
    assert result == sorted(set(result)) and set(result) == set(covered) | set(added)
