"""Members: registration and its draft check, the profile and its changes, the right-of-access export,
beneficiaries, and the operators' lookup by CURP or NSS."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.beneficiaries import Beneficiary, BeneficiaryRequest
from chalicelib.domain.members import (
    Member, MemberLookup, ProfileChanges, RegistrationRequest, registration_warnings, review_draft,
)
from chalicelib.errors import FieldError, NotFound
from chalicelib.logs import service_logger
from chalicelib.store import members as store
from chalicelib.store import persons
from chalicelib.store.transactions import Write

_log = service_logger()


# --- Registration --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Registration:
    member: Member
    warnings: list[FieldError]  # accepted, but worth a second look (an RFC that does not match the CURP, say)


def register(account_id: str, request: RegistrationRequest, now: datetime,
             answer: Callable[[Registration], list[Write]] = lambda registration: []) -> Registration:
    """The account's profile as a new person; the same answer whether or not the CURP or NSS is already someone's
    (`answer`'s writes join the transaction: the idempotency record)."""
    warnings = registration_warnings(request)
    member = persons.register(account_id, request, now, lambda m: answer(Registration(m, warnings)))
    return Registration(member, warnings)


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
    """A beneficiary as a person (a pending claim when someone holds the CURP; the answer is the same either way)."""
    return persons.add_beneficiary(member_id, request, now, answer)


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
