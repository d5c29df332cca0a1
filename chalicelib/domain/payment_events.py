"""What partners tell us about money (Standard Webhooks payloads), how a payment is matched to a reference, and what
an operator's decision makes of an unmatched one.

Envelope: {"type": "...", "timestamp": "...", "data": {...}}. Unknown fields are tolerated everywhere (partners add
fields without warning); unknown event types are acknowledged and kept. Amounts are decimal strings, never floats,
so no centavo is lost between the partner's ledger and ours.
"""

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator, AwareDatetime, BeforeValidator, ConfigDict, Field, ValidationInfo, model_validator,
)
from pydantic_core import PydanticCustomError

from chalicelib.domain.clock import now_from
from chalicelib.domain.identifiers import decimal_string, is_valid_nss, normalize_identifier
from chalicelib.domain.members import Member
from chalicelib.domain.model import Model
from chalicelib.domain.payments import PaymentReference, is_valid_reference, normalize_reference
from chalicelib.errors import FieldError

PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_REVERSED = "payment.reversed"
CLOCK_SKEW = timedelta(minutes=5)  # as the signature's timestamp tolerance
# The PTI pilot began operating in January 2021 (../shared/reference/imss-pti-rules.md): no payment for it is older.
PROGRAMME_START = datetime(2021, 1, 1, tzinfo=timezone(timedelta(hours=-6)))


def _within_programme(instant: datetime, info: ValidationInfo) -> datetime:
    if instant < PROGRAMME_START:
        raise PydanticCustomError("before_programme", "The programme began in January 2021; check the date.")
    if instant > now_from(info.context) + CLOCK_SKEW:
        raise PydanticCustomError("paid_at_in_future", "The payment time is in the future.")
    return instant


ProgrammeInstant = Annotated[AwareDatetime, AfterValidator(_within_programme)]

# Payment ids derive from (partner, partner transaction id), so the payment item itself is the "same partner
# transaction" guard: a second delivery of one transfer, under any webhook-id, maps to the same key.
_PAYMENT_NAMESPACE = uuid.UUID("6f1c0f3e-8d0e-4a53-9a43-4f1d2b7c9e10")


def payment_id(partner: str, partner_transaction_id: str) -> str:
    return uuid.uuid5(_PAYMENT_NAMESPACE, f"{partner}\n{partner_transaction_id}").hex


def _reference_or_none(value: Any) -> Any:
    """Spaces, dots and dashes people type are dropped; nothing left means no reference."""
    return (normalize_reference(value) or None) if isinstance(value, str) else value


Amount = Annotated[Decimal, decimal_string(2), Field(gt=0, max_digits=12, decimal_places=2)]
Rate = Annotated[Decimal, decimal_string(6), Field(gt=0, max_digits=12, decimal_places=6)]
Text = Annotated[str, Field(min_length=1, max_length=128)]


class _Tolerant(Model):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)


class UsdLeg(_Tolerant):
    """What the payer paid in dollars, and the exchange rate applied by whom."""

    amount: Amount
    rate: Rate
    source: Text


class SpeiTrace(_Tolerant):
    """The CEP tuple: with the date and amount it lets anyone fetch Banxico's proof of the transfer."""

    clave_rastreo: Annotated[str, Field(min_length=1, max_length=30)]
    sending_bank: Text
    sending_account: Annotated[str, Field(min_length=1, max_length=20)]


class PaymentSucceeded(_Tolerant):
    reference: Annotated[Annotated[str, Field(max_length=40)] | None, BeforeValidator(_reference_or_none)] = None
    # As the payer typed it: a mistyped NSS is kept (unmatched, "invalid-nss"), never refused with the money.
    nss: Annotated[str, BeforeValidator(normalize_identifier), Field(min_length=1, max_length=30)] | None = None
    amount_mxn: Amount
    currency: Literal["MXN"] = "MXN"
    paid_at: ProgrammeInstant
    channel: Annotated[str, Field(min_length=1, max_length=40)]
    partner_transaction_id: Text
    usd: UsdLeg | None = None
    spei: SpeiTrace | None = None

    @model_validator(mode="after")
    def _payer_identified(self) -> "PaymentSucceeded":
        if not self.reference and not self.nss:
            raise PydanticCustomError("reference_or_nss", "Send the payment reference, or the NSS for SPEI.")
        return self


class PaymentReversed(_Tolerant):
    partner_transaction_id: Text
    reversed_at: ProgrammeInstant
    reason: Annotated[str, Field(max_length=200)] | None = None


class Envelope(_Tolerant):
    type: Annotated[str, Field(min_length=1, max_length=100)]
    timestamp: AwareDatetime | None = None
    data: dict[str, Any] = Field(default_factory=dict)


UnmatchedReason = Literal["unknown-reference", "invalid-reference", "unknown-nss", "invalid-nss", "no-open-reference",
                          "reference-paid", "reference-superseded", "reference-expired", "wrong-amount",
                          "reversed-before-payment"]


def unmatched_reason(reference_code: str | None, reference: PaymentReference | None, amount: Decimal,
                     paid_at: datetime) -> UnmatchedReason | None:
    """Why a payment cannot be applied to `reference` (None: apply it). Only the exact amount on an open reference,
    paid by its deadline, is applied; everything else waits for an operator."""
    if reference is None:
        if reference_code is None:
            return "no-open-reference"
        return "unknown-reference" if is_valid_reference(reference_code) else "invalid-reference"
    if reference.status == "paid":
        return "reference-paid"
    if reference.status == "superseded":
        return "reference-superseded"
    if paid_at > reference.expires_at:
        return "reference-expired"
    if amount != reference.amount_mxn:
        return "wrong-amount"
    return None


PaymentStatus = Literal["applied", "unmatched", "refund_pending", "reversed"]


class Decision(Model):
    """An operator's resolution of an unmatched payment: who, when, what."""

    action: Literal["apply", "refund"]
    by: str
    at: datetime
    member_id: str | None = None
    months: list[str] = []
    note: str | None = None


class Payment(Model):
    """Money a partner reported, and what became of it. `amount_mxn`/`paid_at` are None only for a reversal that
    arrived before its payment (kept so the late payment is recognised and never applied)."""

    payment_id: str
    partner: str
    channel: str
    partner_transaction_id: str
    webhook_id: str
    reference: str | None = None
    nss: str | None = None
    amount_mxn: Decimal | None
    usd: UsdLeg | None = None
    spei: SpeiTrace | None = None
    paid_at: datetime | None
    received_at: datetime
    member_id: str | None = None
    status: PaymentStatus
    reason: UnmatchedReason | None = None
    months: list[str] = []
    reversed_months: list[str] = []
    reversed_at: datetime | None = None
    reversal_reason: str | None = None
    decisions: list[Decision] = []


def received_payment(partner: str, webhook_id: str, event: PaymentSucceeded, now: datetime) -> Payment:
    """The payment as first recorded, before matching decides its status."""
    return Payment(
        payment_id=payment_id(partner, event.partner_transaction_id), partner=partner, channel=event.channel,
        partner_transaction_id=event.partner_transaction_id, webhook_id=webhook_id, reference=event.reference,
        nss=event.nss, amount_mxn=event.amount_mxn, usd=event.usd, spei=event.spei, paid_at=event.paid_at,
        received_at=now, status="unmatched",
    )


def unknown_payer_reason(nss: str) -> UnmatchedReason:
    """Why a payment by NSS found no member: the NSS was mistyped, or nobody registered it."""
    return "unknown-nss" if is_valid_nss(nss) else "invalid-nss"


def matched_payment(received: Payment, member_id: str | None, reference_code: str | None,
                    reference: PaymentReference | None) -> Payment:
    """The received payment applied to `reference`, or kept unmatched with why (and the member, when known, so they
    can be told). `reference_code` is the one paid, or the open one of the member found by NSS."""
    if received.reference is None and member_id is None:
        reason = unknown_payer_reason(received.nss)
    else:
        reason = unmatched_reason(reference_code, reference, received.amount_mxn, received.paid_at)
    if reason is None:
        return received.model_copy(update={"status": "applied", "member_id": reference.member_id,
                                           "months": reference.months, "reference": reference.reference})
    return received.model_copy(update={"member_id": member_id, "reason": reason, "reference": reference_code})


def reversed_before_payment(partner: str, webhook_id: str, event: PaymentReversed, now: datetime) -> Payment:
    """What a reversal keeps when its payment has not arrived: the late payment then finds it and is a duplicate."""
    return Payment(
        payment_id=payment_id(partner, event.partner_transaction_id), partner=partner, channel=partner,
        partner_transaction_id=event.partner_transaction_id, webhook_id=webhook_id, amount_mxn=None, paid_at=None,
        received_at=now, status="reversed", reason="reversed-before-payment", reversed_at=event.reversed_at,
        reversal_reason=event.reason,
    )


def application_errors(member: Member | None, months: list[str]) -> list[FieldError]:
    """Why an operator cannot apply a payment to `months` of `member`: no such member, or months already covered."""
    if member is None:
        return [FieldError("member_id", "member_not_found")]
    overlap = sorted(set(months) & set(member.covered_months))
    if overlap:
        return [FieldError("months", "months_already_covered", {"months": ", ".join(overlap)})]
    return []


def resolved(payment: Payment, decision: Decision) -> Payment:
    """An unmatched payment once an operator's decision is recorded: applied to the member's months, or to refund."""
    decisions = [*payment.decisions, decision]
    if decision.action == "apply":
        return payment.model_copy(update={"status": "applied", "member_id": decision.member_id,
                                          "months": decision.months, "decisions": decisions})
    return payment.model_copy(update={"status": "refund_pending", "decisions": decisions})
