"""Persons and identity claims (the patient index), in the members table so they share its transactions.

| item        | pk                  | sk      | index keys                                                         |
|-------------|---------------------|---------|--------------------------------------------------------------------|
| person      | PERSON#<person id>  | PERSON  | –                                                                  |
| CURP guard  | CURP#<curp>         | PERSON  | –  (owner_id = the person; one per CURP, members and beneficiaries, never deleted) |
| claim       | CLAIM#<claim id>    | CLAIM   | identity_claims: claim_queue=PENDING / claim_sk=<UTC instant>Z_<id>, while pending |

Which person a CURP belongs to is the guard's; an account that names a CURP someone holds gets a new person and a
claim in the same transaction that creates its profile or beneficiary (docs/identity.md).
"""

import re
from datetime import datetime, timezone
from typing import NamedTuple

from pynamodb.attributes import ListAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError

from chalicelib.domain.identity import (
    Assurance, AssuranceLevel, ClaimDecision, ClaimStatus, Evidence, IdentityClaim, Person,
)
from chalicelib.errors import Conflict, NotFound
from chalicelib.store.members import (
    BeneficiaryItem, GuardItem, MemberItem, ProfileItem, _plain, member_key, nss_guard_key,
)
from chalicelib.store.transactions import ConditionFailed, Write, commit

PENDING_QUEUE = "PENDING"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def person_key(person_id: str) -> str:
    return f"PERSON#{person_id}"


def curp_guard_key(curp: str) -> tuple[str, str]:
    return f"CURP#{curp}", "PERSON"


class PersonItem(MemberItem, discriminator="person"):
    person_id = UnicodeAttribute()
    curp = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    member_id = UnicodeAttribute(null=True)  # the account whose own person this is, if any
    assurance_level = UnicodeAttribute()
    assurance_at = UTCDateTimeAttribute()
    assurance_method = UnicodeAttribute()
    merged_into = UnicodeAttribute(null=True)
    merged = ListAttribute(of=UnicodeAttribute, null=True)
    claim_id = UnicodeAttribute(null=True)  # the claim this person was created with, while it names a held CURP
    last_check = UnicodeAttribute(null=True)  # the latest identity check's evidence (JSON), for the operators


class ClaimItem(MemberItem, discriminator="claim"):
    claim_id = UnicodeAttribute()
    context = UnicodeAttribute()
    account_id = UnicodeAttribute()
    claimant_person_id = UnicodeAttribute()
    existing_person_id = UnicodeAttribute()
    beneficiary_id = UnicodeAttribute(null=True)
    relationship = UnicodeAttribute(null=True)
    conflicts = ListAttribute(of=UnicodeAttribute)
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    evidence = ListAttribute()
    decisions = ListAttribute()


# --- Persons -----------------------------------------------------------------------------------------------------

def _person_item(person: Person) -> PersonItem:
    return PersonItem(person_key(person.person_id), "PERSON", person_id=person.person_id, curp=person.curp,
                      created_at=person.created_at, created_by=person.created_by, member_id=person.member_id,
                      assurance_level=person.assurance.level.value, assurance_at=person.assurance.at,
                      assurance_method=person.assurance.method, merged_into=person.merged_into,
                      merged=person.merged or None, claim_id=person.claim_id)


def _person(item: PersonItem) -> Person:
    return Person(person_id=item.person_id, curp=item.curp, created_at=item.created_at, created_by=item.created_by,
                  member_id=item.member_id, merged_into=item.merged_into, merged=list(item.merged or []),
                  claim_id=item.claim_id,
                  last_check=Evidence.model_validate_json(item.last_check) if item.last_check else None,
                  assurance=Assurance(level=item.assurance_level, at=item.assurance_at, method=item.assurance_method))


def get_person(person_id: str) -> Person | None:
    try:
        return _person(PersonItem.get(person_key(person_id), "PERSON", consistent_read=True))
    except PersonItem.DoesNotExist:
        return None


def person_or_404(person_id: str) -> Person:
    person = get_person(person_id)
    if person is None:
        raise NotFound("patient-not-found")
    return person


def golden(person_id: str) -> Person:
    """The person a patient id stands for now: itself, or the person a confirmed claim merged it into."""
    person = person_or_404(person_id)
    if person.merged_into:
        merged_into = get_person(person.merged_into)
        if merged_into is not None:
            return merged_into
    return person


def record_persons(person_id: str) -> list[Person]:
    """The golden person a patient id stands for, then the persons merged into it: whose records make its history.
    One GetItem (two for a merged id), plus one BatchGetItem only when persons were merged."""
    first = golden(person_id)
    if not first.merged:
        return [first]
    keys = [(person_key(merged), "PERSON") for merged in first.merged]
    others = [_person(item) for item in MemberItem.batch_get(keys, consistent_read=True)
              if isinstance(item, PersonItem)]
    return [first, *sorted(others, key=lambda p: p.created_at)]


def curp_owner(curp: str) -> str | None:
    """The person who holds a CURP (one consistent GetItem on its guard); for operators and the claim writers."""
    try:
        return GuardItem.get(*curp_guard_key(curp), consistent_read=True).owner_id
    except GuardItem.DoesNotExist:
        return None


def person_writes(person: Person, curp_owner_id: str | None) -> list[Write]:
    """The new person, and the CURP's guard when nobody holds the CURP yet (put only if still absent: a racing
    claimant makes this fail as `curp-guard` and the caller starts over)."""
    writes = [Write("person", "save", lambda tx: tx.save(_person_item(person),
                                                         condition=MemberItem.pk.does_not_exist()))]
    if curp_owner_id is None:
        guard = GuardItem(*curp_guard_key(person.curp), owner_id=person.person_id)
        writes.append(Write("curp-guard", "save", lambda tx: tx.save(guard, condition=MemberItem.pk.does_not_exist())))
    return writes


def save_check(person_id: str, evidence: Evidence, assurance: Assurance | None) -> None:
    """Keep a check's evidence on the person and, when it passed, raise the assurance: one UpdateItem whoever the
    person is (no claim, or a claim, looks the same from outside). The raise is conditioned on a lower level, so a
    weaker check finishing later never lowers it; then only the evidence is kept."""
    item = PersonItem(person_key(person_id), "PERSON")
    kept = PersonItem.last_check.set(evidence.model_dump_json())
    if assurance is not None:
        lower = [level.value for level in AssuranceLevel if level.rank < assurance.level.rank]
        try:
            item.update(actions=[kept, PersonItem.assurance_level.set(assurance.level.value),
                                 PersonItem.assurance_at.set(assurance.at),
                                 PersonItem.assurance_method.set(assurance.method)],
                        condition=PersonItem.assurance_level.is_in(*lower))
            return
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
    item.update(actions=[kept], condition=PersonItem.pk.exists())


class Holders(NamedTuple):
    curp: str | None  # the person who holds the CURP
    nss: str | None  # the person of the member who holds the NSS


def holders(curp: str, nss: str) -> Holders:
    """Who holds a CURP and an NSS: one consistent BatchGetItem of both guards."""
    curp_key, nss_key = curp_guard_key(curp), nss_guard_key(nss)
    found = {(item.pk, item.sk): item for item in MemberItem.batch_get([curp_key, nss_key], consistent_read=True)}
    curp_guard, nss_guard = found.get(curp_key), found.get(nss_key)
    return Holders(curp_guard.owner_id if curp_guard else None,
                   (nss_guard.person_id or nss_guard.owner_id) if nss_guard else None)


# --- Claims ------------------------------------------------------------------------------------------------------

def _queue_order(claim: IdentityClaim) -> str:
    """`<UTC instant, compact>_<claim id>`: oldest first, and safe to pass back in a URL as the page cursor."""
    return f"{claim.created_at.astimezone(timezone.utc):%Y%m%dT%H%M%S.%f}Z_{claim.claim_id}"


def _claim_item(claim: IdentityClaim) -> ClaimItem:
    pending = claim.status == ClaimStatus.PENDING
    return ClaimItem(f"CLAIM#{claim.claim_id}", "CLAIM", claim_id=claim.claim_id, context=claim.context,
                     account_id=claim.account_id, claimant_person_id=claim.claimant_person_id,
                     existing_person_id=claim.existing_person_id, beneficiary_id=claim.beneficiary_id,
                     relationship=claim.relationship, conflicts=claim.conflicts, status=claim.status.value,
                     created_at=claim.created_at, evidence=[], decisions=[],
                     claim_queue=PENDING_QUEUE if pending else None,
                     claim_sk=_queue_order(claim) if pending else None)


def claim_write(claim: IdentityClaim) -> Write:
    item = _claim_item(claim)
    return Write("claim", "save", lambda tx: tx.save(item, condition=MemberItem.pk.does_not_exist()))


def _claim(item: ClaimItem) -> IdentityClaim:
    return IdentityClaim(claim_id=item.claim_id, context=item.context, account_id=item.account_id,
                         claimant_person_id=item.claimant_person_id, existing_person_id=item.existing_person_id,
                         beneficiary_id=item.beneficiary_id, relationship=item.relationship,
                         conflicts=list(item.conflicts or []), status=item.status, created_at=item.created_at,
                         evidence=_plain(item.evidence or []), decisions=_plain(item.decisions or []))


def get_claim(claim_id: str) -> IdentityClaim:
    if not _UUID.fullmatch(claim_id):  # checked before any lookup: a malformed id is simply not found
        raise NotFound("claim-not-found")
    try:
        return _claim(ClaimItem.get(f"CLAIM#{claim_id}", "CLAIM", consistent_read=True))
    except ClaimItem.DoesNotExist:
        raise NotFound("claim-not-found") from None


def pending_claims(limit: int, after: str | None) -> tuple[list[IdentityClaim], str | None]:
    """The operators' queue, oldest first: one Query of the sparse `identity_claims` index."""
    condition = MemberItem.claim_sk > after if after else None
    result = MemberItem.identity_claims.query(PENDING_QUEUE, condition, limit=limit)
    claims = [_claim(item) for item in result if isinstance(item, ClaimItem)]
    last = result.last_evaluated_key
    return claims, last["claim_sk"]["S"] if last else None


def _decided(claim: IdentityClaim, decision: ClaimDecision, evidence: Evidence | None) -> Write:
    status = ClaimStatus.CONFIRMED if decision.action == "confirm" else ClaimStatus.REJECTED
    actions = [ClaimItem.status.set(status.value), ClaimItem.claim_queue.remove(), ClaimItem.claim_sk.remove(),
               ClaimItem.decisions.set(ClaimItem.decisions.append([decision.model_dump(mode="json")]))]
    if evidence is not None:
        actions.append(ClaimItem.evidence.set(ClaimItem.evidence.append([evidence.model_dump(mode="json")])))
    item = ClaimItem(f"CLAIM#{claim.claim_id}", "CLAIM")
    return Write("claim", "update", lambda tx: tx.update(
        item, actions=actions, condition=ClaimItem.status == ClaimStatus.PENDING.value))


def reject(claim: IdentityClaim, decision: ClaimDecision) -> None:
    """The claimant stays a separate person for good (the claim leaves the queue, decided)."""
    try:
        commit([_decided(claim, decision, None)])
    except ConditionFailed:
        raise Conflict("claim-decided") from None


def confirm(claim: IdentityClaim, claimant: Person, existing: Person, decision: ClaimDecision,
            evidence: Evidence | None, assurance: Assurance, now: datetime) -> None:
    """One transaction: the claim decided; the claimant's person merged into the existing one (which takes the
    higher assurance and, for a registration, the account); and the account's profile or beneficiary re-pointed to
    the existing person from now on (for a beneficiary, with the relationship confirmed)."""
    existing_item = PersonItem(person_key(existing.person_id), "PERSON")
    existing_actions = [PersonItem.merged.set((PersonItem.merged | []).append([claimant.person_id])),
                        PersonItem.assurance_level.set(assurance.level.value),
                        PersonItem.assurance_at.set(assurance.at),
                        PersonItem.assurance_method.set(assurance.method)]
    # Not merged meanwhile, and its level as read (so this never lowers a level raised meanwhile).
    existing_condition = PersonItem.merged_into.does_not_exist() & (
        PersonItem.assurance_level == existing.assurance.level.value)
    if claim.context == "registration":
        existing_actions.append(PersonItem.member_id.set(claim.account_id))
        existing_condition &= PersonItem.member_id.does_not_exist()
    claimant_item = PersonItem(person_key(claimant.person_id), "PERSON")
    writes = [
        _decided(claim, decision, evidence),
        Write("existing", "update", lambda tx: tx.update(existing_item, actions=list(existing_actions),
                                                         condition=existing_condition)),
        Write("claimant", "update", lambda tx: tx.update(
            claimant_item, actions=[PersonItem.merged_into.set(existing.person_id)],
            condition=PersonItem.merged_into.does_not_exist())),
    ]
    if claim.context == "registration":
        profile = ProfileItem(member_key(claim.account_id), "PROFILE")
        profile.version = 0  # the profile changed: bump its version (ETag) without conditioning on it
        writes.append(Write("role", "update", lambda tx: tx.update(
            profile, actions=[ProfileItem.person_id.set(existing.person_id), ProfileItem.linked_at.set(now)],
            condition=ProfileItem.person_id == claimant.person_id, add_version_condition=False)))
    else:
        beneficiary = BeneficiaryItem(member_key(claim.account_id), f"BENEFICIARY#{claim.beneficiary_id}")
        writes.append(Write("role", "update", lambda tx: tx.update(
            beneficiary, actions=[BeneficiaryItem.person_id.set(existing.person_id),
                                  BeneficiaryItem.linked_at.set(now),
                                  BeneficiaryItem.relationship_confirmed_at.set(now)],
            condition=(BeneficiaryItem.person_id == claimant.person_id) & (BeneficiaryItem.status == "active"))))
    try:
        commit(writes)
    except ConditionFailed as failed:
        if "claim" in failed.labels:
            raise Conflict("claim-decided") from None
        if "existing" in failed.labels and claim.context == "registration" and existing.member_id:
            raise Conflict("claim-person-has-account") from None
        raise Conflict("claim-changed") from None
