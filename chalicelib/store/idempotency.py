"""Stored first answers of POSTs sent with an Idempotency-Key, so a retry gets the same answer, not a 409.

The record is written in the same transaction as the effect it describes, so it exists exactly when the effect does.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.transactions import Write

RETENTION = timedelta(hours=24)  # as Stripe: long enough for any client retry policy


class IdempotencyRecord(Model):
    class Meta:
        table_name = "unbound"  # set from Settings by store.tables.bind()

    key = UnicodeAttribute(hash_key=True)  # "<operation>#<caller>#<Idempotency-Key>"
    request_hash = UnicodeAttribute()
    status = NumberAttribute()
    body = UnicodeAttribute()
    expires_at = TTLAttribute()


@dataclass(frozen=True)
class StoredResponse:
    request_hash: str
    status: int
    body: Any


def find(key: str, now: datetime) -> StoredResponse | None:
    """One consistent GetItem. DynamoDB deletes expired items up to ~48 h late, so expiry is checked here too."""
    try:
        record = IdempotencyRecord.get(key, consistent_read=True)
    except IdempotencyRecord.DoesNotExist:
        return None
    if record.expires_at <= now:
        return None
    return StoredResponse(record.request_hash, int(record.status), json.loads(record.body))


def record(key: str, request_hash: str, status: int, body: Any, now: datetime) -> Write:
    item = IdempotencyRecord(key, request_hash=request_hash, status=status, body=json.dumps(body, ensure_ascii=False),
                             expires_at=now + RETENTION)
    unused = IdempotencyRecord.key.does_not_exist() | (IdempotencyRecord.expires_at <= now)
    return Write("idempotency", "save", lambda tx: tx.save(item, condition=unused))


class AlreadyAnswered(Exception):
    """The idempotency record's condition failed: a concurrent request with the same key committed first."""
