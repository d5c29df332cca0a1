"""Coverage months and member status, judged on Mexico City's calendar.

A member is `active` while their last covered month is this month or later, `lapsed` once it has passed, and
`pending_payment` until a first month is paid. Months are 'YYYY-MM' strings, which sort as dates.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.members import NOT_PROCESSED, MemberStatus


# A reference is paid by its deadline, before its first month begins (domain/payments.py), so paying it makes the
# member active: the common path of a payment needs no read of their coverage.
STATUS_WHEN_PAID = MemberStatus.ACTIVE


@dataclass(frozen=True)
class Coverage:
    """A member's whole coverage (months ascending) and the status it gives them."""

    months: list[str]
    status: MemberStatus


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def this_month(now: datetime) -> str:
    return month_of(mexico_city_today(now))


def status_for(covered_months: Iterable[str], current: MemberStatus, now: datetime) -> MemberStatus:
    if current is MemberStatus.CANCELLED or current in NOT_PROCESSED:
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


def with_months(covered: Iterable[str], added: Iterable[str], current: MemberStatus, now: datetime) -> Coverage:
    """The coverage once an operator applies a payment to `added` months."""
    months = merged(covered, added)
    return Coverage(months, status_for(months, current, now))


def after_reversal(covered: list[str], paid: Iterable[str], current: MemberStatus,
                   now: datetime) -> tuple[list[str], Coverage]:
    """The months a reversal takes back (those it paid that have not begun and are still covered), and the coverage
    left."""
    taken_back = [month for month in not_started(paid, now) if month in covered]
    remaining = [month for month in covered if month not in taken_back]
    return taken_back, Coverage(remaining, status_for(remaining, current, now))
