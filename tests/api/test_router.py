"""The route mechanism every feature uses: sign-in, roles, body parsing, every error class, logs without PII.

A probe app declares routes exactly as features do, so these tests pin the behaviour before any feature relies on it.
"""

import json
import re
from typing import Literal

import pytest
from chalice import Chalice
from chalice.test import Client
from pydantic import BaseModel, Field

from chalicelib.errors import Conflict
from chalicelib.http import middleware
from chalicelib.http.api import PUBLIC, Reply, Router
from chalicelib.auth import Caller, Role
from local.aws import PROJECT

SECRET_CURP = "GORS800101HNEMDN05"
SECRET_NSS = "12345678903"
SECRET_EMAIL = "maria.gomez@example.com"


class Address(BaseModel):
    postal_code: str = Field(pattern=r"^\d{5}$")


class Form(BaseModel):
    curp: str = Field(min_length=18, max_length=18)
    monthly_income_mxn: int = Field(gt=0)
    zone: Literal["general", "zlfn"]
    address: Address


class Saved(BaseModel):
    owner: str
    zone: str


class Page(BaseModel):
    limit: int = Field(20, ge=1, le=100)


router = Router(__name__, tag="probe")


@router.route("/probe/forms", "POST", roles={Role.MEMBER}, body=Form, response=Saved, status=201, summary="probe")
def submit(caller: Caller, body: Form) -> Saved:
    return Saved(owner=caller.user_id, zone=body.zone)


@router.route("/probe/items/{item_id}", "GET", roles=PUBLIC, query=Page, response=None, summary="probe")
def item(item_id: str, query: Page) -> dict:
    return {"item_id": item_id, "limit": query.limit}


@router.route("/probe/conflict", "PUT", roles=PUBLIC, response=None, summary="probe")
def conflict() -> Reply:
    raise Conflict()


@router.route("/probe/crash", "GET", roles=PUBLIC, response=None, summary="probe")
def crash() -> dict:
    raise RuntimeError(f"database said no for {SECRET_CURP} / {SECRET_EMAIL}")


probe = Chalice("probe", configure_logs=False)
probe.register_middleware(middleware.observe_request, "http")
probe.register_blueprint(router.blueprint)

VALID = {"curp": SECRET_CURP, "monthly_income_mxn": 9000, "zone": "general", "address": {"postal_code": "06600"}}


@pytest.fixture
def client(aws):
    with Client(probe, stage_name="local", project_dir=str(PROJECT)) as client:
        yield client


@pytest.fixture
def member(aws):
    return {"Authorization": f"Bearer {aws.token(Role.MEMBER)}", "Content-Type": "application/json"}


def _problem(response, status):
    assert response.status_code == status, response.body
    headers = {k.lower(): v for k, v in response.headers.items()}
    assert headers["content-type"] == "application/problem+json"
    body = json.loads(response.body)
    assert body["status"] == status and body["type"].startswith("urn:pti-migrante:problem:")
    assert body["title"] and body["detail"] and body["correlation_id"] == headers["x-correlation-id"]
    return body


def test_valid_request_reaches_the_handler(client, member):
    response = client.http.post("/probe/forms", headers=member, body=json.dumps(VALID))
    assert response.status_code == 201
    assert json.loads(response.body)["zone"] == "general"


def test_path_and_query_parameters(client):
    assert json.loads(client.http.get("/probe/items/abc?limit=5").body) == {"item_id": "abc", "limit": 5}
    body = _problem(client.http.get("/probe/items/abc?limit=500", headers={"Accept-Language": "en"}), 422)
    assert body["errors"] == [{"field": "query.limit", "message": "Must be at most 100."}]


def test_every_bad_field_is_named_at_once(client, member):
    bad = {"curp": "X", "monthly_income_mxn": "mucho", "zone": "norte", "address": {"postal_code": "6600"}}
    body = _problem(client.http.post("/probe/forms", headers=member, body=json.dumps(bad)), 422)
    assert body["title"] == "Datos inválidos"
    assert [e["field"] for e in body["errors"]] == ["curp", "monthly_income_mxn", "zone", "address.postal_code"]
    assert body["errors"][1]["message"] == "Debe ser un número entero."


def test_missing_fields_in_english(client, member):
    body = _problem(client.http.post("/probe/forms", headers=member | {"Accept-Language": "en"}, body="{}"), 422)
    assert {e["field"]: e["message"] for e in body["errors"]} == {
        "curp": "This field is required.",
        "monthly_income_mxn": "This field is required.",
        "zone": "This field is required.",
        "address": "This field is required.",
    }


@pytest.mark.parametrize("raw", [b'{"curp": ', b"not json", b"\xff\xfe{}", b'{"a": 1,}'])
def test_malformed_body_is_400(client, member, raw):
    _problem(client.http.post("/probe/forms", headers=member, body=raw), 400)


def test_empty_and_non_object_bodies_are_422(client, member):
    assert _problem(client.http.post("/probe/forms", headers=member, body=b""), 422)["errors"][0]["field"] == "body"
    assert _problem(client.http.post("/probe/forms", headers=member, body=b"[1]"), 422)["errors"][0]["field"] == "body"


def test_wrong_content_type_is_415(client, member):
    headers = member | {"Content-Type": "text/plain"}
    _problem(client.http.post("/probe/forms", headers=headers, body=json.dumps(VALID)), 415)


def test_role_is_checked_after_identity(client, aws):
    nurse = {"Authorization": f"Bearer {aws.token(Role.NURSE)}", "Accept-Language": "en"}
    body = _problem(client.http.post("/probe/forms", headers=nurse, body=json.dumps(VALID)), 403)
    assert body["detail"] == "This operation is only for: insured members."
    _problem(client.http.post("/probe/forms", body=json.dumps(VALID)), 401)


def test_auth_is_checked_before_the_body_is_read(client):
    _problem(client.http.post("/probe/forms", body=b"not json"), 401)


def test_domain_errors_keep_their_status(client):
    _problem(client.http.put("/probe/conflict"), 409)


def test_unexpected_exception_is_500_with_correlation_id_and_full_log(client, service_logs):
    response = client.http.get("/probe/crash", headers={"Accept-Language": "en"})
    body = _problem(response, 500)
    assert body["correlation_id"] in body["detail"]
    assert "Traceback" not in response.body.decode() and "RuntimeError" not in response.body.decode()
    (logged,) = [e for e in service_logs.entries() if e["message"] == "unhandled error"]
    assert "RuntimeError" in logged["exception"] and logged["correlation_id"] == body["correlation_id"]


def test_logs_never_contain_identifiers_or_bodies(client, member, service_logs):
    client.http.post("/probe/forms", headers=member, body=json.dumps(VALID))
    client.http.post("/probe/forms", headers=member, body=json.dumps(VALID | {"zone": SECRET_NSS}))
    client.http.get(f"/probe/items/{SECRET_CURP}?limit={SECRET_NSS}")
    client.http.get("/probe/crash")
    text = "\n".join(service_logs.lines)
    assert len(service_logs.lines) >= 5
    for secret in (SECRET_CURP, SECRET_NSS, SECRET_EMAIL, "06600", "maria.gomez"):
        assert secret not in text


@pytest.mark.parametrize(("route", "handler", "complaint"), [
    (dict(path="/probe/typo/{item_id}", method="GET", roles=PUBLIC), lambda itemid: None, "['itemid']"),
    (dict(path="/probe/public", method="GET", roles=PUBLIC), lambda caller: None, "['caller']"),
    (dict(path="/probe/nobody", method="POST", roles={Role.MEMBER}), lambda caller, body: None, "['body']"),
    (dict(path="/probe/once", method="POST", roles={Role.MEMBER}, idempotent=True), lambda caller: None,
     "must take `idempotency`"),
], ids=["misspelt path parameter", "caller on a public route", "body without a model", "idempotent, unrecorded"])
def test_a_handler_asking_for_what_its_route_cannot_give_fails_at_import(route, handler, complaint):
    with pytest.raises(TypeError, match=re.escape(complaint)):
        Router(__name__, tag="probe").route(**route, summary="probe", response=None)(handler)


def test_an_idempotent_handler_that_forgets_its_record_is_a_500_not_a_silent_miss(aws, service_logs):
    forgetful = Router(__name__, tag="probe")

    @forgetful.route("/probe/once", "POST", roles={Role.MEMBER}, body=Page, response=None, idempotent=True,
                     summary="probe")
    def once(caller: Caller, body: Page, idempotency) -> dict:
        return {"limit": body.limit}

    app = Chalice("probe-forgetful")
    app.register_blueprint(forgetful.blueprint)
    headers = {"Authorization": f"Bearer {aws.token(Role.MEMBER)}", "Content-Type": "application/json",
               "Idempotency-Key": "k-1"}
    with Client(app, stage_name="local", project_dir=str(PROJECT)) as probe:
        assert probe.http.post("/probe/once", headers=headers, body="{}").status_code == 500
    assert [e for e in service_logs.entries() if e["message"] == "unhandled error"]
