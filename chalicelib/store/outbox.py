"""Notifications to members: written to the outbox in the same transaction as the fact they announce, then relayed
to SNS. A crash between the two loses nothing (the relay picks pending messages up again); a relay that publishes
and crashes before marking may publish twice, so each message carries its id for consumers to drop repeats.

| item         | key                           | pending (index `pending`) | created_at |
|--------------|-------------------------------|---------------------------|------------|
| notification | <kind>#<member id>#<subject>  | "PENDING" until relayed   | ISO time   |

Keys are deterministic (a job run twice on one day writes the same key), so a notification is written once.
Messages name a kind and a few parameters (month, amount, deadline, reference); never CURP, NSS, health data or
names beyond a first name. Relayed items expire 30 days later.
"""

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import MapAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.store.indexes import index
from chalicelib.store.transactions import Write

PENDING = "PENDING"
KEEP_SENT = timedelta(days=30)


Pending = index("pending", "pending", "created_at")


class OutboxItem(Model):
    class Meta:
        table_name = "unbound"  # set from Settings by store.tables.bind()

    key = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    member_id = UnicodeAttribute()
    params = MapAttribute()
    created_at = UnicodeAttribute()
    pending = UnicodeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute(null=True)
    by_pending = Pending()


@dataclass(frozen=True)
class Notification:
    kind: str  # e.g. "reference-issued", "payment-deadline", "coverage-lapsed", "payment-applied"
    member_id: str
    subject: str  # what makes it unique for the member, e.g. the month
    params: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.kind}#{self.member_id}#{self.subject}"


def enqueue(notification: Notification, now: datetime) -> Write:
    """The transaction item that queues `notification`, once: a second write of the same key is a no-op failure
    the caller may ignore (label "outbox")."""
    item = OutboxItem(notification.key, kind=notification.kind, member_id=notification.member_id,
                      params=notification.params, created_at=now.isoformat(), pending=PENDING)
    return Write("outbox", "save", lambda tx: tx.save(item, condition=OutboxItem.key.does_not_exist()))


def relay(publish, now: datetime, budget: timedelta = timedelta(minutes=4), page: int = 500) -> int:
    """Publish pending notifications oldest first (`publish(json_text, attributes)`) and mark each sent, page after
    page until none is pending or `budget` (wall-clock) is spent — under the 5-minute schedule, so two runs seldom
    overlap (if they do, a message may go out twice; it carries its id). Returns how many were published."""
    sent: set[str] = set()  # the index is eventually consistent: a page may repeat items marked a moment ago
    stop = time.monotonic() + budget.total_seconds()
    while time.monotonic() < stop:
        items = [item for item in OutboxItem.by_pending.query(PENDING, limit=page) if item.key not in sent]
        for item in items:
            message = {"id": item.key, "kind": item.kind, "member_id": item.member_id,
                       "params": item.params.as_dict(), "created_at": item.created_at}
            publish(json.dumps(message, ensure_ascii=False), {"kind": item.kind, "message_id": item.key})
            item.update(actions=[OutboxItem.pending.remove(), OutboxItem.sent_at.set(now),
                                 OutboxItem.expires_at.set(now + KEEP_SENT)])
            sent.add(item.key)
            if time.monotonic() >= stop:
                break
        if not items:
            break
    return len(sent)
