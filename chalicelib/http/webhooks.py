"""Partners' payment webhooks: verified on the raw body before anything is parsed, then applied exactly once.

Every answer a partner can act on: 200 (accepted, or a duplicate of something accepted: stop retrying), 401 (the
signature, timestamp or partner is wrong: nothing was stored), 400/422 (signed but unreadable: fix and resend),
503 (try again later). An accepted delivery is committed before the 200 is sent.
"""

from datetime import datetime
from typing import Mapping

from pydantic import Field

from chalicelib.domain.model import Model
from chalicelib.http.api import PUBLIC, Router

router = Router(__name__, tag="webhooks")
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def service():
    """The use cases, imported with the first request that needs them rather than at cold start."""
    from chalicelib.services import webhooks

    return webhooks


class WebhookAck(Model):
    status: str = Field(description="applied, unmatched, reversed, recorded (kept, no action) or duplicate")
    payment_id: str | None = None
    reason: str | None = Field(None, description="Why a payment is unmatched (waits for an operator)")
    months: list[str] = Field([], description="Months applied (or taken back by a reversal), YYYY-MM")


@router.route("/v1/webhooks/{partner}", "POST", roles=PUBLIC, response=WebhookAck,
              extra_statuses=[400, 401, 413, 415, 422, 503],
              headers=SIGNATURE_HEADERS,
              summary="A partner's signed event (Standard Webhooks): payment.succeeded, payment.reversed, others kept")
def receive_event(partner: str, headers: Mapping[str, str], raw_body: bytes, now: datetime) -> WebhookAck:
    outcome = service().receive_delivery(partner, headers, raw_body, now)
    return WebhookAck(status=outcome.status, payment_id=outcome.payment_id, reason=outcome.reason,
                      months=outcome.months)
