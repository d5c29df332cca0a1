"""Members: registration and its draft check, the profile and its (audited) changes, beneficiaries, and the
operators' lookup by CURP or NSS."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.beneficiaries import (
    BeneficiaryRequest, Standing, check_against_member, new_beneficiary, removed, standing,
)
from chalicelib.domain.identity import ClaimStatus, IdentityClaim, new_person
from chalicelib.domain.members import (
    NOT_PROCESSED, Member, MemberLookup, ProfileChanges, RegistrationRequest, new_member, next_step,
    registration_warnings, review_draft,
)
from chalicelib.domain.privacy import change_record
from chalicelib.errors import Conflict, FieldError, InvalidInput, NotFound, PreconditionFailed, ServiceUnavailable
from chalicelib.logs import service_logger
from chalicelib.store import members as store
from chalicelib.store import persons
from chalicelib.store.transactions import ConditionFailed, Write, commit

_log = service_logger()
_ATTEMPTS = 2  # a CURP or NSS guard written by a racing account between our read and our transaction: start over


@dataclass(frozen=True)
class Profile:
    member: Member
    next_step: str  # what the member must do next: the code of a `next.<code>` message
    warnings: list[FieldError] = field(default_factory=list)  # accepted, but worth a second look (an RFC that
    # does not match the CURP, say); registration only


def _profile(member: Member, warnings: list[FieldError] | None = None) -> Profile:
    return Profile(member, next_step(member.status), warnings or [])


# --- Registration --------------------------------------------------------------------------------------------------

def register(account_id: str, request: RegistrationRequest, now: datetime,
             answer: Callable[[Profile], list[Write]] = lambda registration: []) -> Profile:
    """The account's profile as a new person. When the CURP or NSS is someone's already, the person is created
    unlinked with a pending claim in the same transaction; the answer is the same either way (no enumeration).
    `answer`'s writes join the transaction (the idempotency record)."""
    warnings = registration_warnings(request)
    for attempt in range(_ATTEMPTS):
        held = persons.holders(request.curp, request.nss)
        conflicts = (["curp"] if held.curp else []) + (["nss"] if held.nss else [])
        person_id, claim_id = str(uuid.uuid4()), (str(uuid.uuid4()) if conflicts else None)
        member = new_member(account_id, person_id, request, now)
        identity = persons.person_writes(new_person(person_id, request.curp, account_id, account_id, claim_id, now),
                                         held.curp)
        if claim_id:
            identity.append(persons.claim_write(IdentityClaim(
                claim_id=claim_id, context="registration", account_id=account_id, claimant_person_id=person_id,
                existing_person_id=held.curp or held.nss, conflicts=conflicts, status=ClaimStatus.PENDING,
                created_at=now)))
        registration = _profile(member, warnings)
        try:
            store.create_member(member, held.nss is None, identity, answer(registration))
            return registration
        except ConditionFailed as failed:
            if failed.labels & {"curp-guard", "nss-guard"} and attempt < _ATTEMPTS - 1:
                continue
            raise ServiceUnavailable() from None
    raise AssertionError("unreachable")


def review(draft: dict, now: datetime) -> tuple[list[FieldError], list[FieldError]]:
    """Errors and warnings of a whole or partial registration; nothing is looked up or saved."""
    return review_draft(draft, now)


# --- The member's own data -----------------------------------------------------------------------------------------

def profile(member_id: str) -> Profile:
    return _profile(store.registered_member(member_id))


def change_profile(member_id: str, expected_version: int, changes: ProfileChanges, now: datetime) -> Profile:
    """Only if the profile is still at `expected_version`: 412 otherwise, 404 when there is none, 409 once the
    account is closing. The rectification is audited (which fields, by whom, when) in the same transaction."""
    fields = changes.changes()
    changed = store.update_member(member_id, expected_version, fields, change_record(member_id, list(fields), now),
                                  now)
    if changed is None:
        current = store.get_member(member_id)
        if current is None:
            raise NotFound("not-registered")
        require_processed(current)
        raise PreconditionFailed("profile-changed")
    return _profile(changed)


def require_processed(member: Member) -> None:
    """Nothing new is done for a member whose account is closing or closed (docs/privacy.md): 409."""
    if member.status in NOT_PROCESSED:
        raise Conflict("account-closing")


# --- Beneficiaries -------------------------------------------------------------------------------------------------

def add_beneficiary(member_id: str, request: BeneficiaryRequest, now: datetime,
                    answer: Callable[[Standing], list[Write]] = lambda added: []) -> Standing:
    """A beneficiary as a person: this member's earlier person for that CURP if it had one, else a new person (with a
    pending claim when someone holds the CURP; the answer is the same either way). Returned with its eligibility."""
    member, beneficiaries = store.registered_partition(member_id)
    require_processed(member)
    problems = check_against_member(request, member.curp)
    if problems:
        raise InvalidInput(problems)
    if any(b.curp == request.curp and b.status == "active" for b in beneficiaries):
        raise Conflict("beneficiary-exists")
    earlier = next((b.person_id for b in reversed(beneficiaries) if b.curp == request.curp), None)
    for attempt in range(_ATTEMPTS):
        beneficiary_id = str(uuid.uuid4())
        if earlier:
            person_id, identity = earlier, []
        else:
            holder = persons.curp_owner(request.curp)
            person_id, claim_id = str(uuid.uuid4()), (str(uuid.uuid4()) if holder else None)
            identity = persons.person_writes(new_person(person_id, request.curp, member_id, None, claim_id, now),
                                             holder)
            if claim_id:
                identity.append(persons.claim_write(IdentityClaim(
                    claim_id=claim_id, context="beneficiary", account_id=member_id, claimant_person_id=person_id,
                    existing_person_id=holder, beneficiary_id=beneficiary_id,
                    relationship=request.relationship.value, conflicts=["curp"], status=ClaimStatus.PENDING,
                    created_at=now)))
        added = standing(new_beneficiary(beneficiary_id, person_id, request, now), now)
        try:
            store.add_beneficiary(member_id, added.beneficiary, identity, answer(added))
            return added
        except ConditionFailed as failed:
            if "curp-guard" in failed.labels and attempt < _ATTEMPTS - 1:
                continue
            raise ServiceUnavailable() from None
    raise AssertionError("unreachable")


def beneficiaries(member_id: str, now: datetime) -> list[Standing]:
    """Removed ones included, each with its eligibility today (Mexico City)."""
    _, found = store.registered_partition(member_id)
    return [standing(beneficiary, now) for beneficiary in found]


def remove_beneficiary(member_id: str, beneficiary_id: str, now: datetime) -> Standing:
    """Kept in history, as removed; removing a removed one changes nothing. The person keeps the CURP: a later member
    who names it makes a claim (docs/identity.md). One GetItem and one transaction."""
    beneficiary = store.get_beneficiary(member_id, beneficiary_id)
    if beneficiary is None:
        raise NotFound("beneficiary-not-found")
    after = removed(beneficiary, now)
    if after is not None:
        try:
            commit(store.removal_writes(member_id, after))
            beneficiary = after
        except ConditionFailed:
            # A concurrent removal won; report the state it left.
            beneficiary = store.get_beneficiary(member_id, beneficiary_id)
            if beneficiary is None:
                raise NotFound("beneficiary-not-found") from None
    return standing(beneficiary, now)


# --- Operators -----------------------------------------------------------------------------------------------------

def find_member(operator_id: str, lookup: MemberLookup) -> Profile:
    """The member holding the CURP (through its person) or the NSS (its guard): 2–3 GetItems. Each read by an
    operator is logged (by which identifier, never its value)."""
    if lookup.nss:
        guard = store.nss_holder(lookup.nss)
        member_id = guard.owner_id if guard else None
    else:
        holder = persons.curp_owner(lookup.curp)
        person = persons.get_person(holder) if holder else None
        member_id = person.member_id if person else None
    member = store.get_member(member_id) if member_id else None
    if member is None:
        raise NotFound("member-not-found")
    _log.info("operator read member", extra={"operator_id": operator_id, "member_id": member.member_id,
                                            "by": "curp" if lookup.curp else "nss"})
    return _profile(member)
