"""Money movements: a payment applied to its reference or kept unmatched, a reversal, an operator's resolution. Each
is one DynamoDB transaction (store/ledger.py's writes): the delivery kept, the payment recorded, the reference closed,
the member's coverage and status changed, the counters moved and the member's notification queued, or none of it.

Duplicates are refused by the transaction itself (the delivery item per webhook-id, the payment item per partner
transaction), so two racing deliveries of one payment cannot both apply it. When a condition fails for another
reason (the reference was paid a moment ago, the member's status moved), the work is read and decided again.
"""

from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.coverage import STATUS_WHEN_PAID, after_reversal, with_months
from chalicelib.domain.identifiers import is_valid_nss
from chalicelib.domain.members import NOT_PROCESSED
from chalicelib.domain.payment_events import (
    PAYMENT_REVERSED, PAYMENT_SUCCEEDED, Decision, Payment, PaymentReversed, PaymentSucceeded, application_errors,
    matched_payment, payment_id, received_payment, resolved, reversed_before_payment,
)
from chalicelib.domain.payments import PaymentReference
from chalicelib.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable
from chalicelib.store import ledger
from chalicelib.store.members import get_member, nss_holder
from chalicelib.store.payments import delivery_write, get_payment, get_reference
from chalicelib.store.transactions import ConditionFailed, Write, commit

ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    """What a delivery did: applied, unmatched, reversed, duplicate or recorded (kept, nothing to do)."""

    status: str
    payment_id: str | None = None
    reason: str | None = None
    months: list[str] = field(default_factory=list)


# --- payment.succeeded -----------------------------------------------------------------------------------------------

def receive_payment(partner: str, webhook_id: str, body: str, event: PaymentSucceeded, now: datetime) -> Outcome:
    """Apply the payment to its reference (or the NSS's open reference), or keep it unmatched; exactly once."""
    received = received_payment(partner, webhook_id, event, now)
    know_status = False
    for _ in range(ATTEMPTS):
        member_id, code, reference, expected = _locate(event, know_status)
        payment = matched_payment(received, member_id, code, reference)
        if payment.status == "applied":
            writes = ledger.applied_writes(payment, expected, STATUS_WHEN_PAID, now)
            outcome = Outcome("applied", payment.payment_id, months=payment.months)
        else:
            writes = ledger.unmatched_writes(payment, now)
            outcome = Outcome("unmatched", payment.payment_id, reason=payment.reason)
        try:
            commit([delivery_write(partner, webhook_id, PAYMENT_SUCCEEDED, body, now, payment.payment_id), *writes])
        except ConditionFailed as failed:
            if failed.labels & {"delivery", "payment"}:
                return Outcome("duplicate", received.payment_id)
            know_status = True  # the reference closed or the member's status moved meanwhile: read again
            continue
        return outcome
    raise ServiceUnavailable()


def _locate(event: PaymentSucceeded,
            know_status: bool) -> tuple[str | None, str | None, PaymentReference | None, str | None]:
    """(member id, reference code, reference, member status). Paying by reference costs one GetItem: the status
    comes from the reference unless a retry needs the profile's own."""
    if event.reference:
        reference = get_reference(event.reference)
        if reference is None:
            return None, event.reference, None, None
        status = reference.member_status
        if know_status or status is None:
            member = get_member(reference.member_id)
            status = member.status.value if member else None
        return reference.member_id, event.reference, reference, status
    holder = nss_holder(event.nss) if is_valid_nss(event.nss) else None
    member = get_member(holder.owner_id) if holder else None
    if member is None:
        return None, None, None, None
    code = member.open_reference
    return member.member_id, code, get_reference(code) if code else None, member.status.value


# --- payment.reversed ------------------------------------------------------------------------------------------------

def reverse_payment(partner: str, webhook_id: str, body: str, event: PaymentReversed, now: datetime) -> Outcome:
    """Undo the months of the payment that have not started; record the reversal. A reversal that arrives before
    its payment is kept, so the late payment is recognised as a duplicate and never applied."""
    target = payment_id(partner, event.partner_transaction_id)
    for _ in range(ATTEMPTS):
        payment = get_payment(target)
        if payment is not None and payment.status == "reversed":
            return Outcome("duplicate", target)
        writes, outcome = _reversal(payment, partner, webhook_id, event, now)
        try:
            commit([delivery_write(partner, webhook_id, PAYMENT_REVERSED, body, now, target), *writes])
        except ConditionFailed as failed:
            if "delivery" in failed.labels:
                return Outcome("duplicate", target)
            continue  # the payment or the member's profile moved meanwhile: read again
        return outcome
    raise ServiceUnavailable()


def _reversal(payment: Payment | None, partner: str, webhook_id: str, event: PaymentReversed,
              now: datetime) -> tuple[list[Write], Outcome]:
    """The writes of a reversal and what it did; an applied payment's member is read for their coverage."""
    if payment is None:
        placeholder = reversed_before_payment(partner, webhook_id, event, now)
        return (ledger.early_reversal_writes(placeholder, now),
                Outcome("reversed", placeholder.payment_id, reason=placeholder.reason))
    if payment.status != "applied":
        return ledger.reversal_writes(payment, event, now), Outcome("reversed", payment.payment_id)
    member = get_member(payment.member_id)
    taken_back, remaining = after_reversal(member.covered_months, payment.months, member.status, now)
    return (ledger.reversal_writes(payment, event, now, member, taken_back, remaining),
            Outcome("reversed", payment.payment_id, months=taken_back))


# --- Operators' resolutions ------------------------------------------------------------------------------------------

def resolve_by_applying(target: str, decision: Decision, now: datetime) -> Payment:
    """Apply an unmatched payment to a member and months the operator chose; the member's open reference, if any,
    is superseded so it cannot pay the same months again."""
    payment = _unmatched_payment(target)
    member = get_member(decision.member_id)
    errors = application_errors(member, decision.months)
    if errors:
        raise InvalidInput(errors)
    if member.status in NOT_PROCESSED:  # nothing is applied to a closing or closed account: refund it instead
        raise Conflict("member-closing")
    coverage = with_months(member.covered_months, decision.months, member.status, now)
    _commit_resolution(ledger.applied_by_operator_writes(payment, decision, member, coverage, now))
    return resolved(payment, decision)


def resolve_by_refunding(target: str, decision: Decision) -> Payment:
    payment = _unmatched_payment(target)
    _commit_resolution(ledger.refund_writes(payment, decision))
    return resolved(payment, decision)


def _unmatched_payment(target: str) -> Payment:
    payment = get_payment(target)
    if payment is None:
        raise NotFound("payment-not-found")
    if payment.status != "unmatched":
        raise Conflict("payment-not-unmatched")
    return payment


def _commit_resolution(writes: list[Write]) -> None:
    try:
        commit(writes)
    except ConditionFailed as failed:
        if "payment" in failed.labels:
            raise Conflict("payment-not-unmatched") from None
        raise Conflict("member-changed") from None
