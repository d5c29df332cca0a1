"""A whole teleconsultation over HTTP, the way a newcomer tries it: `make run AT=<tomorrow 09:52 Mexico City>` (the
API's clock moved into programme hours), the seeded nurse1 publishes a week, the seeded member1 lists slots in Los
Angeles time, consents, books, is reminded by `make jobs`, joins, and the nurse starts and ends the consult with a
signed note that the member and the nurse then read (and another nurse may not)."""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from time import monotonic, sleep
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.identifiers import age_on
from chalicelib.domain.teleconsult import CONSENT_VERSION
from local.aws import PROJECT, StackState, stage_environment
from tests.e2e.conftest import start_stack
from tests.people import consult_note, registration

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
WEEK_9_TO_12 = {"windows": [{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(7)],
                "slot_minutes": 20, "lead_minutes": 0, "horizon_weeks": 1}


@pytest.fixture(scope="module")
def morning_stack(tmp_path_factory):
    """`make run AT=…` standing at 09:52 Mexico City time tomorrow."""
    tomorrow = datetime.now(MEXICO_CITY).date() + timedelta(days=1)
    running = start_stack(tmp_path_factory.mktemp("morning") / "state", datetime.combine(tomorrow, time(9, 52), MEXICO_CITY))
    yield running, tomorrow
    running.stop()


def _headers(stack, role: str, user: str) -> dict:
    return {"Authorization": f"Bearer {stack.token(role, user)}", "Content-Type": "application/json"}


def test_a_whole_consult_from_publishing_to_the_signed_note(morning_stack):
    stack, day = morning_stack
    nurse, member, other_nurse = (_headers(stack, "nurse", "nurse1"), _headers(stack, "member", "member1"),
                                  _headers(stack, "nurse", "nurse2"))

    published = stack.request("PUT", "/v1/nurse/availability", headers=nurse, json_body=WEEK_9_TO_12)
    assert published.status == 200, published.body
    assert stack.request("POST", "/v1/me/consents/teleconsultation", headers=member,
                         json_body={"version": CONSENT_VERSION}).status == 201

    listed = stack.request("GET", f"/v1/teleconsult/slots?from={day}&to={day}&limit=100", headers=member).json()
    ten = datetime.combine(day, time(10), MEXICO_CITY)
    (slot,) = [s for s in listed["items"] if s["nurse"]["full_name"] == "Enf. Laura Méndez Ortiz"
               and datetime.fromisoformat(s["start"]) == ten]
    assert slot["time_zone"] == "America/Los_Angeles"
    assert slot["start_local"] == ten.astimezone(LOS_ANGELES).isoformat()
    assert slot["start_mexico_city"] == ten.isoformat()

    booked = stack.request("POST", "/v1/teleconsult/appointments", headers=member,
                           json_body={"slot_id": slot["slot_id"], "reason": "Control de glucosa"})
    assert booked.status == 201 and booked.json()["status"] == "booked", booked.body
    consult = booked.json()["appointment_id"]

    jobs = subprocess.run([sys.executable, "-m", "local.jobs"], cwd=PROJECT, env=stack.environment,
                          capture_output=True, text=True, check=True)
    report = json.loads(jobs.stdout[jobs.stdout.rindex("\n{\n"):])  # the report follows the jobs' log lines
    assert report["consult_reminders"] == 1  # the 1-hour reminder, relayed from the outbox stream:
    member_id = stack.request("GET", "/v1/me", headers=member).json()["member_id"]
    assert _relayed(stack, f"consult-reminder-1h#{member_id}#{consult}")

    member_room = stack.request("POST", f"/v1/teleconsult/appointments/{consult}/join", headers=member)
    nurse_room = stack.request("POST", f"/v1/teleconsult/appointments/{consult}/join", headers=nurse)
    assert member_room.status == nurse_room.status == 200, member_room.body
    assert member_room.json()["meeting_id"] == nurse_room.json()["meeting_id"]
    assert member_room.json()["attendee_id"] != nurse_room.json()["attendee_id"]
    assert stack.request("POST", f"/v1/teleconsult/appointments/{consult}/join", headers=other_nurse).status == 404

    assert stack.request("POST", f"/v1/nurse/appointments/{consult}/start", headers=other_nurse).status == 404
    started = stack.request("POST", f"/v1/nurse/appointments/{consult}/start", headers=nurse)
    assert started.status == 200 and started.json()["status"] == "arrived", started.body
    ended = stack.request("POST", f"/v1/nurse/appointments/{consult}/end", headers=nurse, json_body=consult_note())
    assert ended.status == 201 and ended.json()["signed_by"]["full_name"] == "Enf. Laura Méndez Ortiz", ended.body

    mine = stack.request("GET", "/v1/me/appointments", headers=member).json()["items"]
    assert [(a["appointment_id"], a["status"]) for a in mine] == [(consult, "fulfilled")]
    agenda = stack.request("GET", f"/v1/nurse/agenda?date={day}", headers=nurse).json()["items"]
    assert [a["appointment_id"] for a in agenda] == [consult]
    assert stack.request("GET", f"/v1/nurse/agenda?date={day}", headers=other_nurse).json()["items"] == []

    # The health record: the member reads the signed note, the nurse the history, another nurse nothing.
    entry = ended.json()
    record = stack.request("GET", "/v1/me/record", headers=member).json()["items"]
    assert [(e["entry_id"], e["hash"]) for e in record] == [(entry["entry_id"], entry["hash"])]
    assert record[0]["content"]["referral"]["to_family_medicine_unit"] is True
    patient = f"/v1/nurse/patients/{record[0]['patient_id']}/record"
    assert stack.request("GET", patient, headers=nurse).json()["items"][0]["entry_id"] == entry["entry_id"]
    assert stack.request("GET", patient, headers=other_nurse).status == 403
    bundle = stack.request("GET", f"/v1/records/{record[0]['patient_id']}/fhir", headers=member)
    assert bundle.status == 200 and bundle.json()["resourceType"] == "Bundle"
    log = stack.request("GET", "/v1/me/record/access-log", headers=member).json()["items"]
    assert sorted(e["action"] for e in log) == ["export-fhir", "read-record", "read-record", "write-note"]
    assert {e["actor_role"] for e in log} == {"member", "nurse"}


SON_CURP = "PEGL050410HJCRMSA8"  # Luis, one of the demo CURP registry's synthetic people
SON_ID = {"first_name": "Luis", "last_name": "Pérez", "second_last_name": "Gómez", "birth_date": "2005-04-10"}


def _claim_naming(stack, operator: dict, person_id: str) -> dict:
    queue = stack.request("GET", "/v1/operators/identity-claims?limit=100", headers=operator).json()["items"]
    (claim,) = [c for c in queue if c["claimant_person_id"] == person_id]
    return claim


def test_a_typed_curp_shows_a_stranger_nothing_until_an_operator_links_them(morning_stack):
    """Issue 13's scenario over HTTP: member1's adult student son is attended by nurse2 and has a signed note.
    Strangers who type his CURP (registering, as their own child, or after member1 removed him) get answers that do
    not tell it was taken and see nothing of his; the operator's confirmation links one and the history appears; a
    rejection keeps another apart; two operators deciding one claim at once: one wins."""
    stack, day = morning_stack
    member, nurse, operator = (_headers(stack, "member", "member1"), _headers(stack, "nurse", "nurse2"),
                               _headers(stack, "operator", "walk-operator"))
    assert stack.request("PUT", "/v1/nurse/availability", headers=nurse, json_body=WEEK_9_TO_12).status == 200
    son = stack.request("POST", "/v1/me/beneficiaries", headers=member, json_body={
        "relationship": "child", "student": True, "curp": SON_CURP, **{k: v for k, v in SON_ID.items()
                                                                         if k != "birth_date"}})
    assert son.status == 201, son.body
    son_id, son_beneficiary = son.json()["person_id"], son.json()["beneficiary_id"]
    assert stack.request("POST", "/v1/me/consents/teleconsultation", headers=member,
                         json_body={"version": CONSENT_VERSION, "patient_id": son_id}).status == 201
    ten = datetime.combine(day, time(10), MEXICO_CITY)
    listed = stack.request("GET", f"/v1/teleconsult/slots?from={day}&to={day}&limit=100", headers=member).json()
    (slot,) = [s for s in listed["items"] if s["nurse"]["full_name"] == "Enf. Sofía Ramírez Luna"
               and datetime.fromisoformat(s["start"]) == ten]
    booked = stack.request("POST", "/v1/teleconsult/appointments", headers=member,
                           json_body={"slot_id": slot["slot_id"], "reason": "Dolor de espalda", "patient_id": son_id})
    assert booked.status == 201, booked.body
    consult = booked.json()["appointment_id"]
    (on_agenda,) = [a for a in stack.request("GET", f"/v1/nurse/agenda?date={day}", headers=nurse).json()["items"]
                    if a["appointment_id"] == consult]
    assert on_agenda["patient_name"] == f"{SON_ID['first_name']} {SON_ID['last_name']} {SON_ID['second_last_name']}"
    assert on_agenda["patient_age"] == age_on(date.fromisoformat(SON_ID["birth_date"]), day)
    assert stack.request("POST", f"/v1/nurse/appointments/{consult}/start", headers=nurse).status == 200
    note = stack.request("POST", f"/v1/nurse/appointments/{consult}/end", headers=nurse, json_body=consult_note())
    assert note.status == 201, note.body

    # Three strangers type his CURP; a fourth types a CURP nobody holds. Every answer is alike.
    strangers = [_headers(stack, "member", f"typed-curp-{n}") for n in range(3)]
    nobody = _headers(stack, "member", "typed-fresh-curp")
    answers = [stack.request("POST", "/v1/registrations", headers=h, json_body=registration(curp=SON_CURP))
               for h in strangers]
    fresh = stack.request("POST", "/v1/registrations", headers=nobody, json_body=registration())
    assert [a.status for a in answers] + [fresh.status] == [201] * 4
    assert len({frozenset(a.json()) for a in [*answers, fresh]}) == 1
    linked, rejected, raced = strangers
    for headers in strangers:
        assert stack.request("GET", "/v1/me/record", headers=headers).json()["items"] == []
        assert stack.request("GET", f"/v1/me/record?patient_id={son_id}", headers=headers).status == 404
        assert stack.request("GET", f"/v1/records/{son_id}/fhir", headers=headers).status == 404

    # The operator checks the first at the consulate: linked, and the son's note appears.
    claim = _claim_naming(stack, operator, answers[0].json()["person_id"])
    assert claim["existing_person_id"] == son_id
    confirmed = stack.request("POST", f"/v1/operators/identity-claims/{claim['claim_id']}/confirm", headers=operator,
                              json_body={"checked": "consular", "place": "Consulado de Los Ángeles",
                                         "why": "Pasaporte vigente revisado", "id_document": SON_ID})
    assert confirmed.status == 200 and confirmed.json()["status"] == "confirmed", confirmed.body
    mine = stack.request("GET", "/v1/me/record", headers=linked).json()["items"]
    assert [e["entry_id"] for e in mine] == [note.json()["entry_id"]]

    # The second is rejected: apart for good.
    claim = _claim_naming(stack, operator, answers[1].json()["person_id"])
    assert stack.request("POST", f"/v1/operators/identity-claims/{claim['claim_id']}/reject", headers=operator,
                         json_body={"why": "Otra persona"}).status == 200
    assert stack.request("GET", "/v1/me/record", headers=rejected).json()["items"] == []

    # Two operators decide the third at once: one decision stands, the other is told it was decided.
    claim = _claim_naming(stack, operator, answers[2].json()["person_id"])
    other = _headers(stack, "operator", "walk-operator-2")
    url = f"/v1/operators/identity-claims/{claim['claim_id']}"
    with ThreadPoolExecutor(max_workers=2) as pool:
        decided = list(pool.map(lambda call: stack.request("POST", url + call[0], headers=call[1], json_body=call[2]), [
            ("/confirm", operator, {"checked": "documents", "why": "Acta revisada"}),
            ("/reject", other, {"why": "No coincide"})]))
    assert sorted(d.status for d in decided) == [200, 409], [d.body for d in decided]
    winner = next(d for d in decided if d.status == 200).json()["status"]
    shown = stack.request("GET", "/v1/me/record", headers=raced).json()["items"]
    assert shown == []  # confirmed on documents while self-asserted, or rejected: nothing from before either way
    assert winner in ("confirmed", "rejected")

    # As a stranger's own child, and after member1 removed him: the same 201, a claim, nothing shown.
    parent = _headers(stack, "member", "typed-as-child")
    assert stack.request("POST", "/v1/registrations", headers=parent, json_body=registration()).status == 201
    as_child = stack.request("POST", "/v1/me/beneficiaries", headers=parent, json_body={
        "relationship": "child", "student": True, "curp": SON_CURP, "first_name": "Luis", "last_name": "Pérez"})
    assert as_child.status == 201 and as_child.json()["person_id"] != son_id
    assert _claim_naming(stack, operator, as_child.json()["person_id"])["context"] == "beneficiary"
    assert stack.request("DELETE", f"/v1/me/beneficiaries/{son_beneficiary}", headers=member).status == 200
    readding = _headers(stack, "member", "re-adds-removed")
    assert stack.request("POST", "/v1/registrations", headers=readding, json_body=registration()).status == 201
    again = stack.request("POST", "/v1/me/beneficiaries", headers=readding, json_body={
        "relationship": "child", "student": True, "curp": SON_CURP, "first_name": "Luis", "last_name": "Pérez"})
    assert again.status == 201 and again.json()["person_id"] != son_id
    assert _claim_naming(stack, operator, again.json()["person_id"])["existing_person_id"] == son_id


def _relayed(stack, key: str, timeout: float = 30.0) -> bool:
    """The outbox message `key` marked sent by the relay (local/runner.py hands it the stream) within `timeout`."""
    dynamodb = StackState.load(stack.state_dir / "stack.json").endpoints.client("dynamodb")
    deadline = monotonic() + timeout
    while monotonic() < deadline:
        item = dynamodb.get_item(TableName=stage_environment("local")["OUTBOX_TABLE"], Key={"key": {"S": key}},
                                 ConsistentRead=True).get("Item", {})
        if "sent_at" in item:
            return True
        sleep(0.3)
    return False
