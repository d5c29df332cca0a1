"""Health-record routes: the nurse ends a consult with a signed note and adds addenda; members read their own record
and their minor beneficiaries'; the assigned nurse reads her patient's history; everyone's reads are audited.
Operators see only the audit trail."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from chalicelib import wiring
from chalicelib.domain.beneficiaries import Beneficiary
from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.fhir import record_bundle
from chalicelib.domain.health_record import (
    AddendumRequest, AuditEvent, ConsultNote, Encounter, Entry, PatientFacts, Signer, consult_justifying, is_minor,
    new_entry,
)
from chalicelib.domain.identifiers import Curp, curp_facts
from chalicelib.domain.identity import Person, ReadScope, read_scope, sees_history_before_link
from chalicelib.domain.members import Member
from chalicelib.domain.teleconsult import Appointment
from chalicelib.errors import Forbidden, NotFound
from chalicelib.http.api import Reply, Router
from chalicelib.http.auth import Caller, Role
from chalicelib.services import teleconsult as consults
from chalicelib.store import members as member_store
from chalicelib.store import persons
from chalicelib.store import records as store
from chalicelib.store import teleconsult as teleconsult_store

router = Router(__name__, tag="records")
MEMBER, NURSE, OPERATOR = {Role.MEMBER}, {Role.NURSE}, {Role.OPERATOR}
PatientId = Annotated[str, Field(min_length=1, max_length=64)]


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    before: Annotated[int, Field(ge=2, description="`next` of the previous page")] | None = None
    limit: Annotated[int, Field(ge=1, le=50)] = 20


class MyRecordQuery(PageQuery):
    patient_id: PatientId | None = Field(None, description="One of my beneficiaries under 18; omit for me")


class RecordPage(BaseModel):
    items: list[Entry] = Field(description="Newest first")
    next: int | None = Field(description="Pass as `before` for older entries; null at the first entry")


class LogQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patient_id: PatientId | None = None
    before: Annotated[str, Field(max_length=120)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50


class AuditQuery(BaseModel):
    """Operators: by patient (CURP, in the body: never in a URL) or by actor (user id), one of them."""

    model_config = ConfigDict(extra="forbid")

    curp: Curp | None = None
    actor_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    before: Annotated[str, Field(max_length=120)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50

    @model_validator(mode="after")
    def _one_of(self) -> "AuditQuery":
        if (self.curp is None) == (self.actor_id is None):
            raise PydanticCustomError("curp_or_actor", "Give either curp or actor_id.")
        return self


class AuditPage(BaseModel):
    items: list[AuditEvent] = Field(description="Newest first")
    next: str | None


class FhirBundle(BaseModel):
    """A FHIR R4 Bundle (type collection); resources as FHIR defines them."""

    model_config = ConfigDict(extra="allow")

    resourceType: str
    type: str
    entry: list[dict[str, Any]]


# --- Whose record, and who may read it --------------------------------------------------------------------------

def _role_of(member: Member, beneficiaries: list[Beneficiary], person_ids: set[str],
             removed_too: bool = False) -> Member | Beneficiary:
    """The member themself or their (latest) beneficiary who is that person, an active one unless `removed_too`
    (a consult booked before the removal still names its patient); 404 otherwise."""
    if member.person_id in person_ids:
        return member
    for beneficiary in reversed(beneficiaries):
        if beneficiary.person_id in person_ids and (removed_too or beneficiary.status == "active"):
            return beneficiary
    raise NotFound("patient-not-found")


def _facts(member: Member, role: Member | Beneficiary, golden: Person) -> PatientFacts:
    if isinstance(role, Member):
        facts = curp_facts(member.curp)
        return PatientFacts(patient_id=golden.person_id, member_id=member.member_id, curp=golden.curp,
                            birth_date=facts.birth_date, sex=facts.sex, is_member=True)
    return PatientFacts(patient_id=golden.person_id, member_id=member.member_id, curp=golden.curp,
                        birth_date=role.birth_date, sex=role.sex, given_name=role.first_name,
                        family_name=" ".join(filter(None, [role.last_name, role.second_last_name])), is_member=False)


def _members_patient(member_id: str, patient_id: str | None, now: datetime) -> tuple[PatientFacts, ReadScope]:
    """The member themself, or one of their active beneficiaries while under 18 (404 for anyone else), and what of
    the person's history they see: all of it when their link is proven, else their own consults' (docs/identity.md)."""
    member, beneficiaries = member_store.registered_partition(member_id)
    role = _role_of(member, beneficiaries, {patient_id or member.person_id})
    if isinstance(role, Beneficiary) and not is_minor(role.birth_date, mexico_city_today(now)):
        raise Forbidden("record-adult-beneficiary")
    linked = persons.record_persons(role.person_id)
    proven = (sees_history_before_link(linked[0].assurance.level) if isinstance(role, Member)
              else role.relationship_confirmed_at is not None)
    return _facts(member, role, linked[0]), read_scope(linked, member_id, proven)


def _nurses_patient(nurse_id: str, patient_id: str, now: datetime) -> tuple[PatientFacts, ReadScope, Appointment]:
    """The patient if the nurse holds a consult with them, from booking until 7 days after it (403 otherwise, the
    same whether the patient exists or not); she sees the person's whole history."""
    consult = consult_justifying(teleconsult_store.patient_appointments(patient_id), nurse_id, now)
    if consult is None:
        raise Forbidden("record-not-assigned")
    patient, scope = _patient_of_consult(consult)
    return patient, scope, consult


def _patient_of_consult(consult: Appointment) -> tuple[PatientFacts, ReadScope]:
    """The consult's patient and their whole history (what a nurse attending them sees)."""
    linked = persons.record_persons(consult.patient_id)
    member, beneficiaries = member_store.member_partition(consult.member_id)
    role = _role_of(member, beneficiaries, {p.person_id for p in linked}, removed_too=True)
    return _facts(member, role, linked[0]), read_scope(linked, None, proven=True)


def _event(caller: Caller, role: str, action: str, patient: PatientFacts, now: datetime,
           appointment_id: str | None = None) -> AuditEvent:
    return AuditEvent(event_id=str(uuid.uuid4()), at=now, actor_id=caller.user_id, actor_role=role, action=action,
                      patient_id=patient.patient_id, appointment_id=appointment_id)


def _signer(nurse_id: str) -> Signer:
    nurse = consults.nurse(nurse_id)
    return Signer(user_id=nurse.nurse_id, full_name=nurse.full_name, cedula_profesional=nurse.cedula_profesional)


# --- Writing -----------------------------------------------------------------------------------------------------

@router.route("/v1/nurse/appointments/{appointment_id}/end", "POST", roles=NURSE, body=ConsultNote, response=Entry,
              status=201, extra_statuses=[404, 409],
              summary="End my started consult with its signed note: note, encounter closed and `fulfilled` at once")
def end_with_note(caller: Caller, appointment_id: str, body: ConsultNote, now: datetime) -> Reply:
    appointment = consults.appointment_of(appointment_id, caller.user_id, "nurse_id")
    consults.require_step(appointment, "fulfilled")
    signer = _signer(caller.user_id)
    patient, _ = _patient_of_consult(appointment)
    entry_id = str(uuid.uuid4())
    fulfilled = appointment.model_copy(update={"status": "fulfilled"})
    entry = store.append(
        patient.patient_id, appointment.member_id,
        lambda seq, previous: new_entry(entry_id=entry_id, seq=seq, previous_hash=previous, kind="consult-note",
                                        patient=patient, appointment_id=appointment.appointment_id, amends=None,
                                        signer=signer, content=body.model_dump(mode="json", exclude_none=True), now=now),
        wiring.record_keys(), _event(caller, "nurse", "write-note", patient, now, appointment.appointment_id), now,
        extra=teleconsult_store.step(appointment, fulfilled),
        encounter=Encounter(appointment_id=appointment.appointment_id, nurse_id=signer.user_id,
                            nurse_name=signer.full_name, nurse_cedula=signer.cedula_profesional,
                            start=appointment.start, end=appointment.end, ended_at=now))
    return Reply(entry, 201)


@router.route("/v1/nurse/records/{patient_id}/entries/{entry_id}/addenda", "POST", roles=NURSE, body=AddendumRequest,
              response=Entry, status=201, extra_statuses=[403, 404, 409],
              summary="Correct or complete an entry with a signed addendum (the entry itself never changes)")
def add_addendum(caller: Caller, patient_id: str, entry_id: str, body: AddendumRequest, now: datetime) -> Reply:
    patient, scope, consult = _nurses_patient(caller.user_id, patient_id, now)
    if not store.entry_exists(scope, entry_id):
        raise NotFound("entry-not-found")
    signer = _signer(caller.user_id)
    addendum_id = str(uuid.uuid4())
    entry = store.append(
        patient.patient_id, consult.member_id,
        lambda seq, previous: new_entry(entry_id=addendum_id, seq=seq, previous_hash=previous, kind="addendum",
                                        patient=patient, appointment_id=None, amends=entry_id, signer=signer,
                                        content=body.model_dump(mode="json"), now=now),
        wiring.record_keys(), _event(caller, "nurse", "write-addendum", patient, now, consult.appointment_id), now)
    return Reply(entry, 201)


# --- Reading (each read is audited before the data leaves) -------------------------------------------------------

def _page(patient: PatientFacts, scope: ReadScope, event: AuditEvent, account_id: str, query: PageQuery) -> RecordPage:
    store.record_access(patient.patient_id, event, account_id)
    entries, before = store.page(scope, wiring.record_keys(), query.limit, query.before)
    return RecordPage(items=entries, next=before)


@router.route("/v1/me/record", "GET", roles=MEMBER, query=MyRecordQuery, response=RecordPage,
              extra_statuses=[403, 404], summary="My health record (or a minor beneficiary's), newest first")
def my_record(caller: Caller, query: MyRecordQuery, now: datetime) -> RecordPage:
    patient, scope = _members_patient(caller.user_id, query.patient_id, now)
    return _page(patient, scope, _event(caller, "member", "read-record", patient, now), caller.user_id, query)


@router.route("/v1/nurse/patients/{patient_id}/record", "GET", roles=NURSE, query=PageQuery, response=RecordPage,
              extra_statuses=[403], summary="My patient's history, from booking until 7 days after our consult")
def patient_record(caller: Caller, patient_id: str, query: PageQuery, now: datetime) -> RecordPage:
    patient, scope, consult = _nurses_patient(caller.user_id, patient_id, now)
    return _page(patient, scope, _event(caller, "nurse", "read-record", patient, now, consult.appointment_id),
                 consult.member_id, query)


@router.route("/v1/records/{patient_id}/fhir", "GET", roles={Role.MEMBER, Role.NURSE}, response=FhirBundle,
              extra_statuses=[403, 404], summary="The record as a FHIR R4 Bundle, for the same readers")
def fhir_export(caller: Caller, patient_id: str, now: datetime) -> FhirBundle:
    if Role.NURSE in caller.roles:
        patient, scope, consult = _nurses_patient(caller.user_id, patient_id, now)
        event = _event(caller, "nurse", "export-fhir", patient, now, consult.appointment_id)
        account_id = consult.member_id
    else:
        patient, scope = _members_patient(caller.user_id, patient_id, now)
        event = _event(caller, "member", "export-fhir", patient, now)
        account_id = caller.user_id
    store.record_access(patient.patient_id, event, account_id)
    entries, encounters = store.whole(scope, wiring.record_keys())
    consent = teleconsult_store.consent_of(patient.patient_id)
    return FhirBundle.model_validate(record_bundle(patient, entries, encounters, consent, now))


@router.route("/v1/me/record/access-log", "GET", roles=MEMBER, query=LogQuery, response=AuditPage,
              extra_statuses=[403, 404], summary="Who read or wrote my record (or a minor beneficiary's), newest first")
def my_access_log(caller: Caller, query: LogQuery, now: datetime) -> AuditPage:
    _, scope = _members_patient(caller.user_id, query.patient_id, now)
    events, before = store.access_log(scope, query.limit, query.before)
    return AuditPage(items=events, next=before)


@router.route("/v1/operators/record-audit/search", "POST", roles=OPERATOR, body=AuditQuery, response=AuditPage,
              summary="The health-record audit trail by patient (CURP in the body) or by actor; no clinical content")
def record_audit(caller: Caller, body: AuditQuery) -> AuditPage:
    if body.actor_id:
        events, before = store.actions_of(body.actor_id, body.limit, body.before)
        return AuditPage(items=events, next=before)
    holder = persons.curp_owner(body.curp)
    if holder is None:
        return AuditPage(items=[], next=None)
    scope = read_scope(persons.record_persons(holder), None, proven=True)
    events, before = store.access_log(scope, body.limit, body.before)
    return AuditPage(items=events, next=before)
