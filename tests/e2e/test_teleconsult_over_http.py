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


def test_fifty_parallel_bookings_of_one_slot_give_one_201_and_forty_nine_409s(stack):
    run = uuid.uuid4().hex[:8]
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

    secret = _secrets(stack)["finabien"]
    members = [_covered_member(stack, secret, run, i) for i in range(RACERS)]
    month = members[0]["months"][0]  # every racer is covered for the same two months
    nurse_id = created.json()["nurse_id"]
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
