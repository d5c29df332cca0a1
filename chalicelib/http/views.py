"""Response models, and their rendering, that more than one route module answers with."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from chalicelib import wiring
from chalicelib.domain.model import Model
from chalicelib.domain.payment_events import Payment
from chalicelib.i18n import Language, text


class NextStep(Model):
    code: str
    message: str


def next_step(code: str, language: Language) -> NextStep:
    return NextStep(code=code, message=text(f"next.{code}", language, day=wiring.settings().payment_deadline_day))


class PaymentOut(Model):
    payment_id: str
    status: str = Field(description="applied, unmatched (waiting for an operator), refund_pending or reversed")
    reason: str | None = Field(description="Why it could not be applied automatically")
    amount_mxn: str | None
    paid_at: datetime | None
    received_at: datetime
    channel: str
    reference: str | None
    months: list[str]
    reversed_months: list[str]


def payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut(**payment.model_dump(exclude={"amount_mxn"}),
                      amount_mxn=f"{payment.amount_mxn:.2f}" if payment.amount_mxn is not None else None)


class ExchangeRateOut(Model):
    usd_mxn: str = Field(description="Pesos per US dollar")
    date: str | None = Field(description="The day Banco de México published it (YYYY-MM-DD); null for a caller's rate")
    source: str = Field(description='"Banco de México, FIX (SF43718)", or "caller" for the usd_mxn_rate sent')
    stale: bool = Field(description="Published more than three banking business days before the day it was used")


def exchange_rate_out(usd_mxn: Decimal, published: date | None, source: str, stale: bool) -> ExchangeRateOut:
    return ExchangeRateOut(usd_mxn=str(usd_mxn), date=published.isoformat() if published else None, source=source,
                           stale=stale)
