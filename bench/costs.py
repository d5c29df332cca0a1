"""AWS requests per API operation: DynamoDB requests by type and round trips, calls to other services, and the
capacity the responses report, beside the round trips docs/data-model.md's "Access patterns" table documents.

Runs tests/api/test_costs.py's walk (one member, operator, partner and nurse, registration to FHIR export) in-process
against moto, as the API tests do, counting with tests/costs.py. Prints figures; asserts nothing.
"""

import json
import logging
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

import boto3  # noqa: E402
from chalice.test import Client  # noqa: E402

from chalicelib.http import api as api_module  # noqa: E402
from local.aws import REGION  # noqa: E402
from local.users import LOCAL_PASSWORD  # noqa: E402
from tests.api.conftest import PREFIX  # noqa: E402
from tests.api.test_costs import MISMATCHES, World, budget, walk  # noqa: E402
from tests.conftest import MOTO_JWKS, in_process_aws, start_jwks_server  # noqa: E402
from tests.costs import describe  # noqa: E402


def measured_walk() -> dict:
    """tests/conftest.py's `aws` and `api` fixtures and tests/api/conftest.py's `clock`, without pytest."""
    serve, shutdown = start_jwks_server()
    now = {"at": datetime.now(timezone.utc)}
    api_module.utc_now = lambda: now["at"]  # the service's clock, as the `clock` fixture sets it

    def clock(when: datetime) -> datetime:
        now["at"] = when
        return when

    clock.now = lambda: now["at"]
    try:
        with in_process_aws(serve(MOTO_JWKS), os.environ.__setitem__, lambda name: os.environ.pop(name, None)) as aws:
            secrets = boto3.client("secretsmanager", region_name=REGION)

            def secret(partner: str) -> str:
                return json.loads(secrets.get_secret_value(SecretId=PREFIX + partner)["SecretString"])["current"]

            def set_password(username: str) -> None:
                aws.cognito.admin_set_user_password(UserPoolId=aws.pool_id, Username=username, Password=LOCAL_PASSWORD,
                                                    Permanent=True)

            from app import app

            with Client(app, stage_name="local", project_dir=str(PROJECT)) as api:
                return walk(World(api, aws.token, clock, secret, set_password))
    finally:
        shutdown()


def capacity_cell(requests) -> str:
    total = requests.capacity()
    if total is None:
        return "-" if not requests.dynamodb_calls() else "n/a"
    return f"{total:g}" if requests.capacity_complete else f"≥{total:g}"


def main() -> None:
    logging.getLogger("pti").disabled = True  # one JSON line per request would bury the table
    steps = measured_walk()
    rows = [("operation", "DynamoDB requests by type", "round trips", "docs", "other AWS calls", "capacity (moto)")]
    for operation, step in steps.items():
        requests = step.requests
        rows.append((operation, describe(requests.dynamodb()), str(requests.round_trips),
                     str(budget(operation, step.body)), describe(requests.others()), capacity_cell(requests)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    right = {2, 3, 5}
    for n, row in enumerate(rows):
        print(" | ".join(cell.rjust(width) if i in right else cell.ljust(width)
                         for i, (cell, width) in enumerate(zip(row, widths))).rstrip())
        if n == 0:
            print("-+-".join("-" * width for width in widths))
    total = sum(step.requests.round_trips for step in steps.values())
    print(f"\n{len(steps)} operations, {total} DynamoDB requests in all (a warm container; tokens, nurse sign-in and "
          "signing happen outside the counts).")
    print("docs: the round trips of the operation's row in docs/data-model.md's Access patterns (formulas evaluated "
          "for this call); where they differ:")
    for operation, step in steps.items():
        documented = budget(operation, step.body)
        if step.requests.round_trips != documented:
            why = MISMATCHES.get(operation, "not yet listed in tests/api/test_costs.py's MISMATCHES")
            print(f"  {operation}: {step.requests.round_trips} here, {documented} in the docs ({why})")
    print("capacity: CapacityUnits summed from the responses. moto reports fixed placeholders, not item sizes "
          "(GetItem 0.5, PutItem/Query 1, BatchGetItem 1 per key, BatchWriteItem 1 per table) and nothing for "
          "TransactWriteItems or UpdateItem: ≥ marks a total missing those, n/a one where nothing reported any.")


if __name__ == "__main__":
    main()
