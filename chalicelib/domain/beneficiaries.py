"""Beneficiaries (derechohabientes) of a PTI member and when each is eligible.

Sources: LSS art. 84 as reported for PTI (spouse or, failing that, concubine; children up to 16, or 25 while studying
in the national school system; father and mother living with and depending on the insured); DOF 2024-06-07 added
minors in the insured's custody by court resolution. See ../shared/reference/imss-pti-rules.md §9.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictBool, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.clock import mexico_city_today, now_from
from chalicelib.domain.identifiers import Curp, age_on, birthday, curp_facts
from chalicelib.domain.model import Model
from chalicelib.errors import FieldError


class Relationship(StrEnum):
    SPOUSE = "spouse"
    CONCUBINE = "concubine"
    CHILD = "child"
    FATHER = "father"
    MOTHER = "mother"
    MINOR_IN_CUSTODY = "minor_in_custody"


PARTNERS = frozenset({Relationship.SPOUSE, Relationship.CONCUBINE})
PARENTS = frozenset({Relationship.FATHER, Relationship.MOTHER})


@dataclass(frozen=True)
class AgeRule:
    """Eligible while younger than `until_age` (or `student_until_age` with declared enrolment)."""

    until_age: int | None
    student_until_age: int | None
    minimum_age: int
    source: str


AGE_RULES: dict[Relationship, AgeRule] = {
    Relationship.CHILD: AgeRule(16, 25, 0, "LSS art. 84 fr. V-VI as quoted by IMSS for PTI"),
    # Assumption: "menores" under custody are covered until adulthood (18); the reform text was not at hand.
    Relationship.MINOR_IN_CUSTODY: AgeRule(18, None, 0, "assumption: LSS art. 84 (DOF 2024-06-07), minors = under 18"),
    # Código Civil Federal art. 148 (2019): 18 is the minimum age to marry; applied to concubinage too.
    Relationship.SPOUSE: AgeRule(None, None, 18, "CCF art. 148"),
    Relationship.CONCUBINE: AgeRule(None, None, 18, "CCF art. 148"),
    Relationship.FATHER: AgeRule(None, None, 0, "LSS art. 84 fr. IX"),
    Relationship.MOTHER: AgeRule(None, None, 0, "LSS art. 84 fr. IX"),
}

Name = Annotated[str, Field(min_length=1, max_length=80)]


class BeneficiaryRequest(Model):
    """POST /v1/me/beneficiaries. `curp` comes last so its validator can read the declarations before it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    relationship: Relationship
    first_name: Name
    last_name: Name
    second_last_name: Annotated[str, Field(max_length=80)] | None = None
    student: StrictBool = False
    # Declarations required by relationship; validate_default so that leaving one out is caught too.
    lives_with_member: StrictBool | None = Field(None, validate_default=True)
    economically_dependent: StrictBool | None = Field(None, validate_default=True)
    custody_resolution: Annotated[str, Field(min_length=3, max_length=80)] | None = Field(None, validate_default=True)
    curp: Curp

    @field_validator("student")
    @classmethod
    def _student_is_for_children(cls, student: bool, info: ValidationInfo) -> bool:
        if student and info.data.get("relationship") != Relationship.CHILD:
            raise PydanticCustomError("student_only_for_children", "Only a child can be declared a student.")
        return student

    @field_validator("lives_with_member", "economically_dependent")
    @classmethod
    def _parents_declare(cls, value: bool | None, info: ValidationInfo) -> bool | None:
        if info.data.get("relationship") in PARENTS and value is not True:
            raise PydanticCustomError(f"parent_must_{info.field_name}",
                                      "A parent must live with and depend economically on the member.")
        return value

    @field_validator("custody_resolution")
    @classmethod
    def _custody_needs_resolution(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("relationship") == Relationship.MINOR_IN_CUSTODY and not value:
            raise PydanticCustomError("custody_resolution_required", "Give the court resolution granting custody.")
        return value

    @field_validator("curp")
    @classmethod
    def _eligible_age(cls, curp: str, info: ValidationInfo) -> str:
        relationship = info.data.get("relationship")
        if relationship is None:
            return curp
        rule = AGE_RULES[relationship]
        age = age_on(curp_facts(curp).birth_date, mexico_city_today(now_from(info.context)))
        limit = rule.student_until_age if info.data.get("student") and rule.student_until_age else rule.until_age
        if limit is not None and age >= limit:
            raise PydanticCustomError("beneficiary_too_old", "At {age} a {relationship} is no longer eligible (limit {limit}).",
                                      {"age": age, "relationship": relationship.value, "limit": limit})
        if age < rule.minimum_age:
            raise PydanticCustomError("beneficiary_too_young", "A {relationship} must be at least {minimum}.",
                                      {"relationship": relationship.value, "minimum": rule.minimum_age})
        return curp


class Beneficiary(Model):
    beneficiary_id: str
    person_id: str = Field(description="The person in our patient index; the patient id for consults and records")
    linked_at: datetime = Field(description="Since when this member reaches the person's record")
    relationship_confirmed_at: datetime | None = Field(
        None, description="When an operator confirmed the relationship from documents: only then does the member "
                          "see a minor's history written before linked_at")
    relationship: Relationship
    curp: str
    first_name: str
    last_name: str
    second_last_name: str | None
    birth_date: date
    sex: str
    student: bool
    lives_with_member: bool | None
    economically_dependent: bool | None
    custody_resolution: str | None
    status: Literal["active", "removed"]
    added_at: datetime
    removed_at: datetime | None = None


def new_beneficiary(beneficiary_id: str, person_id: str, request: BeneficiaryRequest, now: datetime) -> Beneficiary:
    facts = curp_facts(request.curp)
    return Beneficiary(
        beneficiary_id=beneficiary_id,
        person_id=person_id,
        linked_at=now,
        **request.model_dump(),
        birth_date=facts.birth_date,
        sex=facts.sex,
        status="active",
        added_at=now,
    )


def check_against_member(request: BeneficiaryRequest, member_curp: str) -> list[FieldError]:
    """Rules that need the member: not themself; a child younger and a parent older than the member."""
    if request.curp == member_curp:
        return [FieldError("curp", "beneficiary_is_member")]
    member_birth, birth = curp_facts(member_curp).birth_date, curp_facts(request.curp).birth_date
    if request.relationship == Relationship.CHILD and birth <= member_birth:
        return [FieldError("curp", "child_older_than_member")]
    if request.relationship in PARENTS and birth >= member_birth:
        return [FieldError("curp", "parent_younger_than_member")]
    return []


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    until: date | None  # last day of eligibility; None = no age limit
    reason: str


def eligibility(beneficiary: Beneficiary, today: date) -> Eligibility:
    if beneficiary.status == "removed":
        return Eligibility(False, None, "removed")
    rule = AGE_RULES[beneficiary.relationship]
    limit = rule.student_until_age if beneficiary.student and rule.student_until_age else rule.until_age
    if limit is None:
        return Eligibility(True, None, "no_age_limit")
    ends = birthday(beneficiary.birth_date, limit)
    last_day = date.fromordinal(ends.toordinal() - 1)
    if today <= last_day:
        return Eligibility(True, last_day, "student_until_25" if beneficiary.student else f"until_age_{limit}")
    return Eligibility(False, last_day, "age_limit_reached")


@dataclass(frozen=True)
class Standing:
    """A beneficiary and its eligibility on the Mexico City day of the request."""

    beneficiary: Beneficiary
    eligibility: Eligibility


def standing(beneficiary: Beneficiary, now: datetime) -> Standing:
    return Standing(beneficiary, eligibility(beneficiary, mexico_city_today(now)))


def removed(beneficiary: Beneficiary, now: datetime) -> Beneficiary | None:
    """The beneficiary as removed now, kept in history; None when it already is (a removal happens once)."""
    if beneficiary.status == "removed":
        return None
    return beneficiary.model_copy(update={"status": "removed", "removed_at": now})
