"""Identity: a member's assurance and their proof against the CURP registry; the operators' identity-claims queue
(inspect, confirm as the same person, or reject), each decision kept with who and why. A member is never told
whether a claim exists (docs/identity.md)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from chalicelib import wiring
from chalicelib.domain.identity import (
    ClaimDecision, ClaimStatus, DeclaredIdentity, Evidence, IdentityClaim, Person, Verification, in_person_check,
    raised, registry_check, strongest,
)
from chalicelib.errors import Conflict
from chalicelib.logs import service_logger
from chalicelib.store import members as member_store
from chalicelib.store import persons

_log = service_logger()


# --- The member's own identity -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Identity:
    person: Person  # the golden person the account stands for now
    linked_at: datetime  # since when the account is this person


def identity_of(member_id: str) -> Identity:
    member = member_store.registered_member(member_id)
    return Identity(persons.golden(member.person_id), member.linked_at)


def verify(member_id: str, declared: DeclaredIdentity, now: datetime) -> tuple[Identity, Evidence]:
    """The member's person checked against the CURP registry; a match raises the assurance. The same single write
    whether or not a claim exists, so the answer reveals none."""
    identity = identity_of(member_id)
    registry = wiring.curp_registry()
    verification = registry_check(identity.person, declared, registry.lookup(identity.person.curp), registry.name, now)
    person, evidence = _keep(identity.person, verification, f"registry:{registry.name}")
    _log.info("identity checked", extra={"member_id": member_id, "result": evidence.result})
    return Identity(person, identity.linked_at), evidence


def _keep(person: Person, verification: Verification, method: str) -> tuple[Person, Evidence]:
    """Keep a check's evidence on the person (the operators see it with any claim) and raise the assurance when it
    passed. The same single write for every person, so a claim cannot be told from outside."""
    assurance = raised(person.assurance, verification, method)
    persons.save_check(person.person_id, verification.evidence, assurance if assurance != person.assurance else None)
    checked = person.model_copy(update={"assurance": assurance, "last_check": verification.evidence})
    return checked, verification.evidence


# --- The operators' claims queue -----------------------------------------------------------------------------------

def pending_claims(limit: int, after: str | None) -> tuple[list[IdentityClaim], str | None]:
    """Oldest first; the second value is where the next page starts (None on the last)."""
    return persons.pending_claims(limit, after)


def _pending_claim(claim_id: str) -> IdentityClaim:
    claim = persons.get_claim(claim_id)
    if claim.status != ClaimStatus.PENDING:
        raise Conflict("claim-decided")
    return claim


@dataclass(frozen=True)
class ClaimCase:
    claim: IdentityClaim
    claimant: Person
    existing: Person


def claim_case(operator_id: str, claim_id: str) -> ClaimCase:
    """A claim and both persons, each as it is (a confirmed claim's claimant shows it was merged), not resolved to
    the golden one; every read by an operator is logged."""
    claim = persons.get_claim(claim_id)
    _log.info("operator read identity claim", extra={"operator_id": operator_id, "claim_id": claim.claim_id})
    return ClaimCase(claim, persons.person_or_404(claim.claimant_person_id),
                     persons.person_or_404(claim.existing_person_id))


def confirm_claim(operator_id: str, claim_id: str, checked: Literal["in-person", "consular", "documents"], why: str,
                  place: str | None, id_document: DeclaredIdentity | None, now: datetime) -> IdentityClaim:
    """The claimant is the existing person from now on. An in-person or consular check (`place` and `id_document`
    given) is run as a verifier: the ID must agree with the CURP."""
    decision = ClaimDecision(action="confirm", by=operator_id, at=now, why=why, checked=checked)
    claim = _pending_claim(claim_id)
    claimant, existing = persons.get_person(claim.claimant_person_id), persons.get_person(claim.existing_person_id)
    if existing is not None and existing.merged_into:  # the holder's own person was merged by an earlier claim
        existing = persons.get_person(existing.merged_into)
    if claimant is None or existing is None or claimant.curp != existing.curp:
        raise Conflict("claim-not-same-curp")
    if claim.context == "registration" and existing.member_id:
        raise Conflict("claim-person-has-account")
    assurance, evidence = strongest(existing.assurance, claimant.assurance), None
    if checked != "documents" and claim.context == "registration":
        document = f"ID: {id_document.first_name} {id_document.last_name}, {id_document.birth_date}"
        verification = in_person_check(claimant, id_document, operator_id, f"{checked}: {place}", document, now)
        if verification.reached is None:
            raise Conflict("claim-document-mismatch")
        evidence = verification.evidence
        assurance = raised(assurance, verification, f"{checked}:{operator_id}")
    persons.confirm(claim, claimant, existing, decision, evidence, assurance, now)
    claim = persons.get_claim(claim_id)
    _log.info("operator decided identity claim", extra={"operator_id": operator_id, "claim_id": claim.claim_id,
                                                        "action": "confirm", "checked": checked})
    return claim


def reject_claim(operator_id: str, claim_id: str, why: str, now: datetime) -> IdentityClaim:
    """The claimant stays a separate person for good."""
    decision = ClaimDecision(action="reject", by=operator_id, at=now, why=why, checked="none")
    persons.reject(_pending_claim(claim_id), decision)
    claim = persons.get_claim(claim_id)
    _log.info("operator decided identity claim", extra={"operator_id": operator_id, "claim_id": claim.claim_id,
                                                        "action": "reject"})
    return claim
