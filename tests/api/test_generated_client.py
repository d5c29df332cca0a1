"""The contract as app teams consume it: a Python client generated from the served OpenAPI document with
openapi-python-client, without a warning, whose typed models parse the real answers of the main flows."""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.flows import main_flow_answers
from tests.api.test_records import scene  # noqa: F401 (fixture)
from tests.api.test_teleconsult import nurses  # noqa: F401 (fixture used by scene)

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "pti_client"
# Each main-flow operation: the generated module that calls it and the model its answer parses into.
MODELS = {
    ("/v1/registrations", "post"): ("members.register", "MemberProfile"),
    ("/v1/me/payment-references", "post"): ("payments.issue_reference", "ReferenceOut"),
    ("/v1/teleconsult/appointments", "post"): ("teleconsult.book", "AppointmentOut"),
    ("/v1/me", "get"): ("members.my_profile", "MemberProfile"),
    ("/v1/me/payment-references", "get"): ("payments.list_references", "ReferenceList"),
    ("/v1/me/payments", "get"): ("payments.list_payments", "PaymentList"),
    ("/v1/me/appointments", "get"): ("teleconsult.my_appointments", "AppointmentList"),
    ("/v1/teleconsult/appointments/{appointment_id}/join", "post"): ("teleconsult.join", "JoinOut"),
    ("/v1/nurse/appointments/{appointment_id}/end", "post"): ("records.end_with_note", "Entry"),
    ("/v1/me/record", "get"): ("records.my_record", "RecordPage"),
    ("/v1/records/{patient_id}/fhir", "get"): ("records.fhir_export", "FhirBundle"),
}


@pytest.fixture
def client_package(api, tmp_path, monkeypatch):
    """The client generated from what GET /v1/openapi.json serves, importable as `pti_client`."""
    document = tmp_path / "openapi.json"
    document.write_bytes(api.http.get("/v1/openapi.json").body)
    config = tmp_path / "config.json"
    # No formatter: the generated code is only imported. The PDF documents are bytes, as docs/api.md tells app teams.
    config.write_text(json.dumps({"post_hooks": [],
                                  "content_type_overrides": {"application/pdf": "application/octet-stream"}}))
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
    answers = main_flow_answers(api, aws, clock, scene, "generated-client")
    assert {(answer.path, answer.method) for answer in answers} == set(MODELS)
    for answer in answers:
        parsed = _typed(client_package, *MODELS[(answer.path, answer.method)], answer.response)
        assert not parsed.additional_properties, (answer.name, parsed.additional_properties)  # all fields declared
