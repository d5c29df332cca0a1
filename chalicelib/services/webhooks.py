"""Partners' payment webhooks: the partner authenticated by the delivery's signature, then the event applied exactly
once (a repeated delivery is a duplicate)."""

from collections.abc import Mapping
from datetime import datetime

from chalicelib import wiring
from chalicelib.domain.payment_events import PaymentReversed, PaymentSucceeded
from chalicelib.domain.webhook_signatures import SignatureRejected, verify
from chalicelib.errors import Unauthenticated
from chalicelib.logs import service_logger
from chalicelib.store import ledger
from chalicelib.store import payments as store
from chalicelib.store.ledger import Outcome

_log = service_logger()


def authenticate(partner: str, headers: Mapping[str, str], raw_body: bytes, now: datetime) -> str:
    """The delivery's webhook id, once its signature over the raw body checks against one of the partner's secrets."""
    secrets = wiring.partner_secrets().secrets_of(partner)
    try:
        if not secrets:
            raise SignatureRejected("unknown-partner")
        return verify(raw_body, headers, secrets, now)
    except SignatureRejected as rejected:
        # Partners debug with this line (the reason is not told to the caller: it would help a forger).
        _log.warning("webhook rejected", extra={"partner": partner[:40], "reason": rejected.reason})
        raise Unauthenticated("webhook-signature") from None


def receive(partner: str, webhook_id: str, event_type: str, body: str,
            event: PaymentSucceeded | PaymentReversed | None, now: datetime) -> Outcome:
    """A payment applied (or kept unmatched), a reversal, or any other event type kept as delivered with no action."""
    if isinstance(event, PaymentSucceeded):
        outcome = ledger.receive_payment(partner, webhook_id, body, event, now)
    elif isinstance(event, PaymentReversed):
        outcome = ledger.reverse_payment(partner, webhook_id, body, event, now)
    else:
        kept = store.record_delivery(partner, webhook_id, event_type, body, now)
        outcome = Outcome("recorded" if kept else "duplicate")
    _log.info("webhook", extra={"partner": partner, "event_type": event_type, "outcome": outcome.status,
                                "payment_id": outcome.payment_id, "reason": outcome.reason})
    return outcome
