"""Notifications to members: written to the outbox in the same transaction as the fact they announce, then relayed
to SNS. A crash between the two loses nothing (the relay picks pending messages up again); a relay that publishes
and crashes before marking may publish twice, so each message carries its id for consumers to drop repeats.

| item         | key                           | pending (index `pending`) | created_at |
|--------------|-------------------------------|---------------------------|------------|
| notification | <kind>#<member id>#<subject>  | "PENDING" until relayed   | ISO time   |

Keys are deterministic (a job run twice on one day writes the same key), so a notification is written once.
Messages name a kind and a few parameters (month, amount, deadline, reference); never CURP, NSS, health data or
names beyond a first name. Relayed items expire 30 days later. The relay (services/jobs.relay_notifications) reads
`pending` pages and marks each message sent once published.
"""

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


@dataclass(frozen=True)
class Queued:
    """A notification waiting to be relayed: its key is its message id."""

    key: str
    kind: str
    member_id: str
    params: dict[str, Any]
    created_at: str  # ISO time


def pending(limit: int) -> list[Queued]:
    """Up to `limit` notifications not relayed yet, oldest first: one Query of the `pending` index (eventually
    consistent: one marked sent a moment ago may still show)."""
    return [Queued(item.key, item.kind, item.member_id, item.params.as_dict(), item.created_at)
            for item in OutboxItem.by_pending.query(PENDING, limit=limit)]


def mark_sent(key: str, now: datetime) -> None:
    """Out of the `pending` index, with when it was sent; kept KEEP_SENT for the record: one UpdateItem."""
    OutboxItem(key).update(actions=[OutboxItem.pending.remove(), OutboxItem.sent_at.set(now),
                                    OutboxItem.expires_at.set(now + KEEP_SENT)])
