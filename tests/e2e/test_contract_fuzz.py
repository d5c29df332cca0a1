"""Contract fuzzing over HTTP: schemathesis reads the OpenAPI document the running API serves, generates requests for
every operation in it (its coverage phase's boundary values, then Hypothesis-generated valid and invalid inputs), sends
them signed in as the role the operation needs, and holds every answer to the document: no 5xx, a documented status
code, the documented content type and a body matching the documented schema.

The harness (`fuzz_operation`) is shared with `bench/fuzz.py`, the longer run against `make run`'s stack.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
import schemathesis
from chalice.local import ChaliceRequestHandler
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation.meta import CoverageScenario, coverage_scenario
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import app
from chalicelib.http.openapi import operations_of
from tests.people import make_curp, registration

pytestmark = pytest.mark.e2e

# What the contract demands of every answer. Nothing else (e.g. "positive data is accepted": pydantic's JSON schema
# cannot express check digits or the programme's rules, so schema-valid input is often rightly answered 422).
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance)

EXAMPLES_PER_MODE = 25  # per operation, for valid and for invalid input: 30-50 s for all 49 operations

# The request methods `chalice local`'s HTTP server implements. Schemathesis also probes each path with methods no
# operation declares; those the server lacks (TRACE, QUERY) are answered by Python's http.server itself (501, HTML)
# before our middleware runs. In AWS API Gateway answers them, so they say nothing about this API: excluded.
SERVED_METHODS = frozenset(name.removeprefix("do_") for name in dir(ChaliceRequestHandler) if name.startswith("do_"))


@dataclass
class Finding:
    kind: str
    request: str  # a curl command (the token filtered out)
    status: int
    response: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.request}\n  -> {self.status} {self.response}\n  {self.message}"


@dataclass
class OperationReport:
    label: str
    cases: int = 0
    excluded: int = 0
    statuses: Counter = field(default_factory=Counter)  # answers to the operation's own method
    probes: Counter = field(default_factory=Counter)  # answers to other methods on its path (405, OPTIONS)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def kinds(self) -> Counter:
        return Counter(finding.kind for finding in self.findings)


def headers_for(operation, tokens: dict[str, str]) -> dict[str, str]:
    """Sign in as the operation needs: its `x-roles` (the first, when several may call it; any role when empty), or
    no token for a public operation. Only Authorization: schemathesis sets each case's own Content-Type."""
    roles = operation.definition.raw.get("x-roles")
    if roles is None:
        return {}
    return {"Authorization": f"Bearer {tokens[roles[0] if roles else 'member']}"}


def fuzz_operation(operation, headers: dict[str, str], *, examples: int, base_url: str | None = None) -> OperationReport:
    """Send the operation's coverage cases and `examples` generated cases per mode (valid, invalid), checking each
    answer with CHECKS; every failure is collected (nothing stops or shrinks the run)."""
    report = OperationReport(operation.label)

    def send(case) -> None:
        report.cases += 1
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        own_method = case.method.upper() == operation.method.upper()
        (report.statuses if own_method else report.probes)[response.status_code] += 1
        try:
            case.validate_response(response, checks=list(CHECKS), headers=headers)
        except FailureGroup as group:
            failures = list(group.exceptions)
        except Failure as failure:
            failures = [failure]
        else:
            return
        for failure in failures:
            report.findings.append(Finding(failure.title, case.as_curl_command(headers=headers, base_url=base_url),
                                           response.status_code, response.text[:300], failure.message[:500]))

    schema = operation.schema
    for case in schema.iter_coverage_cases(operation, generation_modes=list(GenerationMode),
                                           generation_config=schema.config.generation):
        if coverage_scenario(case) == CoverageScenario.UNSPECIFIED_HTTP_METHOD and case.method.upper() not in SERVED_METHODS:
            report.excluded += 1  # see SERVED_METHODS
            continue
        send(case)
    for mode in GenerationMode:
        # Derandomized: the same cases every run. Generation only (no shrinking: failures are collected, not raised);
        # health checks off because rejecting much generated input is what negative generation is for.
        @settings(max_examples=examples, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(mode))
        def generated(case) -> None:
            send(case)

        try:
            generated()
        except Unsatisfiable:
            # No parameters, body or sign-in to get wrong (GET /v1/health, GET /v1/openapi.json): no invalid input.
            if mode is not GenerationMode.NEGATIVE:
                raise
            report.notes.append("no invalid input can be generated")
    return report


def load_schema(api_url: str):
    # Schemathesis leaves out the operation that served the document unless a filter names it: include every path.
    return schemathesis.openapi.from_url(f"{api_url}/v1/openapi.json").include(path_regex="^/")


# --- The test --------------------------------------------------------------------------------------------------------

OPERATIONS = sorted(f"{op.method} {op.path}" for op in operations_of(app.routes))


@pytest.fixture(scope="module")
def api_schema(stack):
    return load_schema(stack.api_url)


FUZZ_USERS = {"member": "fuzz-member", "nurse": "fuzz-nurse", "operator": "fuzz-operator"}


def prepare_member(post: Callable[[str, dict], int]) -> list[int]:
    """Give the fuzzed member something to read, so member routes get past 404: a registration, a payment reference
    and a beneficiary (`post(path, body)` sends one as the member and returns the status: 201, or 409 when a run
    against the same stack did it already)."""
    child = {"relationship": "child", "curp": make_curp("FUZA", date(2019, 3, 3), "H", "JC", "FZZ"),
             "first_name": "Nico", "last_name": "Prueba"}
    return [post("/v1/registrations", registration()), post("/v1/me/payment-references", {"months": 1}),
            post("/v1/me/beneficiaries", child)]


@pytest.fixture(scope="module")
def tokens(stack) -> dict[str, str]:
    """Users of their own, so nothing other tests rely on changes; the nurse has no nurse profile (a profiled nurse
    would publish slots when PUT availability succeeds, and other tests page through every nurse's slots)."""
    headers = {role: stack.signed_in(role, user) for role, user in FUZZ_USERS.items()}
    statuses = prepare_member(lambda path, body: stack.request("POST", path, headers=headers["member"],
                                                               json_body=body).status)
    assert statuses == [201, 201, 201]
    return {role: h["Authorization"].removeprefix("Bearer ") for role, h in headers.items()}


def test_every_operation_of_the_app_is_served_and_fuzzed(api_schema):
    served = sorted(result.ok().label for result in api_schema.get_all_operations())
    assert served == OPERATIONS


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_keeps_its_contract_under_fuzzing(api_schema, tokens, label):
    method, path = label.split(" ", 1)
    operation = api_schema[path][method]
    report = fuzz_operation(operation, headers_for(operation, tokens), examples=EXAMPLES_PER_MODE)
    assert report.cases > 0
    if report.notes:  # no invalid input generated: only right when there is nothing at all to get wrong
        definition = operation.definition.raw
        assert not definition["parameters"] and "requestBody" not in definition and "security" not in definition
    if path == "/v1/webhooks/{partner}":
        # Fuzzed deliveries are unsigned: none may be accepted (the signature is checked before anything else).
        assert not any(200 <= status < 300 for status in report.statuses), report.statuses
    assert not report.findings, f"{len(report.findings)} failures {dict(report.kinds())}:\n" + "\n".join(
        str(finding) for finding in report.findings[:10])
