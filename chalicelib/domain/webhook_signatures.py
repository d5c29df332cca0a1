"""Standard Webhooks signatures (standardwebhooks.com), verified on the raw body before anything parses it.

signed content = "<webhook-id>.<webhook-timestamp>." + raw body; signature = base64(HMAC-SHA256(secret, content));
header `webhook-signature` = space-separated "v1,<signature>" entries, so a sender can sign with an old and a new
secret while rotating, and the receiver may hold several secrets too. Timestamps more than 5 minutes off either way are
refused (replays, and clocks badly wrong). The spec's own `standardwebhooks` package is the test oracle.
"""

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

TOLERANCE = timedelta(minutes=5)
SECRET_PREFIX = "whsec_"


class SignatureRejected(Exception):
    """Why a delivery is not trusted: missing-headers, bad-id, bad-timestamp, stale, future or no-match."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def secret_key(secret: str) -> bytes:
    """'whsec_<base64>' (or bare base64) → key bytes."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    key = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    if not key:
        raise ValueError("empty webhook secret")
    return key


def signature(body: bytes, message_id: str, timestamp: int, secret: str) -> str:
    content = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(secret_key(secret), content, hashlib.sha256).digest()).decode()


_MESSAGE_ID = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII: it is part of our keys and logs
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def verify(body: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: datetime) -> str:
    """Return the delivery's webhook-id when some signature matches some secret; raise SignatureRejected otherwise."""
    lowered = {name.lower(): value for name, value in headers.items()}
    message_id, stamp, signatures = (lowered.get(h, "") for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (message_id and stamp and signatures):
        raise SignatureRejected("missing-headers")
    if not _MESSAGE_ID.fullmatch(message_id):
        raise SignatureRejected("bad-id")
    if not _TIMESTAMP.fullmatch(stamp):  # seconds since 1970: ten digits until 2286, so twelve is plenty
        raise SignatureRejected("bad-timestamp")
    offset = timedelta(seconds=int(stamp) - now.timestamp())
    if offset < -TOLERANCE:
        raise SignatureRejected("stale")
    if offset > TOLERANCE:
        raise SignatureRejected("future")
    offered = []
    for entry in signatures.split():
        version, _, encoded = entry.partition(",")
        if version == "v1":
            try:
                offered.append(base64.b64decode(encoded, validate=True))
            except (binascii.Error, ValueError):
                continue
    for secret in secrets:
        expected = base64.b64decode(signature(body, message_id, int(stamp), secret)[3:])
        # Compare against every offered signature without stopping early, in constant time each.
        if any([hmac.compare_digest(expected, candidate) for candidate in offered]):
            return message_id
    raise SignatureRejected("no-match")
