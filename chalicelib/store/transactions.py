"""All-or-nothing writes: one DynamoDB TransactWriteItems, with the item that broke a condition named."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.errors import ServiceUnavailable

Kind = Literal["condition_check", "delete", "save", "update"]
# PynamoDB sends a transaction's items grouped in this order; cancellation reasons come back in the same order.
_SENT_ORDER: tuple[Kind, ...] = ("condition_check", "delete", "save", "update")
_TRANSIENT = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
ATTEMPTS = 3

_connection: Connection | None = None


def use_connection(connection: Connection) -> None:
    """Set by store.tables.bind(): transactions need an explicit connection to the tables' endpoint."""
    global _connection
    _connection = connection


@dataclass(frozen=True)
class Write:
    label: str  # names the item when its condition fails, e.g. "curp-guard"
    kind: Kind
    apply: Callable[[TransactWrite], None]


class ConditionFailed(Exception):
    """Some items' conditions failed; nothing was written."""

    def __init__(self, labels: set[str]) -> None:
        super().__init__(", ".join(sorted(labels)))
        self.labels = labels


def commit(writes: list[Write]) -> None:
    """Write all or nothing. A failed condition raises ConditionFailed naming the items. Conflicts with a concurrent
    transaction and throttling are retried with jittered backoff, then reported as 503; anything else propagates."""
    if _connection is None:
        raise RuntimeError("store.tables.bind() was not called")
    sent = sorted(writes, key=lambda write: _SENT_ORDER.index(write.kind))
    for attempt in range(ATTEMPTS):
        try:
            with TransactWrite(connection=_connection) as transaction:
                for write in sent:
                    write.apply(transaction)
            return
        except TransactWriteError as error:
            codes = [reason.code if reason else None for reason in (error.cancellation_reasons or [])]
            failed = {write.label for write, code in zip(sent, codes) if code == "ConditionalCheckFailed"}
            if failed:
                raise ConditionFailed(failed) from error
            transient = bool(_TRANSIENT & set(codes)) or error.cause_response_code in _TRANSIENT | {"ThrottlingException"}
            if not transient:
                raise
            if attempt == ATTEMPTS - 1:
                raise ServiceUnavailable() from error
            time.sleep(random.uniform(0, 0.05 * 2**attempt))
