"""Data rights (ARCO) through the real app: the export of everything held, the audited rectification, and an account's
closure from the member's request to the operator's answer (docs/privacy.md)."""

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from chalicelib.auth import Role
from tests.api.conftest import issue, paid
from tests.api.test_records import _attend, scene  # noqa: F401 (fixture)
from tests.api.test_teleconsult import MX, _book, _slots, nurses  # noqa: F401 (fixture)


def _json(response):
    return json.loads(response.body)


def _patch(api, headers, **changes):
    version = api.http.get("/v1/me", headers=headers).headers["ETag"]
    return api.http.patch("/v1/me", headers={**headers, "If-Match": version}, body=json.dumps(changes))


def _close(api, headers):
    return api.http.post("/v1/me/closure", headers=headers)


def _complete(api, operator, request_id):
    return api.http.post(f"/v1/operators/arco-requests/{request_id}/complete", headers=operator)


def test_the_export_holds_everything_including_who_read_the_record_and_each_rectification(
        api, clock, scene):  # noqa: F811
    member = scene["member"]
    _attend(api, clock, scene["ana"], scene["consult"])
    clock(clock.now() + timedelta(hours=1))
    assert api.http.get("/v1/me/record", headers=member).status_code == 200
    assert _patch(api, member, phone="+13105550999", email="otra@example.com").status_code == 200

    export = _json(api.http.get("/v1/me/export", headers=member))

    assert export["member"]["phone"] == "+13105550999" and export["identity"]["person_id"] == scene["patient_id"]
    assert {b["person_id"] for b in export["beneficiaries"]} == {scene["child"], scene["spouse"]}
    [change] = export["profile_changes"]
    assert change["fields"] == ["email", "phone"] and change["by"] == scene["user_id"]
    assert "+13105550999" not in json.dumps(change) and "+13105550123" not in json.dumps(change)
    assert [p["status"] for p in export["payments"]] == ["applied"] and export["payment_references"]
    assert [a["appointment_id"] for a in export["appointments"]] == [scene["consult"]["appointment_id"]]
    assert export["appointments"][0]["reason"] == "Dolor de cabeza frecuente"
    assert [c["patient_id"] for c in export["teleconsult_consents"]] == [scene["patient_id"]]
    assert [(e["actor_role"], e["action"]) for e in export["record_access_log"]] == [
        ("member", "read-record"), ("nurse", "write-note")]
    assert export["devices"] == [] and export["notifications_sent"] == [] and export["closure"] is None


def test_a_rectification_and_its_audit_are_one_write(api, member):
    headers, _ = member()
    etag = api.http.get("/v1/me", headers=headers).headers["ETag"]
    stale = api.http.patch("/v1/me", headers={**headers, "If-Match": '"999"'}, body=json.dumps({"zone": "zlfn"}))
    assert stale.status_code == 412
    assert _json(api.http.get("/v1/me/export", headers=headers))["profile_changes"] == []
    assert api.http.patch("/v1/me", headers={**headers, "If-Match": etag},
                          body=json.dumps({"zone": "zlfn"})).status_code == 200
    assert [c["fields"] for c in _json(api.http.get("/v1/me/export", headers=headers))["profile_changes"]] == [["zone"]]


def test_a_closure_stops_processing_at_once_and_the_operator_answer_erases_and_names_what_is_kept(
        api, aws, clock, scene, operator, event_sources):  # noqa: F811
    member = scene["member"]
    clock(datetime(2026, 11, 30, 10, tzinfo=MX).astimezone(timezone.utc))
    reference = issue(api, member)  # January's, open

    asked = _close(api, member)

    assert asked.status_code == 201, asked.body
    request = _json(asked)
    # 20 business days on the labour calendar from Monday 30 November: 25 December is a rest day.
    assert request["status"] == "open" and request["deadline"] == "2026-12-29"
    assert request["business_days_left"] == 20 and request["status_before"] == "active"
    profile = _json(api.http.get("/v1/me", headers=member))
    assert profile["status"] == "closing" and profile["open_reference"] is None and profile["auto_renewal"] is False
    assert profile["next_step"]["code"] == "closure_in_progress"
    listed = _json(api.http.get("/v1/me/payment-references", headers=member))["references"]
    assert next(r for r in listed if r["reference"] == reference["reference"])["status"] == "superseded"
    consult = next(a for a in _json(api.http.get("/v1/me/appointments", headers=member))["items"]
                   if a["appointment_id"] == scene["consult"]["appointment_id"])
    assert consult["status"] == "cancelled"

    again = _close(api, member)
    assert again.status_code == 200 and _json(again)["request_id"] == request["request_id"]
    assert api.http.post("/v1/me/payment-references", headers=member,
                         body=json.dumps({"months": 1})).status_code == 409
    assert _patch(api, member, zone="zlfn").status_code == 409
    assert api.http.get("/v1/teleconsult/slots?from=2026-12-02&to=2026-12-02", headers=member).status_code == 409
    # The 1 December renewal skips the closing member, though they are covered through December with auto-renewal.
    event_sources.run_jobs(clock(datetime(2026, 12, 1, 1, tzinfo=MX).astimezone(timezone.utc)))
    assert _json(api.http.get("/v1/me", headers=member))["open_reference"] is None

    queue = _json(api.http.get("/v1/operators/arco-requests", headers=operator))
    assert [(r["request_id"], r["business_days_left"]) for r in queue["items"]] == [(request["request_id"], 19)]

    answered = _complete(api, operator, request["request_id"])

    assert answered.status_code == 200, answered.body
    done = _json(answered)
    assert done["status"] == "completed" and done["business_days_left"] == 0
    assert done["completed_by"] not in (None, request["member_id"])
    assert {"email", "phone", "residence", "relative_in_mexico", "beneficiaries", "devices"} <= set(done["erased"])
    kept = {k["data"]: k for k in done["kept"]}
    assert kept["payment_evidence"]["ends_on"] == "2031-11-05" and "art. 30" in kept["payment_evidence"]["law"]
    assert set(kept) == {"payment_evidence", "identity_and_consents", "arco_request"}  # no consult took place
    assert kept["arco_request"]["ends_on"] == "2031-12-01"
    assert kept["payment_evidence"]["explanation"].startswith("Código Fiscal de la Federación, art. 30: 5 años desde")
    in_english = _json(api.http.get("/v1/me/closure", headers={**member, "Accept-Language": "en"}))
    assert {k["data"]: k["explanation"] for k in in_english["kept"]}["payment_evidence"].startswith(
        "Código Fiscal de la Federación, art. 30: 5 years from the last payment")
    [account] = [user for user in aws.cognito.list_users(UserPoolId=aws.pool_id)["Users"]
                 if {"Name": "sub", "Value": scene["user_id"]} in user["Attributes"]]
    assert account["Enabled"] is False
    assert _json(api.http.get("/v1/operators/arco-requests", headers=operator))["items"] == []
    again = _complete(api, operator, request["request_id"])
    assert again.status_code == 200 and _json(again)["completed_at"] == done["completed_at"]


def test_a_closed_account_keeps_no_contact_data_and_lists_what_the_law_keeps(
        api, aws, clock, scene, operator):  # noqa: F811
    member = scene["member"]
    _attend(api, clock, scene["ana"], scene["consult"])  # a medical act on 1 December 2026
    request = _json(_close(api, member))
    export_before = _json(api.http.get("/v1/me/export", headers=member))
    assert export_before["member"]["email"] and export_before["closure"]["status"] == "open"
    # The member's own token outlives the disabled sign-in for its last minutes: read the end state with it.
    assert _complete(api, operator, request["request_id"]).status_code == 200

    profile = _json(api.http.get("/v1/me", headers=member))
    assert profile["status"] == "closed" and profile["next_step"]["code"] == "account_closed"
    assert [profile[f] for f in ("email", "phone", "residence", "relative_in_mexico")] == [None] * 4
    assert profile["curp"] == scene["curp"]  # identity ties the kept records together
    export = _json(api.http.get("/v1/me/export", headers=member))
    assert export["beneficiaries"] == [] and export["member"]["email"] is None
    assert "persona.prueba@example.com" not in json.dumps(export) and "Rosa Prueba" not in json.dumps(export)
    kept = {k["data"]: k["ends_on"] for k in export["closure"]["kept"]}
    assert kept["health_record"] == "2031-12-01" and kept["record_access_log"] == "2031-12-01"
    assert kept["identity_and_consents"] == max(kept.values())
    mine = _json(api.http.get("/v1/me/closure", headers=member))
    recorded = [{field: value for field, value in item.items() if field != "explanation"} for item in mine["kept"]]
    assert mine["status"] == "completed" and recorded == export["closure"]["kept"]


def test_nobody_else_reads_or_answers_a_members_closure(api, member, operator):
    asker, _ = member()
    other, _ = member()
    request = _json(_close(api, asker))
    assert api.http.get("/v1/me/closure", headers=other).status_code == 404
    assert api.http.get(f"/v1/operators/arco-requests/{request['request_id']}", headers=asker).status_code == 403
    assert _complete(api, asker, request["request_id"]).status_code == 403
    assert api.http.get("/v1/operators/arco-requests/not-a-request", headers=operator).status_code == 404
    assert _json(api.http.get(f"/v1/operators/arco-requests/{request['request_id']}",
                              headers=operator))["member_id"] == request["member_id"]


def test_operators_see_open_requests_earliest_deadline_first(api, member, operator, clock):
    first, _ = member()
    second, _ = member()
    clock(datetime(2026, 12, 3, 12, tzinfo=timezone.utc))
    later = _json(_close(api, second))
    clock(datetime(2026, 11, 20, 12, tzinfo=timezone.utc))
    earlier = _json(_close(api, first))
    clock(datetime(2026, 12, 4, 12, tzinfo=timezone.utc))

    page = _json(api.http.get("/v1/operators/arco-requests?limit=1", headers=operator))
    rest = _json(api.http.get(f"/v1/operators/arco-requests?after={quote(page['next'], safe='')}", headers=operator))

    assert [r["request_id"] for r in page["items"] + rest["items"]] == [earlier["request_id"], later["request_id"]]
    assert [r["deadline"] for r in page["items"] + rest["items"]] == ["2026-12-18", "2027-01-04"]
    assert page["items"][0]["business_days_left"] == 10


@pytest.mark.parametrize("path", ["/v1/me/closure", "/v1/me/export"])
def test_the_closure_routes_need_a_registration(api, aws, path):
    stranger = {"Authorization": f"Bearer {aws.token(Role.MEMBER, 'nobody')}"}
    assert api.http.get(path, headers=stranger).status_code == 404



@pytest.mark.parametrize(("query", "field"), [("limit=0", "limit"), ("limit=abc", "limit"), ("after=x%23y", "after"),
                                              ("after=" + quote("2026-12-29#<script>#x", safe=""), "after"),
                                              ("other=1", "other")])
def test_the_operators_queue_refuses_bad_paging_with_the_field_named(api, operator, query, field):
    answer = api.http.get(f"/v1/operators/arco-requests?{query}", headers={**operator, "Accept-Language": "en"})
    assert answer.status_code == 422, answer.body
    assert [e["field"] for e in _json(answer)["errors"]] == [f"query.{field}"]


@pytest.mark.parametrize("request_id", ["x" * 129, "a%2Fb", "%00", "6f1d3c2e-5b0a-4f63-9a55-2f0e8c1a7d41"])
def test_a_malformed_or_unknown_request_id_is_a_404_before_or_after_one_lookup(api, operator, request_id):
    for method in ("GET", "POST"):
        path = f"/v1/operators/arco-requests/{request_id}" + ("/complete" if method == "POST" else "")
        answer = api.http.request(method, path, headers=operator, body=b"")
        assert answer.status_code == 404, (method, request_id, answer.body)


def test_whatever_body_comes_with_a_closure_it_is_ignored_and_the_request_is_one(api, member):
    headers, _ = member()
    first = api.http.post("/v1/me/closure", headers=headers, body=b'{"reason": "' + b"x" * 1000 + b'"}')
    second = api.http.post("/v1/me/closure", headers=headers, body=b"[[[")
    assert (first.status_code, second.status_code) == (201, 200)
    assert _json(first)["request_id"] == _json(second)["request_id"]


def test_the_export_lists_the_notifications_delivered(api, scene, event_sources):  # noqa: F811
    event_sources.relay()  # the payment's notice, by e-mail: the member has no device
    sent = _json(api.http.get("/v1/me/export", headers=scene["member"]))["notifications_sent"]
    assert sent and {(d["channel"], d["target"]) for d in sent} == {("email", "email")}
    assert "persona.prueba@example.com" not in json.dumps(sent)


# --- Review findings ---------------------------------------------------------------------------------------------------

def test_the_export_shows_no_consent_someone_else_gave_for_a_person_shared_with_another_account(
        api, aws, scene):  # noqa: F811
    """A beneficiary's person can be shared (a claim re-points it to an existing person: a child both parents list, a
    spouse who is a member herself); the consent another account gave for it is that account's, not this member's."""
    from chalicelib.store import teleconsult as teleconsult_store

    teleconsult_store.record_consent(scene["spouse"], "v1", "0" * 64, "another-account", datetime.now(timezone.utc))
    consents = _json(api.http.get("/v1/me/export", headers=scene["member"]))["teleconsult_consents"]
    assert "another-account" not in json.dumps(consents)
    assert [c["patient_id"] for c in consents] == [scene["patient_id"]]


def test_a_payment_by_nss_for_a_closed_member_stays_unmatched_and_cannot_be_applied_to_them(
        api, scene, operator, partner, clock):  # noqa: F811
    member = scene["member"]
    request = _json(_close(api, member))
    assert _complete(api, operator, request["request_id"]).status_code == 200
    profile = _json(api.http.get("/v1/me", headers=member))

    payment = _json(partner.send(paid(None, "1000.00", nss=profile["nss"], tx="after-closure", paid_at=clock.now())))
    assert payment["status"] == "unmatched", payment
    resolved = api.http.post(f"/v1/operators/payments/{payment['payment_id']}/resolve", headers=operator,
                             body=json.dumps({"action": "apply", "member_id": request["member_id"],
                                              "months": ["2027-03"], "note": "El pago trae su NSS"}))

    assert resolved.status_code == 409, resolved.body
    after = _json(api.http.get("/v1/me", headers=member))
    assert after["status"] == "closed" and "2027-03" not in after["covered_months"]


def test_a_closed_members_consult_gets_no_follow_up_slots_from_its_nurse(api, clock, scene, operator):  # noqa: F811
    _attend(api, clock, scene["ana"], scene["consult"])
    request = _json(_close(api, scene["member"]))
    assert _complete(api, operator, request["request_id"]).status_code == 200
    path = f"/v1/nurse/appointments/{scene['consult']['appointment_id']}/follow-up/slots"
    for nurse in ("me", "any"):
        answer = api.http.get(f"{path}?from=2026-12-07&to=2026-12-08&nurse={nurse}", headers=scene["ana"])
        assert answer.status_code == 409, (nurse, answer.body)


def test_a_closure_completes_when_the_member_already_deleted_their_sign_in(api, aws, member, operator):
    headers, _ = member()
    request = _json(_close(api, headers))
    [account] = [user for user in aws.cognito.list_users(UserPoolId=aws.pool_id)["Users"]
                 if {"Name": "sub", "Value": request["member_id"]} in user["Attributes"]]
    aws.cognito.admin_delete_user(UserPoolId=aws.pool_id, Username=account["Username"])

    answered = _complete(api, operator, request["request_id"])

    assert answered.status_code == 200, answered.body
    assert _json(answered)["status"] == "completed"


def test_a_beneficiary_added_by_a_request_that_read_the_member_before_the_closure_is_refused(
        api, member, monkeypatch):
    """The check before the write is only a fast answer: the write itself refuses a closing account."""
    from chalicelib.services import members as member_service
    from tests.api.test_beneficiaries import _add, _child_curp

    headers, _ = member()
    assert _close(api, headers).status_code == 201
    monkeypatch.setattr(member_service, "require_processed", lambda member: None)  # read before the closure

    added = _add(api, headers, relationship="child", curp=_child_curp(datetime(2016, 4, 2).date()))

    assert added.status_code == 409, added.body


def test_a_wait_that_read_the_member_before_the_closure_is_refused(api, scene, monkeypatch):  # noqa: F811
    from chalicelib.services import teleconsult as teleconsult_service

    member = scene["member"]
    assert _close(api, member).status_code == 201
    monkeypatch.setattr(teleconsult_service, "_require_processed", lambda member: None)  # read before the closure

    waited = api.http.post("/v1/teleconsult/waitlist", headers=member,
                           body=json.dumps({"from": "2026-12-02", "to": "2026-12-03"}))

    assert waited.status_code == 409, waited.body
    assert "cierre" in _json(waited)["detail"]
    assert _json(api.http.get("/v1/teleconsult/waitlist", headers=member))["items"] == []


def test_a_closure_completes_however_many_beneficiaries_came_and_went(api, member, operator):
    """DynamoDB takes 100 actions per transaction; a member who added and removed beneficiaries for years has more."""
    from chalicelib.store.members import BeneficiaryItem, member_key

    headers, body = member()
    request = _json(_close(api, headers))
    now = datetime.now(timezone.utc)
    for n in range(120):
        BeneficiaryItem(member_key(request["member_id"]), f"BENEFICIARY#old-{n:03d}", beneficiary_id=f"old-{n:03d}",
                        person_id=f"person-{n}", linked_at=now, relationship="child", curp=body["curp"],
                        first_name="Quitado", last_name="Prueba", birth_date="2015-03-01", sex="H", student=False,
                        status="removed", added_at=now, removed_at=now).save()

    answered = _complete(api, operator, request["request_id"])

    assert answered.status_code == 200, answered.body
    assert _json(api.http.get("/v1/me/export", headers=headers))["beneficiaries"] == []


def test_a_beneficiary_removed_while_the_operator_answers_is_counted_out_once(
        api, scene, operator, monkeypatch):  # noqa: F811
    from chalicelib.services import privacy
    from chalicelib.store import privacy as privacy_store

    member = scene["member"]
    request = _json(_close(api, member))
    child = next(b for b in _json(api.http.get("/v1/me/export", headers=member))["beneficiaries"]
                 if b["person_id"] == scene["child"])
    before = _json(api.http.get("/v1/operators/stats", headers=operator))["beneficiaries"]
    real, raced = privacy_store.complete_closure, []

    def removed_meanwhile(*args):
        if not raced:  # the member removes the child between the operator's read and the transaction
            raced.append(api.http.delete(f"/v1/me/beneficiaries/{child['beneficiary_id']}", headers=member))
        return real(*args)

    monkeypatch.setattr(privacy.store, "complete_closure", removed_meanwhile)
    answered = _complete(api, operator, request["request_id"])

    assert raced[0].status_code == 200 and answered.status_code == 200, answered.body
    assert _json(answered)["status"] == "completed"
    assert _json(api.http.get("/v1/operators/stats", headers=operator))["beneficiaries"] == before - 2


def test_a_closing_account_registers_no_phone_even_racing_the_closure(api, member, monkeypatch):
    from chalicelib.services import devices
    from chalicelib.store import members as member_store

    phone = {"platform": "fcm", "token": "closing-token-" + "0" * 40, "language": "es"}
    headers, _ = member()
    assert _close(api, headers).status_code == 201
    refused = api.http.put("/v1/me/devices/phone-1", headers=headers, body=json.dumps(phone))
    closing = _json(api.http.post("/v1/me/payment-references", headers=headers, body=json.dumps({"months": 1})))
    assert refused.status_code == 409 and _json(refused)["detail"] == closing["detail"]

    # A registration that read the member before the closure landed: the device transaction checks the status.
    other, _ = member()
    read_early = member_store.registered_member(_json(api.http.get("/v1/me", headers=other))["member_id"])
    monkeypatch.setattr(devices.member_store, "registered_member", lambda member_id: read_early)
    assert _close(api, other).status_code == 201
    raced = api.http.put("/v1/me/devices/phone-1", headers=other, body=json.dumps(phone))
    assert raced.status_code == 409 and _json(raced)["detail"] == closing["detail"]
    assert _json(api.http.get("/v1/me/export", headers=other))["devices"] == []
