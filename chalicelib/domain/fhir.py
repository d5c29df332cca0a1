"""A patient's record as a FHIR R4 Bundle (type collection): Patient, Practitioner, Appointment, Encounter (class
virtual), Observation per vital sign, a Composition per note or addendum, and the teleconsultation Consent.

FHIR is voluntary in Mexico (NOM-024 conformance goes through DGIS guides); this export is for portability to the
patient's clinic and to the patient. Every resource id is a UUID, so entries are addressed as `urn:uuid:<id>`.
"""

import html
import uuid
from datetime import datetime
from typing import Any

from chalicelib.domain.health_record import Encounter, Entry, PatientFacts
from chalicelib.domain.teleconsult import ConsentRecord

CURP_SYSTEM = "urn:oid:2.16.840.1.113883.4.629"  # CURP (RENAPO), as registered in HL7's OID registry
CEDULA_SYSTEM = "https://www.cedulaprofesional.sep.gob.mx"  # SEP's registry of professional licences
LOINC, UCUM = "http://loinc.org", "http://unitsofmeasure.org"
_IDS = uuid.UUID("0b6f7a8e-2d4c-4f1a-9c3e-5a7d9e1f2b40")  # namespace for ids derived from ours

# vital sign field → (LOINC code, display, UCUM unit)
VITAL_SIGNS: dict[str, tuple[str, str, str]] = {
    "temperature_c": ("8310-5", "Body temperature", "Cel"),
    "heart_rate_bpm": ("8867-4", "Heart rate", "/min"),
    "respiratory_rate_rpm": ("9279-1", "Respiratory rate", "/min"),
    "oxygen_saturation_pct": ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%"),
    "glucose_mg_dl": ("2339-0", "Glucose [Mass/volume] in Blood", "mg/dL"),
    "weight_kg": ("29463-7", "Body weight", "kg"),
    "height_cm": ("8302-2", "Body height", "cm"),
}
BLOOD_PRESSURE = ("85354-9", "Blood pressure panel")
SYSTOLIC, DIASTOLIC = ("8480-6", "Systolic blood pressure"), ("8462-4", "Diastolic blood pressure")
# Note sections, in the order NOM-004 lists the content of a note.
SECTIONS = (("reason", "Motivo de consulta"), ("symptoms", "Síntomas"), ("assessment", "Valoración"),
            ("plan", "Plan"), ("recommendations", "Recomendaciones"), ("prognosis", "Pronóstico"),
            ("referral", "Envío a Unidad de Medicina Familiar"), ("free_text", "Notas"), ("text", "Adenda"))


def _derived(*parts: str) -> str:
    return str(uuid.uuid5(_IDS, "/".join(parts)))


def _ref(resource_id: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def _instant(value: datetime) -> str:
    return value.isoformat()


def _coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def _narrative(text: str) -> dict[str, str]:
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{html.escape(text)}</div>'}


def _patient(patient: PatientFacts) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient", "id": patient.patient_id,
        "identifier": [{"system": CURP_SYSTEM, "value": patient.curp}],
        "gender": "male" if patient.sex == "H" else "female",
        "birthDate": patient.birth_date.isoformat(),
    }
    if patient.family_name:
        resource["name"] = [{"family": patient.family_name, "given": [patient.given_name] if patient.given_name else []}]
    return resource


def _practitioner(user_id: str, full_name: str, cedula: str) -> dict[str, Any]:
    return {"resourceType": "Practitioner", "id": user_id, "identifier": [{"system": CEDULA_SYSTEM, "value": cedula}],
            "name": [{"text": full_name}]}


def _visit(patient_id: str, encounter: Encounter) -> list[dict[str, Any]]:
    """The booked slot (Appointment) and the consult as it happened (Encounter: opened, then closed with the note)."""
    period = {"start": _instant(encounter.started_at or encounter.start), "end": _instant(encounter.ended_at)}
    appointment = {
        "resourceType": "Appointment", "id": encounter.appointment_id, "status": "fulfilled",
        "start": _instant(encounter.start), "end": _instant(encounter.end),
        "participant": [{"actor": _ref(patient_id), "status": "accepted"},
                        {"actor": _ref(encounter.nurse_id), "status": "accepted"}],
    }
    visit = {
        "resourceType": "Encounter", "id": _derived("encounter", encounter.appointment_id), "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "VR", "display": "virtual"},
        "subject": _ref(patient_id), "participant": [{"individual": _ref(encounter.nurse_id)}],
        "appointment": [_ref(encounter.appointment_id)], "period": period,
    }
    return [appointment, visit]


def _observations(patient_id: str, entry: Entry) -> list[dict[str, Any]]:
    vitals = getattr(entry.content, "vital_signs", None)
    vitals = vitals.model_dump() if vitals else {}
    common = {
        "resourceType": "Observation", "status": "final", "subject": _ref(patient_id),
        "category": [_coding("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs")],
        "effectiveDateTime": _instant(entry.occurred_at), "performer": [_ref(entry.signed_by.user_id)],
    }
    if entry.appointment_id:
        common["encounter"] = _ref(_derived("encounter", entry.appointment_id))
    observations = []
    for field, (code, display, unit) in VITAL_SIGNS.items():
        if vitals.get(field) is not None:
            observations.append({**common, "id": _derived(entry.entry_id, code), "code": _coding(LOINC, code, display),
                                 "valueQuantity": {"value": float(vitals[field]), "unit": unit, "system": UCUM,
                                                   "code": unit}})
    if vitals.get("systolic_mmhg") is not None:
        components = [{"code": _coding(LOINC, code, display),
                       "valueQuantity": {"value": vitals[field], "unit": "mm[Hg]", "system": UCUM, "code": "mm[Hg]"}}
                      for field, (code, display) in (("systolic_mmhg", SYSTOLIC), ("diastolic_mmhg", DIASTOLIC))]
        observations.append({**common, "id": _derived(entry.entry_id, BLOOD_PRESSURE[0]),
                             "code": _coding(LOINC, *BLOOD_PRESSURE), "component": components})
    return observations


def _section_text(value: Any) -> str:
    if isinstance(value, dict):  # the referral
        return ("Sí" if value.get("to_family_medicine_unit") else "No") + f": {value.get('why', '')}"
    return str(value)


def _composition(patient_id: str, entry: Entry) -> dict[str, Any]:
    content = entry.content.model_dump()
    sections = [{"title": title, "text": _narrative(_section_text(content[field]))}
                for field, title in SECTIONS if content.get(field) not in (None, "")]
    composition: dict[str, Any] = {
        "resourceType": "Composition", "id": entry.entry_id, "status": "final",
        "identifier": {"system": "urn:pti-migrante:entry-sha256", "value": entry.hash},
        "type": _coding(LOINC, "34109-9", "Note"), "subject": _ref(patient_id), "date": _instant(entry.recorded_at),
        "author": [_ref(entry.signed_by.user_id)],
        "title": "Nota de teleconsulta de enfermería" if entry.kind == "consult-note" else "Adenda",
        "attester": [{"mode": "professional", "time": _instant(entry.recorded_at), "party": _ref(entry.signed_by.user_id)}],
        "section": sections,
    }
    if entry.appointment_id:
        composition["encounter"] = _ref(_derived("encounter", entry.appointment_id))
    if entry.amends:
        composition["relatesTo"] = [{"code": "appends", "targetReference": _ref(entry.amends)}]
    return composition


def _consent(patient_id: str, consent: ConsentRecord) -> dict[str, Any]:
    return {
        "resourceType": "Consent", "id": _derived("consent", patient_id, consent.version), "status": "active",
        "scope": _coding("http://terminology.hl7.org/CodeSystem/consentscope", "treatment", "Treatment"),
        "category": [_coding(LOINC, "59284-0", "Patient Consent")], "patient": _ref(patient_id),
        "dateTime": _instant(consent.accepted_at),
        "policy": [{"uri": f"urn:pti-migrante:consent:teleconsultation:{consent.version}"}],
    }


def record_bundle(patient: PatientFacts, entries: list[Entry], encounters: list[Encounter],
                  consent: ConsentRecord | None, now: datetime) -> dict[str, Any]:
    practitioners = {e.nurse_id: _practitioner(e.nurse_id, e.nurse_name, e.nurse_cedula) for e in encounters}
    practitioners |= {e.signed_by.user_id: _practitioner(e.signed_by.user_id, e.signed_by.full_name,
                                                         e.signed_by.cedula_profesional) for e in entries}
    resources = [_patient(patient), *practitioners.values()]
    for encounter in encounters:
        resources += _visit(patient.patient_id, encounter)
    for entry in entries:
        resources += _observations(patient.patient_id, entry)
        resources.append(_composition(patient.patient_id, entry))
    if consent:
        resources.append(_consent(patient.patient_id, consent))
    return {"resourceType": "Bundle", "id": _derived("bundle", patient.patient_id, now.isoformat()),
            "type": "collection", "timestamp": _instant(now),
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]}
