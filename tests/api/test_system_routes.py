"""The real app through chalice's test client, on moto in-process."""

import json

from chalicelib.auth import Role
from chalicelib.http.middleware import MAX_BODY_BYTES

PROBLEM = "application/problem+json"


def _json(response):
    return json.loads(response.body)


def _headers(response):
    return {name.lower(): value for name, value in response.headers.items()}


def test_anyone_may_ask_whether_the_service_answers_without_a_database_call(api):
    from tests.costs import aws_requests

    with aws_requests() as requests:
        response = api.http.get("/v1/health")
    assert response.status_code == 200 and requests.round_trips == 0
    assert _json(response) == {"status": "ok", "service": "pti-migrante", "stage": "local"}


def test_operators_health_reports_service_and_tables(api, operator):
    response = api.http.get("/v1/operators/health", headers=operator)
    assert response.status_code == 200
    assert _json(response) == {
        "status": "ok",
        "service": "pti-migrante",
        "stage": "local",
        "tables": [{"name": "members", "status": "ACTIVE"}, {"name": "idempotency", "status": "ACTIVE"},
                   {"name": "payments", "status": "ACTIVE"}, {"name": "stats", "status": "ACTIVE"},
                   {"name": "outbox", "status": "ACTIVE"}, {"name": "teleconsult", "status": "ACTIVE"},
                   {"name": "records", "status": "ACTIVE"}],
    }


def test_health_is_503_when_a_table_is_missing(api, aws, operator):
    import boto3

    dynamodb = boto3.client("dynamodb")
    dynamodb.update_table(TableName="pti-local-members", DeletionProtectionEnabled=False)
    dynamodb.delete_table(TableName="pti-local-members")
    response = api.http.get("/v1/operators/health", headers=operator)
    assert response.status_code == 503
    assert {"name": "members", "status": "UNREACHABLE"} in _json(response)["tables"]


def test_me_returns_the_token_identity(api, aws):
    token = aws.token(Role.NURSE, "enfermera.ana")
    response = api.http.get("/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = _json(response)
    assert body["username"] == "enfermera.ana" and body["roles"] == ["nurse"]
    assert len(body["user_id"]) == 36


def test_me_without_token_is_401_problem_in_both_languages(api):
    spanish = api.http.get("/v1/session")
    english = api.http.get("/v1/session", headers={"Accept-Language": "en-US,en;q=0.9"})
    for response in (spanish, english):
        assert response.status_code == 401
        assert _headers(response)["content-type"] == PROBLEM
        assert _headers(response)["www-authenticate"] == "Bearer"
    assert _json(spanish)["title"] == "Autenticación requerida"
    assert _json(english)["title"] == "Authentication required"
    assert _json(english)["type"] == "urn:pti-migrante:problem:unauthenticated"


def test_garbage_token_is_401(api):
    response = api.http.get("/v1/session", headers={"Authorization": "Bearer abc.def.ghi"})
    assert response.status_code == 401
    assert _json(response)["detail"] == "El token de acceso no es válido."


def test_wrong_method_is_405_problem_with_allow(api):
    response = api.http.post("/v1/health", headers={"Accept-Language": "en"})
    assert response.status_code == 405
    assert _headers(response)["allow"] == "GET"
    assert _json(response)["detail"] == "Route /v1/health does not accept POST; use GET."


def test_oversized_body_is_413_before_anything_else(api):
    response = api.http.post("/v1/health", body=b"x" * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    assert _json(response)["status"] == 413


def test_correlation_id_is_echoed_or_generated(api):
    supplied = api.http.get("/v1/health", headers={"X-Correlation-Id": "partner-trace-0001"})
    assert _headers(supplied)["x-correlation-id"] == "partner-trace-0001"
    generated = api.http.get("/v1/health", headers={"X-Correlation-Id": "bad id with spaces"})
    assert _headers(generated)["x-correlation-id"] != "bad id with spaces"


def test_one_structured_log_line_per_request(api, aws, service_logs):
    token = aws.token(Role.MEMBER)
    api.http.get("/v1/session", headers={"Authorization": f"Bearer {token}", "X-Correlation-Id": "trace-12345678"})
    (entry,) = [e for e in service_logs.entries() if e["message"] == "request"]
    assert entry["method"] == "GET" and entry["route"] == "/v1/session" and entry["status"] == 200
    assert entry["correlation_id"] == "trace-12345678" and entry["caller_role"] == "member"
    assert isinstance(entry["latency_ms"], float)


def test_openapi_describes_every_route_of_the_app(api):
    from app import app

    document = _json(api.http.get("/v1/openapi.json"))
    assert document["openapi"] == "3.1.0"
    routes = {(path, method.lower()) for path, methods in app.routes.items() for method in methods}
    documented = {(path, method) for path, methods in document["paths"].items() for method in methods}
    assert routes == documented
    me = document["paths"]["/v1/session"]["get"]
    assert me["security"] == [{"cognito": []}]
    assert set(me["responses"]) >= {"200", "401", "500"}
    assert me["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Session"}
    assert "Session" in document["components"]["schemas"] and "Problem" in document["components"]["schemas"]
