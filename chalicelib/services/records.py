"""Health records: the nurse's signed note when a consult ends and her addenda; reads by the member (own record and
minor beneficiaries'), by the nurse holding a consult with the patient, and their FHIR export; each read audited before
the data leaves; the operators' audit trail."""

import uuid
from datetime import datetime
from typing import Any

from chalicelib import wiring
from chalicelib.domain.beneficiaries import Beneficiary
from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.fhir import record_bundle
from chalicelib.domain.health_record import (
    Addendum, AuditEvent, ConsultNote, Encounter, Entry, PatientFacts, Signer, consult_justifying, is_minor,
    new_entry,
)
from chalicelib.domain.identifiers import curp_facts
from chalicelib.domain.identity import Person, ReadScope, read_scope, sees_history_before_link
from chalicelib.domain.members import Member
from chalicelib.domain.teleconsult import Appointment
from chalicelib.errors import Forbidden, NotFound
from chalicelib.services import teleconsult as consults
from chalicelib.store import members as member_store
from chalicelib.store import persons
from chalicelib.store import records as store
from chalicelib.store import teleconsult as teleconsult_store


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


def _event(actor_id: str, role: str, action: str, patient: PatientFacts, now: datetime,
           appointment_id: str | None = None) -> AuditEvent:
    return AuditEvent(event_id=str(uuid.uuid4()), at=now, actor_id=actor_id, actor_role=role, action=action,
                      patient_id=patient.patient_id, appointment_id=appointment_id)


def _signer(nurse_id: str) -> Signer:
    nurse = consults.nurse(nurse_id)
    return Signer(user_id=nurse.nurse_id, full_name=nurse.full_name, cedula_profesional=nurse.cedula_profesional)


# --- Writing -----------------------------------------------------------------------------------------------------

def end_consult(nurse_id: str, appointment_id: str, note: ConsultNote, now: datetime) -> Entry:
    """The started consult ends with the nurse's signed note: the entry, the encounter and `fulfilled`, at once."""
    appointment = consults.appointment_of(appointment_id, nurse_id, "nurse_id")
    consults.require_step(appointment, "fulfilled")
    signer = _signer(nurse_id)
    patient, _ = _patient_of_consult(appointment)
    entry_id = str(uuid.uuid4())
    fulfilled = appointment.model_copy(update={"status": "fulfilled"})
    return store.append(
        patient.patient_id, appointment.member_id,
        lambda seq, previous: new_entry(entry_id=entry_id, seq=seq, previous_hash=previous, kind="consult-note",
                                        patient=patient, appointment_id=appointment.appointment_id, amends=None,
                                        signer=signer, content=note, now=now),
        wiring.record_keys(), _event(nurse_id, "nurse", "write-note", patient, now, appointment.appointment_id), now,
        extra=teleconsult_store.step(appointment, fulfilled),
        encounter=Encounter(appointment_id=appointment.appointment_id, nurse_id=signer.user_id,
                            nurse_name=signer.full_name, nurse_cedula=signer.cedula_profesional,
                            start=appointment.start, end=appointment.end, started_at=appointment.started_at,
                            ended_at=now))


def add_addendum(nurse_id: str, patient_id: str, entry_id: str, request: Addendum, now: datetime) -> Entry:
    """A signed addendum pointing at an entry of her patient's record (the entry itself never changes)."""
    patient, scope, consult = _nurses_patient(nurse_id, patient_id, now)
    if not store.entry_exists(scope, entry_id):
        raise NotFound("entry-not-found")
    signer = _signer(nurse_id)
    addendum_id = str(uuid.uuid4())
    return store.append(
        patient.patient_id, consult.member_id,
        lambda seq, previous: new_entry(entry_id=addendum_id, seq=seq, previous_hash=previous, kind="addendum",
                                        patient=patient, appointment_id=None, amends=entry_id, signer=signer,
                                        content=request, now=now),
        wiring.record_keys(), _event(nurse_id, "nurse", "write-addendum", patient, now, consult.appointment_id), now)


# --- Reading (each read is audited before the data leaves) -------------------------------------------------------

def _page(patient: PatientFacts, scope: ReadScope, event: AuditEvent, account_id: str, limit: int,
          before: int | None) -> tuple[list[Entry], int | None]:
    store.record_access(patient.patient_id, event, account_id)
    return store.page(scope, wiring.record_keys(), limit, before)


def members_record(member_id: str, patient_id: str | None, limit: int, before: int | None,
                   now: datetime) -> tuple[list[Entry], int | None]:
    """A page of the member's own record, or a minor beneficiary's, newest first."""
    patient, scope = _members_patient(member_id, patient_id, now)
    return _page(patient, scope, _event(member_id, "member", "read-record", patient, now), member_id, limit, before)


def nurses_patient_record(nurse_id: str, patient_id: str, limit: int, before: int | None,
                          now: datetime) -> tuple[list[Entry], int | None]:
    """A page of her patient's history, from booking until 7 days after their consult."""
    patient, scope, consult = _nurses_patient(nurse_id, patient_id, now)
    return _page(patient, scope, _event(nurse_id, "nurse", "read-record", patient, now, consult.appointment_id),
                 consult.member_id, limit, before)


def fhir_export(user_id: str, as_nurse: bool, patient_id: str, now: datetime) -> dict[str, Any]:
    """The record as a FHIR R4 Bundle, for the same readers as the record itself."""
    if as_nurse:
        patient, scope, consult = _nurses_patient(user_id, patient_id, now)
        event = _event(user_id, "nurse", "export-fhir", patient, now, consult.appointment_id)
        account_id = consult.member_id
    else:
        patient, scope = _members_patient(user_id, patient_id, now)
        event = _event(user_id, "member", "export-fhir", patient, now)
        account_id = user_id
    store.record_access(patient.patient_id, event, account_id)
    entries, encounters = store.whole(scope, wiring.record_keys())
    return record_bundle(patient, entries, encounters, teleconsult_store.consent_of(patient.patient_id), now)


def members_access_log(member_id: str, patient_id: str | None, limit: int, before: str | None,
                       now: datetime) -> tuple[list[AuditEvent], str | None]:
    """Who read or wrote the member's record (or a minor beneficiary's), newest first."""
    _, scope = _members_patient(member_id, patient_id, now)
    return store.access_log(scope, limit, before)


def audit_trail(curp: str | None, actor_id: str | None, limit: int,
                before: str | None) -> tuple[list[AuditEvent], str | None]:
    """For operators: by actor, or by the person holding a CURP (nothing when nobody holds it); no clinical content."""
    if actor_id:
        return store.actions_of(actor_id, limit, before)
    holder = persons.curp_owner(curp)
    if holder is None:
        return [], None
    return store.access_log(read_scope(persons.record_persons(holder), None, proven=True), limit, before)
