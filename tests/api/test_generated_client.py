"""The contract as app teams consume it: a Python client generated from the served OpenAPI document with
openapi-python-client, without a warning, whose typed models parse the real answers of the main flows."""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.auth import Role
from tests.api.test_records import _attend, scene  # noqa: F401 (fixture)
from tests.api.test_teleconsult import _book, _slots, nurses  # noqa: F401 (fixture used by scene)
from tests.people import registration

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "pti_client"


@pytest.fixture
def client_package(api, tmp_path, monkeypatch):
    """The client generated from what GET /v1/openapi.json serves, importable as `pti_client`."""
    document = tmp_path / "openapi.json"
    document.write_bytes(api.http.get("/v1/openapi.json").body)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"post_hooks": []}))  # no formatter: the generated code is only imported
    generated = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(document), "--output-path", str(tmp_path / PACKAGE),
         "--meta", "none", "--config", str(config)], capture_output=True, text=True, timeout=120)
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert not any(word in output for word in ("Warning", "Unable", "Cannot", "duplicate")), output
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(PACKAGE)
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def _typed(package, module: str, name: str, response) -> object:
    """The generated function's own parser applied to a real answer: its model, never None or a bare dict."""
    endpoint = importlib.import_module(f"{PACKAGE}.api.{module}")
    http = type("Answer", (), {"status_code": response.status_code, "json": lambda self: json.loads(response.body),
                               "content": response.body, "headers": response.headers})()
    parsed = endpoint._parse_response(client=package.Client(base_url="http://test", raise_on_unexpected_status=True),
                                      response=http)
    assert parsed is not None and type(parsed).__name__ == name, (module, type(parsed))
    return parsed


def test_a_generated_client_types_the_answers_of_the_main_flows(api, aws, clock, scene, client_package):  # noqa: F811
    newcomer = {"Authorization": f"Bearer {aws.token(Role.MEMBER, 'generated-client')}",
                "Content-Type": "application/json"}
    registered = _typed(client_package, "members.register", "MemberProfile",
                        api.http.post("/v1/registrations", headers=newcomer, body=json.dumps(registration())))
    assert registered.next_step.code
    _typed(client_package, "payments.issue_reference", "ReferenceOut",
           api.http.post("/v1/me/payment-references", headers=newcomer, body=json.dumps({"months": 1})))

    member, ana, consult = scene["member"], scene["ana"], scene["consult"]
    later = _slots(api, member, "2026-12-02", "2026-12-02")[0]
    _typed(client_package, "teleconsult.book", "AppointmentOut", _book(api, member, later["slot_id"]))
    profile = _typed(client_package, "members.my_profile", "MemberProfile", api.http.get("/v1/me", headers=member))
    assert profile.curp == scene["curp"]
    references = _typed(client_package, "payments.list_references", "ReferenceList",
                        api.http.get("/v1/me/payment-references", headers=member))
    assert references.references
    _typed(client_package, "payments.list_payments", "PaymentList", api.http.get("/v1/me/payments", headers=member))
    listed = _typed(client_package, "teleconsult.my_appointments", "AppointmentList",
                    api.http.get("/v1/me/appointments", headers=member))
    assert consult["appointment_id"] in [item.appointment_id for item in listed.items]
    entry = _typed(client_package, "records.end_with_note", "Entry", _attend(api, clock, ana, consult))
    page = _typed(client_package, "records.my_record", "RecordPage", api.http.get("/v1/me/record", headers=member))
    assert [e.entry_id for e in page.items] == [entry.entry_id]
