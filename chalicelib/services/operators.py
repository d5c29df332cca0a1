"""Operators' payment work: unmatched payments to reconcile, and the program's figures."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.coverage import this_month
from chalicelib.domain.figures import days_between, members_at_end_of_days, scopes_to_read
from chalicelib.domain.members import MemberStatus
from chalicelib.domain.payment_events import Decision, Payment
from chalicelib.services import ledger
from chalicelib.store import stats
from chalicelib.store import payments as store

PAYMENT_KINDS = ("received", "applied", "unmatched", "reversed")


def unmatched(limit: int, after: str | None) -> tuple[list[Payment], str | None]:
    """Payments waiting for an operator, oldest first, and where the next page starts."""
    return store.unmatched_payments(limit, after)


def resolve(operator_id: str, payment_id: str, action: str, member_id: str | None, months: list[str], note: str,
            now: datetime) -> Payment:
    """Apply an unmatched payment to a member's months, or mark it for refund; the decision keeps who and when."""
    decision = Decision(action=action, by=operator_id, at=now, member_id=member_id, months=sorted(months), note=note)
    if action == "apply":
        return ledger.resolve_by_applying(payment_id, decision, now)
    return ledger.resolve_by_refunding(payment_id, decision)


@dataclass(frozen=True)
class ProgramStats:
    month: str  # this Mexico City month, YYYY-MM
    members_by_status: dict[str, int]
    beneficiaries: int
    payments: dict[str, int | str]  # counts by kind, and <kind>_mxn amounts as decimal strings


def program_stats(now: datetime) -> ProgramStats:
    """The summed counters: members by status and beneficiaries (all time), this month's payments and amounts."""
    month = this_month(now)
    figures = stats.figures(month)
    members = {name.removeprefix("members_"): figures.all_time.get(name, 0)
               for name in stats.CounterShard.names() if name.startswith("members_")}
    payments: dict[str, int | str] = {}
    for kind in PAYMENT_KINDS:
        payments[kind] = figures.month.get(f"payments_{kind}", 0)
        payments[f"{kind}_mxn"] = f"{Decimal(figures.month.get(f'{kind}_centavos', 0)) / 100:.2f}"
    return ProgramStats(month, members, figures.all_time.get("beneficiaries", 0), payments)


def _payments(counters: dict[str, int]) -> dict[str, int | str]:
    payments: dict[str, int | str] = {}
    for kind in PAYMENT_KINDS:
        payments[kind] = counters.get(f"payments_{kind}", 0)
        payments[f"{kind}_mxn"] = f"{Decimal(counters.get(f'{kind}_centavos', 0)) / 100:.2f}"
    return payments


@dataclass(frozen=True)
class DayFigures:
    day: date
    payments: dict[str, int | str]  # counts by kind, and <kind>_mxn amounts as decimal strings
    consults: dict[str, int]  # booked, attended, noshow
    members_by_status: dict[str, int]  # at the end of the day


def daily_figures(first: date, last: date, now: datetime) -> list[DayFigures]:
    """Each day's payments and consults from its counters, and the members by status at the end of the day derived
    from today's totals (domain/figures.py): reads the all-time shards, the days from `first` to the end of `last`'s
    month (or today) and the months after `first`'s up to today's, in one BatchGetItem per 100 keys."""
    days = days_between(first, last)
    read_days, read_months = scopes_to_read(first, last, mexico_city_today(now))
    read = stats.daily(read_days, read_months)
    counters = read.days
    statuses = [status.value for status in MemberStatus]
    members = members_at_end_of_days(read.all_time, counters, read.months, days, statuses)
    return [DayFigures(day, _payments(counters[day]),
                       {kind: counters[day].get(f"consults_{kind}", 0) for kind in ("booked", "attended", "noshow")},
                       members[day])
            for day in days]
