"""Fixtures shared by the tiers: an in-process AWS (moto) for API tests, and captured service logs."""

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws
from moto.utilities.utils import load_resource

from chalicelib import wiring
from chalicelib.auth import Role
from chalicelib.logs import JsonFormatter, service_logger
from local.aws import FAKE_CREDENTIALS, PROJECT, REGION, stage_environment
from local.bootstrap import bootstrap, ensure_cognito
from local.users import access_token

# moto signs in-process tokens with one fixed key pair; its public half is the JWKS the API verifies against.
MOTO_JWKS = load_resource("cognitoidp/resources/jwks-public.json")


def start_jwks_server() -> tuple[Callable[[dict], str], Callable[[], None]]:
    """A loopback HTTP server standing in for Cognito's JWKS endpoint: (`serve(jwks)` → its URL, `shutdown()`)."""
    documents: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = documents.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body or b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def serve(jwks: dict) -> str:
        path = f"/{len(documents)}/.well-known/jwks.json"
        documents[path] = json.dumps(jwks).encode()
        return f"http://127.0.0.1:{server.server_port}{path}"

    return serve, server.shutdown


@pytest.fixture(scope="session")
def jwks_server():
    serve, shutdown = start_jwks_server()
    yield serve
    shutdown()


@dataclass
class InProcessAws:
    cognito: object
    pool_id: str
    client_id: str

    def token(self, role: Role, username: str | None = None) -> str:
        return access_token(self.cognito, self.pool_id, self.client_id, username or f"test-{role.value}", role)


@contextmanager
def in_process_aws(jwks_url: str, setenv: Callable[[str, str], None],
                   delenv: Callable[[str], None]) -> Iterator[InProcessAws]:
    """moto in-process with the template's tables and user pool, and the service environment pointing at it
    (set through `setenv` / `delenv`: a MonkeyPatch's in tests, os.environ's in benches)."""
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        delenv(variable)
    # AWS_ACCOUNT_ID_ENDPOINT_MODE: botocore sends a stream ARN's calls to an account-id endpoint moto does not serve.
    for name, value in {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
                        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled"}.items():
        setenv(name, value)
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
            for name, value in environment.items():
                setenv(name, value)
            bootstrap(lambda service: boto3.client(service, region_name=REGION), environment)
            wiring.reset()
            yield InProcessAws(cognito, pool_id, client_id)
    finally:
        wiring.reset()


@pytest.fixture
def aws(monkeypatch, jwks_server) -> InProcessAws:
    with in_process_aws(jwks_server(MOTO_JWKS), monkeypatch.setenv,
                        lambda name: monkeypatch.delenv(name, raising=False)) as aws:
        yield aws


@pytest.fixture
def api(aws):
    """chalice's test client on the real app, against the in-process AWS."""
    from app import app

    with Client(app, stage_name="local", project_dir=str(PROJECT)) as client:
        yield client


class LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def entries(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def service_logs():
    """Every line the service logs during the test, exactly as formatted for CloudWatch."""
    capture = LogCapture()
    logger = service_logger()
    logger.addHandler(capture)
    yield capture
    logger.removeHandler(capture)
