"""The main flows' real answers, each with the operation it answers: what the generated-contract tests parse."""

import json
from datetime import datetime
from typing import NamedTuple

from chalicelib.auth import Role
from tests.api.test_records import _attend
from tests.api.test_teleconsult import _book, _slots
from tests.people import registration


class Answer(NamedTuple):
    name: str  # of the TypeScript constant
    path: str  # the operation's path template, as the document lists it
    method: str
    response: object  # the chalice test client's answer


def main_flow_answers(api, aws, clock, scene, account: str) -> list[Answer]:
    """The main flows' real answers, with the operation each one answers; `account` registers anew."""
    answers = []

    def answer(name: str, path: str, method: str, response) -> dict:
        assert response.status_code < 300, (name, response.status_code, response.body)
        answers.append(Answer(name, path, method, response))
        return json.loads(response.body)

    newcomer = {"Authorization": f"Bearer {aws.token(Role.MEMBER, account)}",
                "Content-Type": "application/json"}
    registered = answer("registered", "/v1/registrations", "post",
                        api.http.post("/v1/registrations", headers=newcomer, body=json.dumps(registration())))
    assert registered["next_step"]["code"]
    answer("reference", "/v1/me/payment-references", "post",
           api.http.post("/v1/me/payment-references", headers=newcomer, body=json.dumps({"months": 1})))

    member, ana, consult = scene["member"], scene["ana"], scene["consult"]
    later = _slots(api, member, "2026-12-02", "2026-12-02")[0]
    answer("booked", "/v1/teleconsult/appointments", "post", _book(api, member, later["slot_id"]))
    profile = answer("profile", "/v1/me", "get", api.http.get("/v1/me", headers=member))
    assert profile["curp"] == scene["curp"]
    references = answer("references", "/v1/me/payment-references", "get",
                        api.http.get("/v1/me/payment-references", headers=member))
    assert references["references"]
    answer("payments", "/v1/me/payments", "get", api.http.get("/v1/me/payments", headers=member))
    listed = answer("appointments", "/v1/me/appointments", "get", api.http.get("/v1/me/appointments", headers=member))
    assert consult["appointment_id"] in [item["appointment_id"] for item in listed["items"]]
    clock(datetime.fromisoformat(consult["start"]))
    answer("joined", "/v1/teleconsult/appointments/{appointment_id}/join", "post",
           api.http.post(f"/v1/teleconsult/appointments/{consult['appointment_id']}/join", headers=member))
    entry = answer("entry", "/v1/nurse/appointments/{appointment_id}/end", "post", _attend(api, clock, ana, consult))
    page = answer("record", "/v1/me/record", "get", api.http.get("/v1/me/record", headers=member))
    assert [e["entry_id"] for e in page["items"]] == [entry["entry_id"]]
    bundle = answer("fhir", "/v1/records/{patient_id}/fhir", "get",
                    api.http.get(f"/v1/records/{scene['patient_id']}/fhir", headers=member))
    assert bundle["resourceType"] == "Bundle" and bundle["entry"]
    return answers
