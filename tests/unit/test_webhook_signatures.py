"""Our Standard Webhooks verifier against the spec's reference package, plus every way a delivery can be wrong."""

import base64
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook

from chalicelib.domain.webhook_signatures import SignatureRejected, signature, verify

NOW = datetime(2026, 11, 21, 18, 0, tzinfo=timezone.utc)
STAMP = int(NOW.timestamp())
SECRET = "whsec_" + base64.b64encode(b"finabien-local-secret-0123456789").decode()
OTHER = "whsec_" + base64.b64encode(b"another-partner-secret-987654321").decode()
BODY = b'{"type":"payment.succeeded","data":{"amount_mxn":"1766.90"}}'


def _headers(body=BODY, message_id="msg_1", stamp=STAMP, secret=SECRET, signatures=None):
    return {"webhook-id": message_id, "webhook-timestamp": str(stamp),
            "webhook-signature": signatures or signature(body, message_id, stamp, secret)}


@given(body=st.binary(max_size=300).filter(lambda b: b.decode("utf-8", "ignore").encode() == b),
       message_id=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=40),
       key=st.binary(min_size=16, max_size=64))
def test_signatures_equal_the_reference_implementation(body, message_id, key):
    secret = "whsec_" + base64.b64encode(key).decode()
    reference = Webhook(secret).sign(message_id, datetime.fromtimestamp(STAMP, timezone.utc), body.decode())
    assert signature(body, message_id, STAMP, secret) == reference


def test_a_reference_signed_delivery_verifies():
    signed = Webhook(SECRET).sign("msg_9", NOW, BODY.decode())
    assert verify(BODY, {"Webhook-Id": "msg_9", "Webhook-Timestamp": str(STAMP), "Webhook-Signature": signed},
                  [SECRET], NOW) == "msg_9"


def test_rotation_several_signatures_and_several_secrets():
    both = f"{signature(BODY, 'msg_1', STAMP, OTHER)} {signature(BODY, 'msg_1', STAMP, SECRET)}"
    assert verify(BODY, _headers(signatures=both), [SECRET], NOW) == "msg_1"
    assert verify(BODY, _headers(secret=SECRET), [OTHER, SECRET], NOW) == "msg_1"


@pytest.mark.parametrize(
    ("headers", "body", "reason"),
    [
        ({}, BODY, "missing-headers"),
        (_headers() | {"webhook-signature": ""}, BODY, "missing-headers"),
        (_headers(), BODY + b" ", "no-match"),                                   # tampered body
        (_headers() | {"webhook-id": "msg_2"}, BODY, "no-match"),                # id swapped
        (_headers(secret=OTHER), BODY, "no-match"),                              # forged with another key
        (_headers(stamp=STAMP - 301), BODY, "stale"),
        (_headers(stamp=STAMP + 301), BODY, "future"),
        (_headers() | {"webhook-timestamp": "1e9"}, BODY, "bad-timestamp"),
        (_headers() | {"webhook-timestamp": "-5"}, BODY, "bad-timestamp"),
        (_headers(signatures="v1"), BODY, "no-match"),                            # malformed entries never crash
        (_headers(signatures="v1,%%%not-base64%%%"), BODY, "no-match"),
        (_headers(signatures="v2," + signature(BODY, "msg_1", STAMP, SECRET)[3:]), BODY, "no-match"),
    ],
    ids=["none", "empty-signature", "tampered", "other-id", "forged", "stale", "future", "float-stamp",
         "negative-stamp", "no-comma", "bad-base64", "unknown-version"],
)
def test_untrusted_deliveries(headers, body, reason):
    with pytest.raises(SignatureRejected) as rejected:
        verify(body, headers, [SECRET], NOW)
    assert rejected.value.reason == reason


def test_timestamps_within_five_minutes_either_way_are_accepted():
    for drift in (-300, 300):
        assert verify(BODY, _headers(stamp=STAMP + drift, secret=SECRET), [SECRET], NOW)
    with pytest.raises(SignatureRejected):
        verify(BODY, _headers(), [], NOW)
    assert NOW + timedelta(minutes=5) == datetime.fromtimestamp(STAMP + 300, timezone.utc)
