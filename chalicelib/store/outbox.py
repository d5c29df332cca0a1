"""Notifications to members: written to the outbox in the same transaction as the fact they announce, then relayed
to SNS from the table's stream. A crash between the two loses nothing (the stream keeps the insert for 24 hours and
Lambda retries it); a relay that publishes and crashes before marking may publish twice, so each message carries its
id for consumers to drop repeats.

| item         | key                           | created_at | sent_at, expires_at          |
|--------------|-------------------------------|------------|------------------------------|
| notification | <kind>#<member id>#<subject>  | ISO time   | once relayed (+30 days TTL)  |

Keys are deterministic (a job run twice on one day writes the same key), so a notification is written once, and
writes spread over the table's partitions (no index: nothing waits on one hot key). Messages name a kind and a few
parameters (month, amount, deadline, reference); never CURP, NSS, health data or names beyond a first name. The relay
(services/relay.py) takes each insert from the stream, skips what is already sent and marks each message sent once
published; relayed items expire 30 days later.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import MapAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib import logs
from chalicelib.store.transactions import Write

KEEP_SENT = timedelta(days=30)


class OutboxItem(Model):
    class Meta:
        table_name = "unbound"  # set from Settings by store.tables.bind()

    key = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    member_id = UnicodeAttribute()
    params = MapAttribute()
    created_at = UnicodeAttribute()
    correlation_id = UnicodeAttribute(null=True)  # the request's or job's that wrote it, carried to SNS and the logs
    sent_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


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
                      params=notification.params, created_at=now.isoformat(), correlation_id=logs.correlation_id())
    return Write("outbox", "save", lambda tx: tx.save(item, condition=OutboxItem.key.does_not_exist()))


@dataclass(frozen=True)
class Queued:
    """A notification waiting to be relayed: its key is its message id."""

    key: str
    kind: str
    member_id: str
    params: dict[str, Any]
    created_at: str  # ISO time
    correlation_id: str | None = None


def from_stream_image(image: dict[str, Any]) -> Queued:
    """The message a stream record's NewImage (DynamoDB JSON) holds; raises when it is not one."""
    item = OutboxItem.from_raw_data(image)
    return Queued(item.key, item.kind, item.member_id, item.params.as_dict(), item.created_at, item.correlation_id)


def already_sent(keys: list[str]) -> set[str]:
    """Which of `keys` (at most 100) are marked sent: one strongly consistent BatchGetItem (unprocessed keys are
    retried by PynamoDB)."""
    return {item.key for item in OutboxItem.batch_get(keys, consistent_read=True,
                                                      attributes_to_get=["key", "sent_at"]) if item.sent_at}


def mark_sent(key: str, now: datetime) -> None:
    """Sent at `now`; kept KEEP_SENT for the record: one UpdateItem."""
    OutboxItem(key).update(actions=[OutboxItem.sent_at.set(now), OutboxItem.expires_at.set(now + KEEP_SENT)])
