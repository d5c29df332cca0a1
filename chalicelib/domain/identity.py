"""Persons, identity claims and assurance levels: who a CURP belongs to is decided by proof, never by typing it.

A master patient index in the manner of HAPI FHIR's MDM: every member or beneficiary we know is a *person* with an id
we issue. The CURP is an attribute with one owner; an account that types a CURP someone already holds gets a new,
unlinked person and a pending *claim* (MDM's POSSIBLE_MATCH) that only identity proofing or an operator turns into a
link (MATCH) or a permanent separation (NO_MATCH).

Assurance levels follow NIST SP 800-63-3's identity assurance: `self-asserted` (IAL1), `registry-matched` (the CURP's
registry data agrees with what the person declared: validation, not yet proof of who holds the phone) and
`verified-in-person` (IAL2-like: an operator saw the person and their documents, in an office or a consulate).
"""

import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal, Protocol

from pydantic import ConfigDict, Field

from chalicelib.domain.identifiers import curp_facts
from chalicelib.domain.model import Model


class AssuranceLevel(StrEnum):
    SELF_ASSERTED = "self-asserted"
    REGISTRY_MATCHED = "registry-matched"
    VERIFIED_IN_PERSON = "verified-in-person"

    @property
    def rank(self) -> int:
        return list(AssuranceLevel).index(self)


class Assurance(Model):
    level: AssuranceLevel
    at: datetime
    method: str = Field(description="How it was reached: registration, registry:<provider>, in-person:<place>")


class Evidence(Model):
    """What a check found: `match` or `no-match` with the fields that differed; never shown to the claimant."""

    kind: Literal["registry", "in-person"]
    at: datetime
    result: Literal["match", "no-match", "not-found"]
    mismatched: list[str] = []
    by: str = Field(description="The provider, or the operator who checked")
    detail: str | None = None


class Person(Model):
    """Someone we know, member or beneficiary. `merged_into` is set when a confirmed claim made this provisional
    person one with an existing one (the golden person); `merged` lists the persons merged into this one."""

    person_id: str
    curp: str
    created_at: datetime
    created_by: str = Field(description="The account that first named this person")
    member_id: str | None = Field(None, description="The account whose own person this is (at most one)")
    assurance: Assurance
    merged_into: str | None = None
    merged: list[str] = []
    claim_id: str | None = Field(None, description="The claim this person was created with, if its CURP was held")
    last_check: Evidence | None = Field(None, description="The latest identity check of this person")


def new_person(person_id: str, curp: str, created_by: str, member_id: str | None, claim_id: str | None,
               now: datetime) -> Person:
    """A person first named now, on their own word."""
    return Person(person_id=person_id, curp=curp, created_at=now, created_by=created_by, member_id=member_id,
                  claim_id=claim_id,
                  assurance=Assurance(level=AssuranceLevel.SELF_ASSERTED, at=now, method="registration"))


class ClaimStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class ClaimDecision(Model):
    action: Literal["confirm", "reject"]
    by: str
    at: datetime
    why: str
    checked: str


class IdentityClaim(Model):
    """An account named a CURP that already belongs to a person. `claimant_person_id` is the new, unlinked person it
    got; `existing_person_id` the one that holds the CURP."""

    claim_id: str
    context: Literal["registration", "beneficiary"]
    account_id: str = Field(description="The account that made the claim")
    claimant_person_id: str
    existing_person_id: str
    beneficiary_id: str | None = Field(None, description="For a beneficiary: the claiming member's beneficiary")
    relationship: str | None = Field(None, description="For a beneficiary: how the account says it is related")
    conflicts: list[Literal["curp", "nss"]] = Field(description="Which typed identifiers someone else already held")
    status: ClaimStatus
    created_at: datetime
    evidence: list[Evidence] = []
    decisions: list[ClaimDecision] = []


class DeclaredIdentity(Model):
    """What a person says about themself, to be checked against the CURP's registry data."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    first_name: Annotated[str, Field(min_length=1, max_length=80)]
    last_name: Annotated[str, Field(min_length=1, max_length=80)]
    second_last_name: Annotated[str, Field(max_length=80)] | None = None
    birth_date: date


class RegistryRecord(Model):
    """The CURP registry's data for one CURP (RENAPO's, through a provider)."""

    curp: str
    first_name: str
    last_name: str
    second_last_name: str | None
    birth_date: date
    sex: Literal["H", "M"]
    birth_state: str


class Verification(Model):
    """The outcome of a check: the evidence it leaves, and the level reached when it passed."""

    evidence: Evidence
    reached: AssuranceLevel | None


def _folded(name: str | None) -> str:
    """Names compared as RENAPO spells them: upper case, no accents, single spaces (Ñ kept)."""
    text = " ".join((name or "").split()).upper().replace("Ñ", "\0")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return text.replace("\0", "Ñ")


def registry_mismatches(declared: DeclaredIdentity, curp: str, record: RegistryRecord) -> list[str]:
    """The declared fields the registry disagrees with (names, birth date) plus the CURP's own sex and state."""
    facts = curp_facts(curp)
    checks = {
        "first_name": _folded(declared.first_name) == _folded(record.first_name),
        "last_name": _folded(declared.last_name) == _folded(record.last_name),
        "second_last_name": _folded(declared.second_last_name) == _folded(record.second_last_name),
        "birth_date": declared.birth_date == record.birth_date == facts.birth_date,
        "sex": facts.sex == record.sex,
        "birth_state": facts.birth_state == record.birth_state,
    }
    return [name for name, agrees in checks.items() if not agrees]


class CurpRegistry(Protocol):
    """The CURP registry, reached through a provider. None when the CURP is not in it."""

    name: str

    def lookup(self, curp: str) -> RegistryRecord | None: ...


def registry_check(person: Person, declared: DeclaredIdentity, record: RegistryRecord | None, registry: str,
                   now: datetime) -> Verification:
    """The CURP's registry data (None: not in the registry) must agree with the declared names and birth date (and
    the CURP's own sex and state). Reaches `registry-matched`."""
    if record is None:
        return Verification(evidence=Evidence(kind="registry", at=now, result="not-found", by=registry), reached=None)
    mismatched = registry_mismatches(declared, person.curp, record)
    evidence = Evidence(kind="registry", at=now, result="no-match" if mismatched else "match",
                        mismatched=mismatched, by=registry)
    return Verification(evidence=evidence, reached=None if mismatched else AssuranceLevel.REGISTRY_MATCHED)


def in_person_check(person: Person, declared: DeclaredIdentity, operator_id: str, place: str, document: str,
                    now: datetime) -> Verification:
    """An operator's in-person or consular check: she saw the person with an official photo ID whose data agrees
    with the CURP. Reaches `verified-in-person`; the operator and place are the evidence."""
    facts = curp_facts(person.curp)
    mismatched = [] if declared.birth_date == facts.birth_date else ["birth_date"]
    evidence = Evidence(kind="in-person", at=now, result="no-match" if mismatched else "match",
                        mismatched=mismatched, by=operator_id, detail=f"{place}; {document}")
    return Verification(evidence=evidence, reached=None if mismatched else AssuranceLevel.VERIFIED_IN_PERSON)


def strongest(*assurances: Assurance) -> Assurance:
    """The highest of several assurances (the earliest reached, on a tie): what a merged person keeps."""
    return max(assurances, key=lambda a: (a.level.rank, -a.at.timestamp()))


def raised(current: Assurance, verification: Verification, method: str) -> Assurance:
    """The person's assurance after a check: only ever raised, never lowered by a later weaker check."""
    if verification.reached is None or verification.reached.rank <= current.level.rank:
        return current
    return Assurance(level=verification.reached, at=verification.evidence.at, method=method)


class ReadScope(Model):
    """What a reader sees of a person's history: the records of the (golden) person and of the persons merged into
    it, and, when `account` is set, only what was written for that account's own consults and the reads made in
    their context."""

    person_ids: list[str]
    account: str | None


def sees_history_before_link(assurance: AssuranceLevel) -> bool:
    """Clinical history written before an account was linked to a person is shown only above self-assertion."""
    return assurance.rank > AssuranceLevel.SELF_ASSERTED.rank


def read_scope(persons: list[Person], reader_id: str | None, proven: bool) -> ReadScope:
    """A reader with a proven link (identity above self-assertion; a minor's relationship confirmed by an operator),
    or a nurse (reader None), sees the whole history. Anyone else sees what was written for their own consults: all
    there is while the person was never merged (only its own account's consults write to it), and never what another
    account's consults wrote, before or after a merge."""
    account = None if proven or reader_id is None or len(persons) == 1 else reader_id
    return ReadScope(person_ids=[person.person_id for person in persons], account=account)
