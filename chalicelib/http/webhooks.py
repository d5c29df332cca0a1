"""Partners' payment webhooks: verified on the raw body before anything is parsed, then applied exactly once.

Every answer a partner can act on: 200 (accepted, or a duplicate of something accepted: stop retrying), 401 (the
signature, timestamp or partner is wrong: nothing was stored), 400/422 (signed but unreadable: fix and resend),
503 (try again later). An accepted delivery is committed before the 200 is sent.
"""

from datetime import datetime
from typing import Any, Mapping

from pydantic import BaseModel, Field, ValidationError

from chalicelib.domain.payment_events import (
    PAYMENT_REVERSED, PAYMENT_SUCCEEDED, Envelope, PaymentReversed, PaymentSucceeded,
)
from chalicelib.errors import InvalidInput, MalformedRequest, field_errors
from chalicelib.http.api import PUBLIC, Router, json_body
from chalicelib.services import webhooks as service

router = Router(__name__, tag="webhooks")
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


class WebhookAck(BaseModel):
    status: str = Field(description="applied, unmatched, reversed, recorded (kept, no action) or duplicate")
    payment_id: str | None = None
    reason: str | None = Field(None, description="Why a payment is unmatched (waits for an operator)")
    months: list[str] = Field([], description="Months applied (or taken back by a reversal), YYYY-MM")


@router.route("/v1/webhooks/{partner}", "POST", roles=PUBLIC, response=WebhookAck,
              extra_statuses=[400, 401, 413, 415, 422, 503],
              headers=SIGNATURE_HEADERS,
              summary="A partner's signed event (Standard Webhooks): payment.succeeded, payment.reversed, others kept")
def receive_event(partner: str, headers: Mapping[str, str], raw_body: bytes, now: datetime) -> WebhookAck:
    webhook_id = service.authenticate(partner, headers, raw_body, now)
    envelope = _parse(Envelope, json_body(raw_body), now)
    event = None
    if envelope.type == PAYMENT_SUCCEEDED:
        event = _parse(PaymentSucceeded, envelope.data, now, "data.")
    elif envelope.type == PAYMENT_REVERSED:
        event = _parse(PaymentReversed, envelope.data, now, "data.")
    body = raw_body.decode("utf-8")  # json_body() has checked it is UTF-8
    outcome = service.receive(partner, webhook_id, envelope.type, body, event, now)
    return WebhookAck(status=outcome.status, payment_id=outcome.payment_id, reason=outcome.reason,
                      months=outcome.months)


def _parse(model: type[BaseModel], data: Any, now: datetime, prefix: str = "") -> Any:
    if not isinstance(data, dict):
        raise MalformedRequest("webhook-not-object")
    try:
        return model.model_validate(data, context={"now": now})
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, prefix)) from None
