"""Members: registration and its draft check, the profile and its changes, the right-of-access export,
beneficiaries, and the operators' lookup by CURP or NSS."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.beneficiaries import Beneficiary, BeneficiaryRequest, check_against_member, new_beneficiary
from chalicelib.domain.identity import ClaimStatus, IdentityClaim, new_person
from chalicelib.domain.members import (
    Member, MemberLookup, ProfileChanges, RegistrationRequest, new_member, registration_warnings, review_draft,
)
from chalicelib.errors import Conflict, FieldError, InvalidInput, NotFound, ServiceUnavailable
from chalicelib.logs import service_logger
from chalicelib.store import members as store
from chalicelib.store import persons
from chalicelib.store.transactions import ConditionFailed, Write

_log = service_logger()
_ATTEMPTS = 2  # a CURP or NSS guard written by a racing account between our read and our transaction: start over


# --- Registration --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Registration:
    member: Member
    warnings: list[FieldError]  # accepted, but worth a second look (an RFC that does not match the CURP, say)


def register(account_id: str, request: RegistrationRequest, now: datetime,
             answer: Callable[[Registration], list[Write]] = lambda registration: []) -> Registration:
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
        registration = Registration(member, warnings)
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

def profile(member_id: str) -> Member:
    return store.registered_member(member_id)


def change_profile(member_id: str, expected_version: int, changes: ProfileChanges, now: datetime) -> Member:
    """Only if the profile is still at `expected_version` (412 otherwise)."""
    return store.update_member(member_id, expected_version, changes.changes(), now)


def export(member_id: str) -> tuple[Member, list[Beneficiary]]:
    """Everything held about the member and their beneficiaries, removed ones included."""
    return store.registered_partition(member_id)


# --- Beneficiaries -------------------------------------------------------------------------------------------------

def add_beneficiary(member_id: str, request: BeneficiaryRequest, now: datetime,
                    answer: Callable[[Beneficiary], list[Write]] = lambda beneficiary: []) -> Beneficiary:
    """A beneficiary as a person: this member's earlier person for that CURP if it had one, else a new person (with a
    pending claim when someone holds the CURP; the answer is the same either way)."""
    member, beneficiaries = store.registered_partition(member_id)
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
        beneficiary = new_beneficiary(beneficiary_id, person_id, request, now)
        try:
            store.add_beneficiary(member_id, beneficiary, identity, answer(beneficiary))
            return beneficiary
        except ConditionFailed as failed:
            if "curp-guard" in failed.labels and attempt < _ATTEMPTS - 1:
                continue
            raise ServiceUnavailable() from None
    raise AssertionError("unreachable")


def beneficiaries(member_id: str) -> list[Beneficiary]:
    _, found = store.registered_partition(member_id)
    return found


def remove_beneficiary(member_id: str, beneficiary_id: str, now: datetime) -> Beneficiary:
    """Kept in history, as removed."""
    return store.remove_beneficiary(member_id, beneficiary_id, now)


# --- Operators -----------------------------------------------------------------------------------------------------

def find_member(operator_id: str, lookup: MemberLookup) -> Member:
    """The member holding the CURP or NSS; each read by an operator is logged (by which identifier, never its value)."""
    member = persons.member_by_identifier(curp=lookup.curp, nss=lookup.nss)
    if member is None:
        raise NotFound("member-not-found")
    _log.info("operator read member", extra={"operator_id": operator_id, "member_id": member.member_id,
                                            "by": "curp" if lookup.curp else "nss"})
    return member
