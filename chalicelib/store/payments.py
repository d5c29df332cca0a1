"""The payments table: payment references, payments, webhook deliveries.

| item              | pk                              | sk        | member_pk / member_sk (index by_member)  | waiting_pk / waiting_sk (index waiting) |
|-------------------|---------------------------------|-----------|------------------------------------------|-----------------------------------------|
| payment reference | REFERENCE#<code>                | REFERENCE | MEMBER#<id> / REFERENCE#<issued at>      | OPEN#<deadline date>#<shard> / <code>, while open |
| payment           | PAYMENT#<payment id>            | PAYMENT   | MEMBER#<id> / PAYMENT#<received at>, once the member is known | UNMATCHED / <received at>#<id>, while unmatched |
| webhook delivery  | DELIVERY#<partner>#<webhook-id> | DELIVERY  | –                                        | –                                       |

References are keyed by code so a partner's webhook finds one with a single GetItem; payment ids derive from
(partner, partner transaction id), so the payment item doubles as the duplicate guard for a transfer, and the delivery
item (which keeps the raw signed body) as the guard for a webhook-id. `waiting` is sparse: it holds only what someone
must act on (unmatched payments for operators, open references for the deadline reminders).
"""

from collections.abc import Iterator
from datetime import date, datetime

from pynamodb.attributes import (
    BooleanAttribute, DiscriminatorAttribute, ListAttribute, MapAttribute, UnicodeAttribute, UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.jobs import KeyRange
from chalicelib.domain.payment_events import Payment
from chalicelib.domain.payments import PaymentReference
from chalicelib.errors import Conflict
from chalicelib.store.attributes import DecimalAttribute
from chalicelib.store.idempotency import AlreadyAnswered
from chalicelib.store.indexes import index
from chalicelib.store.members import ProfileItem, member_key
from chalicelib.store.transactions import ConditionFailed, Write, commit

UNMATCHED = "UNMATCHED"
OPEN_SHARDS = 16


ByMember = index("by_member", "member_pk", "member_sk")
Waiting = index("waiting", "waiting_pk", "waiting_sk")


class PaymentItem(Model):
    """Any item of the payments table; `kind` says which subclass it is."""

    class Meta:
        table_name = "unbound"  # set from Settings by store.tables.bind()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    member_pk = UnicodeAttribute(null=True)
    member_sk = UnicodeAttribute(null=True)
    waiting_pk = UnicodeAttribute(null=True)
    waiting_sk = UnicodeAttribute(null=True)
    by_member = ByMember()
    waiting = Waiting()


class ReferenceItem(PaymentItem, discriminator="reference"):
    reference = UnicodeAttribute()
    member_id = UnicodeAttribute()
    months = ListAttribute(of=UnicodeAttribute)
    amount_mxn = DecimalAttribute()
    status = UnicodeAttribute()
    issued_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    rate_tables = ListAttribute(of=UnicodeAttribute)
    estimated = BooleanAttribute()
    member_status = UnicodeAttribute(null=True)
    paid_by = UnicodeAttribute(null=True)
    usd = MapAttribute(null=True)  # the dollar figure shown at issue, as strings (domain/payments.py ReferenceUsd)


class PaymentRecordItem(PaymentItem, discriminator="payment"):
    payment_id = UnicodeAttribute()
    partner = UnicodeAttribute()
    channel = UnicodeAttribute()
    partner_transaction_id = UnicodeAttribute()
    webhook_id = UnicodeAttribute()
    reference = UnicodeAttribute(null=True)
    nss = UnicodeAttribute(null=True)
    amount_mxn = DecimalAttribute(null=True)
    usd = MapAttribute(null=True)
    spei = MapAttribute(null=True)
    paid_at = UTCDateTimeAttribute(null=True)
    received_at = UTCDateTimeAttribute()
    member_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    months = ListAttribute(of=UnicodeAttribute, null=True)
    reversed_months = ListAttribute(of=UnicodeAttribute, null=True)
    reversed_at = UTCDateTimeAttribute(null=True)
    reversal_reason = UnicodeAttribute(null=True)
    decisions = ListAttribute(null=True)


class DeliveryItem(PaymentItem, discriminator="delivery"):
    partner = UnicodeAttribute()
    webhook_id = UnicodeAttribute()
    type = UnicodeAttribute()
    body = UnicodeAttribute()  # the raw signed body, as evidence
    received_at = UTCDateTimeAttribute()
    payment_id = UnicodeAttribute(null=True)


# --- References ------------------------------------------------------------------------------------------------------

def reference_key(code: str) -> tuple[str, str]:
    return f"REFERENCE#{code}", "REFERENCE"


def open_references_key(deadline: date, code: str) -> str:
    return f"OPEN#{deadline.isoformat()}#{int(code[-4:]) % OPEN_SHARDS:02d}"


def _reference_item(reference: PaymentReference) -> ReferenceItem:
    return ReferenceItem(
        *reference_key(reference.reference),
        member_pk=member_key(reference.member_id), member_sk=f"REFERENCE#{reference.issued_at.isoformat()}",
        waiting_pk=open_references_key(mexico_city_today(reference.expires_at), reference.reference),
        waiting_sk=reference.reference,
        **reference.model_dump(exclude={"usd"}),
        usd=reference.usd.model_dump(mode="json") if reference.usd else None,
    )


def _reference(item: ReferenceItem) -> PaymentReference:
    usd = item.usd.as_dict() if item.usd is not None else None
    return PaymentReference.model_validate({**item.attribute_values, "usd": usd})


def close_reference(code: str, status: str, paid_by: str | None = None) -> Write:
    """The transaction item that moves an open reference to `status` (paid or superseded); fails unless open."""
    item = ReferenceItem(*reference_key(code))
    actions = [ReferenceItem.status.set(status), ReferenceItem.waiting_pk.remove(), ReferenceItem.waiting_sk.remove()]
    if paid_by:
        actions.append(ReferenceItem.paid_by.set(paid_by))
    return Write("reference", "update", lambda tx: tx.update(item, actions=actions, condition=ReferenceItem.status == "open"))


def issue_reference(reference: PaymentReference, replaces: str | None, profile_version: int,
                    extra: list[Write] = ()) -> None:
    """The new reference becomes the member's open one and the one it replaces is superseded, all at once, only if
    the profile is still at the version the months and amount were computed from (else 409, try again)."""
    profile = ProfileItem(member_key(reference.member_id), "PROFILE")
    profile.version = profile_version  # PynamoDB adds `version = profile_version` and increments it
    writes = [
        Write("new-reference", "save",
              lambda tx: tx.save(_reference_item(reference), condition=PaymentItem.pk.does_not_exist())),
        Write("profile", "update", lambda tx: tx.update(
            profile, actions=[ProfileItem.open_reference.set(reference.reference)], condition=ProfileItem.pk.exists())),
        *extra,
    ]
    if replaces:
        writes.append(close_reference(replaces, "superseded"))
    try:
        commit(writes)
    except ConditionFailed as failed:
        if "idempotency" in failed.labels:
            raise AlreadyAnswered() from None
        if failed.labels & {"profile", "reference"}:
            raise Conflict("reference-changed") from None
        raise


def member_references(member_id: str) -> list[PaymentReference]:
    """Newest first: one Query of the by_member index."""
    items = PaymentItem.by_member.query(member_key(member_id), PaymentItem.member_sk.startswith("REFERENCE#"),
                                        scan_index_forward=False)
    return [_reference(item) for item in items if isinstance(item, ReferenceItem)]


def get_reference(code: str) -> PaymentReference | None:
    try:
        return _reference(ReferenceItem.get(*reference_key(code), consistent_read=True))
    except ReferenceItem.DoesNotExist:
        return None


def open_references_due(deadline: date, shard: int, codes: KeyRange | None = None) -> Iterator[PaymentReference]:
    """Open references whose deadline is that Mexico City day, in one shard of the sparse `waiting` index and the
    range `codes` of reference codes (None: the whole shard): one paged Query, read as the caller goes."""
    condition = PaymentItem.waiting_sk.between(*codes.bounds("")) if codes else None
    for item in PaymentItem.waiting.query(f"OPEN#{deadline.isoformat()}#{shard:02d}", condition):
        if isinstance(item, ReferenceItem):
            yield _reference(item)


# --- Payments and deliveries -----------------------------------------------------------------------------------------

def payment_key(payment_id: str) -> tuple[str, str]:
    return f"PAYMENT#{payment_id}", "PAYMENT"


def payment_item(payment: Payment) -> PaymentRecordItem:
    data = payment.model_dump(mode="json", exclude={"amount_mxn", "paid_at", "received_at", "reversed_at"})
    item = PaymentRecordItem(
        *payment_key(payment.payment_id), **data, amount_mxn=payment.amount_mxn, paid_at=payment.paid_at,
        received_at=payment.received_at, reversed_at=payment.reversed_at,
    )
    if payment.member_id:
        item.member_pk, item.member_sk = member_key(payment.member_id), payment_sort_key(payment)
    if payment.status == "unmatched":
        item.waiting_pk, item.waiting_sk = UNMATCHED, f"{payment.received_at.isoformat()}#{payment.payment_id}"
    return item


def payment_sort_key(payment: Payment) -> str:
    return f"PAYMENT#{payment.received_at.isoformat()}#{payment.payment_id}"


def _payment(item: PaymentRecordItem) -> Payment:
    # Not from_attributes: lists stored as null must read as [] (from_attributes would reject None).
    fields = {}
    for name in Payment.model_fields:
        value = getattr(item, name)
        fields[name] = value.as_dict() if isinstance(value, MapAttribute) else value
    for name in ("months", "reversed_months", "decisions"):
        fields[name] = [v.as_dict() if isinstance(v, MapAttribute) else v for v in fields[name] or []]
    return Payment.model_validate(fields)


def get_payment(payment_id: str) -> Payment | None:
    try:
        return _payment(PaymentRecordItem.get(*payment_key(payment_id), consistent_read=True))
    except PaymentRecordItem.DoesNotExist:
        return None


def member_payments(member_id: str) -> list[Payment]:
    """Newest first: one Query of the by_member index."""
    items = PaymentItem.by_member.query(member_key(member_id), PaymentItem.member_sk.startswith("PAYMENT#"),
                                        scan_index_forward=False)
    return [_payment(item) for item in items if isinstance(item, PaymentRecordItem)]


def unmatched_payments(limit: int, after: str | None) -> tuple[list[Payment], str | None]:
    """Oldest first, a page at a time: one Query of the sparse `waiting` index. `after` is the last page's cursor."""
    start = {"pk": {"S": after.split("|")[0]}, "sk": {"S": "PAYMENT"}, "waiting_pk": {"S": UNMATCHED},
             "waiting_sk": {"S": after.split("|")[1]}} if after else None
    result = PaymentItem.waiting.query(UNMATCHED, limit=limit, last_evaluated_key=start)
    payments = [_payment(item) for item in result if isinstance(item, PaymentRecordItem)]
    last = result.last_evaluated_key
    return payments, f"{last['pk']['S']}|{last['waiting_sk']['S']}" if last else None


def delivery_write(partner: str, webhook_id: str, event_type: str, body: str, now: datetime,
                   payment_id: str | None = None) -> Write:
    """The transaction item that records a webhook delivery once (label "delivery" fails on a repeat)."""
    item = DeliveryItem(f"DELIVERY#{partner}#{webhook_id}", "DELIVERY", partner=partner, webhook_id=webhook_id,
                        type=event_type, body=body, received_at=now, payment_id=payment_id)
    return Write("delivery", "save", lambda tx: tx.save(item, condition=PaymentItem.pk.does_not_exist()))


def record_delivery(partner: str, webhook_id: str, event_type: str, body: str, now: datetime) -> bool:
    """Keep an event we don't act on (unknown type). False when this webhook-id was already kept."""
    try:
        commit([delivery_write(partner, webhook_id, event_type, body, now)])
    except ConditionFailed:
        return False
    return True
