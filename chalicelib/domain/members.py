"""Members: what a migrant registers with, what we keep about them, and what they may change later."""

import hashlib
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    ConfigDict, Field, StrictBool, ValidationError, ValidationInfo, field_validator, model_validator,
)
from pydantic_core import PydanticCustomError

from chalicelib.domain.clock import mexico_city_today, now_from
from chalicelib.domain.identifiers import (
    PESOS_STRING, Country, Curp, Email, MexicanPhone, MexicanState, Nss, Phone, PostalCode, Rfc, TimeZoneName, age_on,
    check_us_state, curp_facts, decimal_string, normalize_identifier, rfc_matches_curp, rfc_warnings,
)
from chalicelib.domain.model import Model
from chalicelib.errors import FieldError, field_errors

OCCUPATION = "Trabajadores independientes que radican y laboran en el extranjero"

# Federal Labour Law art. 22 and Constitution art. 123 A-III: work is forbidden under 15.
MIN_WORKING_AGE = 15

TERMS_VERSION = "1"
SENSITIVE_DATA_CONSENT_VERSION = "1"
# The exact text shown for express consent (LFPDPPP 2025 art. 7 requires it for sensitive data); its hash is the
# evidence kept with each member, so a later wording change never rewrites what someone agreed to.
SENSITIVE_DATA_CONSENT_TEXT = (
    "Otorgo mi consentimiento expreso para que mis datos personales sensibles, incluidos los de salud, y los de mis "
    "beneficiarios se traten para mi aseguramiento en el IMSS como Persona Trabajadora Independiente, mis pagos y "
    "mis teleconsultas, conforme al aviso de privacidad versión 1."
)

Money = Annotated[Decimal, decimal_string(2), Field(gt=0, le=Decimal("1000000"), max_digits=9, decimal_places=2)]
Zone = Literal["general", "zlfn"]
ShortText = Annotated[str, Field(min_length=1, max_length=120)]


class _Strict(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Address(_Strict):
    street: ShortText
    exterior_number: Annotated[str, Field(min_length=1, max_length=20)]
    interior_number: Annotated[str, Field(max_length=20)] | None = None
    colonia: ShortText
    municipio: ShortText
    state: MexicanState
    postal_code: PostalCode


class RelativeInMexico(_Strict):
    name: Annotated[str, Field(min_length=2, max_length=120)]
    phone: MexicanPhone
    address: Address


class Residence(_Strict):
    country: Country
    state: Annotated[str, Field(max_length=60)] | None = None
    time_zone: TimeZoneName

    @field_validator("country")
    @classmethod
    def _abroad(cls, country: str) -> str:
        if country == "MX":
            raise PydanticCustomError("residence_in_mexico", "The PTI abroad scheme is for people living outside Mexico.")
        return country

    @model_validator(mode="after")
    def _us_state(self) -> "Residence":
        if self.country == "US":
            if not self.state:
                raise PydanticCustomError("us_state_required", "For the United States, give the state code.")
            self.state = check_us_state(self.state.upper())
        return self


class RegistrationRequest(_Strict):
    """The body of POST /v1/registrations. Field order matters: later validators read earlier fields."""

    curp: Curp
    nss: Nss
    rfc: Rfc | None = None
    email: Email
    phone: Phone
    monthly_income_mxn: Money
    zone: Zone
    residence: Residence
    relative_in_mexico: RelativeInMexico
    auto_renewal: StrictBool
    accepted_terms_version: str
    sensitive_data_consent: StrictBool

    @field_validator("curp")
    @classmethod
    def _working_age(cls, curp: str, info: ValidationInfo) -> str:
        age = age_on(curp_facts(curp).birth_date, mexico_city_today(now_from(info.context)))
        if age < MIN_WORKING_AGE:
            raise PydanticCustomError("under_working_age", "Registration requires being at least {minimum} years old.",
                                      {"minimum": MIN_WORKING_AGE})
        return curp

    @field_validator("rfc")
    @classmethod
    def _rfc_agrees_with_curp(cls, rfc: str | None, info: ValidationInfo) -> str | None:
        curp = info.data.get("curp")
        if rfc and curp and not rfc_matches_curp(rfc, curp):
            raise PydanticCustomError("rfc_curp_mismatch", "The birth date in the RFC differs from the one in the CURP.")
        return rfc

    @field_validator("accepted_terms_version")
    @classmethod
    def _current_terms(cls, version: str) -> str:
        if version != TERMS_VERSION:
            raise PydanticCustomError("terms_version_outdated", "Accept the current terms (version {current}).",
                                      {"current": TERMS_VERSION})
        return version

    @field_validator("sensitive_data_consent")
    @classmethod
    def _express_consent(cls, consent: bool) -> bool:
        if consent is not True:
            raise PydanticCustomError("sensitive_consent_required", "Express consent is required to register.")
        return consent


def registration_warnings(request: RegistrationRequest) -> list[FieldError]:
    return rfc_warnings(request.rfc) if request.rfc else []


def review_draft(data: dict, now: datetime) -> tuple[list[FieldError], list[FieldError]]:
    """Errors and warnings of a whole or partial registration, for checking fields as they are typed.

    Missing fields are not errors here; cross-field rules apply once both fields are present. Nothing is looked up,
    so the answer never reveals whether an identifier is already registered."""
    errors: list[FieldError] = []
    try:
        RegistrationRequest.model_validate(data, context={"now": now})
    except ValidationError as exc:
        errors = [error for error in field_errors(exc) if error.key != "missing"]
    rfc = data.get("rfc")
    if isinstance(rfc, str) and rfc.strip() and not any(error.field == "rfc" for error in errors):
        return errors, rfc_warnings(normalize_identifier(rfc))
    return errors, []


class MemberStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    ACTIVE = "active"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"
    # The member asked to close the account (ARCO cancellation, docs/privacy.md): processing stops while it runs ...
    CLOSING = "closing"
    # ... and it ran: personal data erased, what a law requires kept (the closure request names it).
    CLOSED = "closed"


# No processing for them: no references, bookings, renewals, lapses or reminders.
NOT_PROCESSED = frozenset({MemberStatus.CLOSING, MemberStatus.CLOSED})


# What the member must do next, by status (the message keys are in chalicelib/texts.json as next.<code>).
NEXT_STEP = {
    MemberStatus.PENDING_PAYMENT: "pay_first_period",
    MemberStatus.ACTIVE: "keep_paying",
    MemberStatus.LAPSED: "pay_to_reactivate",
    MemberStatus.CANCELLED: "contact_imss",
    MemberStatus.CLOSING: "closure_in_progress",
    MemberStatus.CLOSED: "account_closed",
}


def next_step(status: MemberStatus) -> str:
    """What a member in `status` must do next (the code of a `next.<code>` message)."""
    return NEXT_STEP[status]


def coverage_steps(status: MemberStatus, has_active_beneficiaries: bool) -> list[str]:
    """The next step and, once active, registering at a family medicine unit (UMF), the beneficiaries too."""
    steps = [next_step(status)]
    if status is MemberStatus.ACTIVE:
        steps.append("register_umf")
        if has_active_beneficiaries:
            steps.append("register_beneficiaries_umf")
    return steps


class Consent(Model):
    kind: Literal["terms", "sensitive_data"]
    version: str
    text_sha256: str | None = None
    accepted_at: datetime


class Member(Model):
    member_id: str
    person_id: str = Field(description="The person this account is, in our patient index (docs/identity.md)")
    linked_at: datetime = Field(description="Since when: earlier clinical history needs more than self-assertion")
    curp: str
    nss: str
    rfc: str | None
    # The four below are None once the account is closed (erased: domain/privacy.py ERASED_PROFILE_FIELDS).
    email: str | None
    phone: str | None
    monthly_income_mxn: Annotated[Decimal, PESOS_STRING]
    zone: Zone
    residence: Residence | None
    relative_in_mexico: RelativeInMexico | None
    auto_renewal: bool
    occupation: str
    status: MemberStatus
    consents: list[Consent]
    registered_at: datetime
    updated_at: datetime
    covered_through: str | None = None  # YYYY-MM, the last covered month
    covered_months: list[str] = []  # YYYY-MM, ascending
    open_reference: str | None = None
    version: int


def new_member(member_id: str, person_id: str, request: RegistrationRequest, now: datetime) -> Member:
    consents = [
        Consent(kind="terms", version=request.accepted_terms_version, accepted_at=now),
        Consent(kind="sensitive_data", version=SENSITIVE_DATA_CONSENT_VERSION,
                text_sha256=hashlib.sha256(SENSITIVE_DATA_CONSENT_TEXT.encode()).hexdigest(), accepted_at=now),
    ]
    return Member(
        member_id=member_id,
        person_id=person_id,
        linked_at=now,
        **request.model_dump(exclude={"accepted_terms_version", "sensitive_data_consent"}),
        occupation=OCCUPATION,
        status=MemberStatus.PENDING_PAYMENT,
        consents=consents,
        registered_at=now,
        updated_at=now,
        version=1,
    )


class ProfileChanges(_Strict):
    """PATCH /v1/me: only what is sent changes. CURP, NSS and RFC are identity, not profile, and are refused.

    The types are not nullable (the None defaults are never validated), so an explicit null is a field error."""

    email: Email = None  # type: ignore[assignment]
    phone: Phone = None  # type: ignore[assignment]
    residence: Residence = None  # type: ignore[assignment]
    relative_in_mexico: RelativeInMexico = None  # type: ignore[assignment]
    monthly_income_mxn: Money = None  # type: ignore[assignment]
    zone: Zone = None  # type: ignore[assignment]
    auto_renewal: StrictBool = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _something_to_change(self) -> "ProfileChanges":
        if not self.model_fields_set:
            raise PydanticCustomError("empty_patch", "Send at least one field to change.")
        return self

    def changes(self) -> dict:
        return {name: getattr(self, name) for name in self.model_fields_set}


class MemberLookup(_Strict):
    """POST /v1/operators/members/lookup: by curp or by nss, in the body (identifiers never travel in URLs)."""

    curp: Curp | None = None
    nss: Nss | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "MemberLookup":
        if (self.curp is None) == (self.nss is None):
            raise PydanticCustomError("lookup_needs_one", "Look up by curp or by nss, exactly one.")
        return self
