"""Money movements. Each is one DynamoDB transaction: the delivery kept, the payment recorded, the reference closed,
the member's coverage and status changed, the counters moved and the member's notification queued, or none of it.

Duplicates are refused by the transaction itself (the delivery item per webhook-id, the payment item per partner
transaction), so two racing deliveries of one payment cannot both apply it. When a condition fails for another
reason (the reference was paid a moment ago, the member's status moved), the work is read and decided again.
"""

from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.coverage import merged, not_started, status_for, this_month
from chalicelib.domain.identifiers import is_valid_nss
from chalicelib.domain.members import MemberStatus
from chalicelib.domain.payment_events import (
    Decision, Payment, PaymentReversed, PaymentSucceeded, payment_id, received_payment, unknown_payer_reason, unmatched_reason,
)
from chalicelib.domain.payments import PaymentReference
from chalicelib.errors import Conflict, FieldError, InvalidInput, NotFound, ServiceUnavailable
from chalicelib.store import outbox, stats
from chalicelib.store.members import ProfileItem, coverage_end_key, get_member, member_key, nss_holder
from chalicelib.store.outbox import Notification
from chalicelib.store.payments import (
    PaymentRecordItem, close_reference, delivery_write, get_payment, get_reference, payment_item, payment_key,
    payment_sort_key,
)
from chalicelib.store.transactions import ConditionFailed, Write, commit

ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    """What a delivery did: applied, unmatched, reversed, duplicate or recorded (kept, nothing to do)."""

    status: str
    payment_id: str | None = None
    reason: str | None = None
    months: list[str] = field(default_factory=list)


def _save_payment(payment: Payment) -> Write:
    item = payment_item(payment)
    return Write("payment", "save", lambda tx: tx.save(item, condition=PaymentRecordItem.pk.does_not_exist()))


def _profile_update(member_id: str, actions: list, *, version: int | None, condition=None) -> Write:
    """With `version`, only if the profile is still at it; without, bump the version unconditionally (the caller's
    `condition` guards what matters) so readers that computed from the old profile notice the change."""
    item = ProfileItem(member_key(member_id), "PROFILE")
    item.version = version if version is not None else 0
    condition = ProfileItem.pk.exists() & condition if condition is not None else ProfileItem.pk.exists()
    return Write("profile", "update", lambda tx: tx.update(item, actions=actions, condition=condition,
                                                           add_version_condition=version is not None))


def _coverage_actions(member_id: str, months: list[str], status: MemberStatus) -> list:
    """Set the whole coverage (months, last month, index key) and the status."""
    actions = [ProfileItem.covered_months.set(months), ProfileItem.status.set(status.value)]
    if months:
        actions += [ProfileItem.covered_through.set(months[-1]),
                    ProfileItem.coverage_end.set(coverage_end_key(member_id, months[-1]))]
    else:
        actions += [ProfileItem.covered_through.remove(), ProfileItem.coverage_end.remove()]
    return actions


def _centavos(payment: Payment) -> int:
    return stats.centavos(payment.amount_mxn) if payment.amount_mxn is not None else 0


# --- payment.succeeded -----------------------------------------------------------------------------------------------

def receive_payment(partner: str, webhook_id: str, body: str, event: PaymentSucceeded, now: datetime) -> Outcome:
    """Apply the payment to its reference (or the NSS's open reference), or keep it unmatched; exactly once."""
    received = received_payment(partner, webhook_id, event, now)
    know_status = False
    for _ in range(ATTEMPTS):
        member_id, code, reference, expected = _locate(event, know_status)
        if event.reference is None and member_id is None:
            reason = unknown_payer_reason(event.nss)
        else:
            reason = unmatched_reason(code, reference, event.amount_mxn, event.paid_at)
        try:
            if reason is None:
                return _apply(received, reference, expected, body, now)
            return _keep_unmatched(received.model_copy(update={"member_id": member_id, "reason": reason,
                                                               "reference": code}), body, now)
        except ConditionFailed as failed:
            if failed.labels & {"delivery", "payment"}:
                return Outcome("duplicate", received.payment_id)
            know_status = True  # the reference closed or the member's status moved meanwhile: read again
    raise ServiceUnavailable()


def _locate(event: PaymentSucceeded, know_status: bool):
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


def _apply(received: Payment, reference: PaymentReference, expected: str, body: str, now: datetime) -> Outcome:
    member_id, months = reference.member_id, reference.months
    payment = received.model_copy(update={"status": "applied", "member_id": member_id, "months": months,
                                          "reference": reference.reference})
    actions = [
        ProfileItem.covered_months.set((ProfileItem.covered_months | []).append(months)),
        ProfileItem.covered_through.set(months[-1]),
        ProfileItem.coverage_end.set(coverage_end_key(member_id, months[-1])),
        ProfileItem.status.set(MemberStatus.ACTIVE.value),
        ProfileItem.open_reference.remove(),
    ]
    centavos = _centavos(payment)
    commit([
        delivery_write(received.partner, received.webhook_id, "payment.succeeded", body, now, payment.payment_id),
        _save_payment(payment),
        close_reference(reference.reference, "paid", payment.payment_id),
        _profile_update(member_id, actions, version=None, condition=ProfileItem.status == expected),
        *stats.add(stats.ALL_TIME, stats.status_change(MemberStatus(expected), MemberStatus.ACTIVE)),
        *stats.add(this_month(payment.paid_at), {"payments_received": 1, "received_centavos": centavos,
                                                 "payments_applied": 1, "applied_centavos": centavos}),
        outbox.enqueue(Notification("payment-applied", member_id, payment.payment_id,
                                    {"months": months, "amount_mxn": f"{payment.amount_mxn:.2f}"}), now),
    ])
    return Outcome("applied", payment.payment_id, months=months)


def _keep_unmatched(payment: Payment, body: str, now: datetime) -> Outcome:
    centavos = _centavos(payment)
    writes = [
        delivery_write(payment.partner, payment.webhook_id, "payment.succeeded", body, now, payment.payment_id),
        _save_payment(payment),
        *stats.add(this_month(payment.paid_at), {"payments_received": 1, "received_centavos": centavos,
                                                 "payments_unmatched": 1, "unmatched_centavos": centavos}),
    ]
    if payment.member_id:
        writes.append(outbox.enqueue(Notification("payment-unmatched", payment.member_id, payment.payment_id,
                                                  {"amount_mxn": f"{payment.amount_mxn:.2f}"}), now))
    commit(writes)
    return Outcome("unmatched", payment.payment_id, reason=payment.reason)


# --- payment.reversed ------------------------------------------------------------------------------------------------

def reverse_payment(partner: str, webhook_id: str, body: str, event: PaymentReversed, now: datetime) -> Outcome:
    """Undo the months of the payment that have not started; record the reversal. A reversal that arrives before
    its payment is kept, so the late payment is recognised as a duplicate and never applied."""
    target = payment_id(partner, event.partner_transaction_id)
    for _ in range(ATTEMPTS):
        payment = get_payment(target)
        delivery = delivery_write(partner, webhook_id, "payment.reversed", body, now, target)
        try:
            if payment is None:
                return _reverse_unseen(target, partner, webhook_id, event, delivery, now)
            if payment.status == "reversed":
                return Outcome("duplicate", target)
            return _reverse(payment, event, delivery, now)
        except ConditionFailed as failed:
            if "delivery" in failed.labels:
                return Outcome("duplicate", target)
    raise ServiceUnavailable()


def _reverse_unseen(target: str, partner: str, webhook_id: str, event: PaymentReversed, delivery: Write,
                    now: datetime) -> Outcome:
    placeholder = Payment(
        payment_id=target, partner=partner, channel=partner, partner_transaction_id=event.partner_transaction_id,
        webhook_id=webhook_id, amount_mxn=None, paid_at=None, received_at=now, status="reversed",
        reason="reversed-before-payment", reversed_at=event.reversed_at, reversal_reason=event.reason,
    )
    commit([delivery, _save_payment(placeholder), *stats.add(this_month(now), {"payments_reversed": 1})])
    return Outcome("reversed", target, reason="reversed-before-payment")


def _reverse(payment: Payment, event: PaymentReversed, delivery: Write, now: datetime) -> Outcome:
    item = PaymentRecordItem(*payment_key(payment.payment_id))
    centavos = _centavos(payment)
    counted = [(this_month(now), {"payments_reversed": 1, "reversed_centavos": centavos})]
    writes = [delivery]
    taken_back: list[str] = []
    if payment.status == "applied":
        member = get_member(payment.member_id)
        taken_back = [month for month in not_started(payment.months, now) if month in member.covered_months]
        remaining = [month for month in member.covered_months if month not in taken_back]
        status = status_for(remaining, member.status, now)
        writes += [
            _profile_update(member.member_id, _coverage_actions(member.member_id, remaining, status),
                            version=member.version),
            outbox.enqueue(Notification("payment-reversed", member.member_id, payment.payment_id,
                                        {"months": taken_back}), now),
        ]
        counted.append((stats.ALL_TIME, stats.status_change(member.status, status)))
    elif payment.status == "unmatched":  # no longer waiting, in the month it was counted as received
        counted.append((this_month(payment.paid_at), {"payments_unmatched": -1, "unmatched_centavos": -centavos}))
    actions = [PaymentRecordItem.status.set("reversed"), PaymentRecordItem.reversed_months.set(taken_back),
               PaymentRecordItem.reversed_at.set(event.reversed_at), PaymentRecordItem.waiting_pk.remove(),
               PaymentRecordItem.waiting_sk.remove()]
    if event.reason:
        actions.append(PaymentRecordItem.reversal_reason.set(event.reason))
    writes += [
        Write("payment", "update", lambda tx: tx.update(item, actions=actions,
                                                        condition=PaymentRecordItem.status == payment.status)),
        *stats.add_merged(counted),
    ]
    commit(writes)
    return Outcome("reversed", payment.payment_id, months=taken_back)


# --- Operators' resolutions ------------------------------------------------------------------------------------------

def _unmatched_payment(target: str) -> Payment:
    payment = get_payment(target)
    if payment is None:
        raise NotFound("payment-not-found")
    if payment.status != "unmatched":
        raise Conflict("payment-not-unmatched")
    return payment


def _resolution(payment: Payment, decision: Decision, extra_actions: list) -> Write:
    item = PaymentRecordItem(*payment_key(payment.payment_id))
    actions = [
        PaymentRecordItem.decisions.set((PaymentRecordItem.decisions | []).append([decision.model_dump(mode="json")])),
        PaymentRecordItem.waiting_pk.remove(), PaymentRecordItem.waiting_sk.remove(), *extra_actions,
    ]
    return Write("payment", "update", lambda tx: tx.update(item, actions=actions,
                                                           condition=PaymentRecordItem.status == "unmatched"))


def resolve_by_applying(target: str, decision: Decision, now: datetime) -> Payment:
    """Apply an unmatched payment to a member and months the operator chose; the member's open reference, if any,
    is superseded so it cannot pay the same months again."""
    payment = _unmatched_payment(target)
    member = get_member(decision.member_id)
    if member is None:
        raise InvalidInput([FieldError("member_id", "member_not_found")])
    overlap = sorted(set(decision.months) & set(member.covered_months))
    if overlap:
        raise InvalidInput([FieldError("months", "months_already_covered", {"months": ", ".join(overlap)})])
    months = merged(member.covered_months, decision.months)
    status = status_for(months, member.status, now)
    applied = payment.model_copy(update={"status": "applied", "member_id": member.member_id, "months": decision.months,
                                         "decisions": [*payment.decisions, decision]})
    centavos = _centavos(payment)
    writes = [
        _resolution(payment, decision, [
            PaymentRecordItem.status.set("applied"), PaymentRecordItem.member_id.set(member.member_id),
            PaymentRecordItem.months.set(decision.months),
            PaymentRecordItem.member_pk.set(member_key(member.member_id)),
            PaymentRecordItem.member_sk.set(payment_sort_key(payment)),
        ]),
        _profile_update(member.member_id,
                        [*_coverage_actions(member.member_id, months, status), ProfileItem.open_reference.remove()],
                        version=member.version),
        *stats.add(stats.ALL_TIME, stats.status_change(member.status, status)),
        *stats.add(this_month(payment.paid_at), {"payments_applied": 1, "applied_centavos": centavos,
                                                 "payments_unmatched": -1, "unmatched_centavos": -centavos}),
        outbox.enqueue(Notification("payment-applied", member.member_id, payment.payment_id,
                                    {"months": decision.months, "amount_mxn": f"{payment.amount_mxn:.2f}"}), now),
    ]
    if member.open_reference:
        writes.append(close_reference(member.open_reference, "superseded"))
    _commit_resolution(writes)
    return applied


def resolve_by_refunding(target: str, decision: Decision) -> Payment:
    payment = _unmatched_payment(target)
    centavos = _centavos(payment)
    _commit_resolution([
        _resolution(payment, decision, [PaymentRecordItem.status.set("refund_pending")]),
        *stats.add(this_month(payment.paid_at), {"payments_unmatched": -1, "unmatched_centavos": -centavos}),
    ])
    return payment.model_copy(update={"status": "refund_pending", "decisions": [*payment.decisions, decision]})


def _commit_resolution(writes: list[Write]) -> None:
    try:
        commit(writes)
    except ConditionFailed as failed:
        if "payment" in failed.labels:
            raise Conflict("payment-not-unmatched") from None
        raise Conflict("member-changed") from None
