"""A whole teleconsultation over HTTP, the way a newcomer tries it: `make run AT=<tomorrow 09:52 Mexico City>` (the
API's clock moved into programme hours), the seeded nurse1 publishes a week, the seeded member1 lists slots in Los
Angeles time, consents, books, is reminded by `make jobs`, joins, and the nurse starts and ends the consult with a
signed note that the member and the nurse then read (and another nurse may not)."""

import json
import subprocess
import sys
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.teleconsult import CONSENT_VERSION
from local.aws import PROJECT
from tests.e2e.conftest import start_stack
from tests.people import consult_note

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
    assert report["consult_reminders"] == 1 and report["reminders_sent"] >= 1  # the 1-hour reminder

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
