"""Fixtures of the API tier: a settable clock, registered members, operators and a signing partner."""

import json
from datetime import datetime, timezone

import boto3
import pytest

from chalicelib.http import api as api_module
from chalicelib.auth import Role
from local.aws import REGION, stage_environment
from local.webhook import signed_headers
from tests.people import registration

PREFIX = stage_environment("local")["WEBHOOK_SECRETS_PREFIX"]


@pytest.fixture
def clock(monkeypatch):
    """Stand the service (and the signer) at a chosen instant."""
    state = {"now": datetime.now(timezone.utc)}
    monkeypatch.setattr(api_module, "utc_now", lambda: state["now"])

    def set_to(when: datetime) -> datetime:
        state["now"] = when
        return when

    set_to.now = lambda: state["now"]
    return set_to


@pytest.fixture
def partner(api, aws, clock):
    """Deliver signed events as a partner: `partner.send(event, ...)` returns the response."""
    secrets = boto3.client("secretsmanager", region_name=REGION)

    class Partner:
        def secret(self, name="finabien"):
            return json.loads(secrets.get_secret_value(SecretId=PREFIX + name)["SecretString"])["current"]

        def send(self, event, name="finabien", *, message_id=None, secret=None, timestamp=None, body=None,
                 headers=None):
            raw = body if body is not None else json.dumps(event).encode()
            stamp = int(clock.now().timestamp()) if timestamp is None else timestamp
            signed = signed_headers(json.dumps(event).encode() if body is not None else raw,
                                    secret or self.secret(name), message_id, stamp)
            return api.http.post(f"/v1/webhooks/{name}", headers={**signed, **(headers or {})}, body=raw)

    return Partner()


@pytest.fixture
def member(api, aws):
    counter = iter(range(10_000))

    def make(**fields):
        headers = {"Authorization": f"Bearer {aws.token(Role.MEMBER, f'payer-{next(counter)}')}",
                   "Content-Type": "application/json"}
        body = registration(**fields)
        assert api.http.post("/v1/registrations", headers=headers, body=json.dumps(body)).status_code == 201
        return headers, body

    return make


@pytest.fixture
def operator(aws):
    return {"Authorization": f"Bearer {aws.token(Role.OPERATOR, 'op-1')}", "Content-Type": "application/json"}


def issue(api, headers, months=1):
    response = api.http.post("/v1/me/payment-references", headers=headers, body=json.dumps({"months": months}))
    assert response.status_code == 201, response.body
    return json.loads(response.body)


def paid(reference=None, amount="0", *, tx="tx-1", paid_at=None, nss=None, channel="finabien", **data):
    return {"type": "payment.succeeded", "data": {
        "reference": reference, "nss": nss, "amount_mxn": amount, "channel": channel,
        "paid_at": (paid_at or datetime.now(timezone.utc)).isoformat(), "partner_transaction_id": tx, **data}}


def reversed_(tx, when=None, reason="chargeback"):
    return {"type": "payment.reversed", "data": {"partner_transaction_id": tx, "reversed_at":
                                                 (when or datetime.now(timezone.utc)).isoformat(), "reason": reason}}


@pytest.fixture
def event_sources(api, aws):
    """Lambda's event sources in-process (local/runner.py's, over moto): `run_jobs(now)` dispatches the day's pieces
    and has the consumer do them all; `relay()` hands the outbox stream's new records to the relay."""
    from chalicelib.services import jobs
    from local.runner import QueueSource, StreamSource, sources

    queue, stream = sources(lambda service: boto3.client(service, region_name=REGION),
                            {"OUTBOX_TABLE": stage_environment("local")["OUTBOX_TABLE"]})

    class EventSources:
        queue_source: QueueSource = queue
        stream_source: StreamSource = stream

        def run_jobs(self, now: datetime) -> int:
            """Dispatch at `now` and drain the queue; returns the pieces dispatched."""
            dispatched = jobs.dispatch_daily(now, "test")
            while queue.poll(wait_seconds=0):
                pass
            return dispatched

        def relay(self) -> int:
            relayed = total = stream.poll()
            while relayed:
                relayed = stream.poll()
                total += relayed
            return total

    return EventSources()
