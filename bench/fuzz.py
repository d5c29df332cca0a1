"""Contract fuzzing, the long run: every operation of the OpenAPI document served by `make run`'s API, with many more
generated cases than the test (tests/e2e/test_contract_fuzz.py, whose harness, checks and exclusions this uses).
Prints per operation the cases sent, the answers' statuses and the failures by kind (with one reproduction each),
then the totals. Asserts nothing: exit 0 whatever it finds.

    make run                                  # in one terminal
    .venv/bin/python bench/fuzz.py            # [--examples 200] [--only /v1/me]

It signs in as its own users (fuzz-member, fuzz-nurse, fuzz-operator; created on first use, the member registered
with synthetic data) and writes what accepted requests write: their own data, and nurses with generated names created
by POST /v1/operators/nurses. Delete `.local/` for a clean slate.
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from chalicelib.auth import Role  # noqa: E402
from local.aws import StackState  # noqa: E402
from local.users import access_token  # noqa: E402
from tests.e2e.test_contract_fuzz import (  # noqa: E402
    FUZZ_USERS,
    fuzz_operation,
    headers_for,
    load_schema,
    prepare_member,
)


def _post(api_url: str, token: str):
    def post(path: str, body: dict) -> int:
        request = urllib.request.Request(api_url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
    return post


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=200, help="generated cases per operation and mode "
                                                                   "(valid, invalid); the test uses 25")
    parser.add_argument("--only", default="", help="operations whose `METHOD /path` contains this")
    args = parser.parse_args()

    state = StackState.load()  # the API `make run` serves, http://127.0.0.1:8000 unless started otherwise
    cognito = state.endpoints.client("cognito-idp")
    tokens = {role: access_token(cognito, state.user_pool_id, state.app_client_id, user, Role(role))
              for role, user in FUZZ_USERS.items()}
    prepare_member(_post(state.api_url, tokens["member"]))
    schema = load_schema(state.api_url)

    print(f"Contract fuzzing {state.api_url}: {args.examples} generated cases per operation and mode, "
          f"plus schemathesis' coverage cases")
    print(f"{'operation':<64} {'cases':>6} {'excl':>5} {'fail':>5} {'s':>6}  statuses")
    totals, kinds, started = Counter(), Counter(), time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        if args.only not in operation.label:
            continue
        began = time.perf_counter()
        report = fuzz_operation(operation, headers_for(operation, tokens), examples=args.examples)
        statuses = " ".join(f"{status}:{count}" for status, count in sorted(report.statuses.items()))
        print(f"{operation.label:<64} {report.cases:>6} {report.excluded:>5} {len(report.findings):>5} "
              f"{time.perf_counter() - began:>6.1f}  {statuses}" + (f"  ({'; '.join(report.notes)})" if report.notes else ""))
        totals.update(operations=1, cases=report.cases, excluded=report.excluded, failures=len(report.findings),
                      failing_operations=int(bool(report.findings)))
        kinds.update(report.kinds())
        first_of_kind = {}
        for finding in report.findings:
            first_of_kind.setdefault(finding.kind, finding)
        for kind, finding in first_of_kind.items():
            print(f"    {report.kinds()[kind]} x {kind}, e.g. {finding.request}")
            print(f"      -> {finding.status} {finding.response[:200]}")
    print(f"Total: {totals['operations']} operations, {totals['cases']} cases, {totals['excluded']} excluded, "
          f"{totals['failures']} failures in {totals['failing_operations']} operations "
          f"({', '.join(f'{k}: {n}' for k, n in kinds.most_common()) or 'none'}); "
          f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
