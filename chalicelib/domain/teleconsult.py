"""Teleconsultations: nurses, slots, appointments (FHIR Appointment statuses), the informed consent, the waitlist's
offers and the video room's meeting."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.beneficiaries import Beneficiary
from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.identifiers import Email, age_on, curp_facts
from chalicelib.domain.members import Member
from chalicelib.domain.model import Model
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


class NurseRequest(Model):
    """POST /v1/operators/nurses."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$")]
    email: Email
    full_name: Annotated[str, Field(min_length=3, max_length=120)]
    cedula_profesional: Annotated[str, Field(pattern=r"^[0-9]{7,8}$", description="7 or 8 digits (SEP)")]
    languages: Annotated[list[Literal["es", "en", "nah", "myn", "zap", "mix"]], Field(min_length=1, max_length=6)] = ["es"]


class Nurse(Model):
    nurse_id: str
    username: str
    full_name: str
    cedula_profesional: str
    languages: list[str]
    created_by: str
    created_at: datetime
    status: Literal["active", "inactive"] = Field("active", description="Inactive: deactivated by an operator; she "
                                                                        "can no longer sign in, publish or be booked")
    deactivated_at: datetime | None = None
    deactivated_by: str | None = Field(None, description="The operator who deactivated her")
    deactivation_reason: str | None = None


class NurseDeactivationRequest(Model):
    """POST /v1/operators/nurses/{nurse_id}/deactivate."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[str, Field(min_length=3, max_length=500)]


# What the member reads on a consult cancelled because its nurse left the programme (an operator's reason stays in
# the nurse's profile: it may be a personnel matter).
NURSE_LEFT_REASON = "La enfermera ya no atiende en el programa."


class Slot(Model):
    slot_id: str
    nurse_id: str
    nurse_name: str
    nurse_languages: list[str]
    start: datetime
    end: datetime
    day: date
    lead_minutes: int
    status: Literal["free", "booked", "unavailable"]
    appointment_id: str | None = Field(None, description="The consult booked in it, once booked")
    offered_to: str | None = Field(None, description="The waiting member a freed slot is held for, until offered_until")
    offered_until: datetime | None = None

    def held_for(self, now: datetime) -> str | None:
        """The waiting member this freed slot is held for right now (None once the hold has lapsed, or if none)."""
        return self.offered_to if self.offered_to is not None and self.offered_until > now else None

    def open_to(self, member_id: str, now: datetime) -> bool:
        """Free slots are open to everyone, except while held for another waiting member."""
        return self.held_for(now) in (None, member_id)

    def held_for_until(self, member_id: str, now: datetime) -> datetime | None:
        """Until when the slot is held for this member because they were on the waitlist; None if it is not."""
        return self.offered_until if self.held_for(now) == member_id else None


class SlotQuery(Model):
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
        text, _, after = cursor.partition("|")
        try:
            day = date.fromisoformat(text)
            # After the day, the slot to continue after: `<start>#<nurse id>` as the free index sorts them, a slot
            # that starts on that day.
            start = datetime.fromisoformat(after.rpartition("#")[0]) if after else None
            start_day = start.astimezone(MEXICO_CITY).date() if start and start.tzinfo else None
        except (ValueError, OverflowError):
            day = start_day = None
        if day is None or (first and last and not first <= day <= last) or (after and start_day != day):
            raise PydanticCustomError("string_pattern_mismatch", "Not a cursor from this listing.")
        return cursor

    def resume(self) -> tuple[date, str | None]:
        """The day to list from, and the free slot to continue after on it (None: from its start)."""
        if self.cursor is None:
            return self.first, None
        day, _, after = self.cursor.partition("|")
        return date.fromisoformat(day), after or None


class ConsentRequest(Model):
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


class ConsentRecord(Model):
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


class BookingRequest(Model):
    """POST /v1/teleconsult/appointments."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slot_id: SlotId
    patient_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    reason: Annotated[str, Field(min_length=3, max_length=500)]


class AppointmentFields(Model):
    """What an appointment shows to those entitled to see it; the booking's reason, clinical free text, is apart."""

    appointment_id: str
    slot_id: str
    nurse_id: str
    nurse_name: str
    member_id: str
    patient_id: str
    patient_name: str | None = Field(None, description="The patient's name as the member registered it (a "
                                                       "beneficiary's; none yet for the member, who registers by CURP)")
    patient_birth_date: date | None = Field(None, description="From the patient's CURP, when booked")
    status: AppointmentStatus
    start: datetime
    end: datetime
    created_at: datetime
    cancelled_by: Literal["member", "nurse"] | None = None
    cancel_reason: str | None = None
    noshow_party: Literal["patient", "nurse"] | None = None
    started_at: datetime | None = Field(None, description="When the nurse opened the consult (arrived)")
    follow_up_of: str | None = Field(None, description="The consult whose nurse booked this one as its follow-up")


class SealedText(Model):
    """Free text kept encrypted at rest (adapters/sealed_text.py seals and opens it): the AES-GCM ciphertext and the
    KMS-wrapped data key it was sealed under."""

    model_config = ConfigDict(frozen=True)

    ciphertext: bytes
    wrapped_key: bytes


class Appointment(AppointmentFields):
    reason: SealedText  # bound to the appointment id: opened only to show it to the member or the consult's nurse


def patient_facts(member: Member, beneficiary: Beneficiary | None) -> dict[str, Any]:
    """Who a consult is for, as the appointment keeps it for the nurse's agenda: a beneficiary by name, the member
    (registered by CURP, without a name) by id; the birth date either way."""
    if beneficiary is None:
        return {"patient_id": member.person_id, "patient_name": None,
                "patient_birth_date": curp_facts(member.curp).birth_date}
    name = " ".join(filter(None, [beneficiary.first_name, beneficiary.last_name, beneficiary.second_last_name]))
    return {"patient_id": beneficiary.person_id, "patient_name": name, "patient_birth_date": beneficiary.birth_date}


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


def join_opens_at(appointment: "AppointmentFields") -> datetime:
    """Both may join, and the nurse open the consult, from 10 minutes before its start until its end."""
    return appointment.start - JOIN_EARLY


def may_start(appointment: "Appointment", now: datetime) -> bool:
    return join_opens_at(appointment) <= now <= appointment.end


def patient_age(appointment: "AppointmentFields") -> int | None:
    """The patient's age on the consult's day in Mexico City."""
    if appointment.patient_birth_date is None:
        return None
    return age_on(appointment.patient_birth_date, appointment.start.astimezone(MEXICO_CITY).date())


class RescheduleRequest(Model):
    """POST /v1/me/appointments/{id}/reschedule."""

    model_config = ConfigDict(extra="forbid")

    slot_id: SlotId


NOSHOW_AFTER = timedelta(minutes=10)  # a party who has not shown up 10 minutes after the start is a no-show


def noshow_from(appointment: "AppointmentFields") -> datetime:
    """From when either party may report the other absent."""
    return appointment.start + NOSHOW_AFTER


class FollowUpRequest(Model):
    """POST /v1/nurse/appointments/{id}/follow-up: the patient's next consult, booked by the nurse at the end of this
    one, in a slot from GET …/follow-up/slots (hers or another nurse's)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slot_id: SlotId
    reason: Annotated[str, Field(min_length=3, max_length=500)]


# A follow-up is booked from a consult that took place (the nurse opened it), not from one that never happened, and
# at its end: within FOLLOW_UP_WITHIN of its scheduled end. Booking one opens her access to the patient's record
# until a week after it, so a late one would reopen a past patient's record.
FOLLOW_UP_FROM = frozenset({"arrived", "fulfilled"})
FOLLOW_UP_WITHIN = timedelta(hours=24)


class NurseCancellation(Model):
    """POST /v1/nurse/appointments/{id}/cancel."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[str, Field(min_length=3, max_length=300)]


# The waitlist: when nothing suits, a member waits for a patient on some days; a slot freed on one of those days is
# held for the first in line (oldest first) for OFFER_HOLD, then it is open to everyone again.
WAITLIST_DAYS = 14
OFFER_HOLD = timedelta(minutes=30)


class WaitlistRequest(Model):
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


class WaitlistEntry(Model):
    member_id: str
    patient_id: str
    days: list[date]
    joined_at: datetime


SLOT_OFFERED = "slot-offered"  # the notification a waiting member gets when a freed slot is held for them


@dataclass(frozen=True)
class SlotOffer:
    """A freed slot held for one waiting patient until `until`, and what their member is told (notification
    SLOT_OFFERED: `subject` makes it unique, `params` its content; no health data)."""

    entry: WaitlistEntry
    until: datetime
    subject: str
    params: dict[str, Any]


def offers(freed: Appointment, waiting: list[WaitlistEntry], now: datetime) -> list[SlotOffer]:
    """To whom the slot of `freed` (a consult a member cancelled or moved) is offered, in order: each patient waiting
    for its day (oldest first), except the freeing member's own, held for OFFER_HOLD. The first one still waiting
    gets it."""
    until = now + OFFER_HOLD
    return [SlotOffer(entry, until, f"{freed.slot_id}#{until:%Y%m%dT%H%M}", {
        "slot_id": freed.slot_id, "start": freed.start.isoformat(), "patient_id": entry.patient_id,
        "offered_until": until.isoformat()}) for entry in waiting if entry.member_id != freed.member_id]


def moved_to(appointment: Appointment, slot: Slot) -> Appointment:
    """The booked consult re-pointed at another slot (same id, patient, reason and status)."""
    return appointment.model_copy(update={"slot_id": slot.slot_id, "nurse_id": slot.nurse_id,
                                          "nurse_name": slot.nurse_name, "start": slot.start, "end": slot.end})


# --- The video room ---------------------------------------------------------------------------------------------------
# The meeting a participant joins, as the join answer gives it: Amazon Chime SDK's `Meeting` object (CreateMeeting)
# field for field, in snake_case. The mapping is one to one, so it loses nothing: each field is the Chime member whose
# PascalCase words are these, joined (meeting_id ↔ MeetingId, media_placement.audio_host_url ↔
# MediaPlacement.AudioHostUrl, tenant_ids ↔ TenantIds), and null stands for a member Chime left out. A browser feeding
# amazon-chime-sdk-js maps it back (snake_case words to PascalCase, nulls dropped) before `new
# MeetingSessionConfiguration(meeting, attendee)`; adapters/video_rooms.py maps Chime's answer here and has the inverse.

class MeetingMediaPlacement(Model):
    """Where the meeting's media and signalling are served (Chime: MediaPlacement)."""

    audio_host_url: str | None = None
    audio_fallback_url: str | None = None
    signaling_url: str | None = None
    turn_control_url: str | None = None
    screen_data_url: str | None = None
    screen_viewing_url: str | None = None
    screen_sharing_url: str | None = None
    event_ingestion_url: str | None = None


class MeetingAudioFeatures(Model):
    echo_reduction: str | None = Field(None, description="AVAILABLE or UNAVAILABLE")


class MeetingResolution(Model):
    max_resolution: str | None = Field(None, description="None, HD or FHD (content), as Chime names it")


class MeetingAttendeeFeatures(Model):
    max_count: int | None = None


class MeetingFeatures(Model):
    """The meeting's feature set (Chime: MeetingFeatures)."""

    audio: MeetingAudioFeatures | None = None
    video: MeetingResolution | None = None
    content: MeetingResolution | None = None
    attendee: MeetingAttendeeFeatures | None = None


class Meeting(Model):
    """What the provider's client SDK needs to connect: Chime's Meeting in snake_case (the `local` provider gives
    meeting_id and media_region "local" only)."""

    meeting_id: str
    meeting_host_id: str | None = None
    external_meeting_id: str | None = Field(None, description="The appointment id")
    media_region: str | None = None
    media_placement: MeetingMediaPlacement | None = None
    meeting_features: MeetingFeatures | None = None
    primary_meeting_id: str | None = None
    tenant_ids: list[str] | None = None
    meeting_arn: str | None = None
