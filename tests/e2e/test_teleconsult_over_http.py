"""Teleconsultation booking over HTTP against the local stack: fifty members race for one slot."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from chalicelib.domain.teleconsult import CONSENT_VERSION
from local.aws import StackState
from local.users import LOCAL_PASSWORD
from tests.e2e.test_payments_over_http import _issue, _post_webhook, _register, _secrets, _succeeded

RACERS = 50


def _covered_member(stack, secret: str, run: str, i: int) -> dict:
    headers, _, _ = _register(stack, f"racer-{run}-{i}")
    reference = _issue(stack, headers, 2)
    body = _succeeded(reference=reference["reference"], amount=reference["amount_mxn"], tx=f"race-{run}-{i}",
                      channel="finabien")
    assert _post_webhook(stack, "finabien", body, secret, f"msg-race-{run}-{i}").json()["status"] == "applied"
    consent = stack.request("POST", "/v1/me/consents/teleconsultation", headers=headers,
                            json_body={"version": CONSENT_VERSION})
    assert consent.status == 201, consent.body
    return {"headers": headers, "months": reference["months"]}


def _nurse_with_slots(stack, run: str) -> tuple[dict, str]:
    """A nurse created by an operator, publishing 09:00–12:00 every day for 12 weeks: her headers and id."""
    operator = stack.signed_in("operator", f"op-{run}")
    username = f"nurse-{run}"
    created = stack.request("POST", "/v1/operators/nurses", headers=operator, json_body={
        "username": username, "email": f"{username}@example.com", "full_name": "Enf. Rosa Carrera",
        "cedula_profesional": "7654321", "languages": ["es"]})
    assert created.status == 201, created.body
    state = StackState.load(stack.state_dir / "stack.json")
    state.endpoints.client("cognito-idp").admin_set_user_password(
        UserPoolId=state.user_pool_id, Username=username, Password=LOCAL_PASSWORD, Permanent=True)
    nurse = stack.signed_in("nurse", username)
    every_day = {"windows": [{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(7)], "horizon_weeks": 12}
    published = stack.request("PUT", "/v1/nurse/availability", headers=nurse, json_body=every_day)
    assert published.status == 200 and published.json()["slots_added"] > 0, published.body
    return nurse, created.json()["nurse_id"]


def test_fifty_parallel_bookings_of_one_slot_give_one_201_and_forty_nine_409s(stack):
    run = uuid.uuid4().hex[:8]
    nurse, nurse_id = _nurse_with_slots(stack, run)
    secret = _secrets(stack)["finabien"]
    members = [_covered_member(stack, secret, run, i) for i in range(RACERS)]
    month = members[0]["months"][0]  # every racer is covered for the same two months
    day_query = f"/v1/teleconsult/slots?from={month}-05&to={month}-05&limit=100"
    listed = stack.request("GET", day_query, headers=members[0]["headers"])
    ours = [s for s in listed.json()["items"] if s["nurse"]["nurse_id"] == nurse_id]
    target = ours[0]["slot_id"]

    def book(member):
        return stack.request("POST", "/v1/teleconsult/appointments", headers=member["headers"],
                             json_body={"slot_id": target, "reason": "Control de presión arterial"})

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        answers = list(pool.map(book, members))
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [201] + [409] * (RACERS - 1), statuses
    for answer in answers:
        if answer.status == 409:
            alternatives = answer.json()["alternatives"]
            assert alternatives and target not in {a["slot_id"] for a in alternatives}
    day = datetime.fromisoformat(ours[0]["start_mexico_city"]).date().isoformat()
    agenda = stack.request("GET", f"/v1/nurse/agenda?date={day}", headers=nurse).json()["items"]
    assert [a["slot_id"] for a in agenda] == [target]
    after = stack.request("GET", day_query, headers=members[0]["headers"])
    assert target not in {s["slot_id"] for s in after.json()["items"]}


def test_slots_freed_at_once_are_offered_once_to_the_one_waiting_member(stack):
    """Eight members cancel consults of one day in parallel while one member waits for that day: exactly one slot is
    held for the waiter, the others are open to everyone, and the waiter has left the list."""
    run = uuid.uuid4().hex[:8]
    _, nurse_id = _nurse_with_slots(stack, run)
    secret = _secrets(stack)["finabien"]
    holders = [_covered_member(stack, secret, run, i) for i in range(8)]
    waiter = _covered_member(stack, secret, run, 99)
    day = f"{holders[0]['months'][0]}-12"
    query = f"/v1/teleconsult/slots?from={day}&to={day}&limit=100"
    ours = [s for s in stack.request("GET", query, headers=waiter["headers"]).json()["items"]
            if s["nurse"]["nurse_id"] == nurse_id]
    consults = []
    for holder, slot in zip(holders, ours):
        booked = stack.request("POST", "/v1/teleconsult/appointments", headers=holder["headers"],
                               json_body={"slot_id": slot["slot_id"], "reason": "Revisión de presión"})
        assert booked.status == 201, booked.body
        consults.append((holder, booked.json()["appointment_id"], slot["slot_id"]))
    joined = stack.request("POST", "/v1/teleconsult/waitlist", headers=waiter["headers"],
                           json_body={"from": day, "to": day})
    assert joined.status == 201, joined.body

    def cancel(consult):
        holder, appointment_id, _ = consult
        return stack.request("POST", f"/v1/me/appointments/{appointment_id}/cancel", headers=holder["headers"]).status

    with ThreadPoolExecutor(max_workers=len(consults)) as pool:
        assert list(pool.map(cancel, consults)) == [200] * len(consults)
    freed = {slot_id for _, _, slot_id in consults}
    for_waiter = [s for s in stack.request("GET", query, headers=waiter["headers"]).json()["items"]
                  if s["slot_id"] in freed]
    held = [s["slot_id"] for s in for_waiter if s["held_for_you_until"]]
    assert len(for_waiter) == len(freed) and len(held) == 1
    for_others = {s["slot_id"] for s in stack.request("GET", query, headers=holders[0]["headers"]).json()["items"]}
    assert freed - for_others == set(held)
    assert stack.request("GET", "/v1/teleconsult/waitlist", headers=waiter["headers"]).json()["items"] == []


def test_bookings_racing_a_nurses_deactivation_all_end_cancelled(stack):
    """Members book her slots while an operator deactivates her: whichever booking wins its slot before the removal,
    none is left booked with a nurse who can no longer attend, and none of her slots stays free."""
    run = uuid.uuid4().hex[:8]
    _, nurse_id = _nurse_with_slots(stack, run)
    secret = _secrets(stack)["finabien"]
    members = [_covered_member(stack, secret, run, i) for i in range(12)]
    month = members[0]["months"][0]
    listed = stack.request("GET", f"/v1/teleconsult/slots?from={month}-05&to={month}-06&limit=100",
                           headers=members[0]["headers"]).json()["items"]
    hers = [s["slot_id"] for s in listed if s["nurse"]["nurse_id"] == nurse_id]
    operator = stack.signed_in("operator", f"op-{run}")

    def book(pair):
        member, slot_id = pair
        return stack.request("POST", "/v1/teleconsult/appointments", headers=member["headers"],
                             json_body={"slot_id": slot_id, "reason": "Control de presión arterial"})

    def deactivate(_):
        return stack.request("POST", f"/v1/operators/nurses/{nurse_id}/deactivate", headers=operator,
                             json_body={"reason": "Dejó el programa"})

    with ThreadPoolExecutor(max_workers=13) as pool:
        deactivated = pool.submit(deactivate, None)
        bookings = list(pool.map(book, zip(members, hers)))
        assert deactivated.result().status == 200, deactivated.result().body
    assert {answer.status for answer in bookings} <= {201, 404, 409}
    booked = [answer.json()["appointment_id"] for answer in bookings if answer.status == 201]
    for member in members:
        for consult in stack.request("GET", "/v1/me/appointments", headers=member["headers"]).json()["items"]:
            if consult["appointment_id"] in booked:
                assert (consult["status"], consult["cancelled_by"]) == ("cancelled", "nurse")
    after = stack.request("GET", f"/v1/teleconsult/slots?from={month}-05&to={month}-06&limit=100",
                          headers=members[0]["headers"]).json()["items"]
    assert nurse_id not in {s["nurse"]["nurse_id"] for s in after}
