"""Hostile bodies and headers get a 4xx with a clear message, never a 500 (issue 14's reproduced cases)."""

import json
from urllib.parse import quote, unquote

import pytest

from local.webhook import signed_headers
from tests.api.conftest import paid


def _json(response):
    return json.loads(response.body)


QUOTE = {"monthly_income_mxn": "9000", "zone": "general", "months": 3}


@pytest.mark.parametrize("raw", [
    b"[" * 1000 + b"]" * 1000,                                         # nested 1,000 deep
    b'{"monthly_income_mxn": ' + b"9" * 5000 + b', "zone": "general"}',  # an integer of 5,000 digits
    b'{"a": ' + b"[" * 33 + b"]" * 33 + b"}",                           # just over the depth bound
])
def test_json_past_its_bounds_is_a_400_in_both_languages(api, raw):
    for language, words in (("es", "anida más de 32"), ("en", "nests deeper than 32")):
        answer = api.http.post("/v1/quotes", headers={"Content-Type": "application/json", "Accept-Language": language},
                               body=raw)
        assert answer.status_code == 400, answer.body[:200]
        assert words in _json(answer)["detail"]


def test_json_within_its_bounds_is_read(api):
    inside = {**QUOTE, "x": [[[[1]]]]}
    answer = api.http.post("/v1/quotes", headers={"Content-Type": "application/json"}, body=json.dumps(inside))
    assert answer.status_code == 422 and _json(answer)["errors"][0]["field"] == "x"  # parsed; the model refuses `x`


@pytest.mark.parametrize(("header", "value"), [
    ("webhook-timestamp", "9" * 20),  # overflowed before the signature check
    ("webhook-id", "m" * 3000),       # over DynamoDB's key size once stored
    ("webhook-id", "msg\u00e9"),      # not printable ASCII
])
def test_bad_webhook_headers_are_refused_before_anything_is_stored(api, partner, clock, header, value):
    raw = json.dumps(paid("123456789012345678", "100.00", tx="hostile-1", paid_at=clock.now())).encode()
    message_id = value if header == "webhook-id" else "msg_hostile"
    headers = signed_headers(raw, partner.secret(), message_id, int(clock.now().timestamp()))
    headers[header] = value
    answer = api.http.post("/v1/webhooks/finabien", headers=headers, body=raw)
    assert answer.status_code == 401, answer.body


@pytest.mark.parametrize(("decision", "words"), [
    ({"action": "apply", "note": "Aplicar"}, "indique member_id y los meses"),
    ({"action": "refund", "note": "Devolver", "months": ["2026-12"]}, "no lleva member_id ni meses"),
    ({"action": "apply", "note": "Aplicar", "member_id": "m", "months": ["2026-12", "2026-12"]}, "una sola vez"),
])
def test_operators_are_told_what_is_wrong_with_a_resolution(api, operator, decision, words):
    answer = api.http.post("/v1/operators/payments/PAYMENT0/resolve", headers=operator, body=json.dumps(decision))
    assert answer.status_code == 422 and words in json.dumps(_json(answer), ensure_ascii=False), answer.body


def _register(api, member_headers, **changes):
    from tests.people import registration

    return api.http.post("/v1/registrations", headers=member_headers, body=json.dumps(registration(**changes)))


@pytest.fixture
def newcomer(aws):
    from chalicelib.auth import Role

    return {"Authorization": f"Bearer {aws.token(Role.MEMBER, 'newcomer')}", "Content-Type": "application/json"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"monthly_income_mxn": 9000.5}, "monthly_income_mxn"),      # a JSON float: money only as decimal strings
    ({"monthly_income_mxn": "9e3"}, "monthly_income_mxn"),       # a number in disguise (was stored as 9E+3)
    ({"monthly_income_mxn": "9000.505"}, "monthly_income_mxn"),  # more than two decimals
    ({"sensitive_data_consent": "true"}, "sensitive_data_consent"),  # booleans only as JSON booleans
    ({"sensitive_data_consent": 1}, "sensitive_data_consent"),
    ({"auto_renewal": "false"}, "auto_renewal"),
    ({"residence": {"country": "US", "state": "CA", "time_zone": "localtime"}}, "residence.time_zone"),
    ({"residence": {"country": "US", "state": "CA", "time_zone": "posixrules"}}, "residence.time_zone"),
    ({"residence": {"country": "US", "state": "CA", "time_zone": "Factory"}}, "residence.time_zone"),
    ({"email": "ana\u0000@example.com"}, "email"),
])
def test_registration_takes_strict_types_only(api, newcomer, changes, field):
    answer = _register(api, newcomer, **changes)
    assert answer.status_code == 422, answer.body
    assert field in [e["field"] for e in _json(answer)["errors"]], _json(answer)["errors"]
    assert api.http.get("/v1/me", headers=newcomer).status_code == 404  # nothing written


@pytest.mark.parametrize("name", ["Rosa\u202eabc", "Rosa\u2066x\u2069", "Ro\u0000sa", "Ro\u001bsa"])
def test_names_with_control_or_direction_characters_are_refused_with_their_path(api, newcomer, name):
    from tests.people import registration

    relative = {**registration()["relative_in_mexico"], "name": name}
    answer = _register(api, newcomer, relative_in_mexico=relative)
    assert answer.status_code == 422
    assert _json(answer)["errors"] == [{"field": "relative_in_mexico.name",
                                        "message": "Contiene caracteres de control o de cambio de dirección del "
                                                   "texto; escríbalo sin ellos."}]


@pytest.mark.parametrize(("data", "field"), [
    ({"amount_mxn": "1931.210"}, "data.amount_mxn"),
    ({"paid_at": "1970-01-02T00:00:00+00:00"}, "data.paid_at"),
    ({"paid_at": "0001-01-01T00:00:00+00:00"}, "data.paid_at"),
])
def test_signed_payments_with_impossible_values_are_final_422s(api, partner, clock, data, field):
    event = paid("123456789012345678", "100.00", tx="hostile-2", paid_at=clock.now())
    event["data"].update(data)
    answer = partner.send(event)
    assert answer.status_code == 422, answer.body
    assert [e["field"] for e in _json(answer)["errors"]] == [field]


def test_a_body_without_content_type_is_a_415_even_when_signed(api, partner, clock):
    raw = json.dumps(paid("123456789012345678", "100.00", tx="no-type", paid_at=clock.now())).encode()
    headers = signed_headers(raw, partner.secret(), "msg_no_type", int(clock.now().timestamp()))
    del headers["Content-Type"]
    answer = api.http.post("/v1/webhooks/finabien", headers=headers, body=raw)
    assert answer.status_code == 415, answer.body
    quote = api.http.post("/v1/quotes", headers={"Accept-Language": "en"}, body=json.dumps(QUOTE))
    assert quote.status_code == 415 and _json(quote)["title"] == "Unsupported media type"


@pytest.mark.parametrize("path", [
    "/v1/me/payments/{id}/receipt", "/v1/me/payments/{id}/receipt.pdf", "/v1/me/beneficiaries/{id}",
    "/v1/me/appointments/{id}/cancel", "/v1/me/devices/{id}",
    "/v1/teleconsult/appointments/{id}/join", "/v1/operators/payments/{id}/resolve",
])
def test_path_ids_of_the_wrong_shape_are_404s_before_any_lookup(api, member, operator, path):
    headers = operator if "operators" in path else member()[0]
    method = "DELETE" if path.endswith(("beneficiaries/{id}", "devices/{id}")) else (
        "GET" if path.endswith(("receipt", "receipt.pdf")) else "POST")
    body = json.dumps({"action": "refund", "note": "Devolver"}) if "resolve" in path else None
    for bad in ("x" * 2100, "a%00b", "%E2%80%AEid"):
        answer = api.http.request(method, path.format(id=bad), headers=headers, body=body)
        assert answer.status_code == 404, (path, bad[:10], answer.body[:200])
        assert _json(answer)["instance"] == path.format(id=quote(unquote(bad), safe=":@")), answer.body[:200]


def test_hostile_verification_tokens_and_hosts_get_4xx_or_the_same_invalid_answer(api, member):
    """The public verification route: a path of the wrong shape is a 404 before any lookup; anything shaped like a
    token but not ours is `valid: false` like a forged one; a document's QR never embeds a malformed Host."""
    for bad in ("x" * 2100, "a%00b", "%E2%80%AEid"):
        assert api.http.get(f"/v1/verifications/{bad}").status_code == 404
    for odd in ("A" * 48, "-" * 48, "_" * 47, "A" * 49, "a.b:c@d", "0"):
        answer = api.http.get(f"/v1/verifications/{odd}")
        assert (answer.status_code, _json(answer)) == (200, {"valid": False, "covered_months": [], "masked_name": None})
    headers = {**member()[0], "Accept": "application/pdf"}
    for host in ("evil.example/x?", "a b", "é.example", "x" * 300):
        answer = api.http.get("/v1/me/coverage/certificate.pdf", headers={**headers, "Host": host})
        assert answer.status_code == 400 and _json(answer)["status"] == 400, (host, answer.body[:200])
