"""Response models, and their rendering, that more than one route module answers with."""

from datetime import datetime

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
