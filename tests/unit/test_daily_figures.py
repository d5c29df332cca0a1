"""The members by status at the end of each day, derived back from today's totals (domain/figures.py)."""

from datetime import date

from chalicelib.domain.figures import days_between, members_at_end_of_days

STATUSES = ["pending_payment", "active"]


def test_each_day_is_todays_totals_minus_the_later_days_deltas():
    days = days_between(date(2026, 11, 1), date(2026, 11, 4))
    deltas = {date(2026, 11, 1): {},
              date(2026, 11, 2): {"members_pending_payment": 2, "payments_applied": 5},
              date(2026, 11, 3): {"members_pending_payment": -1, "members_active": 1},
              date(2026, 11, 4): {}}
    totals = {"members_pending_payment": 1, "members_active": 1}
    ends = members_at_end_of_days(totals, deltas, days, STATUSES)
    assert [ends[d] for d in days] == [
        {"pending_payment": 0, "active": 0}, {"pending_payment": 2, "active": 0},
        {"pending_payment": 1, "active": 1}, {"pending_payment": 1, "active": 1}]


def test_days_before_counting_began_show_the_figures_as_they_stood_then():
    # totals include members counted before the day counters existed: the earliest days cannot go below them
    days = days_between(date(2026, 1, 1), date(2026, 1, 2))
    ends = members_at_end_of_days({"members_active": 10}, {days[0]: {}, days[1]: {"members_active": 1}}, days, STATUSES)
    assert ends[days[0]] == {"pending_payment": 0, "active": 9} and ends[days[1]]["active"] == 10


def test_only_the_asked_days_are_answered_though_later_ones_are_read():
    read = days_between(date(2026, 3, 1), date(2026, 3, 5))
    deltas = {day: {"members_active": 1} for day in read}
    ends = members_at_end_of_days({"members_active": 5}, deltas, read[:2], STATUSES)
    assert ends == {read[0]: {"pending_payment": 0, "active": 1}, read[1]: {"pending_payment": 0, "active": 2}}
