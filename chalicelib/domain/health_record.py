"""The digital health record: consult notes and addenda, append-only and hash-chained; who may read it.

NOM-004-SSA3-2012 asks each note to carry date, time, the author's full name and signature (5.10) and forbids
amendments (5.11): entries are never changed, a correction is an addendum pointing at the entry it corrects. Each
entry's `hash` is SHA-256 over its canonical content including the previous entry's hash, so changing any stored
entry breaks the chain from there on (`broken_links`). The record follows the person: it is keyed by their validated
CURP (NOM-024 6.5.1), not by a generated id.
"""

import hashlib
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, PlainSerializer, StrictBool, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.identifiers import age_on
from chalicelib.domain.model import Model
from chalicelib.domain.teleconsult import Appointment

GENESIS_HASH = "0" * 64  # the `previous_hash` of a record's first entry
NURSE_READS_AFTER = timedelta(days=7)  # a nurse reads a patient's record from booking until 7 days after the consult
ADULT_AGE = 18  # members read their beneficiaries' records while those are minors

Text = Annotated[str, Field(min_length=2, max_length=2000)]


def tenths(low: Decimal | int, high: int) -> Any:
    """A measurement to one decimal: exact while validated, a JSON number when sent back, as the app sent it (money
    is the only decimal this API writes as a string)."""
    return Annotated[Decimal, Field(ge=low, le=high, decimal_places=1),
                     PlainSerializer(float, return_type=float, when_used="json")]


def _absent(value: Any) -> bool:
    return value is None


def _left_out_when_absent() -> Any:
    """A note leaves out what was not given, never writes it as null: its stored content and hash are of the fields
    present. So the schema gives no default (generators would take a default for "always sent")."""
    return Field(None, exclude_if=_absent, json_schema_extra=lambda schema: schema.pop("default", None))


class VitalSigns(Model):
    """Vital signs the patient reported or measured at home; every one optional (NOM-004 9.1: "as needed")."""

    model_config = ConfigDict(extra="forbid")

    temperature_c: tenths(30, 45) | None = _left_out_when_absent()
    heart_rate_bpm: Annotated[int, Field(ge=20, le=250)] | None = _left_out_when_absent()
    respiratory_rate_rpm: Annotated[int, Field(ge=4, le=80)] | None = _left_out_when_absent()
    systolic_mmhg: Annotated[int, Field(ge=50, le=260)] | None = _left_out_when_absent()
    diastolic_mmhg: Annotated[int, Field(ge=30, le=160)] | None = _left_out_when_absent()
    oxygen_saturation_pct: Annotated[int, Field(ge=50, le=100)] | None = _left_out_when_absent()
    glucose_mg_dl: Annotated[int, Field(ge=20, le=800)] | None = _left_out_when_absent()
    weight_kg: tenths(Decimal("0.5"), 400) | None = _left_out_when_absent()
    height_cm: tenths(30, 250) | None = _left_out_when_absent()

    @model_validator(mode="after")
    def _blood_pressure(self) -> "VitalSigns":
        if (self.systolic_mmhg is None) != (self.diastolic_mmhg is None):
            raise PydanticCustomError("blood_pressure_pair", "Give both systolic and diastolic pressure, or neither.")
        if self.systolic_mmhg is not None and self.systolic_mmhg <= self.diastolic_mmhg:
            raise PydanticCustomError("blood_pressure_order", "Systolic pressure must be above diastolic.")
        return self


class Referral(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    to_family_medicine_unit: StrictBool
    why: Text


class ConsultNote(Model):
    """The nurse's note, written as she ends the consult (POST /v1/nurse/appointments/{id}/end)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Text
    symptoms: Text
    vital_signs: VitalSigns | None = _left_out_when_absent()
    assessment: Text
    plan: Text
    recommendations: Text
    prognosis: Text
    referral: Referral
    free_text: Annotated[str, Field(max_length=4000)] | None = _left_out_when_absent()


class Addendum(Model):
    """An addendum's content (POST /v1/nurse/records/{patient_id}/entries/{entry_id}/addenda)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: Annotated[str, Field(min_length=3, max_length=4000)]


class Signer(Model):
    """Who signed an entry: from the nurse's token and her profile, never from the request body."""

    user_id: str
    full_name: str
    cedula_profesional: str


class Entry(Model):
    entry_id: str
    seq: int = Field(description="Position in the patient's record, from 1")
    kind: Literal["consult-note", "addendum"]
    patient_id: str
    curp: str
    appointment_id: str | None
    amends: str | None = Field(description="For an addendum: the entry it corrects or completes")
    occurred_at: datetime
    time_zone: str = Field(description="Where the act happened: the nurse's zone, America/Mexico_City")
    recorded_at: datetime
    signed_by: Signer
    content: ConsultNote | Addendum = Field(description="The note for a consult-note, the text for an addendum")
    previous_hash: str
    hash: str


def canonical(fields: dict[str, Any]) -> bytes:
    """The bytes an entry's hash covers: its JSON with sorted keys, no spaces, UTF-8."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def seal(unsigned: dict[str, Any]) -> Entry:
    """An entry from its fields (all but `hash`): the hash is computed over them, previous_hash included."""
    draft = Entry.model_validate({**unsigned, "hash": ""})
    fields = draft.model_dump(mode="json", exclude={"hash"})
    return draft.model_copy(update={"hash": hashlib.sha256(canonical(fields)).hexdigest()})


def new_entry(*, entry_id: str, seq: int, previous_hash: str, kind: str, patient: "PatientFacts",
              appointment_id: str | None, amends: str | None, signer: Signer, content: ConsultNote | Addendum,
              now: datetime) -> Entry:
    """A signed entry written now by `signer` (taken from her token and profile). The act happened in the nurse's
    zone, Mexico City; the instant is stored in UTC and shown with that zone."""
    return seal({"entry_id": entry_id, "seq": seq, "kind": kind, "patient_id": patient.patient_id, "curp": patient.curp,
                 "appointment_id": appointment_id, "amends": amends, "occurred_at": now, "time_zone": MEXICO_CITY.key,
                 "recorded_at": now, "signed_by": signer, "content": content, "previous_hash": previous_hash})


def broken_links(entries: list[Entry]) -> list[str]:
    """Ids of entries (in seq order) whose hash does not match their content or whose previous_hash does not match
    the entry before: empty for an intact record."""
    broken, previous = [], GENESIS_HASH
    for expected_seq, entry in enumerate(sorted(entries, key=lambda e: e.seq), start=1):
        unsigned = entry.model_dump(mode="json", exclude={"hash"})
        if (entry.seq != expected_seq or entry.previous_hash != previous
                or hashlib.sha256(canonical(unsigned)).hexdigest() != entry.hash):
            broken.append(entry.entry_id)
        previous = entry.hash
    return broken


# --- Who may read ------------------------------------------------------------------------------------------------

def is_minor(birth_date: date, today: date) -> bool:
    return age_on(birth_date, today) < ADULT_AGE


def consult_justifying(appointments: list[Appointment], nurse_id: str, now: datetime) -> Appointment | None:
    """The nurse's consult with this patient that lets her read the record now: not cancelled, booked already and
    ended at most NURSE_READS_AFTER ago. None when there is none."""
    for appointment in sorted(appointments, key=lambda a: a.start, reverse=True):
        if (appointment.nurse_id == nurse_id and appointment.status != "cancelled"
                and appointment.created_at <= now <= appointment.end + NURSE_READS_AFTER):
            return appointment
    return None


class Encounter(Model):
    """The teleconsultation as a clinical encounter (FHIR Encounter, class virtual), closed with its note."""

    appointment_id: str
    nurse_id: str
    nurse_name: str
    nurse_cedula: str
    start: datetime  # the booked slot (the FHIR Appointment)
    end: datetime
    started_at: datetime | None = None  # when the nurse opened it; with ended_at, the FHIR Encounter's period
    ended_at: datetime


class PatientFacts(Model):
    """Who a record belongs to, as the member's profile knows them (identification only, no clinical data)."""

    patient_id: str
    member_id: str
    curp: str
    birth_date: date
    sex: str  # "H" or "M", as in the CURP
    given_name: str | None = None
    family_name: str | None = None
    is_member: bool


class AuditEvent(Model):
    """One read or write of health data: who, in which role, whose record, what, when, and which consult justified
    it. Never any clinical content."""

    event_id: str
    at: datetime
    actor_id: str
    actor_role: Literal["member", "nurse"]
    action: Literal["read-record", "export-fhir", "write-note", "write-addendum"]
    patient_id: str
    appointment_id: str | None = None
