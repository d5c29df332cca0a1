"""The partners' kit (docs/webhooks.md) is true: its test vectors verify with our code and with the spec's reference
package `standardwebhooks`, and the example events in docs/examples/ are valid payments with valid references."""

import base64
import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import get_args

import pytest
import standardwebhooks.webhooks
from standardwebhooks import Webhook, WebhookVerificationError

from chalicelib.domain.identifiers import check_nss
from chalicelib.domain.payment_events import (
    PAYMENT_REVERSED, PAYMENT_SUCCEEDED, Envelope, PaymentReversed, PaymentSucceeded, UnmatchedReason,
)
from chalicelib.domain.payments import is_valid_reference, normalize_reference
from chalicelib.domain.webhook_signatures import SignatureRejected, secret_key, signature, verify

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "webhooks.md"
EXAMPLES = ROOT / "docs" / "examples"
# A fenced block whose info string is "json test-vector" (GitHub still highlights it as JSON).
_VECTOR_BLOCK = re.compile(r"^```json test-vector[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
_REQUIRED = {"name", "secrets", "webhook-id", "webhook-timestamp", "body", "body_sha256", "webhook-signature"}


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _vectors() -> list[dict]:
    return [json.loads(block) for block in _VECTOR_BLOCK.findall(_doc())]


VECTORS = _vectors()


def _headers(vector: dict) -> dict[str, str]:
    return {name: vector[name] for name in ("webhook-id", "webhook-timestamp", "webhook-signature")}


def _body(vector: dict) -> bytes:
    return vector["body"].encode("utf-8")


def _moment(vector: dict) -> datetime:
    return datetime.fromtimestamp(int(vector["webhook-timestamp"]), timezone.utc)


def _entries(vector: dict) -> list[str]:
    return vector["webhook-signature"].split(" ")


@pytest.fixture
def reference_clock(monkeypatch):
    """Pin the "now" that `standardwebhooks` checks timestamps against (it calls datetime.now(tz=timezone.utc))."""

    def pin(moment: datetime) -> None:
        class Pinned(datetime):
            @classmethod
            def now(cls, tz=None):
                return moment if tz is None else moment.astimezone(tz)

        monkeypatch.setattr(standardwebhooks.webhooks, "datetime", Pinned)

    return pin


# --- The vectors themselves ----------------------------------------------------------------------------------------

def test_the_doc_has_at_least_three_well_formed_vectors_one_of_them_a_rotation():
    assert len(VECTORS) >= 3
    for vector in VECTORS:
        assert _REQUIRED <= set(vector), vector.get("name")
        assert vector["webhook-timestamp"].isdigit()
        assert len(_entries(vector)) == len(vector["secrets"]) >= 1
        assert all(entry.startswith("v1,") for entry in _entries(vector))
        assert all(secret.startswith("whsec_") for secret in vector["secrets"])
    assert len({vector["name"] for vector in VECTORS}) == len(VECTORS)
    assert len({vector["webhook-id"] for vector in VECTORS}) == len(VECTORS)
    assert any(len(vector["secrets"]) >= 2 for vector in VECTORS), "one vector must show a rotation"
    assert any(any(byte > 0x7F for byte in _body(vector)) for vector in VECTORS), "one body must be non-ASCII"


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_the_body_bytes_are_the_ones_published(vector):
    assert hashlib.sha256(_body(vector)).hexdigest() == vector["body_sha256"]


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_our_signature_and_the_reference_packages_equal_the_published_one(vector):
    body, message_id, stamp = _body(vector), vector["webhook-id"], int(vector["webhook-timestamp"])
    for secret, published in zip(vector["secrets"], _entries(vector), strict=True):
        assert signature(body, message_id, stamp, secret) == published
        assert Webhook(secret).sign(message_id, _moment(vector), vector["body"]) == published


@pytest.mark.parametrize("vector", [v for v in VECTORS if "signed_content" in v or "hmac_sha256_hex" in v],
                         ids=lambda v: v["name"])
def test_the_intermediate_values_shown_step_by_step(vector):
    key = secret_key(vector["secrets"][0])
    content = f"{vector['webhook-id']}.{vector['webhook-timestamp']}.".encode() + _body(vector)
    assert key.hex() == vector["key_hex"]
    assert content == vector["signed_content"].encode("utf-8")
    digest = hmac.new(key, content, hashlib.sha256).digest()
    assert digest.hex() == vector["hmac_sha256_hex"]
    assert "v1," + base64.b64encode(digest).decode() == _entries(vector)[0]


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_our_verifier_accepts_each_vector_with_any_of_its_secrets(vector):
    body, headers, now = _body(vector), _headers(vector), _moment(vector)
    assert verify(body, headers, vector["secrets"], now) == vector["webhook-id"]
    for secret in vector["secrets"]:  # during a rotation the receiver may hold only one of them
        assert verify(body, headers, [secret], now) == vector["webhook-id"]
        assert verify(body, headers, [secret], now + timedelta(minutes=5)) == vector["webhook-id"]


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_our_verifier_refuses_each_vector_tampered_or_stale(vector):
    body, headers, now = _body(vector), _headers(vector), _moment(vector)
    cases = [
        (body + b" ", headers, now, "no-match"),
        (body, headers | {"webhook-id": vector["webhook-id"] + "x"}, now, "no-match"),
        (body, headers, now + timedelta(minutes=5, seconds=1), "stale"),
        (body, headers, now - timedelta(minutes=5, seconds=1), "future"),
    ]
    for tampered, tampered_headers, at, reason in cases:
        with pytest.raises(SignatureRejected) as rejected:
            verify(tampered, tampered_headers, vector["secrets"], at)
        assert rejected.value.reason == reason
    with pytest.raises(SignatureRejected):
        verify(body, headers, ["whsec_" + base64.b64encode(bytes(32)).decode()], now)


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_the_reference_package_accepts_each_vector_with_any_of_its_secrets(vector, reference_clock):
    reference_clock(_moment(vector) + timedelta(seconds=30))
    for secret in vector["secrets"]:
        assert Webhook(secret).verify(_body(vector), _headers(vector)) == json.loads(vector["body"])
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(_body(vector) + b" ", _headers(vector))
    reference_clock(_moment(vector) + timedelta(minutes=6))  # the pinned clock is the one it really reads
    with pytest.raises(WebhookVerificationError):
        Webhook(vector["secrets"][0]).verify(_body(vector), _headers(vector))


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_each_vector_body_is_itself_a_valid_event(vector):
    _validated(json.loads(vector["body"]), _moment(vector))


# --- The example files ---------------------------------------------------------------------------------------------

EXAMPLE_FILES = {
    "webhook-payment-succeeded.json": PAYMENT_SUCCEEDED,
    "webhook-payment-succeeded-spei.json": PAYMENT_SUCCEEDED,
    "webhook-payment-reversed.json": PAYMENT_REVERSED,
}


def _validated(document: dict, after: datetime):
    envelope = Envelope.model_validate(document, context={"now": after})
    model = {PAYMENT_SUCCEEDED: PaymentSucceeded, PAYMENT_REVERSED: PaymentReversed}[envelope.type]
    event = model.model_validate(envelope.data, context={"now": after})
    if isinstance(event, PaymentSucceeded):
        assert event.paid_at <= after
        if event.reference is not None:
            assert is_valid_reference(event.reference), event.reference
        if event.nss is not None:
            assert check_nss(event.nss) == event.nss
    return envelope, event


@pytest.mark.parametrize("name, event_type", EXAMPLE_FILES.items())
def test_example_events_validate(name, event_type):
    document = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    assert document["type"] == event_type
    when = datetime(2026, 3, 4, 17, 20, tzinfo=timezone.utc)
    envelope, event = _validated(document, when + timedelta(days=7))
    assert envelope.timestamp is not None and envelope.timestamp >= when
    if isinstance(event, PaymentSucceeded):
        assert str(event.amount_mxn) == "1766.90"
        # The raw text, as a partner sends it: a decimal string.
        assert isinstance(document["data"]["amount_mxn"], str)


def test_example_references_are_valid_and_the_spei_example_carries_the_cep_tuple():
    card = json.loads((EXAMPLES / "webhook-payment-succeeded.json").read_text(encoding="utf-8"))["data"]
    spei = json.loads((EXAMPLES / "webhook-payment-succeeded-spei.json").read_text(encoding="utf-8"))["data"]
    reversal = json.loads((EXAMPLES / "webhook-payment-reversed.json").read_text(encoding="utf-8"))["data"]
    assert re.fullmatch(r"[0-9]{18}", card["reference"]) and is_valid_reference(card["reference"])
    assert is_valid_reference(normalize_reference("4827 1055 3901 6284 43")) and "4827 1055 3901 6284 43" in _doc()
    assert card["usd"] and card["partner_transaction_id"] == reversal["partner_transaction_id"]
    assert spei["reference"] is None and spei["channel"] == "spei" and check_nss(spei["nss"])
    assert re.fullmatch(r"[0-9]{18}", spei["spei"]["sending_account"])
    assert 1 <= len(spei["spei"]["clave_rastreo"]) <= 30


# --- The contract the doc states -------------------------------------------------------------------------------------

def test_every_unmatched_reason_and_answer_status_is_documented():
    doc = _doc()
    for reason in get_args(UnmatchedReason):
        assert f"| `{reason}` |" in doc, reason
    for status in ("applied", "unmatched", "reversed", "recorded", "duplicate"):
        assert f"| `{status}` |" in doc, status


def test_every_partner_and_the_signed_content_are_documented():
    doc = _doc()
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    for partner in config["environment_variables"]["WEBHOOK_PARTNERS"].split(","):
        assert f"| `{partner}` |" in doc, partner
    assert "`<webhook-id>.<webhook-timestamp>.<raw body>`" in doc
    assert "POST https://<api-host>/<stage>/v1/webhooks/{partner}" in doc


def test_the_http_request_shown_is_the_first_vector():
    (block,) = re.findall(r"^```http\n(.*?)^```$", _doc(), re.DOTALL | re.MULTILINE)
    head, body = block.split("\n\n", 1)
    first = VECTORS[0]
    assert body.rstrip("\n") == first["body"]
    for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        assert f"\n{name}: {first[name]}\n" in head + "\n"
