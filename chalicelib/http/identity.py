"""Identity routes: a member sees their own assurance and proves their identity against the CURP registry; operators
work the identity-claims queue (inspect the evidence, confirm as the same person, or reject), each decision kept with
who and why. A member is never told whether a claim exists (docs/identity.md)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.identity import Assurance, DeclaredIdentity, IdentityClaim, Person
from chalicelib.domain.model import Model
from chalicelib.http.api import Router
from chalicelib.auth import Caller, Role

router = Router(__name__, tag="identity")
MEMBER, OPERATOR = {Role.MEMBER}, {Role.OPERATOR}
Reason = Annotated[str, Field(min_length=3, max_length=500)]


def service():
    """The use cases, imported with the first request that needs them rather than at cold start."""
    from chalicelib.services import identity

    return identity


class IdentityOut(Model):
    person_id: str = Field(description="Who I am in the patient index: my patient id for consults and records")
    assurance: Assurance
    linked_at: datetime = Field(description="Since when this account is this person")


class VerificationOut(IdentityOut):
    result: Literal["match", "no-match", "not-found"] = Field(
        description="Whether the CURP registry agrees with what I declared (which field differs is not said)")


class ClaimsQuery(Model):
    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=100)] = 50
    after: Annotated[str, Field(pattern=r"^[0-9]{8}T[0-9]{6}\.[0-9]{6}Z_[0-9a-f-]{36}$")] | None = None


class ClaimPage(Model):
    items: list[IdentityClaim] = Field(description="Pending claims, oldest first")
    next: str | None = Field(description="Pass as `after` for the next page; null on the last")


class ClaimDetail(Model):
    claim: IdentityClaim
    claimant: Person = Field(description="The new, unlinked person the claiming account got")
    existing: Person = Field(description="The person who holds the CURP (or the NSS)")


class ConfirmClaim(Model):
    """Confirm that the claimant is the existing person. `in-person`/`consular`: the operator saw the person with an
    official photo ID (give what it says, and where); `documents`: papers reviewed remotely (for a beneficiary, the
    documents that prove the relationship)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    checked: Literal["in-person", "consular", "documents"]
    why: Reason
    place: Annotated[str, Field(min_length=2, max_length=120)] | None = None
    id_document: DeclaredIdentity | None = None

    @model_validator(mode="after")
    def _seen_needs_document(self) -> "ConfirmClaim":
        seen = self.checked != "documents"
        if seen != (self.id_document is not None and self.place is not None) or (
                not seen and (self.id_document is not None or self.place is not None)):
            raise PydanticCustomError("in_person_needs_document",
                                      "An in-person or consular check gives place and id_document; documents, neither.")
        return self


class RejectClaim(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    why: Reason


@router.route("/v1/me/identity", "GET", roles=MEMBER, response=IdentityOut, extra_statuses=[404],
              summary="Who I am in the patient index and how sure we are of it (assurance level)")
def my_identity(caller: Caller) -> IdentityOut:
    identity = service().identity_of(caller.user_id)
    return IdentityOut(person_id=identity.person.person_id, assurance=identity.person.assurance,
                       linked_at=identity.linked_at)


@router.route("/v1/me/identity/verification", "POST", roles=MEMBER, body=DeclaredIdentity, response=VerificationOut,
              extra_statuses=[404], summary="Prove my identity against the CURP registry (names and birth date)")
def verify_my_identity(caller: Caller, body: DeclaredIdentity, now: datetime) -> VerificationOut:
    identity, evidence = service().verify(caller.user_id, body, now)
    return VerificationOut(person_id=identity.person.person_id, assurance=identity.person.assurance,
                           linked_at=identity.linked_at, result=evidence.result)


@router.route("/v1/operators/identity-claims", "GET", roles=OPERATOR, query=ClaimsQuery, response=ClaimPage,
              summary="Pending identity claims, oldest first: accounts that named a CURP or NSS someone holds")
def pending_claims(query: ClaimsQuery) -> ClaimPage:
    claims, after = service().pending_claims(query.limit, query.after)
    return ClaimPage(items=claims, next=after)


@router.route("/v1/operators/identity-claims/{claim_id}", "GET", roles=OPERATOR, response=ClaimDetail,
              extra_statuses=[404], summary="A claim with its evidence and both persons")
def claim_detail(caller: Caller, claim_id: str) -> ClaimDetail:
    case = service().claim_case(caller.user_id, claim_id)
    return ClaimDetail(claim=case.claim, claimant=case.claimant, existing=case.existing)


@router.route("/v1/operators/identity-claims/{claim_id}/confirm", "POST", roles=OPERATOR, body=ConfirmClaim,
              response=IdentityClaim, extra_statuses=[404, 409],
              summary="Confirm the claimant is the existing person: linked from now on, history visible per assurance")
def confirm_claim(caller: Caller, claim_id: str, body: ConfirmClaim, now: datetime) -> IdentityClaim:
    return service().confirm_claim(caller.user_id, claim_id, body.checked, body.why, body.place, body.id_document, now)


@router.route("/v1/operators/identity-claims/{claim_id}/reject", "POST", roles=OPERATOR, body=RejectClaim,
              response=IdentityClaim, extra_statuses=[404, 409],
              summary="Reject a claim: the claimant stays a separate person for good")
def reject_claim(caller: Caller, claim_id: str, body: RejectClaim, now: datetime) -> IdentityClaim:
    return service().reject_claim(caller.user_id, claim_id, body.why, now)
