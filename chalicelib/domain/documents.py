"""Documents a member can show (a payment's receipt, the coverage certificate) and their public verification.

Each PDF carries a QR code to `GET /v1/verifications/{token}`. The token is 36 bytes, base64url (48 characters):
the 16-byte document id, the expiry (4 bytes, Unix seconds) and the first 16 bytes of HMAC-SHA256 over both with the
signing secret. The id is itself a keyed hash of what the document states and its Mexico City day of issue, so it is
unguessable, and asking again the same day for the same document gives the same id, expiry and token (nothing new is
stored); the MAC lets the route refuse a forged or stretched token without a read. What the verifier is shown was
decided when the document was issued and is kept under the id (`VerificationRecord`): valid or not, covered months,
the masked name; never the document's own data. One thing is looked at again: a receipt proves its payment only
while the payment stands, so once the payment is reversed (a chargeback) its QR answers as an unknown one does.
"""

import base64
import hashlib
import hmac
import re
import struct
from datetime import datetime, time, timedelta, timezone
from typing import Literal

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.model import Model

DocumentKind = Literal["receipt", "certificate"]
# How long a document's QR verifies: a receipt is proof of a payment for a year; a certificate states coverage as it
# stood, so it is shown again after 90 days with the months paid since.
VALIDITY = {"receipt": timedelta(days=365), "certificate": timedelta(days=90)}

_ID_BYTES, _MAC_BYTES = 16, 16
TOKEN_LENGTH = 48  # base64url of 16 + 4 + 16 bytes, no padding
TOKEN_PATTERN = re.compile(rf"^[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}$")


class VerificationRecord(Model):
    """What a document's QR answers, fixed at issue."""

    document_id: str
    kind: DocumentKind
    member_id: str  # whose it is (for support and audit; never answered)
    payment_id: str | None  # a receipt's payment, read again at each verification (never answered); None otherwise
    masked_name: str | None
    covered_months: list[str]
    issued_at: datetime
    expires_at: datetime


def document_id(key: bytes, *facts: str) -> str:
    """The id of the document stating `facts` (its kind, whose, of what, the day of issue, what its QR answers): a
    keyed hash, 22 characters, so the same facts give the same id and no one without the key can guess one."""
    digest = hmac.new(key, "\x1f".join(("document-id", *facts)).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_ID_BYTES]).rstrip(b"=").decode()


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def sign(document_id: str, expires_at: datetime, key: bytes) -> str:
    payload = _b64decode(document_id) + struct.pack(">I", int(expires_at.timestamp()))
    return base64.urlsafe_b64encode(payload + _mac(key, payload)).rstrip(b"=").decode()


def opened(token: str, now: datetime, keys: tuple[bytes, ...]) -> str | None:
    """The document id a token names if it is well formed, signed with one of `keys` and not expired; else None.
    Every refusal is the same None, so a caller cannot tell forged from expired from malformed."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    raw = _b64decode(token)
    payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if not any(hmac.compare_digest(_mac(key, payload), mac) for key in keys):
        return None
    (expires,) = struct.unpack(">I", payload[_ID_BYTES:])
    if datetime.fromtimestamp(expires, timezone.utc) <= now:
        return None
    return base64.urlsafe_b64encode(payload[:_ID_BYTES]).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def masked(*names: str | None) -> str | None:
    """"María Guadalupe López" → "M**** G**** L****": each word's initial and four stars whatever its length."""
    words = [word for name in names if name for word in name.split()]
    return " ".join(word[0].upper() + "****" for word in words) or None


def issue_day(issued_at: datetime) -> str:
    return issued_at.astimezone(MEXICO_CITY).date().isoformat()


def expiry(kind: DocumentKind, issued_at: datetime) -> datetime:
    """The end of the issue day (midnight, Mexico City) plus the kind's validity: the same all day, so a document
    asked for again that day is the same document."""
    day_end = datetime.combine(issued_at.astimezone(MEXICO_CITY).date() + timedelta(days=1), time(0), MEXICO_CITY)
    return (day_end + VALIDITY[kind]).astimezone(timezone.utc)


class DocumentHeader(Model):
    """What every document states about itself: who issued it, when, until when its QR verifies, and where."""

    document_id: str
    issued_at: datetime
    expires_at: datetime
    verification_url: str


class ReceiptDocument(Model):
    header: DocumentHeader
    holder_name: str | None  # the registry's name, once the member proved it; None otherwise
    assurance_level: str
    curp: str
    nss: str
    folio: str
    status: str
    amount_mxn: str | None
    usd: str | None  # "88.00 USD at 19.3100 (source)"
    paid_at_mexico_city: str | None
    channel: str
    partner: str
    partner_transaction_id: str
    reference: str | None
    spei: str | None  # the CEP tuple, one line
    months: list[str]
    reversed_months: list[str]


class CertificateBeneficiary(Model):
    full_name: str
    relationship: str
    covered: bool
    until: str | None


class CertificateDocument(Model):
    header: DocumentHeader
    holder_name: str | None
    assurance_level: str
    curp: str
    nss: str
    status: str
    covered_months: list[str]
    covered_through: str | None
    covered_now: bool
    weeks: int
    weeks_days: str
    weeks_rule: str  # "<version> (<status>)"
    beneficiaries: list[CertificateBeneficiary]
