"""Money movements as transaction items: what applying a payment, keeping it unmatched, reversing it and resolving it
write (the payment, its reference closed, the member's coverage and status, the counters, the member's notification).
The use cases in services/ledger.py decide which, and commit them in one transaction.

Each item is conditional on what the decision was made from, and a failed condition names it: "payment" (the payment
exists already, or its status moved), "reference" (no longer open), "profile" (the member's status or version moved).
"""

from datetime import datetime

from chalicelib.domain.coverage import Coverage
from chalicelib.domain.members import Member, MemberStatus
from chalicelib.domain.payment_events import Decision, Payment, PaymentReversed
from chalicelib.store import outbox, stats
from chalicelib.store.members import ProfileItem, coverage_end_key, member_key
from chalicelib.store.outbox import Notification
from chalicelib.store.payments import PaymentRecordItem, close_reference, payment_item, payment_key, payment_sort_key
from chalicelib.store.transactions import Write


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


def _coverage_actions(member_id: str, coverage: Coverage) -> list:
    """Set the whole coverage (months, last month, index key) and the status."""
    months = coverage.months
    actions = [ProfileItem.covered_months.set(months), ProfileItem.status.set(coverage.status.value)]
    if months:
        actions += [ProfileItem.covered_through.set(months[-1]),
                    ProfileItem.coverage_end.set(coverage_end_key(member_id, months[-1]))]
    else:
        actions += [ProfileItem.covered_through.remove(), ProfileItem.coverage_end.remove()]
    return actions


def _centavos(payment: Payment) -> int:
    return stats.centavos(payment.amount_mxn) if payment.amount_mxn is not None else 0


# --- payment.succeeded -----------------------------------------------------------------------------------------------

def applied_writes(payment: Payment, expected: str, status: MemberStatus, now: datetime) -> list[Write]:
    """An applied payment: saved, its reference paid, its months added to the member's coverage with `status` and
    their open reference cleared, only if the member's status is still `expected`."""
    member_id, months = payment.member_id, payment.months
    actions = [
        ProfileItem.covered_months.set((ProfileItem.covered_months | []).append(months)),
        ProfileItem.covered_through.set(months[-1]),
        ProfileItem.coverage_end.set(coverage_end_key(member_id, months[-1])),
        ProfileItem.status.set(status.value),
        ProfileItem.open_reference.remove(),
    ]
    centavos = _centavos(payment)
    return [
        _save_payment(payment),
        close_reference(payment.reference, "paid", payment.payment_id),
        _profile_update(member_id, actions, version=None, condition=ProfileItem.status == expected),
        *stats.add_merged([*stats.status_moved(MemberStatus(expected), status, now),
                           *stats.month_and_day(payment.paid_at, {
                               "payments_received": 1, "received_centavos": centavos,
                               "payments_applied": 1, "applied_centavos": centavos})]),
        outbox.enqueue(Notification("payment-applied", member_id, payment.payment_id,
                                    {"months": months, "amount_mxn": f"{payment.amount_mxn:.2f}"}), now),
    ]


def unmatched_writes(payment: Payment, now: datetime) -> list[Write]:
    """An unmatched payment: saved (waiting for an operator) and counted; its member, when known, told."""
    centavos = _centavos(payment)
    writes = [
        _save_payment(payment),
        *stats.add_merged(stats.month_and_day(payment.paid_at, {
            "payments_received": 1, "received_centavos": centavos,
            "payments_unmatched": 1, "unmatched_centavos": centavos})),
    ]
    if payment.member_id:
        writes.append(outbox.enqueue(Notification("payment-unmatched", payment.member_id, payment.payment_id,
                                                  {"amount_mxn": f"{payment.amount_mxn:.2f}"}), now))
    return writes


# --- payment.reversed ------------------------------------------------------------------------------------------------

def early_reversal_writes(placeholder: Payment, now: datetime) -> list[Write]:
    """A reversal whose payment has not arrived: the reversed placeholder saved in the payment's place, and counted."""
    return [_save_payment(placeholder), *stats.add_merged(stats.month_and_day(now, {"payments_reversed": 1}))]


def reversal_writes(payment: Payment, event: PaymentReversed, now: datetime, member: Member | None = None,
                    taken_back: list[str] | None = None, remaining: Coverage | None = None) -> list[Write]:
    """`payment` marked reversed, only if still in the status it was read in. An applied one gives `member` the
    `remaining` coverage (only if the profile is still at the version read) and tells them the months `taken_back`;
    an unmatched one stops waiting."""
    item = PaymentRecordItem(*payment_key(payment.payment_id))
    taken_back = taken_back or []
    centavos = _centavos(payment)
    counted = stats.month_and_day(now, {"payments_reversed": 1, "reversed_centavos": centavos})
    writes = []
    if payment.status == "applied":
        writes += [
            _profile_update(member.member_id, _coverage_actions(member.member_id, remaining), version=member.version),
            outbox.enqueue(Notification("payment-reversed", member.member_id, payment.payment_id,
                                        {"months": taken_back}), now),
        ]
        counted += stats.status_moved(member.status, remaining.status, now)
    elif payment.status == "unmatched":  # no longer waiting, in the month it was counted as received
        counted += stats.month_and_day(payment.paid_at, {"payments_unmatched": -1, "unmatched_centavos": -centavos})
    actions = [PaymentRecordItem.status.set("reversed"), PaymentRecordItem.reversed_months.set(taken_back),
               PaymentRecordItem.reversed_at.set(event.reversed_at), PaymentRecordItem.waiting_pk.remove(),
               PaymentRecordItem.waiting_sk.remove()]
    if event.reason:
        actions.append(PaymentRecordItem.reversal_reason.set(event.reason))
    return [
        *writes,
        Write("payment", "update", lambda tx: tx.update(item, actions=actions,
                                                        condition=PaymentRecordItem.status == payment.status)),
        *stats.add_merged(counted),
    ]


# --- Operators' resolutions ------------------------------------------------------------------------------------------

def _resolution(payment: Payment, decision: Decision, extra_actions: list) -> Write:
    """The decision appended and the payment no longer waiting, only if it is still unmatched."""
    item = PaymentRecordItem(*payment_key(payment.payment_id))
    actions = [
        PaymentRecordItem.decisions.set((PaymentRecordItem.decisions | []).append([decision.model_dump(mode="json")])),
        PaymentRecordItem.waiting_pk.remove(), PaymentRecordItem.waiting_sk.remove(), *extra_actions,
    ]
    return Write("payment", "update", lambda tx: tx.update(item, actions=actions,
                                                           condition=PaymentRecordItem.status == "unmatched"))


def applied_by_operator_writes(payment: Payment, decision: Decision, member: Member, coverage: Coverage,
                               now: datetime) -> list[Write]:
    """An unmatched payment applied to the member and months the operator chose: the member's coverage becomes
    `coverage` (only if the profile is still at the version read), and their open reference, if any, is superseded
    so it cannot pay the same months again."""
    centavos = _centavos(payment)
    writes = [
        _resolution(payment, decision, [
            PaymentRecordItem.status.set("applied"), PaymentRecordItem.member_id.set(member.member_id),
            PaymentRecordItem.months.set(decision.months),
            PaymentRecordItem.member_pk.set(member_key(member.member_id)),
            PaymentRecordItem.member_sk.set(payment_sort_key(payment)),
        ]),
        _profile_update(member.member_id,
                        [*_coverage_actions(member.member_id, coverage), ProfileItem.open_reference.remove()],
                        version=member.version),
        *stats.add_merged([*stats.status_moved(member.status, coverage.status, now),
                           *stats.month_and_day(payment.paid_at, {"payments_applied": 1, "applied_centavos": centavos,
                                                                  "payments_unmatched": -1,
                                                                  "unmatched_centavos": -centavos})]),
        outbox.enqueue(Notification("payment-applied", member.member_id, payment.payment_id,
                                    {"months": decision.months, "amount_mxn": f"{payment.amount_mxn:.2f}"}), now),
    ]
    if member.open_reference:
        writes.append(close_reference(member.open_reference, "superseded"))
    return writes


def refund_writes(payment: Payment, decision: Decision) -> list[Write]:
    """An unmatched payment marked for refund: it no longer counts as waiting."""
    centavos = _centavos(payment)
    return [
        _resolution(payment, decision, [PaymentRecordItem.status.set("refund_pending")]),
        *stats.add_merged(stats.month_and_day(payment.paid_at, {"payments_unmatched": -1,
                                                                "unmatched_centavos": -centavos})),
    ]
