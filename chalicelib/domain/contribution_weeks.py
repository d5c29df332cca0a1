"""Semanas cotizadas: the weeks of contribution a member's paid months earn, counted as IMSS counts them.

The rule is data (`rates/contribution-weeks.json`, with its source and whether it is confirmed or an inference):
how many days a paid month credits, how many days make a week, and that only whole weeks count.
"""

import calendar
import json
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import ConfigDict, Field

from chalicelib.domain.model import Model


class WeeksRule(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    days_per_paid_month: Literal["calendar"] | Decimal = Field(
        description='"calendar": the covered month\'s own days (28-31); or a flat number of days per month')
    days_per_week: int = Field(gt=0)
    rounding: Literal["down"]
    status: Literal["confirmed", "inference"]
    source: str = Field(min_length=10)


@dataclass(frozen=True)
class ContributionWeeks:
    days: Decimal  # days contributed by the months counted
    weeks: int  # whole weeks: what IMSS credits
    months_counted: tuple[str, ...]  # YYYY-MM, the covered months that have begun
    rule: WeeksRule


@cache
def weeks_rule() -> WeeksRule:
    """The rule shipped with the code, validated on first use."""
    raw = resources.files("chalicelib.domain.rates").joinpath("contribution-weeks.json").read_text(encoding="utf-8")
    return WeeksRule.model_validate(json.loads(raw))


def month_days(month: str, rule: WeeksRule) -> Decimal:
    if rule.days_per_paid_month == "calendar":
        year, number = (int(part) for part in month.split("-"))
        return Decimal(calendar.monthrange(year, number)[1])
    return rule.days_per_paid_month


def contribution_weeks(covered_months: list[str], through: str, rule: WeeksRule | None = None) -> ContributionWeeks:
    """The weeks earned by the covered months up to `through` (YYYY-MM, this Mexico City month): a month paid ahead
    earns its days once it begins. Days are summed first, then cut to whole weeks, so no month's remainder is lost."""
    rule = rule or weeks_rule()
    counted = tuple(sorted(month for month in set(covered_months) if month <= through))
    days = sum((month_days(month, rule) for month in counted), Decimal(0))
    weeks = int((days / rule.days_per_week).to_integral_value(rounding=ROUND_FLOOR))
    return ContributionWeeks(days=days, weeks=weeks, months_counted=counted, rule=rule)
