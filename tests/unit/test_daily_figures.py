"""The members by status at the end of each day, derived back from today's totals (domain/figures.py): the later days
of a day's month from the day counters, the later months at once from the month counters."""

from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.coverage import month_of
from chalicelib.domain.figures import (
    DAILY_LOOKBACK_DAYS, DAILY_MAX_DAYS, days_between, members_at_end_of_days, months_after, scopes_to_read,
)

STATUSES = ["pending_payment", "active"]


def _months(day_deltas: dict) -> dict:
    """The month counters the writes keep beside the day ones (stats.status_moved counts a change in both)."""
    months: dict[str, Counter] = {}
    for day, deltas in day_deltas.items():
        months.setdefault(month_of(day), Counter()).update(deltas)
    return {month: dict(deltas) for month, deltas in months.items()}


def _day_by_day(totals: dict, day_deltas: dict, days: list[date]) -> dict:
    """The former derivation, as the reference: the totals minus the deltas of every later day up to today."""
    return {day: {status: totals.get(f"members_{status}", 0) - sum(
        deltas.get(f"members_{status}", 0) for later, deltas in day_deltas.items() if later > day)
        for status in STATUSES} for day in days}


def _derive(totals: dict, history: dict, first: date, last: date, today: date) -> dict:
    """Through the service's path: read only `scopes_to_read`'s days and months of `history` (every day's deltas up
    to today), as the store would, and derive."""
    read_days, read_months = scopes_to_read(first, last, today)
    months = _months(history)
    return members_at_end_of_days(totals, {day: history.get(day, {}) for day in read_days},
                                  {month: months.get(month, {}) for month in read_months},
                                  days_between(first, last), STATUSES)


def test_each_day_is_todays_totals_minus_the_later_days_deltas():
    days = days_between(date(2026, 11, 1), date(2026, 11, 4))
    deltas = {date(2026, 11, 1): {},
              date(2026, 11, 2): {"members_pending_payment": 2, "payments_applied": 5},
              date(2026, 11, 3): {"members_pending_payment": -1, "members_active": 1},
              date(2026, 11, 4): {}}
    totals = {"members_pending_payment": 1, "members_active": 1}
    ends = members_at_end_of_days(totals, deltas, {}, days, STATUSES)
    assert [ends[d] for d in days] == [
        {"pending_payment": 0, "active": 0}, {"pending_payment": 2, "active": 0},
        {"pending_payment": 1, "active": 1}, {"pending_payment": 1, "active": 1}]


def test_later_months_are_subtracted_whole_from_their_month_counters():
    # today 3 February: 30 and 31 January from their days, all of February from its month (2 February's +1 active)
    history = {date(2026, 1, 30): {"members_active": 1}, date(2026, 1, 31): {"members_active": 1},
               date(2026, 2, 2): {"members_active": 1}}
    read_days, read_months = scopes_to_read(date(2026, 1, 29), date(2026, 1, 30), date(2026, 2, 3))
    assert read_days == days_between(date(2026, 1, 29), date(2026, 1, 31)) and read_months == ["2026-02"]
    ends = members_at_end_of_days({"members_active": 3}, {day: history.get(day, {}) for day in read_days},
                                  {"2026-02": {"members_active": 1}}, read_days[:2], STATUSES)
    assert ends == {date(2026, 1, 29): {"pending_payment": 0, "active": 0},
                    date(2026, 1, 30): {"pending_payment": 0, "active": 1}}


def test_days_before_counting_began_show_the_figures_as_they_stood_then():
    # totals include members counted before the day counters existed: the earliest days cannot go below them
    days = days_between(date(2026, 1, 1), date(2026, 1, 2))
    ends = members_at_end_of_days({"members_active": 10}, {days[0]: {}, days[1]: {"members_active": 1}}, {}, days,
                                  STATUSES)
    assert ends[days[0]] == {"pending_payment": 0, "active": 9} and ends[days[1]]["active"] == 10


def test_only_the_asked_days_are_answered_though_later_ones_are_read():
    read = days_between(date(2026, 3, 1), date(2026, 3, 5))
    deltas = {day: {"members_active": 1} for day in read}
    ends = members_at_end_of_days({"members_active": 5}, deltas, {}, read[:2], STATUSES)
    assert ends == {read[0]: {"pending_payment": 0, "active": 1}, read[1]: {"pending_payment": 0, "active": 2}}


def test_the_scopes_read_are_the_range_the_rest_of_its_last_month_and_the_months_since():
    today = date(2026, 11, 12)
    # a week up to today: its days and no month (all in this month)
    assert scopes_to_read(date(2026, 11, 6), today, today) == (days_between(date(2026, 11, 6), today), [])
    # a range ending after today: its days, no more
    assert scopes_to_read(date(2026, 11, 10), date(2026, 11, 20), today) == (
        days_between(date(2026, 11, 10), date(2026, 11, 20)), [])
    # August 20 to September 3: to the end of September, and the months after August up to November
    days, months = scopes_to_read(date(2026, 8, 20), date(2026, 9, 3), today)
    assert days == days_between(date(2026, 8, 20), date(2026, 9, 30)) and months == ["2026-09", "2026-10", "2026-11"]
    assert months_after(date(2025, 11, 30), date(2026, 12, 1)) == ["2025-12", *(f"2026-{m:02d}" for m in range(1, 13))]
    assert months_after(date(2026, 12, 31), date(2026, 12, 31)) == [] == months_after(date(2026, 12, 1), today)


def test_the_worst_read_is_136_scopes_instead_of_368():
    """`from` 366 days back, 92 days long, ending on the 1st of a 31-day month: 92 + 30 days, 13 months (+ all-time)
    where the day-by-day derivation read every day up to today (367 + all-time)."""
    today = date(2026, 12, 1)
    first = today - timedelta(days=DAILY_LOOKBACK_DAYS)  # 30 November 2025
    last = first + timedelta(days=DAILY_MAX_DAYS - 1)  # 1 March 2026
    days, months = scopes_to_read(first, last, today)
    assert (len(days), len(months)) == (122, 13) and 1 + len(days) + len(months) == 136
    assert 1 + len(days_between(first, today)) == 368


@st.composite
def _histories(draw):
    """Today, a range within the API's rules (up to 366 days back, at most 92 days, possibly past today), and random
    status deltas on random days from a year before the range up to today."""
    today = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 3 * 366)))
    first = today - timedelta(days=draw(st.integers(0, DAILY_LOOKBACK_DAYS)))
    last = first + timedelta(days=draw(st.integers(0, DAILY_MAX_DAYS - 1)))
    span = (today - first).days + 1
    changed = draw(st.lists(st.tuples(st.integers(0, span - 1), st.sampled_from(STATUSES), st.integers(-3, 3)),
                            max_size=60))
    history: dict[date, Counter] = {}
    for offset, status, delta in changed:
        history.setdefault(first + timedelta(days=offset), Counter())[f"members_{status}"] += delta
    totals = {f"members_{status}": draw(st.integers(0, 1000)) for status in STATUSES}
    return today, first, last, totals, {day: dict(deltas) for day, deltas in history.items()}


@settings(max_examples=300, deadline=None)
@given(_histories())
def test_the_month_based_derivation_equals_the_day_by_day_one(case):
    today, first, last, totals, history = case
    assert _derive(totals, history, first, last, today) == _day_by_day(totals, history, days_between(first, last))
