"""The end-to-end tier drives `make run`'s own launcher on free ports with a throw-away state folder, then talks
HTTP to `chalice local`, which talks to DynamoDB Local and the moto server."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from chalicelib.auth import Role
from local.aws import PROJECT, StackState, free_port
from local.users import access_token


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class RunningStack:
    process: subprocess.Popen
    state_dir: Path
    api_url: str
    ports: dict[str, int]

    @property
    def environment(self) -> dict[str, str]:
        return {**os.environ, "PTI_LOCAL_STATE_DIR": str(self.state_dir)}

    def token(self, role: str, user: str | None = None) -> str:
        """The same command as `make -s token ROLE=... USER=...`."""
        command = [sys.executable, "-m", "local.token", "--role", role] + (["--user", user] if user else [])
        result = subprocess.run(command, cwd=PROJECT, env=self.environment, capture_output=True, text=True, check=True)
        return result.stdout.strip()

    def signed_in(self, role: str, user: str) -> dict[str, str]:
        """Headers for a user signed in straight against the local Cognito (what `token` does, without a process)."""
        state = StackState.load(self.state_dir / "stack.json")
        token = access_token(state.endpoints.client("cognito-idp"), state.user_pool_id, state.app_client_id, user, Role(role))
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def request(self, method: str, path: str, *, body: bytes | None = None, json_body=None,
                headers: dict | None = None) -> HttpResponse:
        if json_body is not None:
            body = json.dumps(json_body).encode()
        request = urllib.request.Request(self.api_url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return HttpResponse(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
        except urllib.error.HTTPError as error:
            return HttpResponse(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)


def start_stack(state_dir: Path, at: datetime | None = None) -> RunningStack:
    """`make run [AT=…]` on free ports, with its state in `state_dir`."""
    state_dir.mkdir(parents=True, exist_ok=True)
    ports = {"api": free_port(), "dynamodb": free_port(), "moto": free_port(), "console": free_port()}
    log = open(state_dir.parent / f"{state_dir.name}-run.log", "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "local.run", "--api-port", str(ports["api"]),
         "--dynamodb-port", str(ports["dynamodb"]), "--moto-port", str(ports["moto"]),
         "--console-port", str(ports["console"]),
         *(["--at", at.isoformat()] if at else [])],
        cwd=PROJECT, env={**os.environ, "PTI_LOCAL_STATE_DIR": str(state_dir)},
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    stack = RunningStack(process, state_dir, f"http://127.0.0.1:{ports['api']}", ports)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"local.run exited: {Path(log.name).read_text()}")
        try:
            if stack.request("GET", "/v1/health").status == 200:
                return stack
        except OSError:
            pass
        time.sleep(0.5)
    stack.stop()
    raise TimeoutError(f"API not up after 120 s: {Path(log.name).read_text()}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = start_stack(tmp_path_factory.mktemp("stack") / "state")
    yield running
    running.stop()
