"""Operators list and deactivate nurses; a nurse books her patient's follow-up at the end of a consult."""

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from chalicelib.domain.teleconsult import NURSE_LEFT_REASON
from chalicelib.services import teleconsult as service
from chalicelib.store.outbox import OutboxItem
from tests.api.test_teleconsult import MX, WEEKDAYS_9_TO_11, _book, _consent, _json, _publish, _slots
from tests.api.test_teleconsult import covered_member, nurses  # noqa: F401 (fixtures)

LEFT = json.dumps({"reason": "Terminó su contrato con el IMSS"})


def _notices(kind: str) -> list[dict]:
    return [item.params.as_dict() for item in OutboxItem.scan() if item.kind == kind]


def test_operators_list_the_nurses_a_page_at_a_time(api, nurses, operator, member):
    _, ana = nurses("ana")
    _, bety = nurses("bety")
    first = _json(api.http.get("/v1/operators/nurses?limit=1", headers=operator))
    assert len(first["items"]) == 1 and first["next"]
    second = _json(api.http.get(f"/v1/operators/nurses?limit=1&after={first['next']}", headers=operator))
    listed = first["items"] + second["items"]
    assert {n["nurse_id"] for n in listed} == {ana, bety} and {n["status"] for n in listed} == {"active"}
    headers, _ = member()
    assert api.http.get("/v1/operators/nurses", headers=headers).status_code == 403
    assert api.http.get("/v1/operators/nurses?limit=0", headers=operator).status_code == 422
    assert api.http.get("/v1/operators/nurses?after=%27%20OR%201", headers=operator).status_code == 422


def test_a_deactivated_nurse_loses_her_account_slots_and_booked_consults(api, aws, nurses, operator, covered_member,
                                                                          clock):
    nurse, nurse_id = nurses("carla")
    other, _ = nurses("dora")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    _publish(api, other)
    _consent(api, covered_member)
    hers = [s for s in _slots(api, covered_member, "2026-12-01", "2026-12-01") if s["nurse"]["nurse_id"] == nurse_id]
    consult = _json(_book(api, covered_member, hers[0]["slot_id"]))
    url = f"/v1/operators/nurses/{nurse_id}/deactivate"

    refused = api.http.post(url, headers=operator, body=json.dumps({"reason": "x"}))
    assert refused.status_code == 422 and _json(refused)["errors"][0]["field"] == "reason"
    assert api.http.post(url, headers=other, body=LEFT).status_code == 403
    done = _json(api.http.post(url, headers=operator, body=LEFT))
    assert done["consults_cancelled"] == 1 and done["slots_removed"] > 0
    assert done["nurse"]["status"] == "inactive" and done["nurse"]["deactivation_reason"].startswith("Terminó")

    assert all(s["nurse"]["nurse_id"] != nurse_id for s in _slots(api, covered_member, "2026-12-01", "2026-12-14"))
    (mine,) = [a for a in _json(api.http.get("/v1/me/appointments", headers=covered_member))["items"]
               if a["appointment_id"] == consult["appointment_id"]]
    assert (mine["status"], mine["cancelled_by"], mine["cancel_reason"]) == ("cancelled", "nurse", NURSE_LEFT_REASON)
    (notice,) = _notices("appointment-cancelled-by-nurse")
    assert "contrato" not in json.dumps(notice)  # the operator's reason stays with the nurse's profile
    assert aws.cognito.admin_get_user(UserPoolId=aws.pool_id, Username="carla")["Enabled"] is False
    republish = api.http.put("/v1/nurse/availability", headers=nurse, body=json.dumps(WEEKDAYS_9_TO_11))
    assert republish.status_code == 409 and "dada de baja" in _json(republish)["detail"]

    again = _json(api.http.post(url, headers=operator, body=LEFT))  # a retry finishes nothing twice
    assert (again["consults_cancelled"], again["slots_removed"], again["nurse"]) == (0, 0, done["nurse"])
    listed = _json(api.http.get("/v1/operators/nurses", headers=operator))["items"]
    assert {n["username"]: n["status"] for n in listed} == {"carla": "inactive", "dora": "active"}
    unknown = api.http.post("/v1/operators/nurses/no-such-nurse/deactivate", headers=operator, body=LEFT)
    assert unknown.status_code == 404


def _started_consult(api, nurses, covered_member, clock):
    """A consult on 1 December that its nurse has opened; returns (nurse headers, nurse id, consult)."""
    nurse, nurse_id = nurses("elena")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    _consent(api, covered_member)
    slot = next(s for s in _slots(api, covered_member, "2026-12-01", "2026-12-01")
                if s["nurse"]["nurse_id"] == nurse_id)
    consult = _json(_book(api, covered_member, slot["slot_id"]))
    follow_up = f"/v1/nurse/appointments/{consult['appointment_id']}/follow-up"
    early = api.http.get(f"{follow_up}/slots?from=2026-12-02&to=2026-12-08", headers=nurse)
    assert early.status_code == 409  # not opened yet
    clock(datetime.fromisoformat(consult["start"]))
    assert api.http.post(f"/v1/nurse/appointments/{consult['appointment_id']}/start", headers=nurse).status_code == 200
    return nurse, nurse_id, consult


def test_a_nurse_books_her_patients_follow_up_which_the_member_sees_and_may_cancel(api, nurses, covered_member, clock):
    nurse, nurse_id, consult = _started_consult(api, nurses, covered_member, clock)
    other, other_id = nurses("fany")
    _publish(api, other)
    url = f"/v1/nurse/appointments/{consult['appointment_id']}/follow-up"

    mine = _json(api.http.get(f"{url}/slots?from=2026-12-08&to=2026-12-10&nurse=me&limit=3", headers=nurse))
    assert len(mine["items"]) == 3 and {s["nurse"]["nurse_id"] for s in mine["items"]} == {nurse_id}
    more = _json(api.http.get(f"{url}/slots?from=2026-12-08&to=2026-12-10&nurse=me&limit=3&cursor="
                              f"{quote(mine['next'])}", headers=nurse))
    assert more["items"][0]["start"] > mine["items"][-1]["start"]
    anyone = _json(api.http.get(f"{url}/slots?from=2026-12-08&to=2026-12-08&limit=100", headers=nurse))
    assert {s["nurse"]["nurse_id"] for s in anyone["items"]} == {nurse_id, other_id}
    assert api.http.get(f"{url}/slots?from=2026-12-08&to=2026-12-08", headers=other).status_code == 404  # not hers
    forged = api.http.get(f"{url}/slots?from=2026-12-08&to=2026-12-10&nurse=me&cursor=2026-12-08%7Cnot-a-time",
                          headers=nurse)
    assert forged.status_code == 422 and _json(forged)["errors"][0]["field"] == "query.cursor"

    headers = {**nurse, "Idempotency-Key": "follow-up-1"}
    body = json.dumps({"slot_id": mine["items"][0]["slot_id"], "reason": "Revisar presión en una semana"})
    booked = api.http.post(url, headers=headers, body=body)
    assert booked.status_code == 201, booked.body
    follow_up = _json(booked)
    assert follow_up["follow_up_of"] == consult["appointment_id"] and follow_up["patient_id"] == consult["patient_id"]
    assert _json(api.http.post(url, headers=headers, body=body)) == follow_up  # a retry answers the same booking
    (notice,) = _notices("follow-up-booked")
    assert notice == {"appointment_id": follow_up["appointment_id"], "follow_up_of": consult["appointment_id"],
                      "start": datetime.fromisoformat(follow_up["start"]).isoformat()}

    listed = {a["appointment_id"]: a for a in _json(api.http.get("/v1/me/appointments",
                                                                 headers=covered_member))["items"]}
    assert listed[follow_up["appointment_id"]]["reason"] == "Revisar presión en una semana"
    cancel = api.http.post(f"/v1/me/appointments/{follow_up['appointment_id']}/cancel", headers=covered_member)
    assert cancel.status_code == 200


def test_a_follow_up_keeps_the_members_booking_rules(api, nurses, covered_member, clock):
    nurse, nurse_id, consult = _started_consult(api, nurses, covered_member, clock)
    url = f"/v1/nurse/appointments/{consult['appointment_id']}/follow-up"
    _publish(api, nurse, {**WEEKDAYS_9_TO_11, "horizon_weeks": 8})
    january = _json(api.http.get(f"{url}/slots?from=2027-01-05&to=2027-01-05&nurse=me", headers=nurse))["items"]
    uncovered = api.http.post(url, headers=nurse, body=json.dumps({"slot_id": january[0]["slot_id"],
                                                                   "reason": "Control en enero"}))
    assert uncovered.status_code == 409  # December only is paid; told to her, not as to the member
    assert _json(uncovered)["detail"] == "El paciente no tiene cobertura en 2027-01; elija un horario de un mes cubierto."
    december = _json(api.http.get(f"{url}/slots?from=2026-12-08&to=2026-12-08&nurse=me", headers=nurse))["items"]
    assert api.http.post(url, headers=nurse, body=json.dumps({"slot_id": december[0]["slot_id"],
                                                              "reason": "Control"})).status_code == 201
    taken = api.http.post(url, headers=nurse, body=json.dumps({"slot_id": december[0]["slot_id"],
                                                               "reason": "Control"}))
    assert taken.status_code == 409 and _json(taken)["alternatives"]
    hostile = api.http.post(url, headers=nurse, body=json.dumps({"slot_id": "../../x", "reason": 5}))
    assert hostile.status_code == 422 and {e["field"] for e in _json(hostile)["errors"]} == {"slot_id", "reason"}


EVENINGS = {"windows": [{"weekday": d, "start": "17:00", "end": "20:00"} for d in range(5)],
            "slot_minutes": 20, "lead_minutes": 60, "horizon_weeks": 3}


def test_her_evening_slots_are_listed_on_their_mexico_city_day(api, nurses, covered_member, clock):
    """17:00–20:00 in Mexico City runs past midnight UTC: the day's slots are still that day's, whoever's."""
    nurse, _, consult = _started_consult(api, nurses, covered_member, clock)
    _publish(api, nurse, EVENINGS)
    url = f"/v1/nurse/appointments/{consult['appointment_id']}/follow-up/slots?from=2026-12-08&to=2026-12-08"
    mine = _json(api.http.get(f"{url}&nurse=me&limit=100", headers=nurse))["items"]
    anyone = _json(api.http.get(f"{url}&nurse=any&limit=100", headers=nurse))["items"]
    assert len(mine) == len(anyone) == 9
    assert {datetime.fromisoformat(s["start"]).astimezone(MX).date().isoformat() for s in mine} == {"2026-12-08"}
    first = _json(api.http.get(f"{url}&nurse=me&limit=4", headers=nurse))
    rest = _json(api.http.get(f"{url}&nurse=me&limit=100&cursor={quote(first['next'])}", headers=nurse))["items"]
    assert [s["slot_id"] for s in first["items"] + rest] == [s["slot_id"] for s in mine]
    for forged in ("2026-12-08|9999-12-31T23:59:00+00:00#x", "2026-12-08|0001-01-01T00:00:00+14:00#x",
                   "2026-12-08|2026-12-10T18:00:00+00:00#x"):  # a start on another day than the cursor's
        assert api.http.get(f"{url}&nurse=me&cursor={quote(forged)}", headers=nurse).status_code == 422


def test_a_follow_up_is_booked_at_the_end_of_the_consult_not_weeks_later(api, nurses, covered_member, clock):
    """Booking one opens her access to the patient's record, so it cannot reopen a past patient's."""
    nurse, _, consult = _started_consult(api, nurses, covered_member, clock)
    url = f"/v1/nurse/appointments/{consult['appointment_id']}/follow-up"
    slot = _json(api.http.get(f"{url}/slots?from=2026-12-08&to=2026-12-08&nurse=me", headers=nurse))["items"][0]
    clock(datetime.fromisoformat(consult["end"]) + timedelta(hours=25))
    late = api.http.post(url, headers=nurse, body=json.dumps({"slot_id": slot["slot_id"], "reason": "Control"}))
    assert late.status_code == 409 and "24 horas" in _json(late)["detail"]


def test_an_idempotency_key_replays_only_for_the_same_consult(api, nurses, covered_member, clock):
    nurse, _, consult = _started_consult(api, nurses, covered_member, clock)
    url = f"/v1/nurse/appointments/{consult['appointment_id']}/follow-up"
    slot = _json(api.http.get(f"{url}/slots?from=2026-12-08&to=2026-12-08&nurse=me", headers=nurse))["items"][0]
    headers, body = {**nurse, "Idempotency-Key": "fu-1"}, json.dumps({"slot_id": slot["slot_id"], "reason": "Control"})
    assert api.http.post(url, headers=headers, body=body).status_code == 201
    elsewhere = api.http.post("/v1/nurse/appointments/00000000-0000-4000-8000-000000000000/follow-up",
                              headers=headers, body=body)
    assert elsewhere.status_code == 422 and elsewhere.headers.get("Idempotent-Replayed") is None


def test_a_deactivation_cancels_a_consult_that_began_unopened_and_races_leave_nothing_bookable(
        api, nurses, operator, covered_member, monkeypatch, clock):
    nurse, nurse_id = nurses("gina")
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(api, nurse)
    _consent(api, covered_member)
    hers = [s for s in _slots(api, covered_member, "2026-12-01", "2026-12-01") if s["nurse"]["nurse_id"] == nurse_id]
    begun, freed = (_json(_book(api, covered_member, slot["slot_id"])) for slot in hers[:2])
    real_slots_from = service.store.slots_from

    def member_cancels_meanwhile(nurse_id, since):
        found = real_slots_from(nurse_id, since)  # the member frees a slot after the deactivation read hers
        assert service.cancel_by_member(freed["member_id"], freed["appointment_id"], datetime.fromisoformat(
            begun["start"]) - timedelta(hours=3)).status == "cancelled"
        return found

    monkeypatch.setattr(service.store, "slots_from", member_cancels_meanwhile)
    clock(datetime.fromisoformat(begun["start"]) + timedelta(minutes=1))  # begun, never opened
    done = _json(api.http.post(f"/v1/operators/nurses/{nurse_id}/deactivate", headers=operator, body=LEFT))
    statuses = {a["appointment_id"]: a["status"]
                for a in _json(api.http.get("/v1/me/appointments", headers=covered_member))["items"]}
    assert done["consults_cancelled"] == 1 and statuses[begun["appointment_id"]] == "cancelled"
    clock(datetime(2026, 11, 30, 9, tzinfo=MX).astimezone(timezone.utc))
    again = _book(api, covered_member, freed["slot_id"])  # freed again by the member's cancel: still not bookable
    assert again.status_code == 409 and "dada de baja" in _json(again)["detail"]


def test_the_operator_who_loses_a_deactivation_race_is_answered_what_the_winner_wrote(api, nurses, operator,
                                                                                      monkeypatch):
    _, nurse_id = nurses("hilda")
    disable = service.identities.disable_user
    raced = []

    def another_operator_first(*arguments):
        disable(*arguments)
        if not raced:
            raced.append(None)  # the other operator's own call goes straight through
            raced[0] = api.http.post(f"/v1/operators/nurses/{nurse_id}/deactivate", headers=operator, body=LEFT)

    monkeypatch.setattr(service.identities, "disable_user", another_operator_first)
    loser = _json(api.http.post(f"/v1/operators/nurses/{nurse_id}/deactivate", headers=operator, body=LEFT))
    assert raced[0].status_code == 200 and loser["nurse"] == _json(raced[0])["nurse"]
    assert loser["nurse"]["status"] == "inactive"
