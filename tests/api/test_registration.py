"""Registration, profile, export and operators' lookup through the real app on moto in-process."""

import json
from datetime import date

import pytest

from chalicelib.auth import Role
from tests.people import make_curp, make_nss, make_rfc, registration, unique_curp


def _json(response):
    return json.loads(response.body)


def _headers(response):
    return {k.lower(): v for k, v in response.headers.items()}


@pytest.fixture
def member(aws):
    counter = iter(range(10_000))

    def headers(name: str | None = None, **extra) -> dict:
        token = aws.token(Role.MEMBER, name or f"member-{next(counter)}")
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **extra}

    return headers


def _register(api, headers, body=None):
    return api.http.post("/v1/registrations", headers=headers, body=json.dumps(body or registration()))


def test_registration_creates_a_pending_member(api, member):
    headers = member("ana")
    body = registration(curp=" goma-850615 mnel rr05 ", rfc="GOMA850615AB3")
    response = _register(api, headers, body)
    assert response.status_code == 201, response.body
    created = _json(response)
    assert created["curp"] == "GOMA850615MNELRR05"
    assert created["status"] == "pending_payment"
    assert created["next_step"]["code"] == "pay_first_period"
    assert created["occupation"] == "Trabajadores independientes que radican y laboran en el extranjero"
    assert created["monthly_income_mxn"] == "9000.00"
    assert [c["kind"] for c in created["consents"]] == ["terms", "sensitive_data"]
    assert len(created["consents"][1]["text_sha256"]) == 64
    assert created["warnings"] == []
    assert _headers(response)["etag"] == '"1"'
    profile = api.http.get("/v1/me", headers=headers)
    assert _json(profile)["member_id"] == created["member_id"]
    assert _json(profile)["monthly_income_mxn"] == "9000.00"  # one spelling, however DynamoDB keeps the number


def test_bad_rfc_check_digit_is_a_warning_not_a_rejection(api, member):
    curp = unique_curp()
    good = make_rfc(curp)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = _register(api, member(), registration(curp=curp, rfc=bad))
    assert response.status_code == 201
    assert [w["field"] for w in _json(response)["warnings"]] == ["rfc"]


def test_every_bad_field_is_named_at_once_in_both_languages(api, member):
    body = registration(curp="GOMA850615MNELRR04", nss="12345678904", rfc="GOMA850616AB1", email="no-at-sign",
                        phone="3105550123", monthly_income_mxn="-1", zone="north",
                        residence={"country": "MX", "time_zone": "Mars/Base"},
                        accepted_terms_version="0", sensitive_data_consent=False)
    body["relative_in_mexico"]["address"]["postal_code"] = "4410"
    body["relative_in_mexico"]["address"]["state"] = "XX"
    body["relative_in_mexico"]["phone"] = "+13105550123"
    spanish = _register(api, member(), body)
    english = api.http.post("/v1/registrations", headers=member(**{"Accept-Language": "en"}), body=json.dumps(body))
    assert spanish.status_code == english.status_code == 422
    fields = [e["field"] for e in _json(spanish)["errors"]]
    assert fields == [
        "curp", "nss", "email", "phone", "monthly_income_mxn", "zone", "residence.country", "residence.time_zone",
        "relative_in_mexico.phone", "relative_in_mexico.address.state", "relative_in_mexico.address.postal_code",
        "accepted_terms_version", "sensitive_data_consent",
    ]
    messages = {e["field"]: e["message"] for e in _json(spanish)["errors"]}
    assert messages["curp"].startswith("El último dígito de la CURP no coincide")
    assert {e["field"]: e["message"] for e in _json(english)["errors"]}["nss"].startswith("The NSS's last digit")


def test_rfc_must_agree_with_curp_and_applicant_must_be_of_working_age(api, member):
    curp = make_curp(consonants="TST")
    mismatch = _register(api, member(), registration(curp=curp, rfc="GOMA850616AB1"))
    assert [(e["field"], e["message"]) for e in _json(mismatch)["errors"]] == [
        ("rfc", "La fecha de nacimiento del RFC no coincide con la de la CURP.")]
    child = make_curp(birth=date(2015, 1, 1), consonants="KDS")
    young = _register(api, member(), registration(curp=child))
    assert _json(young)["errors"] == [{"field": "curp", "message": "Para registrarse debe tener al menos 15 años."}]


def test_one_person_one_member(api, member):
    first = registration()
    ana = member("ana")
    assert _register(api, ana, first).status_code == 201
    again = _register(api, ana, registration())
    assert again.status_code == 409 and "ya tiene un registro" in _json(again)["detail"]
    # A typed CURP or NSS someone holds is a claim, not a 409: the answer does not tell that it was taken.
    same_curp = _register(api, member(), registration(curp=first["curp"]))
    same_nss = _register(api, member(), registration(nss=first["nss"]))
    fresh = _register(api, member(), registration())
    assert same_curp.status_code == same_nss.status_code == fresh.status_code == 201
    assert set(_json(same_curp)) == set(_json(fresh)) and _json(same_curp)["next_step"] == _json(fresh)["next_step"]


def test_idempotency_key_replays_the_first_answer(api, member):
    headers = member("ben", **{"Idempotency-Key": "reg-0001"})
    body = registration()
    first = _register(api, headers, body)
    replay = _register(api, headers, body)
    assert first.status_code == replay.status_code == 201
    assert _json(replay) == _json(first)
    assert _headers(replay)["idempotent-replayed"] == "true"
    changed = _register(api, headers, {**body, "zone": "zlfn"})
    assert changed.status_code == 422
    assert _json(changed)["errors"][0]["field"] == "Idempotency-Key"
    without_key = _register(api, member("ben"), body)
    assert without_key.status_code == 409


def test_only_members_register(api, aws):
    nurse = {"Authorization": f"Bearer {aws.token(Role.NURSE)}", "Content-Type": "application/json"}
    assert api.http.post("/v1/registrations", headers=nurse, body=json.dumps(registration())).status_code == 403


def test_validation_checks_partial_drafts_without_writing_or_revealing(api, member):
    headers = member()
    registered = registration()
    assert _register(api, member(), registered).status_code == 201
    partial = {"curp": registered["curp"], "email": "bad", "rfc": make_rfc(registered["curp"])[:-1] + "Z"}
    review = _json(api.http.post("/v1/registrations/validation", headers=headers, body=json.dumps(partial)))
    assert review["errors"] == [{"field": "email", "message": "Escriba el correo como nombre@dominio.com."}]
    assert [w["field"] for w in review["warnings"]] == ["rfc"]
    empty = _json(api.http.post("/v1/registrations/validation", headers=headers, body="{}"))
    assert empty == {"errors": [], "warnings": []}
    assert api.http.get("/v1/me", headers=headers).status_code == 404


def test_profile_changes_need_the_current_version(api, member):
    headers = member("carla")
    _register(api, headers)
    change = {"monthly_income_mxn": "12500.50", "zone": "zlfn", "auto_renewal": False}
    missing = api.http.patch("/v1/me", headers=headers, body=json.dumps(change))
    assert missing.status_code == 428
    ok = api.http.patch("/v1/me", headers={**headers, "If-Match": '"1"'}, body=json.dumps(change))
    assert ok.status_code == 200, ok.body
    assert _json(ok)["monthly_income_mxn"] == "12500.50" and _json(ok)["zone"] == "zlfn"
    assert _headers(ok)["etag"] == '"2"'
    stale = api.http.patch("/v1/me", headers={**headers, "If-Match": '"1"'}, body=json.dumps({"zone": "general"}))
    assert stale.status_code == 412
    assert _json(api.http.get("/v1/me", headers=headers))["zone"] == "zlfn"
    moved = {"residence": {"country": "US", "state": "tx", "time_zone": "America/Chicago"},
             "relative_in_mexico": {**registration()["relative_in_mexico"], "name": "Tomás Prueba"}}
    for tag in ('W/"2"', '"²"', '"2', "2", '"' + "9" * 40 + '"', '"2", "3"'):  # RFC 9110: strong, exact tags only
        refused = api.http.patch("/v1/me", headers={**headers, "If-Match": tag}, body=json.dumps(moved))
        assert refused.status_code == 412, (tag, refused.body)
    nested = api.http.patch("/v1/me", headers={**headers, "If-Match": '"2"'}, body=json.dumps(moved))
    assert nested.status_code == 200, nested.body
    profile = _json(api.http.get("/v1/me", headers=headers))
    assert profile["residence"] == {"country": "US", "state": "TX", "time_zone": "America/Chicago"}
    assert profile["relative_in_mexico"]["name"] == "Tomás Prueba" and profile["version"] == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [({"curp": make_curp(consonants="ZZZ")}, "curp"), ({"nss": make_nss(7)}, "nss"), ({"email": None}, "email"),
     ({}, "body"), ({"phone": "12"}, "phone")],
)
def test_profile_changes_refuse_identity_nulls_and_bad_values(api, member, change, field):
    headers = member()
    _register(api, headers)
    response = api.http.patch("/v1/me", headers={**headers, "If-Match": '"1"'}, body=json.dumps(change))
    assert response.status_code == 422
    assert [e["field"] for e in _json(response)["errors"]] == [field]


def test_export_holds_everything(api, member):
    headers = member()
    created = _json(_register(api, headers))
    child = {"relationship": "child", "curp": make_curp("GOMB", date(2016, 2, 2), "H", "JC", "MRN"),
             "first_name": "Beto", "last_name": "Prueba"}
    assert api.http.post("/v1/me/beneficiaries", headers=headers, body=json.dumps(child)).status_code == 201
    export = _json(api.http.get("/v1/me/export", headers=headers))
    assert export["member"]["curp"] == created["curp"]
    assert export["member"]["relative_in_mexico"]["address"]["postal_code"] == "44100"
    assert [b["first_name"] for b in export["beneficiaries"]] == ["Beto"]


def test_operators_find_members_by_curp_or_nss(api, aws, member):
    body = registration()
    _register(api, member(), body)
    operator = {"Authorization": f"Bearer {aws.token(Role.OPERATOR)}", "Content-Type": "application/json"}

    def lookup(headers, **identifiers):
        return api.http.post("/v1/operators/members/lookup", headers=headers, body=json.dumps(identifiers))

    by_curp, by_nss = lookup(operator, curp=body["curp"]), lookup(operator, nss=body["nss"])
    assert by_curp.status_code == by_nss.status_code == 200
    assert _json(by_curp)["member_id"] == _json(by_nss)["member_id"]
    assert lookup(operator, curp=unique_curp()).status_code == 404
    assert lookup(operator).status_code == 422
    assert lookup(operator, curp=body["curp"], nss=body["nss"]).status_code == 422
    assert lookup(member(), nss=body["nss"]).status_code == 403
    assert api.http.get(f"/v1/operators/members?curp={body['curp']}", headers=operator).status_code != 200


def test_registration_logs_carry_no_personal_data(api, member, service_logs):
    body = registration(rfc=None)
    headers = member()
    _register(api, headers, body)
    _register(api, member(), body)
    api.http.patch("/v1/me", headers={**headers, "If-Match": '"1"'}, body=json.dumps({"email": "otra@example.com"}))
    text = "\n".join(service_logs.lines)
    for secret in (body["curp"], body["nss"], body["email"], body["phone"], "otra@example.com", "Rosa Prueba", "44100"):
        assert secret not in text


def test_profile_of_an_unregistered_account_is_404(api, member):
    headers = member("nobody")
    assert api.http.get("/v1/me", headers=headers).status_code == 404
    response = api.http.patch("/v1/me", headers={**headers, "If-Match": '"1"'}, body=json.dumps({"zone": "zlfn"}))
    assert response.status_code == 404
    assert _json(response)["detail"] == "Aún no completa su registro; regístrese primero."
