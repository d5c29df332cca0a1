"""Nurses, availability, slots and booking through the real app (first slice of the teleconsultation issue)."""

import json
from datetime import date, datetime, timedelta, timezone

import boto3
import pytest

from chalicelib import wiring
from chalicelib.domain.identifiers import age_on, curp_facts
from chalicelib.domain.teleconsult import CONSENT_VERSION
from chalicelib.auth import Role
from chalicelib.store import teleconsult as teleconsult_store
from local.aws import REGION
from local.users import LOCAL_PASSWORD
from tests.api.conftest import issue, paid
from tests.people import consult_note

MX = timezone(timedelta(hours=-6))
WEEKDAYS_9_TO_11 = {"windows": [{"weekday": d, "start": "09:00", "end": "11:00"} for d in range(5)],
                    "slot_minutes": 20, "lead_minutes": 60, "horizon_weeks": 2}


def _json(response):
    return json.loads(response.body)


@pytest.fixture
def nurses(api, aws, operator):
    """`nurses(name)` creates a nurse through the operators' route and returns her auth headers and id."""

    def make(username: str) -> tuple[dict, str]:
        response = api.http.post("/v1/operators/nurses", headers=operator, body=json.dumps({
            "username": username, "email": f"{username}@example.com", "full_name": f"Enf. {username.title()} Prueba",
            "cedula_profesional": "12345678", "languages": ["es", "en"]}))
        assert response.status_code == 201, response.body
        aws.cognito.admin_set_user_password(UserPoolId=aws.pool_id, Username=username, Password=LOCAL_PASSWORD,
                                            Permanent=True)
        token = aws.token(Role.NURSE, username)
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, _json(response)["nurse_id"]

    return make


def _pays_december(api, member, partner, clock):
    """On 5 November 2026 (Mexico City) a new member in Los Angeles pays for December; returns their headers."""
    clock(datetime(2026, 11, 5, 9, tzinfo=MX).astimezone(timezone.utc))
    headers, body = member()
    reference = issue(api, headers)
    partner.send(paid(reference["reference"], reference["amount_mxn"], tx=f"tc-{body['curp']}", paid_at=clock.now()))
    return headers


@pytest.fixture
def covered_member(api, member, partner, clock):
    return _pays_december(api, member, partner, clock)


def _publish(api, nurse_headers, pattern=WEEKDAYS_9_TO_11):
    response = api.http.put("/v1/nurse/availability", headers=nurse_headers, body=json.dumps(pattern))
    assert response.status_code == 200, response.body
    return _json(response)


def _slots(api, headers, first, last):
    response = api.http.get(f"/v1/teleconsult/slots?from={first}&to={last}", headers=headers)
    assert response.status_code == 200, response.body
    return _json(response)["items"]


def _consent(api, headers, **extra):
    return api.http.post("/v1/me/consents/teleconsultation", headers=headers,
                         body=json.dumps({"version": CONSENT_VERSION, **extra}))


def _book(api, headers, slot_id, **extra):
    return api.http.post("/v1/teleconsult/appointments", headers=headers,
                         body=json.dumps({"slot_id": slot_id, "reason": "Dolor de cabeza frecuente", **extra}))


def test_operators_add_nurses_once_and_only_operators_may(api, nurses, operator, member):
    nurses("ana")
    again = api.http.post("/v1/operators/nurses", headers=operator, body=json.dumps({
        "username": "ana", "email": "ana@example.com", "full_name": "Ana Otra", "cedula_profesional": "1234567"}))
    assert again.status_code == 409
    member_headers, _ = member()
    assert api.http.post("/v1/operators/nurses", headers=member_headers, body="{}").status_code == 403


def test_a_username_already_taken_by_someone_else_is_never_made_a_nurse(api, aws, operator):
    """Only an unused invitation of the same e-mail outside other groups is taken up by a retry (test_faults)."""
    def add(username: str, email: str):
        return api.http.post("/v1/operators/nurses", headers=operator, body=json.dumps({
            "username": username, "email": email, "full_name": "Enf. Otra", "cedula_profesional": "1234567"}))

    aws.cognito.admin_create_user(UserPoolId=aws.pool_id, Username="invited",
                                  UserAttributes=[{"Name": "email", "Value": "invited@example.com"}])
    assert add("invited", "someone.else@example.com").status_code == 409
    aws.cognito.admin_add_user_to_group(UserPoolId=aws.pool_id, Username="invited", GroupName=Role.OPERATOR.group)
    assert add("invited", "invited@example.com").status_code == 409
    aws.token(Role.MEMBER, "member-1")  # a member who set a password and signed in
    taken = add("member-1", "member-1@example.com")
    assert taken.status_code == 409
    groups = aws.cognito.admin_list_groups_for_user(UserPoolId=aws.pool_id, Username="member-1")["Groups"]
    assert [g["GroupName"] for g in groups] == [Role.MEMBER.group]


def test_availability_is_checked_against_the_programme_hours(api, nurses):
    headers, _ = nurses("bea")
    bad = api.http.put("/v1/nurse/availability", headers=headers, body=json.dumps(
        {"windows": [{"weekday": 0, "start": "07:00", "end": "09:00"}, {"weekday": 6, "start": "08:03", "end": "09:00"}]}))
    assert bad.status_code == 422
    assert {e["field"] for e in _json(bad)["errors"]} == {"windows[0]", "windows[1].start"}
    overlapping = api.http.put("/v1/nurse/availability", headers=headers, body=json.dumps(
        {"windows": [{"weekday": 1, "start": "09:00", "end": "11:00"}, {"weekday": 1, "start": "10:00", "end": "12:00"}]}))
    assert overlapping.status_code == 422 and [e["field"] for e in _json(overlapping)["errors"]] == ["windows"]


def test_publishing_twice_adds_nothing_and_never_removes_a_booked_slot(api, nurses, covered_member, clock):
    nurse, nurse_id = nurses("cata")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    first = _publish(api, nurse)
    assert first["slots_added"] > 0 and _publish(api, nurse)["slots_added"] == 0
    assert _consent(api, covered_member).status_code == 201
    (slot, *_) = [s for s in _slots(api, covered_member, "2026-12-01", "2026-12-01")]
    assert _book(api, covered_member, slot["slot_id"]).status_code == 201
    only_fridays = {**WEEKDAYS_9_TO_11, "windows": [{"weekday": 4, "start": "09:00", "end": "11:00"}]}
    assert _publish(api, nurse, only_fridays)["slots_removed"] > 0
    agenda = _json(api.http.get("/v1/nurse/agenda?date=2026-12-01", headers=nurse))["items"]
    assert [a["slot_id"] for a in agenda] == [slot["slot_id"]]
    (booked,) = agenda
    curp = _json(api.http.get("/v1/me", headers=covered_member))["curp"]
    assert booked["patient_name"] is None  # a member registers by CURP, without a name
    assert booked["patient_age"] == age_on(curp_facts(curp).birth_date, date(2026, 12, 1))
    assert datetime.fromisoformat(booked["join_opens_at"]) == datetime.fromisoformat(booked["start"]) - \
        timedelta(minutes=10)
    assert datetime.fromisoformat(booked["noshow_from"]) == datetime.fromisoformat(booked["start"]) + \
        timedelta(minutes=10)
    alone = api.http.get(f"/v1/nurse/appointments/{booked['appointment_id']}", headers=nurse)
    assert alone.status_code == 200 and _json(alone) == booked  # her consult read by id, as her agenda lists it
    assert _slots(api, covered_member, "2026-12-01", "2026-12-01") == []  # the other Tuesday slots are gone


def test_republishing_gives_kept_free_slots_the_new_lead_time_and_length_but_not_booked_ones(api, nurses,
                                                                                             covered_member, clock):
    nurse, _ = nurses("cleo")
    clock(datetime(2026, 11, 30, 8, tzinfo=MX).astimezone(timezone.utc))  # Monday 08:00
    _publish(api, nurse)  # 09:00–11:00, 20-minute slots, 60 minutes' notice
    assert [s["start_mexico_city"][11:16] for s in _slots(api, covered_member, "2026-11-30", "2026-11-30")][:1] == ["09:00"]
    clock(datetime(2026, 11, 30, 9, 50, tzinfo=MX).astimezone(timezone.utc))
    assert "10:00" not in {s["start_mexico_city"][11:16] for s in _slots(api, covered_member, "2026-11-30", "2026-11-30")}
    _consent(api, covered_member)
    booked = _json(_book(api, covered_member, _slots(api, covered_member, "2026-12-01", "2026-12-01")[0]["slot_id"]))
    changed = _publish(api, nurse, {**WEEKDAYS_9_TO_11, "lead_minutes": 5, "slot_minutes": 40})
    assert changed["slots_changed"] > 0
    today = _slots(api, covered_member, "2026-11-30", "2026-11-30")
    assert today[0]["start_mexico_city"][11:16] == "10:20" and today[0]["end"] == "2026-11-30T17:00:00Z"  # 40 min
    agenda = _json(api.http.get("/v1/nurse/agenda?date=2026-12-01", headers=nurse))["items"]
    assert [(a["appointment_id"], a["end"]) for a in agenda] == [(booked["appointment_id"], booked["end"])]


def test_slots_show_the_right_los_angeles_time_across_the_november_dst_change(api, nurses, member, clock):
    nurse, _ = nurses("dora")
    clock(datetime(2026, 10, 26, 7, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    headers, _ = member()
    before = _slots(api, headers, "2026-10-30", "2026-10-30")[0]  # Friday: Los Angeles still on PDT (UTC-7)
    after = _slots(api, headers, "2026-11-02", "2026-11-02")[0]  # Monday: PST (UTC-8)
    assert before["start_mexico_city"] == "2026-10-30T09:00:00-06:00"
    assert before["start_local"] == "2026-10-30T08:00:00-07:00"
    assert after["start_mexico_city"] == "2026-11-02T09:00:00-06:00"
    assert after["start_local"] == "2026-11-02T07:00:00-08:00"
    assert before["time_zone"] == "America/Los_Angeles"


def test_booking_needs_consent_and_coverage_and_a_taken_slot_offers_alternatives(api, nurses, covered_member, member,
                                                                                 partner, clock):
    nurse, _ = nurses("eva")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    november = _slots(api, covered_member, "2026-11-26", "2026-11-26")[0]
    december = _slots(api, covered_member, "2026-12-01", "2026-12-01")
    refused = _book(api, covered_member, december[0]["slot_id"])
    assert refused.status_code == 409 and "consentimiento" in _json(refused)["detail"]
    assert _consent(api, covered_member).status_code == 201
    uncovered = _book(api, covered_member, november["slot_id"])
    assert uncovered.status_code == 409 and "2026-11" in _json(uncovered)["detail"]
    booked = _book(api, covered_member, december[0]["slot_id"])
    assert booked.status_code == 201 and _json(booked)["status"] == "booked"
    overlapping = _book(api, covered_member, december[0]["slot_id"])
    assert overlapping.status_code == 409 and _json(overlapping)["alternatives"]
    assert december[0]["slot_id"] not in [a["slot_id"] for a in _json(overlapping)["alternatives"]]
    mine = _json(api.http.get("/v1/me/appointments", headers=covered_member))["items"]
    assert [a["slot_id"] for a in mine] == [december[0]["slot_id"]]


def test_one_patient_cannot_hold_two_overlapping_consults(api, nurses, covered_member, clock):
    first, _ = nurses("fer")
    second, _ = nurses("gaby")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, first)
    _publish(api, second, {**WEEKDAYS_9_TO_11, "windows": [{"weekday": 1, "start": "09:10", "end": "11:00"}]})
    _consent(api, covered_member)
    slots = _slots(api, covered_member, "2026-12-01", "2026-12-01")
    at_nine = next(s for s in slots if s["start_mexico_city"].endswith("T09:00:00-06:00"))
    at_nine_ten = next(s for s in slots if s["start_mexico_city"].endswith("T09:10:00-06:00"))
    assert _book(api, covered_member, at_nine["slot_id"]).status_code == 201
    busy = _book(api, covered_member, at_nine_ten["slot_id"])
    assert busy.status_code == 409 and "empalma" in _json(busy)["detail"]


def test_a_nurse_sees_only_her_own_agenda(api, nurses, covered_member, clock):
    mine, _ = nurses("hilda")
    other, _ = nurses("irene")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, mine)
    _consent(api, covered_member)
    slot = _slots(api, covered_member, "2026-12-01", "2026-12-01")[0]
    _book(api, covered_member, slot["slot_id"])
    assert len(_json(api.http.get("/v1/nurse/agenda?date=2026-12-01", headers=mine))["items"]) == 1
    assert _json(api.http.get("/v1/nurse/agenda?date=2026-12-01", headers=other))["items"] == []
    assert api.http.get("/v1/nurse/agenda?date=2026-12-01", headers=covered_member).status_code == 403


def test_the_lifecycle_only_moves_forward_and_cancelling_frees_the_slot(api, nurses, covered_member, clock):
    nurse, _ = nurses("julia")
    other, _ = nurses("karla")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    _consent(api, covered_member)
    first, second = _slots(api, covered_member, "2026-12-01", "2026-12-01")[:2]
    cancelled = _json(_book(api, covered_member, first["slot_id"]))
    cancel = api.http.post(f"/v1/me/appointments/{cancelled['appointment_id']}/cancel", headers=covered_member)
    assert cancel.status_code == 200 and _json(cancel)["status"] == "cancelled"
    assert first["slot_id"] in {s["slot_id"] for s in _slots(api, covered_member, "2026-12-01", "2026-12-01")}
    assert api.http.post(f"/v1/me/appointments/{cancelled['appointment_id']}/cancel",
                         headers=covered_member).status_code == 409
    assert _book(api, covered_member, first["slot_id"]).status_code == 201  # slot and guards were released

    consult = _json(_book(api, covered_member, second["slot_id"]))
    start_url = f"/v1/nurse/appointments/{consult['appointment_id']}/start"
    end_url = f"/v1/nurse/appointments/{consult['appointment_id']}/end"
    assert api.http.post(start_url, headers=nurse).status_code == 409  # days before: outside the window
    clock(datetime.fromisoformat(consult["start"]) - timedelta(minutes=1))
    late = api.http.post(f"/v1/me/appointments/{consult['appointment_id']}/cancel", headers=covered_member)
    assert late.status_code == 409 and "2 horas" in _json(late)["detail"]
    assert api.http.post(start_url, headers=other).status_code == 404  # another nurse's consult does not exist for her
    note = json.dumps(consult_note())
    assert api.http.post(end_url, headers=nurse, body=note).status_code == 409  # not started yet
    assert _json(api.http.post(start_url, headers=nurse))["status"] == "arrived"
    assert api.http.post(end_url, headers=nurse, body=note).status_code == 201
    (mine,) = [a for a in _json(api.http.get("/v1/me/appointments", headers=covered_member))["items"]
               if a["appointment_id"] == consult["appointment_id"]]
    assert mine["status"] == "fulfilled"
    assert api.http.post(end_url, headers=nurse, body=note).status_code == 409


def test_patient_and_nurse_join_the_same_room_only_inside_the_window(api, nurses, covered_member, member, clock):
    nurse, _ = nurses("luz")
    other, _ = nurses("mara")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    _consent(api, covered_member)
    slot = _slots(api, covered_member, "2026-12-01", "2026-12-01")[0]
    consult = _json(_book(api, covered_member, slot["slot_id"]))
    url = f"/v1/teleconsult/appointments/{consult['appointment_id']}/join"
    start = datetime.fromisoformat(consult["start"])
    clock(start - timedelta(minutes=11))
    assert api.http.post(url, headers=covered_member).status_code == 409
    clock(start - timedelta(minutes=10))
    patient = _json(api.http.post(url, headers=covered_member))
    at_nurse = _json(api.http.post(url, headers=nurse))
    assert patient["meeting_id"] == at_nurse["meeting_id"] and patient["attendee_id"] != at_nurse["attendee_id"]
    assert patient["provider"] == "local" and patient["expires_at"] == consult["end"]
    stranger, _ = member()
    assert api.http.post(url, headers=other).status_code == 404
    assert api.http.post(url, headers=stranger).status_code == 404
    clock(datetime.fromisoformat(consult["end"]) + timedelta(seconds=1))
    assert api.http.post(url, headers=covered_member).status_code == 409


def test_rescheduling_moves_slot_and_guards_together_or_not_at_all(api, nurses, covered_member, member, partner,
                                                                   clock):
    clock(datetime(2026, 11, 5, 9, tzinfo=MX).astimezone(timezone.utc))
    rival, body = member()
    reference = issue(api, rival)
    partner.send(paid(reference["reference"], reference["amount_mxn"], tx="rival-1", paid_at=clock.now()))
    nurse, _ = nurses("nora")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    _consent(api, covered_member)
    _consent(api, rival)
    first, second, third = _slots(api, covered_member, "2026-12-01", "2026-12-01")[:3]
    consult = _json(_book(api, covered_member, first["slot_id"]))
    url = f"/v1/me/appointments/{consult['appointment_id']}/reschedule"
    moved = api.http.post(url, headers=covered_member, body=json.dumps({"slot_id": second["slot_id"]}))
    assert moved.status_code == 200, moved.body
    assert _json(moved)["slot_id"] == second["slot_id"] and _json(moved)["appointment_id"] == consult["appointment_id"]
    free = {s["slot_id"] for s in _slots(api, covered_member, "2026-12-01", "2026-12-01")}
    assert first["slot_id"] in free and second["slot_id"] not in free
    assert _book(api, rival, third["slot_id"]).status_code == 201
    refused = api.http.post(url, headers=covered_member, body=json.dumps({"slot_id": third["slot_id"]}))
    assert refused.status_code == 409
    agenda = _json(api.http.get("/v1/nurse/agenda?date=2026-12-01", headers=nurse))["items"]
    assert sorted(a["slot_id"] for a in agenda) == sorted([second["slot_id"], third["slot_id"]])
    # Nothing moved: the consult still holds the second slot and the patient's time there.
    assert _book(api, covered_member, second["slot_id"]).status_code == 409
    assert _book(api, covered_member, first["slot_id"]).status_code == 201


def test_a_nurse_cancels_with_a_reason_and_the_member_is_told_and_offered_other_times(api, nurses, covered_member,
                                                                                       clock):
    from chalicelib.store.outbox import OutboxItem

    nurse, _ = nurses("olga")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    _consent(api, covered_member)
    slot = _slots(api, covered_member, "2026-12-01", "2026-12-01")[0]
    consult = _json(_book(api, covered_member, slot["slot_id"]))
    url = f"/v1/nurse/appointments/{consult['appointment_id']}/cancel"
    assert api.http.post(url, headers=nurse, body=json.dumps({"reason": ""})).status_code == 422
    cancelled = _json(api.http.post(url, headers=nurse, body=json.dumps({"reason": "Incapacidad médica"})))
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_by"] == "nurse"
    assert slot["slot_id"] not in {s["slot_id"] for s in _slots(api, covered_member, "2026-12-01", "2026-12-01")}
    (notice,) = [i for i in OutboxItem.scan() if i.kind == "appointment-cancelled-by-nurse"]
    assert len(notice.params.as_dict()["offered_slots"]) == 3 and "Incapacidad" not in json.dumps(notice.params.as_dict())
    assert api.http.post(url, headers=nurse, body=json.dumps({"reason": "otra vez"})).status_code == 409


def test_no_shows_are_marked_after_ten_minutes_and_never_on_a_cancelled_consult(api, nurses, covered_member, clock):
    nurse, _ = nurses("paty")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    _consent(api, covered_member)
    first, second = _slots(api, covered_member, "2026-12-01", "2026-12-01")[:2]
    missed = _json(_book(api, covered_member, first["slot_id"]))
    cancelled = _json(_book(api, covered_member, second["slot_id"]))
    api.http.post(f"/v1/me/appointments/{cancelled['appointment_id']}/cancel", headers=covered_member)
    clock(datetime.fromisoformat(missed["start"]) + timedelta(minutes=9))
    url = f"/v1/nurse/appointments/{missed['appointment_id']}/noshow"
    assert api.http.post(url, headers=nurse).status_code == 409
    clock(datetime.fromisoformat(missed["start"]) + timedelta(minutes=10))
    marked = _json(api.http.post(url, headers=nurse))
    assert marked["status"] == "noshow" and marked["noshow_party"] == "patient"
    assert api.http.post(f"/v1/me/appointments/{missed['appointment_id']}/noshow", headers=covered_member).status_code == 409
    clock(datetime.fromisoformat(cancelled["start"]) + timedelta(minutes=30))
    assert api.http.post(f"/v1/nurse/appointments/{cancelled['appointment_id']}/noshow", headers=nurse).status_code == 409


def test_a_member_holds_at_most_three_upcoming_consults(api, nurses, covered_member, clock):
    nurse, _ = nurses("quica")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    _consent(api, covered_member)
    slots = _slots(api, covered_member, "2026-12-01", "2026-12-01")[:5]
    booked = [_json(_book(api, covered_member, slot["slot_id"])) for slot in slots[:3]]
    fourth = _book(api, covered_member, slots[3]["slot_id"])
    assert fourth.status_code == 409 and "3" in _json(fourth)["detail"]
    api.http.post(f"/v1/me/appointments/{booked[0]['appointment_id']}/cancel", headers=covered_member)
    assert _book(api, covered_member, slots[3]["slot_id"]).status_code == 201


def test_reminders_go_out_24_hours_and_1_hour_before_once_each_without_health_data(api, nurses, covered_member, clock):
    from chalicelib.services import jobs
    from chalicelib.store.outbox import OutboxItem

    nurse, _ = nurses("rita")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    _consent(api, covered_member)
    first, second = _slots(api, covered_member, "2026-12-01", "2026-12-01")[:2]
    consult = _json(_book(api, covered_member, first["slot_id"]))
    cancelled = _json(_book(api, covered_member, second["slot_id"]))
    api.http.post(f"/v1/me/appointments/{cancelled['appointment_id']}/cancel", headers=covered_member)
    start = datetime.fromisoformat(consult["start"])
    assert jobs.remind_consults(start - timedelta(hours=25)) == 0
    assert jobs.remind_consults(start - timedelta(hours=23, minutes=50)) == 1
    assert jobs.remind_consults(start - timedelta(hours=23, minutes=35)) == 0  # already sent
    assert jobs.remind_consults(start - timedelta(minutes=55)) == 1
    reminders = [i for i in OutboxItem.scan() if i.kind.startswith("consult-reminder")]
    assert sorted(i.kind for i in reminders) == ["consult-reminder-1h", "consult-reminder-24h"]
    for reminder in reminders:
        assert reminder.params.as_dict()["appointment_id"] == consult["appointment_id"]
        assert "Dolor" not in json.dumps(reminder.params.as_dict())


def test_the_daily_job_rolls_each_nurses_horizon_forward(api, nurses, clock):
    from chalicelib.services import jobs

    nurse, nurse_id = nurses("sara")
    clock(datetime(2026, 11, 23, 7, tzinfo=MX).astimezone(timezone.utc))  # a Monday
    _publish(api, nurse)  # two weeks: through Monday 7 December
    assert jobs.roll_slot_horizons(clock.now(), (nurse_id,)) == 0
    tuesday = clock(datetime(2026, 11, 24, 7, tzinfo=MX).astimezone(timezone.utc))
    assert jobs.roll_slot_horizons(tuesday, (nurse_id,)) == 6


def test_availability_messages_name_the_day_in_the_callers_language(api, nurses):
    headers, _ = nurses("tere")
    body = json.dumps({"windows": [{"weekday": 2, "start": "06:00", "end": "09:00"}]})
    spanish = _json(api.http.put("/v1/nurse/availability", headers=headers, body=body))["errors"][0]["message"]
    english = _json(api.http.put("/v1/nurse/availability", headers={**headers, "Accept-Language": "en"},
                                 body=body))["errors"][0]["message"]
    assert "miércoles" in spanish and "wednesday" in english


def _wait(api, headers, first, last, **extra):
    return api.http.post("/v1/teleconsult/waitlist", headers=headers,
                         body=json.dumps({"from": first, "to": last, **extra}))


def test_joining_the_waitlist_checks_days_coverage_and_consent(api, nurses, covered_member, member, clock):
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    past = _wait(api, covered_member, "2026-11-24", "2026-11-30")
    assert past.status_code == 422 and [e["field"] for e in _json(past)["errors"]] == ["from"]
    too_long = _wait(api, covered_member, "2026-12-01", "2026-12-15")
    assert too_long.status_code == 422 and [e["field"] for e in _json(too_long)["errors"]] == ["to"]
    no_consent = _wait(api, covered_member, "2026-12-01", "2026-12-02")
    assert no_consent.status_code == 409 and "consentimiento" in _json(no_consent)["detail"]
    _consent(api, covered_member)
    uncovered = _wait(api, covered_member, "2026-12-30", "2027-01-02")
    assert uncovered.status_code == 409 and "2027-01" in _json(uncovered)["detail"]
    joined = _wait(api, covered_member, "2026-12-01", "2026-12-02")
    assert joined.status_code == 201 and _json(joined)["days"] == ["2026-12-01", "2026-12-02"]
    assert _wait(api, covered_member, "2026-12-03", "2026-12-03").status_code == 409
    (entry,) = _json(api.http.get("/v1/teleconsult/waitlist", headers=covered_member))["items"]
    assert entry["patient_id"] == _json(joined)["patient_id"]
    url = f"/v1/teleconsult/waitlist/{entry['patient_id']}"
    assert api.http.delete(url, headers=covered_member).status_code == 200
    assert api.http.delete(url, headers=covered_member).status_code == 404
    assert _json(api.http.get("/v1/teleconsult/waitlist", headers=covered_member))["items"] == []
    other, _ = member()
    assert _json(api.http.get("/v1/teleconsult/slots?from=2026-12-05&to=2026-12-06", headers=other))["waitlist"] \
        == "/v1/teleconsult/waitlist"


def _three_consenting_members_and_a_nurse(api, nurses, member, partner, clock):
    """Three members covered in December who accepted the consent; a nurse publishing weekdays; 25 November."""
    people = [_pays_december(api, member, partner, clock) for _ in range(3)]
    nurse, _ = nurses("tere")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    for headers in people:
        _consent(api, headers)
    return people


def test_a_freed_slot_is_held_for_the_first_waiting_member_then_opens_to_everyone(api, nurses, member, partner, clock):
    from chalicelib.store.outbox import OutboxItem

    first_in_line, second_in_line, holder = _three_consenting_members_and_a_nurse(api, nurses, member, partner, clock)
    slot, other = _slots(api, holder, "2026-12-01", "2026-12-01")[:2]
    consult = _json(_book(api, holder, slot["slot_id"]))
    assert _wait(api, first_in_line, "2026-12-01", "2026-12-03").status_code == 201
    clock(clock.now() + timedelta(minutes=1))
    assert _wait(api, second_in_line, "2026-12-01", "2026-12-01").status_code == 201

    api.http.post(f"/v1/me/appointments/{consult['appointment_id']}/cancel", headers=holder)
    (held,) = [s for s in _slots(api, first_in_line, "2026-12-01", "2026-12-01") if s["slot_id"] == slot["slot_id"]]
    assert datetime.fromisoformat(held["held_for_you_until"]) == clock.now() + timedelta(minutes=30)
    assert slot["slot_id"] not in {s["slot_id"] for s in _slots(api, second_in_line, "2026-12-01", "2026-12-01")}
    assert _book(api, second_in_line, slot["slot_id"]).status_code == 409
    (offer,) = [i.params.as_dict() for i in OutboxItem.scan() if i.kind == "slot-offered"]
    assert offer["slot_id"] == slot["slot_id"] and "Dolor" not in json.dumps(offer)
    assert _json(api.http.get("/v1/teleconsult/waitlist", headers=first_in_line))["items"] == []  # offered: off the list
    assert len(_json(api.http.get("/v1/teleconsult/waitlist", headers=second_in_line))["items"]) == 1

    # The next slot freed that day goes to the second in line; unclaimed for 30 minutes, it is anyone's.
    again = _json(_book(api, holder, other["slot_id"]))
    api.http.post(f"/v1/me/appointments/{again['appointment_id']}/cancel", headers=holder)
    assert any(s["slot_id"] == other["slot_id"] and s["held_for_you_until"]
               for s in _slots(api, second_in_line, "2026-12-01", "2026-12-01"))
    assert _book(api, holder, other["slot_id"]).status_code == 409
    clock(clock.now() + timedelta(minutes=30))
    assert _book(api, holder, other["slot_id"]).status_code == 201
    assert _book(api, first_in_line, slot["slot_id"]).status_code == 201


def test_booking_takes_the_patient_off_the_waitlist_and_stale_days_are_skipped(api, nurses, member, partner, clock):
    booked_meanwhile, still_waiting, holder = _three_consenting_members_and_a_nurse(api, nurses, member, partner, clock)
    freed, elsewhere = _slots(api, holder, "2026-12-01", "2026-12-01")[:2]
    consult = _json(_book(api, holder, freed["slot_id"]))
    _wait(api, booked_meanwhile, "2026-12-01", "2026-12-01")
    clock(clock.now() + timedelta(minutes=1))
    _wait(api, still_waiting, "2026-12-01", "2026-12-01")
    assert _book(api, booked_meanwhile, elsewhere["slot_id"]).status_code == 201
    assert _json(api.http.get("/v1/teleconsult/waitlist", headers=booked_meanwhile))["items"] == []

    api.http.post(f"/v1/me/appointments/{consult['appointment_id']}/cancel", headers=holder)
    (held,) = [s for s in _slots(api, still_waiting, "2026-12-01", "2026-12-01") if s["slot_id"] == freed["slot_id"]]
    assert held["held_for_you_until"] is not None


def test_the_booking_reason_is_sealed_at_rest_and_shown_only_in_the_two_lists(api, aws, nurses, covered_member, clock):
    """Clinical free text: ciphertext in the table (bound to its appointment), absent from the answers to changes and
    so from the booking's idempotency record, opened for the member's list and the nurse's agenda."""
    from cryptography.exceptions import InvalidTag

    from chalicelib.store.teleconsult import AppointmentItem

    nurse, _ = nurses("rosa")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    _consent(api, covered_member)
    first, second = _slots(api, covered_member, "2026-12-01", "2026-12-01")[:2]
    reason = "Sangrado nasal recurrente"
    booked = api.http.post("/v1/teleconsult/appointments", headers={**covered_member, "Idempotency-Key": "reason-1"},
                           body=json.dumps({"slot_id": first["slot_id"], "reason": reason}))
    assert booked.status_code == 201 and "reason" not in _json(booked)
    other = _json(_book(api, covered_member, second["slot_id"]))
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for table in wiring.settings().tables.values():  # a test may Scan: it reads everything on purpose
        assert "Sangrado" not in json.dumps(dynamodb.scan(TableName=table)["Items"], default=str), table

    mine = {a["appointment_id"]: a["reason"] for a in _json(api.http.get("/v1/me/appointments",
                                                                         headers=covered_member))["items"]}
    assert mine == {_json(booked)["appointment_id"]: reason, other["appointment_id"]: "Dolor de cabeza frecuente"}
    agenda = _json(api.http.get("/v1/nurse/agenda?date=2026-12-01", headers=nurse))["items"]
    assert {a["appointment_id"]: a["reason"] for a in agenda} == mine

    # Someone with write access to the table moves one consult's reason onto another: it no longer opens.
    moved = AppointmentItem.get(f"APPOINTMENT#{_json(booked)['appointment_id']}", "APPOINTMENT")
    target = AppointmentItem.get(f"APPOINTMENT#{other['appointment_id']}", "APPOINTMENT")
    target.update(actions=[AppointmentItem.reason_sealed.set(moved.reason_sealed),
                           AppointmentItem.reason_key.set(moved.reason_key)])
    with pytest.raises(InvalidTag):
        wiring.booking_reasons().open(teleconsult_store.get_appointment(other["appointment_id"]).reason,
                                      other["appointment_id"])
