"""Coverage months and member status, judged on Mexico City's calendar.

A member is `active` while their last covered month is this month or later, `lapsed` once it has passed, and
`pending_payment` until a first month is paid. Months are 'YYYY-MM' strings, which sort as dates.
"""

from collections.abc import Iterable
from datetime import date, datetime

from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.members import MemberStatus


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def this_month(now: datetime) -> str:
    return month_of(mexico_city_today(now))


def status_for(covered_months: Iterable[str], current: MemberStatus, now: datetime) -> MemberStatus:
    if current is MemberStatus.CANCELLED:
        return current
    months = list(covered_months)
    if not months:
        return MemberStatus.PENDING_PAYMENT
    return MemberStatus.ACTIVE if max(months) >= this_month(now) else MemberStatus.LAPSED


def not_started(months: Iterable[str], now: datetime) -> list[str]:
    """The months a reversal takes back: those that have not begun yet."""
    current = this_month(now)
    return [month for month in months if month > current]


def merged(covered: Iterable[str], added: Iterable[str]) -> list[str]:
    return sorted(set(covered) | set(added))
