"""Partners' payment webhooks: the partner authenticated by the delivery's signature over the raw body before anything
is parsed, then the event read and applied exactly once (a repeated delivery is a duplicate)."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from chalicelib import wiring
from chalicelib.domain.payment_events import (
    PAYMENT_REVERSED, PAYMENT_SUCCEEDED, Envelope, PaymentReversed, PaymentSucceeded,
)
from chalicelib.domain.webhook_signatures import SignatureRejected, verify
from chalicelib.errors import InvalidInput, MalformedRequest, Unauthenticated, field_errors
from chalicelib.json_input import json_body
from chalicelib.logs import metric_fields, service_logger
from chalicelib.services import ledger
from chalicelib.services.ledger import Outcome
from chalicelib.store import payments as store

_log = service_logger()


def receive_delivery(partner: str, headers: Mapping[str, str], raw_body: bytes, now: datetime) -> Outcome:
    """A payment applied (or kept unmatched), a reversal, or any other event type kept as delivered with no action.
    The signature is checked first (401), then the JSON (the API's one reader, 400), then the fields
    (422): a delivery refused at any step stores nothing."""
    webhook_id = _authenticate(partner, headers, raw_body, now)
    envelope = _parse(Envelope, json_body(raw_body), now)
    if envelope.type == PAYMENT_SUCCEEDED:
        event = _parse(PaymentSucceeded, envelope.data, now, "data.")
        outcome = ledger.receive_payment(partner, webhook_id, _text(raw_body), event, now)
    elif envelope.type == PAYMENT_REVERSED:
        event = _parse(PaymentReversed, envelope.data, now, "data.")
        outcome = ledger.reverse_payment(partner, webhook_id, _text(raw_body), event, now)
    else:
        kept = store.record_delivery(partner, webhook_id, envelope.type, _text(raw_body), now)
        outcome = Outcome("recorded" if kept else "duplicate")
    _log.info("webhook", extra={"partner": partner, "event_type": envelope.type, "outcome": outcome.status,
                                "payment_id": outcome.payment_id, "reason": outcome.reason,
                                **metric_fields({"Partner": partner, "Outcome": outcome.status}, Deliveries=1)})
    return outcome


def _authenticate(partner: str, headers: Mapping[str, str], raw_body: bytes, now: datetime) -> str:
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


def _parse(model: type[BaseModel], data: Any, now: datetime, prefix: str = "") -> Any:
    if not isinstance(data, dict):
        raise MalformedRequest("webhook-not-object")
    try:
        return model.model_validate(data, context={"now": now})
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, prefix)) from None


def _text(raw_body: bytes) -> str:
    """The body as kept for evidence; `json_body` has checked it is UTF-8."""
    return raw_body.decode("utf-8")
