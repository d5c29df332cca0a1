"""The payments table: payment references now; payments, webhook deliveries and counters as they arrive.

| item              | pk                | sk         | member_pk (index by_member) | member_sk               |
|-------------------|-------------------|------------|-----------------------------|-------------------------|
| payment reference | REFERENCE#<code>  | REFERENCE  | MEMBER#<user id>            | REFERENCE#<issued at>   |

Keyed by code so a partner's webhook finds a reference with one GetItem; the by_member index lists a member's own.
"""

from datetime import datetime

from pynamodb.attributes import BooleanAttribute, DiscriminatorAttribute, ListAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.payments import PaymentReference
from chalicelib.errors import Conflict
from chalicelib.store.attributes import DecimalAttribute
from chalicelib.store.idempotency import AlreadyAnswered
from chalicelib.store.members import ProfileItem, member_key
from chalicelib.store.transactions import ConditionFailed, Write, commit


class ByMember(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_member"
        projection = AllProjection()

    member_pk = UnicodeAttribute(hash_key=True)
    member_sk = UnicodeAttribute(range_key=True)


class PaymentItem(Model):
    """Any item of the payments table; `kind` says which subclass it is."""

    class Meta:
        table_name = "unbound"  # set from Settings by store.tables.bind()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    member_pk = UnicodeAttribute(null=True)
    member_sk = UnicodeAttribute(null=True)
    by_member = ByMember()


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


def _reference_item(reference: PaymentReference) -> ReferenceItem:
    return ReferenceItem(
        f"REFERENCE#{reference.reference}", "REFERENCE",
        member_pk=member_key(reference.member_id), member_sk=f"REFERENCE#{reference.issued_at.isoformat()}",
        **reference.model_dump(),
    )


def _reference(item: ReferenceItem) -> PaymentReference:
    return PaymentReference.model_validate({name: getattr(item, name) for name in PaymentReference.model_fields})


def issue_reference(reference: PaymentReference, replaces: str | None, profile_version: int,
                    extra: list[Write] = ()) -> None:
    """The new reference becomes the member's open one and the one it replaces is superseded, all at once, only if
    the profile is still at the version the months and amount were computed from (else 409, try again)."""
    profile = ProfileItem(member_key(reference.member_id), "PROFILE")
    profile.version = profile_version  # PynamoDB adds `version = profile_version` and increments it
    writes = [
        Write("reference", "save", lambda tx: tx.save(_reference_item(reference), condition=PaymentItem.pk.does_not_exist())),
        Write("profile", "update", lambda tx: tx.update(
            profile, actions=[ProfileItem.open_reference.set(reference.reference)], condition=ProfileItem.pk.exists())),
        *extra,
    ]
    if replaces:
        previous = ReferenceItem(f"REFERENCE#{replaces}", "REFERENCE")
        writes.append(Write("previous", "update", lambda tx: tx.update(
            previous, actions=[ReferenceItem.status.set("superseded")], condition=ReferenceItem.status == "open")))
    try:
        commit(writes)
    except ConditionFailed as failed:
        if "idempotency" in failed.labels:
            raise AlreadyAnswered() from None
        if "profile" in failed.labels or "previous" in failed.labels:
            raise Conflict("reference-changed") from None
        raise


def member_references(member_id: str) -> list[PaymentReference]:
    """Newest first: one Query of the by_member index."""
    items = PaymentItem.by_member.query(member_key(member_id), PaymentItem.member_sk.startswith("REFERENCE#"),
                                        scan_index_forward=False)
    return [_reference(item) for item in items if isinstance(item, ReferenceItem)]


def get_reference(code: str) -> PaymentReference | None:
    try:
        return _reference(ReferenceItem.get(f"REFERENCE#{code}", "REFERENCE", consistent_read=True))
    except ReferenceItem.DoesNotExist:
        return None


def open_reference_of(member_id: str, code: str | None, now: datetime) -> PaymentReference | None:
    reference = get_reference(code) if code else None
    return reference if reference and reference.status_at(now) == "open" else None
