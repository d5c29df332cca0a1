"""ARCO requests on the members table, and the writes of an account's closure.

| item         | pk                 | sk      | arco_queue / arco_sk (`arco_requests`, sparse)       |
|--------------|--------------------|---------|------------------------------------------------------|
| ARCO request | ARCO#<request id>  | REQUEST | while open: OPEN / <deadline>#<requested_at>#<id>    |

The request id derives from the account (domain/privacy.py `closure_request_id`), so the put that creates it is the
guard against asking twice. The rectification audit (CHANGE# items) lives in the member's partition
(store/members.py).
"""

from datetime import datetime

from pynamodb.attributes import ListAttribute, MapAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain.beneficiaries import PARTNERS, Beneficiary
from chalicelib.domain.members import Member, MemberStatus
from chalicelib.domain.privacy import ERASED_PROFILE_FIELDS, ArcoRequest
from chalicelib.store import stats
from chalicelib.store.members import BeneficiaryItem, GuardItem, MemberItem, ProfileItem, member_key
from chalicelib.store.payments import close_reference
from chalicelib.store.transactions import Write, commit

OPEN = "OPEN"
REQUEST_SK = "REQUEST"
_CHUNK = 90  # beneficiary deletions per transaction: DynamoDB takes at most 100 actions in one


class ArcoRequestItem(MemberItem, discriminator="arco"):
    request_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    username = UnicodeAttribute(null=True)  # the sign-in account to disable; removed once it is
    right = UnicodeAttribute()
    status = UnicodeAttribute()
    requested_at = UTCDateTimeAttribute()
    deadline = UnicodeAttribute()  # YYYY-MM-DD, Mexico City
    status_before = UnicodeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    completed_by = UnicodeAttribute(null=True)
    erased = ListAttribute(of=UnicodeAttribute, null=True)
    kept = ListAttribute(of=MapAttribute, null=True)


def request_key(request_id: str) -> tuple[str, str]:
    return f"ARCO#{request_id}", REQUEST_SK


def _queue_sk(request: ArcoRequest) -> str:
    return f"{request.deadline.isoformat()}#{request.requested_at.isoformat()}#{request.request_id}"


def _item(request: ArcoRequest, username: str | None) -> ArcoRequestItem:
    data = request.model_dump(mode="json", exclude={"requested_at", "completed_at", "kept"})
    return ArcoRequestItem(*request_key(request.request_id), **data, username=username,
                           requested_at=request.requested_at, arco_queue=OPEN, arco_sk=_queue_sk(request))


def _request(item: ArcoRequestItem) -> ArcoRequest:
    fields = {name: getattr(item, name) for name in ArcoRequest.model_fields if name != "kept"}
    kept = [dict(entry.as_dict()) if isinstance(entry, MapAttribute) else entry for entry in item.kept or []]
    return ArcoRequest.model_validate({**fields, "erased": item.erased or [], "kept": kept})


def get_request(request_id: str) -> tuple[ArcoRequest, str | None] | None:
    """The request and the sign-in username it still holds: one consistent GetItem."""
    try:
        item = ArcoRequestItem.get(*request_key(request_id), consistent_read=True)
    except ArcoRequestItem.DoesNotExist:
        return None
    return _request(item), item.username


def open_requests(limit: int, after: str | None) -> tuple[list[ArcoRequest], str | None]:
    """Open requests, earliest deadline first: one Query of the sparse `arco_requests` index (eventually consistent,
    as every GSI). The cursor is the last request's index sort key."""
    condition = MemberItem.arco_sk > after if after else None
    result = MemberItem.arco_requests.query(OPEN, condition, limit=limit)
    requests = [_request(item) for item in result if isinstance(item, ArcoRequestItem)]
    last = result.last_evaluated_key
    return requests, last["arco_sk"]["S"] if last else None


def _profile_update(member: Member, actions: list, label: str = "profile") -> Write:
    """An update of the profile only while it has the version read (bumping it), so every other writer of the profile
    (a payment, a reference, a PATCH) is refused or refuses us."""
    item = ProfileItem(member_key(member.member_id), "PROFILE")
    item.version = member.version
    return Write(label, "update", lambda tx: tx.update(item, actions=actions, condition=ProfileItem.pk.exists()))


def open_closure(request: ArcoRequest, member: Member, username: str, now: datetime) -> None:
    """The request put (only if absent: label `arco-request`) and, at once, the member `closing` (only at the version
    read: label `profile`), auto-renewal off, the open reference withdrawn (superseded, so a payment of it is kept
    unmatched for a refund) and the status counters moved."""
    actions = [ProfileItem.status.set(MemberStatus.CLOSING.value), ProfileItem.auto_renewal.set(False),
               ProfileItem.open_reference.remove(), ProfileItem.updated_at.set(now)]
    writes = [
        Write("arco-request", "save", lambda tx: tx.save(_item(request, username),
                                                          condition=MemberItem.pk.does_not_exist())),
        _profile_update(member, actions),
        *stats.add_merged(stats.status_moved(member.status, MemberStatus.CLOSING, now)),
    ]
    if member.open_reference:
        writes.append(close_reference(member.open_reference, "superseded"))
    commit(writes)


def complete_closure(request: ArcoRequest, member: Member, beneficiaries: list[Beneficiary], now: datetime) -> None:
    """One transaction: the request completed (only while open: label `arco-request`; off the operators' queue, the
    username dropped), the profile's personal fields erased and the member `closed` (only while closing: label
    `profile`), every active beneficiary item deleted with the partner slot, and the counters moved. Removed
    beneficiaries, unbounded in number and counted nowhere, are deleted first in transactions of their own (deleting
    one twice is harmless, so a retry finishes). The persons and CURP guards stay: the health records and payments
    kept are theirs (docs/privacy.md)."""
    removed = [b for b in beneficiaries if b.status != "active"]
    for start in range(0, len(removed), _CHUNK):
        commit([_delete_beneficiary(member.member_id, b) for b in removed[start:start + _CHUNK]])
    beneficiaries = [b for b in beneficiaries if b.status == "active"]
    request_item = ArcoRequestItem(*request_key(request.request_id))
    request_actions = [
        ArcoRequestItem.status.set(request.status), ArcoRequestItem.completed_at.set(request.completed_at),
        ArcoRequestItem.completed_by.set(request.completed_by), ArcoRequestItem.erased.set(request.erased),
        ArcoRequestItem.kept.set([kept.model_dump(mode="json") for kept in request.kept]),
        ArcoRequestItem.username.remove(), ArcoRequestItem.arco_queue.remove(), ArcoRequestItem.arco_sk.remove(),
    ]
    profile = ProfileItem(member_key(member.member_id), "PROFILE")
    profile.version = 0  # bumped, not conditioned on: the status condition is the one that matters
    profile_actions = [*(getattr(ProfileItem, name).remove() for name in ERASED_PROFILE_FIELDS),
                       ProfileItem.status.set(MemberStatus.CLOSED.value), ProfileItem.updated_at.set(now)]
    writes = [
        Write("arco-request", "update", lambda tx: tx.update(request_item, actions=request_actions,
                                                             condition=ArcoRequestItem.status == "open")),
        Write("profile", "update", lambda tx: tx.update(
            profile, actions=profile_actions, condition=ProfileItem.status == MemberStatus.CLOSING.value,
            add_version_condition=False)),
    ]
    for beneficiary in beneficiaries:  # only while active (label `beneficiary`): a removal meanwhile counted it out
        writes.append(_delete_beneficiary(member.member_id, beneficiary, BeneficiaryItem.status == "active"))
        if beneficiary.relationship in PARTNERS:
            slot = GuardItem(member_key(member.member_id), "PARTNER")
            writes.append(Write("partner-slot", "delete", lambda tx, slot=slot: tx.delete(slot)))
    active = len(beneficiaries)
    counted = [*stats.status_moved(MemberStatus.CLOSING, MemberStatus.CLOSED, now),
               *([(stats.ALL_TIME, {"beneficiaries": -active})] if active else [])]
    commit([*writes, *stats.add_merged(counted)])


def _delete_beneficiary(member_id: str, beneficiary: Beneficiary, condition=None) -> Write:
    item = BeneficiaryItem(member_key(member_id), f"BENEFICIARY#{beneficiary.beneficiary_id}")
    return Write("beneficiary", "delete", lambda tx: tx.delete(item, condition=condition))
