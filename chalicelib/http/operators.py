"""Operators' payment work: unmatched payments to reconcile, and the program's figures."""

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.clock import mexico_city_today, now_from
from chalicelib.domain.figures import DAILY_LOOKBACK_DAYS, DAILY_MAX_DAYS

from chalicelib.domain.model import Model
from chalicelib.domain.payment_events import Decision, Payment
from chalicelib.domain.quotes import Month
from chalicelib.http.api import Router
from chalicelib.auth import Caller, Role
from chalicelib.http.views import PaymentOut, payment_out

router = Router(__name__, tag="operators")
OPERATOR = {Role.OPERATOR}


def service():
    """The use cases, imported with the first request that needs them rather than at cold start."""
    from chalicelib.services import operators

    return operators


class UnmatchedPayment(PaymentOut):
    partner: str
    partner_transaction_id: str
    member_id: str | None
    nss: str | None


class UnmatchedPage(Model):
    items: list[UnmatchedPayment]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last")


class UnmatchedQuery(Model):
    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=100)] = 50
    after: Annotated[str, Field(pattern=r"^PAYMENT#[0-9a-f]{32}\|[0-9T:.+-]{19,40}#[0-9a-f]{32}$")] | None = None


class Resolution(Model):
    """Apply the payment to a member's months, or mark it for refund to the payer."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: Literal["apply", "refund"]
    member_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    months: Annotated[list[Month], Field(max_length=12)] = []
    note: Annotated[str, Field(min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _apply_needs_target(self) -> "Resolution":
        if self.action == "apply" and (not self.member_id or not self.months):
            raise PydanticCustomError("apply_needs_member_and_months", "To apply, give member_id and months.")
        if self.action == "refund" and (self.member_id or self.months):
            raise PydanticCustomError("refund_takes_no_target", "A refund takes no member_id or months.")
        if len(set(self.months)) != len(self.months):
            raise PydanticCustomError("months_repeated", "Each month once.")
        return self


class ResolvedPayment(UnmatchedPayment):
    decisions: list[Decision]


class Stats(Model):
    month: str = Field(description="This month on Mexico City's calendar, YYYY-MM")
    members_by_status: dict[str, int]
    beneficiaries: int
    payments_this_month: dict[str, int | str] = Field(
        description="received/applied/unmatched/reversed counts and *_mxn amounts (decimal strings)")


def _unmatched_out(payment: Payment) -> UnmatchedPayment:
    return UnmatchedPayment(**payment_out(payment).model_dump(), partner=payment.partner, member_id=payment.member_id,
                            partner_transaction_id=payment.partner_transaction_id, nss=payment.nss)


@router.route("/v1/operators/payments/unmatched", "GET", roles=OPERATOR, query=UnmatchedQuery,
              response=UnmatchedPage, summary="Payments waiting for an operator, oldest first")
def list_unmatched(query: UnmatchedQuery) -> UnmatchedPage:
    payments, cursor = service().unmatched(query.limit, query.after)
    return UnmatchedPage(items=[_unmatched_out(p) for p in payments], next=cursor)


@router.route("/v1/operators/payments/{payment_id}/resolve", "POST", roles=OPERATOR, body=Resolution,
              response=ResolvedPayment, extra_statuses=[404, 409],
              summary="Apply an unmatched payment to a member and months, or mark it for refund (who and when kept)")
def resolve_payment(caller: Caller, payment_id: str, body: Resolution, now: datetime) -> ResolvedPayment:
    payment = service().resolve(caller.user_id, payment_id, body.action, body.member_id, body.months, body.note, now)
    return ResolvedPayment(**_unmatched_out(payment).model_dump(), decisions=payment.decisions)


@router.route("/v1/operators/stats", "GET", roles=OPERATOR, response=Stats,
              summary="Members by status, beneficiaries, this month's payments and amounts (summed counters)")
def program_stats(now: datetime) -> Stats:
    found = service().program_stats(now)
    return Stats(month=found.month, members_by_status=found.members_by_status, beneficiaries=found.beneficiaries,
                 payments_this_month=found.payments)


class DailyQuery(Model):
    """GET /v1/operators/stats/daily?from=&to= (Mexico City days, both included)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    first: date = Field(alias="from", description=f"At most {DAILY_LOOKBACK_DAYS} days before today (Mexico City)")
    last: date = Field(alias="to", description=f"On or after `from`, at most {DAILY_MAX_DAYS} days in all")

    @field_validator("first")
    @classmethod
    def _recent(cls, first: date, info: ValidationInfo) -> date:
        # The members series is derived back from today, reading every day since `from`: this bounds that read.
        today = mexico_city_today(now_from(info.context))
        if first < today - timedelta(days=DAILY_LOOKBACK_DAYS):
            raise PydanticCustomError("daily_too_far_back", "'from' must be at most {days} days before today.",
                                      {"days": DAILY_LOOKBACK_DAYS})
        return first

    @field_validator("last")
    @classmethod
    def _range(cls, last: date, info: ValidationInfo) -> date:
        first = info.data.get("first")
        if first and not 0 <= (last - first).days < DAILY_MAX_DAYS:
            raise PydanticCustomError("daily_range", "'to' must be on or after 'from', at most {days} days in all.",
                                      {"days": DAILY_MAX_DAYS})
        return last


class DayFiguresOut(Model):
    day: date = Field(description="A Mexico City day")
    payments: dict[str, int | str] = Field(
        description="received/applied/unmatched/reversed counts and *_mxn amounts (decimal strings), by the day paid")
    consults: dict[str, int] = Field(
        description="booked (on the booking's day), attended and noshow (on the consult's day)")
    members_by_status: dict[str, int] = Field(
        description="At the end of the day: today's totals minus the later days' net changes; exact from the day "
                    "per-day counting began, earlier days show the figures as they stood then")


class DailyFigures(Model):
    items: list[DayFiguresOut]


@router.route("/v1/operators/stats/daily", "GET", roles=OPERATOR, query=DailyQuery, response=DailyFigures,
              summary="Per Mexico City day: payments and amounts, consults booked/attended/no-show, members by status "
                      "at the day's end (summed counters)")
def daily_stats(query: DailyQuery, now: datetime) -> DailyFigures:
    return DailyFigures(items=[
        DayFiguresOut(day=day.day, payments=day.payments, consults=day.consults,
                      members_by_status=day.members_by_status)
        for day in service().daily_figures(query.first, query.last, now)])
