"""Semanas cotizadas: days of the paid months that have begun, over 7, whole weeks; the rule is data."""

import calendar
import json
from decimal import Decimal
from importlib import resources

from hypothesis import given, strategies as st

from chalicelib.domain.contribution_weeks import WeeksRule, contribution_weeks, weeks_rule

MONTHS = st.builds(lambda year, month: f"{year}-{month:02d}", st.integers(2020, 2040), st.integers(1, 12))


def test_the_rule_is_data_with_its_source_and_how_sure_we_are():
    raw = json.loads(resources.files("chalicelib.domain.rates").joinpath("contribution-weeks.json").read_text())
    rule = weeks_rule()
    assert rule.version == raw["version"] and rule.status in {"confirmed", "inference"} and "IMSS" in rule.source


def test_calendar_days_of_the_months_begun_are_summed_then_cut_to_whole_weeks():
    counted = contribution_weeks(["2026-09", "2026-10", "2026-11", "2026-12"], through="2026-11")
    assert counted.months_counted == ("2026-09", "2026-10", "2026-11")
    assert counted.days == 30 + 31 + 30 and counted.weeks == 13  # 91 / 7
    february = contribution_weeks(["2028-02"], through="2028-02")  # a leap year's February: 29 days, 4 weeks
    assert (february.days, february.weeks) == (29, 4)
    assert contribution_weeks([], through="2026-11").weeks == 0


def test_a_flat_month_is_a_data_change_only():
    flat = WeeksRule.model_validate({**weeks_rule().model_dump(), "days_per_paid_month": "30.4"})
    counted = contribution_weeks(["2026-01", "2026-02", "2026-03"], through="2026-12", rule=flat)
    assert counted.days == Decimal("91.2") and counted.weeks == 13


@given(st.lists(MONTHS, max_size=60), MONTHS)
def test_weeks_never_exceed_the_days_and_lose_less_than_a_week(months, through):
    counted = contribution_weeks(months, through)
    begun = {month for month in months if month <= through}
    days = sum(calendar.monthrange(int(m[:4]), int(m[5:]))[1] for m in begun)
    assert counted.days == days and counted.weeks * 7 <= days < (counted.weeks + 1) * 7
    assert counted.months_counted == tuple(sorted(begun))


@given(st.lists(MONTHS, max_size=30), st.lists(MONTHS, max_size=30), MONTHS)
def test_paying_more_months_never_lowers_the_weeks(months, more, through):
    assert contribution_weeks(months + more, through).weeks >= contribution_weeks(months, through).weeks
