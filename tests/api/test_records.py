"""The digital health record through the real app: signed notes and addenda, who may read, the audit trail,
encryption at rest, tamper evidence and the FHIR export."""

import json
from datetime import date, datetime, timedelta, timezone

import boto3
import pytest
from cryptography.exceptions import InvalidTag
from fhirclient.models import fhirelementfactory
from fhirclient.models.bundle import Bundle

from chalicelib import wiring
from chalicelib.domain.health_record import GENESIS_HASH, broken_links
from chalicelib.domain.identity import ReadScope
from chalicelib.store import records as record_store
from chalicelib.store.outbox import OutboxItem
from chalicelib.store.records import EntryItem
from tests.api.conftest import issue, paid
from tests.api.test_beneficiaries import _add, _child_curp
from tests.api.test_teleconsult import MX, _book, _consent, _publish, _slots, nurses  # noqa: F401 (fixture)
from tests.people import consult_note, make_curp

NOTE_WORDS = ("Cefalea", "Presión arterial en límite alto", "Reducir sal", "hipertensión")


def _json(response):
    return json.loads(response.body)


@pytest.fixture
def scene(api, nurses, member, partner, clock):  # noqa: F811
    """A member in Los Angeles covered in December with an under-18 child and an adult spouse; nurse `ana` holds a
    consult with the member on 1 December 09:00 Mexico City; nurse `bea` holds none."""
    clock(datetime(2026, 11, 5, 9, tzinfo=MX).astimezone(timezone.utc))
    headers, body = member()
    reference = issue(api, headers)
    partner.send(paid(reference["reference"], reference["amount_mxn"], tx=f"rec-{body['curp']}", paid_at=clock.now()))
    child = _json(_add(api, headers, relationship="child", curp=_child_curp(date(2015, 3, 1))))
    spouse = _json(_add(api, headers, relationship="spouse", curp=make_curp("GOMS", date(1984, 1, 9), "H", "NE", "SPS")))
    ana, ana_id = nurses("ana")
    bea, _ = nurses("bea")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, ana)
    _consent(api, headers)
    slot = _slots(api, headers, "2026-12-01", "2026-12-01")[0]
    consult = _json(_book(api, headers, slot["slot_id"]))
    user_id = _json(api.http.get("/v1/me", headers=headers))["member_id"]
    return {"member": headers, "curp": body["curp"], "patient_id": consult["patient_id"], "user_id": user_id, "ana": ana, "ana_id": ana_id,
            "bea": bea, "consult": consult, "child": child["person_id"], "spouse": spouse["person_id"]}


def _attend(api, clock, nurse, consult, note=None):
    """The nurse starts the consult at its start time and ends it with her note."""
    clock(datetime.fromisoformat(consult["start"]))
    assert api.http.post(f"/v1/nurse/appointments/{consult['appointment_id']}/start", headers=nurse).status_code == 200
    return api.http.post(f"/v1/nurse/appointments/{consult['appointment_id']}/end", headers=nurse,
                         body=json.dumps(note or consult_note()))


def test_ending_a_consult_writes_a_signed_note_from_the_token_not_the_body(api, clock, scene):
    forged = consult_note(signed_by={"user_id": "someone-else"})
    clock(datetime.fromisoformat(scene["consult"]["start"]))
    api.http.post(f"/v1/nurse/appointments/{scene['consult']['appointment_id']}/start", headers=scene["ana"])
    refused = api.http.post(f"/v1/nurse/appointments/{scene['consult']['appointment_id']}/end", headers=scene["ana"],
                            body=json.dumps(forged))
    assert refused.status_code == 422 and _json(refused)["errors"][0]["field"] == "signed_by"
    bad_vitals = consult_note(vital_signs={"systolic_mmhg": 120})
    refused = api.http.post(f"/v1/nurse/appointments/{scene['consult']['appointment_id']}/end", headers=scene["ana"],
                            body=json.dumps(bad_vitals))
    assert refused.status_code == 422 and _json(refused)["errors"][0]["field"] == "vital_signs"

    ended = api.http.post(f"/v1/nurse/appointments/{scene['consult']['appointment_id']}/end", headers=scene["ana"],
                          body=json.dumps(consult_note()))
    assert ended.status_code == 201, ended.body
    entry = _json(ended)
    assert entry["previous_hash"] == GENESIS_HASH and len(entry["hash"]) == 64 and entry["seq"] == 1
    assert entry["signed_by"] == {"user_id": scene["ana_id"], "full_name": "Enf. Ana Prueba",
                                  "cedula_profesional": "12345678"}
    assert entry["time_zone"] == "America/Mexico_City" and entry["appointment_id"] == scene["consult"]["appointment_id"]
    (consult,) = _json(api.http.get("/v1/me/appointments", headers=scene["member"]))["items"]
    assert consult["status"] == "fulfilled"
    again = api.http.post(f"/v1/nurse/appointments/{scene['consult']['appointment_id']}/end", headers=scene["ana"],
                          body=json.dumps(consult_note()))
    assert again.status_code == 409


def test_who_may_read_the_record_and_every_read_is_in_the_access_log(api, clock, scene, operator, member):
    entry = _json(_attend(api, clock, scene["ana"], scene["consult"]))
    clock(clock.now() + timedelta(minutes=1))
    mine = _json(api.http.get("/v1/me/record", headers=scene["member"]))
    assert [e["entry_id"] for e in mine["items"]] == [entry["entry_id"]] and mine["next"] is None
    assert mine["items"][0]["content"]["assessment"] == "Presión arterial en límite alto, sin datos de alarma"
    assert mine["items"][0]["content"]["vital_signs"] == consult_note()["vital_signs"]  # numbers stay numbers
    assert "free_text" not in mine["items"][0]["content"]  # what was not written is left out, not null

    patient_url = f"/v1/nurse/patients/{scene['patient_id']}/record"
    clock(clock.now() + timedelta(minutes=1))
    assert _json(api.http.get(patient_url, headers=scene["ana"]))["items"][0]["entry_id"] == entry["entry_id"]
    assert api.http.get(patient_url, headers=scene["bea"]).status_code == 403  # no consult with this patient
    assert api.http.get("/v1/nurse/patients/nobody/record", headers=scene["bea"]).status_code == 403  # same answer
    assert api.http.get(patient_url, headers=operator).status_code == 403
    assert api.http.get("/v1/me/record", headers=operator).status_code == 403
    stranger, _ = member()
    assert api.http.get(f"/v1/me/record?patient_id={scene['child']}", headers=stranger).status_code == 404
    child_record = api.http.get(f"/v1/me/record?patient_id={scene['child']}", headers=scene["member"])
    assert child_record.status_code == 200 and _json(child_record)["items"] == []
    adult = api.http.get(f"/v1/me/record?patient_id={scene['spouse']}", headers=scene["member"])
    assert adult.status_code == 403 and "mayor de edad" in _json(adult)["detail"]

    clock(datetime.fromisoformat(scene["consult"]["end"]) + timedelta(days=7, minutes=1))
    assert api.http.get(patient_url, headers=scene["ana"]).status_code == 403  # a week after the consult: no more

    log = _json(api.http.get("/v1/me/record/access-log", headers=scene["member"]))["items"]
    assert [(e["actor_role"], e["action"]) for e in log] == [
        ("nurse", "read-record"), ("member", "read-record"), ("nurse", "write-note")]
    assert log[0]["appointment_id"] == scene["consult"]["appointment_id"]
    search = "/v1/operators/record-audit/search"
    by_patient = _json(api.http.post(search, headers=operator, body=json.dumps({"curp": scene["curp"]})))["items"]
    by_actor = _json(api.http.post(search, headers=operator, body=json.dumps({"actor_id": scene["ana_id"]})))["items"]
    assert len(by_patient) == 3 and [e["action"] for e in by_actor] == ["read-record", "write-note"]
    assert not any(word in json.dumps(by_patient) for word in NOTE_WORDS)
    assert api.http.post(search, headers=operator, body="{}").status_code == 422
    assert api.http.post(search, headers=scene["member"], body=json.dumps({"actor_id": "x"})).status_code == 403


def test_an_addendum_points_at_the_entry_and_keeps_it_intact(api, clock, scene):
    entry = _json(_attend(api, clock, scene["ana"], scene["consult"]))
    url = f"/v1/nurse/records/{scene['patient_id']}/entries/{entry['entry_id']}/addenda"
    added = api.http.post(url, headers=scene["ana"], body=json.dumps({"text": "La presión registrada fue 138/86."}))
    assert added.status_code == 201, added.body
    addendum = _json(added)
    assert addendum["kind"] == "addendum" and addendum["amends"] == entry["entry_id"]
    assert addendum["seq"] == 2 and addendum["previous_hash"] == entry["hash"]
    listed = _json(api.http.get("/v1/me/record", headers=scene["member"]))["items"]
    assert [e["entry_id"] for e in listed] == [addendum["entry_id"], entry["entry_id"]]
    assert listed[1] == entry  # the original, untouched
    missing = f"/v1/nurse/records/{scene['patient_id']}/entries/nope/addenda"
    assert api.http.post(missing, headers=scene["ana"], body=json.dumps({"text": "Algo"})).status_code == 404
    assert api.http.post(url, headers=scene["bea"], body=json.dumps({"text": "No soy su enfermera"})).status_code == 403


def test_pages_go_newest_first(api, clock, scene):
    entry = _json(_attend(api, clock, scene["ana"], scene["consult"]))
    url = f"/v1/nurse/records/{scene['patient_id']}/entries/{entry['entry_id']}/addenda"
    for n in range(4):
        assert api.http.post(url, headers=scene["ana"], body=json.dumps({"text": f"Adenda {n}"})).status_code == 201
    first = _json(api.http.get("/v1/me/record?limit=2", headers=scene["member"]))
    second = _json(api.http.get(f"/v1/me/record?limit=2&before={first['next']}", headers=scene["member"]))
    third = _json(api.http.get(f"/v1/me/record?limit=2&before={second['next']}", headers=scene["member"]))
    assert [e["seq"] for page in (first, second, third) for e in page["items"]] == [5, 4, 3, 2, 1]
    assert third["next"] is None
    empty = api.http.get(f"/v1/me/record?patient_id={scene['child']}&before=2", headers=scene["member"])
    assert empty.status_code == 200 and _json(empty)["items"] == []  # a cursor on a record not begun (was a 500)


def test_the_stored_item_holds_ciphertext_and_tampering_is_detected(api, clock, scene, aws):
    entry = _json(_attend(api, clock, scene["ana"], scene["consult"]))
    table = wiring.settings().records_table
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    items = dynamodb.scan(TableName=table)["Items"]  # a test may Scan: it reads everything on purpose
    raw = json.dumps(items, default=str)
    assert not any(word in raw for word in NOTE_WORDS) and "Bueno" not in raw
    keys = " ".join(item["pk"]["S"] + item["sk"]["S"] for item in items)
    assert "RECORD#" + scene["patient_id"] in keys and not any(word in keys for word in NOTE_WORDS)
    assert scene["curp"] not in keys  # keyed by our person id, never by a typed identifier

    scope = ReadScope(person_ids=[scene["patient_id"]], account=None)
    entries, _ = record_store.whole(scope, wiring.record_keys())
    assert broken_links(entries) == []
    stored = EntryItem.get(f"RECORD#{scene['patient_id']}", "ENTRY#00000001")
    stored.update(actions=[EntryItem.signer_name.set("Enf. Otra Persona")])  # someone edits the table directly
    entries, _ = record_store.whole(scope, wiring.record_keys())
    assert broken_links(entries) == [entry["entry_id"]]
    stored.update(actions=[EntryItem.sealed.set(stored.sealed[:-1] + bytes([stored.sealed[-1] ^ 1]))])
    with pytest.raises(InvalidTag):
        record_store.whole(scope, wiring.record_keys())


def test_the_store_never_overwrites_an_entry(api, clock, scene):
    entry_id = _json(_attend(api, clock, scene["ana"], scene["consult"]))["entry_id"]
    squatter = EntryItem(f"RECORD#{scene['patient_id']}", "ENTRY#00000002", entry_id="planted", seq=2,
                         entry_kind="addendum", patient_id="x", curp="x", occurred_at=clock.now(), time_zone="UTC", recorded_at=clock.now(),
                         signer_id="x", signer_name="x", signer_cedula="x", previous_hash="x", hash="x", sealed=b"x")
    squatter.save()  # as if a broken writer had raced ahead of the head
    url = f"/v1/nurse/records/{scene['patient_id']}/entries/{entry_id}/addenda"
    refused = api.http.post(url, headers=scene["ana"], body=json.dumps({"text": "No debe sobrescribir"}))
    assert refused.status_code == 409
    assert EntryItem.get(f"RECORD#{scene['patient_id']}", "ENTRY#00000002").entry_id == "planted"


def test_no_route_edits_or_deletes_clinical_content(api):
    from app import app

    for path, entry in app.routes.items():
        if "record" in path and not path.startswith("/v1/operators/record-audit"):  # the audit search reads no content
            assert set(entry) <= {"GET", "POST"}, path
            assert all(method == "GET" or path.endswith(("/addenda",)) for method in entry), path
    assert not hasattr(record_store, "delete") and not any(name.startswith(("update", "delete", "remove"))
                                                            for name in dir(record_store))


def test_no_clinical_text_in_logs_or_notifications(api, clock, scene, capsys, caplog):
    _attend(api, clock, scene["ana"], scene["consult"])
    api.http.get("/v1/me/record", headers=scene["member"])
    api.http.get(f"/v1/records/{scene['patient_id']}/fhir", headers=scene["member"])
    logged = capsys.readouterr().out + caplog.text
    assert "request" in logged and not any(word in logged for word in NOTE_WORDS) and scene["curp"] not in logged
    messages = json.dumps([item.params.as_dict() for item in OutboxItem.scan()])
    assert not any(word in messages for word in NOTE_WORDS)


def test_the_fhir_export_validates_as_r4(api, clock, scene, operator):
    entry = _json(_attend(api, clock, scene["ana"], scene["consult"]))
    api.http.post(f"/v1/nurse/records/{scene['patient_id']}/entries/{entry['entry_id']}/addenda", headers=scene["ana"],
                  body=json.dumps({"text": "Corrige la frecuencia cardiaca: 80 lpm."}))
    clock(clock.now() + timedelta(minutes=1))
    exported = api.http.get(f"/v1/records/{scene['patient_id']}/fhir", headers=scene["member"])
    assert exported.status_code == 200, exported.body
    assert exported.headers["Content-Type"] == "application/fhir+json"  # FHIR's own media type (R4 §3.1.0.1.10)
    bundle = _json(exported)
    Bundle(bundle, strict=True)
    resources = [e["resource"] for e in bundle["entry"]]
    for resource in resources:
        fhirelementfactory.FHIRElementFactory.instantiate(resource["resourceType"], resource)  # strict by default
    kinds = sorted({r["resourceType"] for r in resources})
    assert kinds == ["Appointment", "Composition", "Consent", "Encounter", "Observation", "Patient", "Practitioner"]
    (encounter,) = [r for r in resources if r["resourceType"] == "Encounter"]
    assert encounter["class"]["code"] == "VR" and encounter["status"] == "finished"
    (addendum,) = [r for r in resources if r["resourceType"] == "Composition" and "relatesTo" in r]
    assert addendum["relatesTo"][0]["targetReference"]["reference"] == f"urn:uuid:{entry['entry_id']}"
    observed = {r["code"]["coding"][0]["code"] for r in resources if r["resourceType"] == "Observation"}
    assert observed == {"8310-5", "8867-4", "85354-9", "59408-5", "29463-7"}
    assert api.http.get(f"/v1/records/{scene['patient_id']}/fhir", headers=scene["ana"]).status_code == 200
    assert api.http.get(f"/v1/records/{scene['patient_id']}/fhir", headers=scene["bea"]).status_code == 403
    assert api.http.get(f"/v1/records/{scene['patient_id']}/fhir", headers=operator).status_code == 403
    actions = [e["action"] for e in _json(api.http.get("/v1/me/record/access-log", headers=scene["member"]))["items"]]
    assert actions[:2] == ["export-fhir", "export-fhir"]


def test_the_fhir_encounter_lasts_from_opening_the_consult_to_its_note(api, clock, scene):
    consult, ana = scene["consult"], scene["ana"]
    start = datetime.fromisoformat(consult["start"])
    url = f"/v1/nurse/appointments/{consult['appointment_id']}"
    clock(start - timedelta(minutes=5))
    started = api.http.post(f"{url}/start", headers=ana)
    assert datetime.fromisoformat(_json(started)["started_at"]) == start - timedelta(minutes=5)
    clock(start + timedelta(minutes=17))
    assert api.http.post(f"{url}/end", headers=ana, body=json.dumps(consult_note())).status_code == 201
    resources = [e["resource"] for e in _json(api.http.get(f"/v1/records/{scene['patient_id']}/fhir",
                                                           headers=scene["member"]))["entry"]]
    (visit,) = [r for r in resources if r["resourceType"] == "Encounter"]
    (booked,) = [r for r in resources if r["resourceType"] == "Appointment"]
    (note,) = [r for r in resources if r["resourceType"] == "Composition"]
    assert [datetime.fromisoformat(booked[k]) for k in ("start", "end")] == [
        datetime.fromisoformat(consult[k]) for k in ("start", "end")]
    period = visit["period"]
    assert datetime.fromisoformat(period["start"]) == start - timedelta(minutes=5)
    assert datetime.fromisoformat(period["end"]) == start + timedelta(minutes=17)
    assert start - timedelta(minutes=5) <= datetime.fromisoformat(note["date"]) <= start + timedelta(minutes=17)
