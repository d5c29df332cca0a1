"""The members table: each member's partition (profile, beneficiaries, partner slot) and uniqueness guards.

| item                | pk                | sk                |
|---------------------|-------------------|-------------------|
| member profile      | MEMBER#<user id>  | PROFILE           |
| beneficiary         | MEMBER#<user id>  | BENEFICIARY#<id>  |
| partner slot        | MEMBER#<user id>  | PARTNER           |
| member CURP guard   | CURP#<curp>       | MEMBER            |
| member NSS guard    | NSS#<nss>         | MEMBER            |

Persons, the shared CURP guard and identity claims live in this table too (store/persons.py). The NSS guard is the
SPEI matcher's and the operators' NSS → member lookup, read with strong consistency.
"""

import zlib
from collections.abc import Iterator
from datetime import datetime

from pynamodb.attributes import (
    BooleanAttribute, DiscriminatorAttribute, ListAttribute, MapAttribute, TTLAttribute, UnicodeAttribute,
    UTCDateTimeAttribute, VersionAttribute,
)
from pynamodb.models import Model

from chalicelib.domain.beneficiaries import PARTNERS, Beneficiary
from chalicelib.domain.jobs import KeyRange
from chalicelib.domain.members import NOT_PROCESSED, Member, MemberStatus
from chalicelib.domain.privacy import ProfileChange
from chalicelib.errors import Conflict, NotFound
from chalicelib.store.attributes import DecimalAttribute
from chalicelib.store import stats
from chalicelib.store.idempotency import AlreadyAnswered
from chalicelib.store.indexes import index
from chalicelib.store.transactions import ConditionFailed, Write, commit


COVERAGE_END_SHARDS = 16


def member_key(member_id: str) -> str:
    return f"MEMBER#{member_id}"


def coverage_end_key(member_id: str, covered_through: str) -> str:
    """'<YYYY-MM>#<shard>': members whose coverage ends in a month, spread over 16 index partitions so the
    month-start burst of payments never piles onto one."""
    return f"{covered_through}#{zlib.crc32(member_id.encode()) % COVERAGE_END_SHARDS:02d}"


# Profiles by the month their coverage ends (sparse: only members who ever paid), in member key order so the daily
# jobs can cut a shard into ranges of member ids.
ByCoverageEnd = index("by_coverage_end", "coverage_end", "pk")
# Pending identity claims, oldest first (sparse): the operators' queue.
IdentityClaims = index("identity_claims", "claim_queue", "claim_sk")
# Open ARCO requests, earliest deadline first (sparse): the operators' queue (store/privacy.py).
ArcoRequests = index("arco_requests", "arco_queue", "arco_sk")


class MemberItem(Model):
    """Any item of the members table; `kind` says which subclass it is."""

    class Meta:
        table_name = "unbound"  # set from Settings by store.tables.bind()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    coverage_end = UnicodeAttribute(null=True)
    claim_queue = UnicodeAttribute(null=True)
    claim_sk = UnicodeAttribute(null=True)
    arco_queue = UnicodeAttribute(null=True)
    arco_sk = UnicodeAttribute(null=True)
    # Items that expire (the delivery log, store/devices.py): the table's one time-to-live attribute.
    expires_at = TTLAttribute(null=True)
    by_coverage_end = ByCoverageEnd()
    identity_claims = IdentityClaims()
    arco_requests = ArcoRequests()


class ProfileItem(MemberItem, discriminator="member"):
    member_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    linked_at = UTCDateTimeAttribute()
    curp = UnicodeAttribute()
    nss = UnicodeAttribute()
    rfc = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)  # null: erased by the account's closure
    phone = UnicodeAttribute(null=True)
    monthly_income_mxn = DecimalAttribute()
    zone = UnicodeAttribute()
    residence = MapAttribute(null=True)
    relative_in_mexico = MapAttribute(null=True)
    auto_renewal = BooleanAttribute()
    occupation = UnicodeAttribute()
    status = UnicodeAttribute()
    consents = ListAttribute()
    registered_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    covered_through = UnicodeAttribute(null=True)  # YYYY-MM, the last covered month
    covered_months = ListAttribute(of=UnicodeAttribute, null=True)
    open_reference = UnicodeAttribute(null=True)  # the payment reference the member should pay now
    version = VersionAttribute()


class BeneficiaryItem(MemberItem, discriminator="beneficiary"):
    beneficiary_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    linked_at = UTCDateTimeAttribute()
    relationship_confirmed_at = UTCDateTimeAttribute(null=True)
    relationship = UnicodeAttribute()
    curp = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    second_last_name = UnicodeAttribute(null=True)
    birth_date = UnicodeAttribute()
    sex = UnicodeAttribute()
    student = BooleanAttribute()
    lives_with_member = BooleanAttribute(null=True)
    economically_dependent = BooleanAttribute(null=True)
    custody_resolution = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    added_at = UTCDateTimeAttribute()
    removed_at = UTCDateTimeAttribute(null=True)


class ChangeItem(MemberItem, discriminator="change"):
    """A rectification of the profile (domain/privacy.py ProfileChange), in the member's partition."""

    change_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    by = UnicodeAttribute()
    fields = ListAttribute(of=UnicodeAttribute)


class GuardItem(MemberItem, discriminator="guard"):
    owner_id = UnicodeAttribute()
    beneficiary_id = UnicodeAttribute(null=True)
    person_id = UnicodeAttribute(null=True)  # NSS guards: the member's person, for claims


def _plain(value):
    """MapAttribute/ListAttribute contents as plain Python values."""
    if isinstance(value, MapAttribute):
        return {k: _plain(v) for k, v in value.as_dict().items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _profile_item(member: Member) -> ProfileItem:
    data = member.model_dump(mode="json", exclude={"version"})
    return ProfileItem(
        member_key(member.member_id), "PROFILE",
        **{**data, "monthly_income_mxn": member.monthly_income_mxn, "registered_at": member.registered_at,
           "updated_at": member.updated_at, "linked_at": member.linked_at},
    )


def _member(item: ProfileItem) -> Member:
    # Not from_attributes: maps go in as dicts so the nested models' extra="forbid" still refuses unknown keys, and a
    # null covered_months reads as [].
    fields = {name: _plain(getattr(item, name)) for name in Member.model_fields if name != "version"}
    return Member.model_validate({**fields, "covered_months": item.covered_months or [], "version": item.version})


def _guard(pk: str, sk: str, owner_id: str, beneficiary_id: str | None = None,
           person_id: str | None = None) -> GuardItem:
    return GuardItem(pk, sk, owner_id=owner_id, beneficiary_id=beneficiary_id, person_id=person_id)


def _new(label: str, item: MemberItem) -> Write:
    return Write(label, "save", lambda tx: tx.save(item, condition=MemberItem.pk.does_not_exist()))


# --- Members ---------------------------------------------------------------------------------------------------------

def nss_guard_key(nss: str) -> tuple[str, str]:
    return f"NSS#{nss}", "MEMBER"


def create_member(member: Member, nss_free: bool, identity: list[Write], extra: list[Write] = ()) -> None:
    """Profile, its person writes (store/persons.py) and, when nobody holds the NSS, its guard: one transaction.
    A guard taken meanwhile fails as `curp-guard`/`nss-guard` (ConditionFailed) and the caller starts over."""
    writes = [
        _new("profile", _profile_item(member)),
        *identity,
        *stats.add_merged(stats.status_moved(None, member.status, member.registered_at)),
        *extra,
    ]
    if nss_free:
        writes.append(_new("nss-guard", _guard(*nss_guard_key(member.nss), member.member_id,
                                               person_id=member.person_id)))
    try:
        commit(writes)
    except ConditionFailed as failed:
        if "idempotency" in failed.labels:
            raise AlreadyAnswered() from None
        if "profile" in failed.labels:
            raise Conflict("already-registered") from None
        raise


def get_member(member_id: str) -> Member | None:
    try:
        return _member(ProfileItem.get(member_key(member_id), "PROFILE", consistent_read=True))
    except ProfileItem.DoesNotExist:
        return None


def registered_member(member_id: str) -> Member:
    """The caller's member profile, or 404 telling them to register first."""
    member = get_member(member_id)
    if member is None:
        raise NotFound("not-registered")
    return member


def update_member(member_id: str, expected_version: int, changes: dict, change: ProfileChange,
                  now: datetime) -> Member | None:
    """Apply `changes` and record `change` (the rectification audit), only if the profile exists, is still processed
    (not closing or closed) and nobody changed it since `expected_version` (optimistic locking): one transaction, then
    one consistent GetItem for the answer. None when a condition failed."""
    item = ProfileItem(member_key(member_id), "PROFILE")
    item.version = expected_version
    actions = [getattr(ProfileItem, name).set(_stored(value)) for name, value in changes.items()]
    actions.append(ProfileItem.updated_at.set(now))
    condition = ProfileItem.pk.exists() & ProfileItem.status.is_in(*_PROCESSED)
    try:
        commit([Write("profile", "update", lambda tx: tx.update(item, actions=actions, condition=condition)),
                _new("change", _change_item(member_id, change))])
    except ConditionFailed:
        return None
    return get_member(member_id)


# The statuses of members we still process (the others: domain/members.py NOT_PROCESSED).
_PROCESSED = [status.value for status in MemberStatus if status not in NOT_PROCESSED]


def still_processed(member_id: str) -> Write:
    """The transaction item that holds only while the member is registered and not closing (label "member"): what
    a service checked before a closure could land."""
    processed = ProfileItem.pk.exists() & ProfileItem.status.is_in(*_PROCESSED)
    return Write("member", "condition_check",
                 lambda tx: tx.condition_check(ProfileItem, member_key(member_id), "PROFILE", condition=processed))


def _change_item(member_id: str, change: ProfileChange) -> ChangeItem:
    return ChangeItem(member_key(member_id), f"CHANGE#{change.at.isoformat()}#{change.change_id}",
                      **change.model_dump())


def profile_changes(member_id: str) -> list[ProfileChange]:
    """The rectification audit, oldest first: one Query of the partition's CHANGE# items."""
    return [ProfileChange.model_validate(item, from_attributes=True)
            for item in ChangeItem.query(member_key(member_id), ChangeItem.sk.startswith("CHANGE#"),
                                         consistent_read=True)
            if isinstance(item, ChangeItem)]


def _stored(value):
    """A domain value as the profile item stores it (nested models as maps)."""
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


def nss_holder(nss: str) -> GuardItem | None:
    """Who holds an NSS (member and person): one consistent GetItem on its guard."""
    try:
        return GuardItem.get(*nss_guard_key(nss), consistent_read=True)
    except GuardItem.DoesNotExist:
        return None


# --- Beneficiaries ---------------------------------------------------------------------------------------------------

def _beneficiary_item(member_id: str, beneficiary: Beneficiary) -> BeneficiaryItem:
    data = beneficiary.model_dump(mode="json")
    return BeneficiaryItem(
        member_key(member_id), f"BENEFICIARY#{beneficiary.beneficiary_id}",
        **{**data, "added_at": beneficiary.added_at, "removed_at": beneficiary.removed_at,
           "linked_at": beneficiary.linked_at, "relationship_confirmed_at": beneficiary.relationship_confirmed_at},
    )


def _beneficiary(item: BeneficiaryItem) -> Beneficiary:
    return Beneficiary.model_validate(item, from_attributes=True)


def add_beneficiary(member_id: str, beneficiary: Beneficiary, identity: list[Write], extra: list[Write] = ()) -> None:
    """Beneficiary, its person writes (store/persons.py) and (for a spouse or concubine) the partner slot, only for
    a registered member whose account is not closing (the service's check read it before a closure could land). A
    CURP guard taken meanwhile fails as `curp-guard` and the caller starts over."""
    writes = [
        still_processed(member_id),
        _new("beneficiary", _beneficiary_item(member_id, beneficiary)),
        *identity,
    ]
    if beneficiary.relationship in PARTNERS:
        writes.append(_new("partner-slot", _guard(member_key(member_id), "PARTNER", member_id, beneficiary.beneficiary_id)))
    try:
        commit([*writes, *stats.add(stats.ALL_TIME, {"beneficiaries": 1}), *extra])
    except ConditionFailed as failed:
        if "idempotency" in failed.labels:
            raise AlreadyAnswered() from None
        if "member" in failed.labels:
            if get_member(member_id) is None:
                raise NotFound("not-registered") from None
            raise Conflict("account-closing") from None
        if "partner-slot" in failed.labels:
            raise Conflict("partner-exists") from None
        raise


def get_beneficiary(member_id: str, beneficiary_id: str) -> Beneficiary | None:
    """One consistent GetItem."""
    try:
        return _beneficiary(BeneficiaryItem.get(member_key(member_id), f"BENEFICIARY#{beneficiary_id}",
                                                consistent_read=True))
    except BeneficiaryItem.DoesNotExist:
        return None


def removal_writes(member_id: str, removed: Beneficiary) -> list[Write]:
    """The transaction items of a removal: the beneficiary's status and removed_at, only while it is still active
    (a concurrent removal fails it as `beneficiary`); the partner slot freed for a spouse or concubine (the slot that
    add_beneficiary took, only while it is still this beneficiary's); the count."""
    item = BeneficiaryItem(member_key(member_id), f"BENEFICIARY#{removed.beneficiary_id}")
    writes = [Write("beneficiary", "update", lambda tx: tx.update(
        item, actions=[BeneficiaryItem.status.set(removed.status), BeneficiaryItem.removed_at.set(removed.removed_at)],
        condition=BeneficiaryItem.status == "active"))]
    if removed.relationship in PARTNERS:
        writes.append(Write("partner-slot", "delete", lambda tx: tx.delete(
            _guard(member_key(member_id), "PARTNER", member_id),
            condition=GuardItem.beneficiary_id == removed.beneficiary_id)))
    return [*writes, *stats.add(stats.ALL_TIME, {"beneficiaries": -1})]


def registered_partition(member_id: str) -> tuple[Member, list[Beneficiary]]:
    """The caller's profile and beneficiaries (one Query), or 404 telling them to register first."""
    member, beneficiaries = member_partition(member_id)
    if member is None:
        raise NotFound("not-registered")
    return member, beneficiaries


def member_partition(member_id: str) -> tuple[Member | None, list[Beneficiary]]:
    """Profile and every beneficiary (removed ones too) in one Query of the member's partition."""
    member, beneficiaries = None, []
    for item in MemberItem.query(member_key(member_id), consistent_read=True):
        if isinstance(item, ProfileItem):
            member = _member(item)
        elif isinstance(item, BeneficiaryItem):
            beneficiaries.append(_beneficiary(item))
    return member, sorted(beneficiaries, key=lambda b: b.added_at)


# --- Coverage ending -------------------------------------------------------------------------------------------------

def members_covered_through(month: str, shard: int, keys: KeyRange | None = None) -> Iterator[Member]:
    """Members whose last covered month is `month`, in one shard of the sparse by_coverage_end index and the range
    `keys` of member ids (None: the whole shard): one paged Query, read as the caller goes."""
    condition = MemberItem.pk.between(*keys.bounds(member_key(""))) if keys else None
    for item in MemberItem.by_coverage_end.query(f"{month}#{shard:02d}", condition):
        if isinstance(item, ProfileItem):
            yield _member(item)


def mark_lapsed(member: Member, now: datetime, extra: list[Write] = ()) -> bool:
    """active → lapsed, only if still active and still covered through the same month (a payment that lands
    meanwhile wins). False when something changed first."""
    item = ProfileItem(member_key(member.member_id), "PROFILE")
    item.version = 0  # bump the version without conditioning on it: the condition below is the one that matters
    condition = (ProfileItem.status == MemberStatus.ACTIVE.value) & (ProfileItem.covered_through == member.covered_through)
    try:
        commit([
            Write("profile", "update", lambda tx: tx.update(item, actions=[ProfileItem.status.set(MemberStatus.LAPSED.value)],
                                                            condition=condition, add_version_condition=False)),
            *stats.add_merged(stats.status_moved(MemberStatus.ACTIVE, MemberStatus.LAPSED, now)),
            *extra,
        ])
    except ConditionFailed:
        return False
    return True
