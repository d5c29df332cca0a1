"""The CURP-registry provider adapter against a loopback stand-in: the contract in adapters/curp_registry.py."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from chalicelib.errors import ServiceUnavailable
from chalicelib.adapters.curp_registry import ProviderCurpRegistry
from tests.people import make_curp

CURP = make_curp("PEGL", consonants="RMS")
PERSON = {"first_name": "Luis", "last_name": "Pérez", "second_last_name": None, "birth_date": "1985-06-15",
          "sex": "M", "birth_state": "NE"}


@pytest.fixture
def provider():
    """A provider that answers by the CURP asked for; records what it was sent."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append((self.headers["Authorization"], body))
            answers = {CURP: (200, json.dumps(PERSON)), "GARBAGE": (200, "not json"), "LIST": (200, "[1, 2]"),
                       "PARTIAL": (200, json.dumps({"first_name": "Luis"})), "DOWN": (503, "{}")}
            status, text = answers.get(body["curp"], (404, "{}"))
            self.send_response(status)
            self.end_headers()
            self.wfile.write(text.encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield ProviderCurpRegistry(f"http://127.0.0.1:{server.server_port}/curp", "key-123"), seen
    server.shutdown()


def test_a_found_curp_is_its_registry_record_and_the_key_is_sent(provider):
    registry, seen = provider
    record = registry.lookup(CURP)
    assert record.first_name == "Luis" and record.birth_state == "NE" and record.curp == CURP
    assert seen == [("Bearer key-123", {"curp": CURP})]


def test_an_unknown_curp_is_none_and_a_broken_provider_is_a_503(provider):
    registry, _ = provider
    assert registry.lookup(make_curp(consonants="ZZZ")) is None
    for curp in ("GARBAGE", "LIST", "PARTIAL", "DOWN"):
        with pytest.raises(ServiceUnavailable):
            registry.lookup(curp)
    with pytest.raises(ServiceUnavailable):
        ProviderCurpRegistry("http://127.0.0.1:9/curp", "key").lookup(CURP)  # nothing listens there
