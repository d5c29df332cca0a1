"""Teleconsultations: nurses, slots, appointments (FHIR Appointment statuses) and the informed consent."""

import hashlib
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.identifiers import Email
from chalicelib.domain.scheduling import parse_slot_id

# The teleconsultation informed consent (health law: express, before the first teleconsultation). Versioned text;
# its hash is kept with each acceptance so later wording never rewrites what someone agreed to.
CONSENT_VERSION = "1"
CONSENT_TEXT = (
    "Acepto recibir orientación de enfermería del IMSS por videollamada. Entiendo que no sustituye una consulta "
    "presencial ni la atención de urgencias, que la enfermera registrará una nota en mi expediente clínico "
    "electrónico y que puedo retirar este consentimiento cuando lo desee."
)
CONSENT_SHA256 = hashlib.sha256(CONSENT_TEXT.encode()).hexdigest()

AppointmentStatus = Literal["booked", "arrived", "fulfilled", "cancelled", "noshow"]
ENDED = frozenset({"fulfilled", "cancelled", "noshow"})
MAX_UPCOMING = 3  # consults a member (for themself and beneficiaries) may hold at once; keeps slots for everyone


class NurseRequest(BaseModel):
    """POST /v1/operators/nurses."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$")]
    email: Email
    full_name: Annotated[str, Field(min_length=3, max_length=120)]
    cedula_profesional: Annotated[str, Field(pattern=r"^[0-9]{7,8}$", description="7 or 8 digits (SEP)")]
    languages: Annotated[list[Literal["es", "en", "nah", "myn", "zap", "mix"]], Field(min_length=1, max_length=6)] = ["es"]


class Nurse(BaseModel):
    nurse_id: str
    username: str
    full_name: str
    cedula_profesional: str
    languages: list[str]
    created_by: str
    created_at: datetime


class Slot(BaseModel):
    slot_id: str
    nurse_id: str
    nurse_name: str
    nurse_languages: list[str]
    start: datetime
    end: datetime
    day: date
    lead_minutes: int
    status: Literal["free", "booked", "unavailable"]
    offered_to: str | None = Field(None, description="The waiting member a freed slot is held for, until offered_until")
    offered_until: datetime | None = None

    def open_to(self, member_id: str, now: datetime) -> bool:
        """Free slots are open to everyone, except while held for another waiting member."""
        return self.offered_to in (None, member_id) or self.offered_until <= now


class SlotQuery(BaseModel):
    """GET /v1/teleconsult/slots?from=&to=&cursor=&limit="""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    first: date = Field(alias="from")
    last: date = Field(alias="to")
    cursor: Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\|.{0,120}$")] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50

    @field_validator("last")
    @classmethod
    def _range(cls, last: date, info) -> date:
        first = info.data.get("first")
        if first and not 0 <= (last - first).days <= 31:
            raise PydanticCustomError("date_range", "'to' must be on or after 'from', at most 31 days later.")
        return last

    @field_validator("cursor")
    @classmethod
    def _resumable(cls, cursor: str | None, info) -> str | None:
        """A cursor we issued names a real day inside from..to; the pattern alone admits 0000-00-00 (no such day)
        and 0001-01-01 (one Query per day since then)."""
        if cursor is None:
            return None
        first, last = info.data.get("first"), info.data.get("last")
        try:
            day = date.fromisoformat(cursor.partition("|")[0])
        except ValueError:
            day = None
        if day is None or (first and last and not first <= day <= last):
            raise PydanticCustomError("string_pattern_mismatch", "Not a cursor from this listing.")
        return cursor

    def resume(self) -> tuple[date, str | None]:
        """The day to list from, and the free slot to continue after on it (None: from its start)."""
        if self.cursor is None:
            return self.first, None
        day, _, after = self.cursor.partition("|")
        return date.fromisoformat(day), after or None


class ConsentRequest(BaseModel):
    """POST /v1/me/consents/teleconsultation."""

    model_config = ConfigDict(extra="forbid")

    version: str
    patient_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None

    @field_validator("version")
    @classmethod
    def _current(cls, version: str) -> str:
        if version != CONSENT_VERSION:
            raise PydanticCustomError("consent_version_outdated", "Accept the current text (version {current}).",
                                      {"current": CONSENT_VERSION})
        return version


class ConsentRecord(BaseModel):
    """A patient's acceptance of the teleconsultation consent: which text (version and hash), by whom, when."""

    version: str
    text_sha256: str
    accepted_by: str
    accepted_at: datetime


def _check_slot_id(value: str) -> str:
    if parse_slot_id(value) is None:
        raise PydanticCustomError("slot_id_format", "Not a slot id from GET /v1/teleconsult/slots.")
    return value


SlotId = Annotated[str, Field(min_length=3, max_length=100), AfterValidator(_check_slot_id)]


class BookingRequest(BaseModel):
    """POST /v1/teleconsult/appointments."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slot_id: SlotId
    patient_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    reason: Annotated[str, Field(min_length=3, max_length=500)]


class AppointmentFields(BaseModel):
    """What an appointment shows to those entitled to see it; the booking's reason, clinical free text, is apart."""

    appointment_id: str
    slot_id: str
    nurse_id: str
    nurse_name: str
    member_id: str
    patient_id: str
    status: AppointmentStatus
    start: datetime
    end: datetime
    created_at: datetime
    cancelled_by: Literal["member", "nurse"] | None = None
    cancel_reason: str | None = None
    noshow_party: Literal["patient", "nurse"] | None = None
    started_at: datetime | None = Field(None, description="When the nurse opened the consult (arrived)")


class SealedText(BaseModel):
    """Free text kept encrypted at rest (store/sealed_text.py seals and opens it): the AES-GCM ciphertext and the
    KMS-wrapped data key it was sealed under."""

    model_config = ConfigDict(frozen=True)

    ciphertext: bytes
    wrapped_key: bytes


class Appointment(AppointmentFields):
    reason: SealedText  # bound to the appointment id: opened only to show it to the member or the consult's nurse


CANCEL_CUTOFF = timedelta(hours=2)  # members cancel up to 2 hours before; later it counts as a no-show
JOIN_EARLY = timedelta(minutes=10)
# FHIR Appointment.status, forward only: where each status may go next.
NEXT_STATUSES: dict[str, frozenset[str]] = {
    "booked": frozenset({"arrived", "cancelled", "noshow"}),
    "arrived": frozenset({"fulfilled"}),
    "fulfilled": frozenset(),
    "cancelled": frozenset(),
    "noshow": frozenset(),
}


def can_move(current: str, to: str) -> bool:
    return to in NEXT_STATUSES[current]


def may_start(appointment: "Appointment", now: datetime) -> bool:
    """The nurse opens the consult from 10 minutes before its start until its end."""
    return appointment.start - JOIN_EARLY <= now <= appointment.end


class RescheduleRequest(BaseModel):
    """POST /v1/me/appointments/{id}/reschedule."""

    model_config = ConfigDict(extra="forbid")

    slot_id: SlotId


NOSHOW_AFTER = timedelta(minutes=10)  # a party who has not shown up 10 minutes after the start is a no-show


class NurseCancellation(BaseModel):
    """POST /v1/nurse/appointments/{id}/cancel."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[str, Field(min_length=3, max_length=300)]


# The waitlist: when nothing suits, a member waits for a patient on some days; a slot freed on one of those days is
# held for the first in line (oldest first) for OFFER_HOLD, then it is open to everyone again.
WAITLIST_DAYS = 14
OFFER_HOLD = timedelta(minutes=30)


class WaitlistRequest(BaseModel):
    """POST /v1/teleconsult/waitlist."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    first: date = Field(alias="from")
    last: date = Field(alias="to")
    patient_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None

    @field_validator("last")
    @classmethod
    def _range(cls, last: date, info) -> date:
        first = info.data.get("first")
        if first and not 0 <= (last - first).days < WAITLIST_DAYS:
            raise PydanticCustomError("waitlist_range", "'to' must be on or after 'from', at most {days} days in all.",
                                      {"days": WAITLIST_DAYS})
        return last

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


class WaitlistEntry(BaseModel):
    member_id: str
    patient_id: str
    days: list[date]
    joined_at: datetime
