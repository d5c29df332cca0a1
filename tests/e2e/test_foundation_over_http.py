"""The foundation tried the way its users try it: curl-like HTTP calls against `make run`'s stack."""

import json
import socket
from pathlib import Path

import pytest

from chalicelib.http.middleware import MAX_BODY_BYTES
from local.aws import Endpoints
from tests.e2e.conftest import start_stack

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"


def _assert_problem(response, status, language):
    assert response.status == status, response.body
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["type"].startswith("urn:pti-migrante:problem:")
    assert body["correlation_id"] == response.headers["x-correlation-id"]
    assert body["title"] and body["detail"]
    if status != 404:  # the gateway-level 404 is the only one not produced by the app's own middleware
        assert response.headers["content-language"] == language
    return body


def test_health_with_an_operator_token_from_make_token(stack):
    token = stack.token("operator")
    response = stack.request("GET", "/v1/operators/health", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    assert {t["name"]: t["status"] for t in response.json()["tables"]} == dict.fromkeys(
        ["members", "idempotency", "payments", "stats", "outbox", "teleconsult", "records"], "ACTIVE")


@pytest.mark.parametrize("role", ["member", "nurse", "operator"])
def test_each_role_signs_in_and_is_recognised(stack, role):
    token = stack.token(role, f"e2e-{role}")
    me = stack.request("GET", "/v1/session", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["username"] == f"e2e-{role}" and me["roles"] == [role]


ERROR_CASES = {
    "unknown route 404": (lambda s: ("GET", "/v1/no-such-thing", None, {}), 404),
    "wrong method 405": (lambda s: ("DELETE", "/v1/health", None, {}), 405),
    "oversized body 413": (lambda s: ("POST", "/v1/health", b"x" * (MAX_BODY_BYTES + 1), {}), 413),
    "missing token 401": (lambda s: ("GET", "/v1/session", None, {}), 401),
    "forged token 401": (lambda s: ("GET", "/v1/session", None, {"Authorization": "Bearer " + s.token("member")[:-6] + "AAAAAA"}), 401),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
@pytest.mark.parametrize("language", ["es", "en"])
def test_error_classes_answer_problem_json_in_both_languages(stack, case, language):
    build, status = ERROR_CASES[case]
    method, path, body, headers = build(stack)
    headers = headers | ({"Accept-Language": "en-US,en;q=0.9"} if language == "en" else {})
    problem = _assert_problem(stack.request(method, path, body=body, headers=headers), status, language)
    spanish_titles = {404: "Recurso no encontrado", 405: "Método no permitido", 413: "Solicitud demasiado grande",
                      401: "Autenticación requerida"}
    english_titles = {404: "Resource not found", 405: "Method not allowed", 413: "Request too large",
                      401: "Authentication required"}
    assert problem["title"] == (english_titles if language == "en" else spanish_titles)[status]


def test_openapi_is_served(stack):
    document = stack.request("GET", "/v1/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert {"/v1/health", "/v1/session", "/v1/openapi.json"} <= set(document["paths"])


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on `port`, from the kernel's own tables."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                addresses.add(address)
    return addresses


LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F"}  # 127.0.0.1 as IPv4, and IPv4-mapped in IPv6


def test_every_service_listens_on_loopback_only(stack):
    for name, port in stack.ports.items():
        addresses = _listening_addresses(port)
        assert addresses and addresses <= LOOPBACK, (name, addresses)


def _dynamodb(stack):
    return Endpoints(f"http://127.0.0.1:{stack.ports['dynamodb']}", f"http://127.0.0.1:{stack.ports['moto']}").client("dynamodb")


def test_restart_keeps_data_and_identities(tmp_path):
    """Stop and start the stack on the same folder: tables, items and users' `sub` all survive."""
    first = start_stack(tmp_path / "state")
    try:
        before = first.request("GET", "/v1/session", headers={"Authorization": f"Bearer {first.token('member', 'ana')}"})
        dynamodb = _dynamodb(first)
        dynamodb.put_item(TableName="pti-local-members", Item={"pk": {"S": "MEMBER#probe"}, "sk": {"S": "PROFILE"}})
    finally:
        assert first.stop() == 0
    for port in first.ports.values():
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()

    second = start_stack(tmp_path / "state")
    try:
        run_log = (tmp_path / "state-run.log").read_text()
        assert "kept from the last run" in run_log
        item = _dynamodb(second).get_item(TableName="pti-local-members", Key={"pk": {"S": "MEMBER#probe"}, "sk": {"S": "PROFILE"}})
        assert "Item" in item
        after = second.request("GET", "/v1/session", headers={"Authorization": f"Bearer {second.token('member', 'ana')}"})
        assert json.loads(after.body)["user_id"] == json.loads(before.body)["user_id"]
    finally:
        second.stop()
