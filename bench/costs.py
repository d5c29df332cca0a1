"""AWS requests per API operation: DynamoDB requests by type and round trips, calls to other services, and the
capacity the responses report, beside the round trips docs/data-model.md's "Access patterns" table documents.

Runs tests/api/test_costs.py's walk (one member, operator, partner and nurse, registration to FHIR export) in-process
against moto, as the API tests do, counting with tests/costs.py. Prints figures; asserts nothing.
"""

import json
import logging
import os
import sys
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

import boto3  # noqa: E402
from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib import wiring  # noqa: E402
from chalicelib.http import api as api_module  # noqa: E402
from local.aws import FAKE_CREDENTIALS, REGION, stage_environment  # noqa: E402
from local.bootstrap import bootstrap, ensure_cognito  # noqa: E402
from local.users import LOCAL_PASSWORD  # noqa: E402
from tests.api.conftest import PREFIX  # noqa: E402
from tests.api.test_costs import MISMATCHES, World, budget, walk  # noqa: E402
from tests.conftest import MOTO_JWKS, InProcessAws  # noqa: E402
from tests.costs import describe  # noqa: E402


def serve_jwks() -> tuple[ThreadingHTTPServer, str]:
    """moto's token-signing public key on a loopback URL, standing in for Cognito's JWKS endpoint."""
    document = json.dumps(MOTO_JWKS).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"


def measured_walk() -> dict:
    """tests/conftest.py's `aws` and `api` fixtures and tests/api/conftest.py's `clock`, without pytest."""
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        os.environ.pop(variable, None)
    os.environ.update({**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION})
    server, jwks_url = serve_jwks()
    now = {"at": datetime.now(timezone.utc)}
    api_module.utc_now = lambda: now["at"]  # the service's clock, as the `clock` fixture sets it

    def clock(when: datetime) -> datetime:
        now["at"] = when
        return when

    clock.now = lambda: now["at"]
    try:
        with mock_aws():
            cognito = boto3.client("cognito-idp", region_name=REGION)
            pool_id, client_id = ensure_cognito(cognito)
            environment = {
                **stage_environment("local"),
                "COGNITO_USER_POOL_ID": pool_id,
                "COGNITO_APP_CLIENT_ID": client_id,
                "COGNITO_ISSUER": f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}",
                "COGNITO_JWKS_URL": jwks_url,
            }
            os.environ.update(environment)
            bootstrap(lambda service: boto3.client(service, region_name=REGION), environment)
            wiring.reset()
            aws = InProcessAws(cognito, pool_id, client_id)
            secrets = boto3.client("secretsmanager", region_name=REGION)

            def secret(partner: str) -> str:
                return json.loads(secrets.get_secret_value(SecretId=PREFIX + partner)["SecretString"])["current"]

            def set_password(username: str) -> None:
                cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=LOCAL_PASSWORD,
                                                Permanent=True)

            from app import app

            with Client(app, stage_name="local", project_dir=str(PROJECT)) as api:
                return walk(World(api, aws.token, clock, secret, set_password))
    finally:
        wiring.reset()
        server.shutdown()


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
