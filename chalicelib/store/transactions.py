"""All-or-nothing writes: one DynamoDB TransactWriteItems, with the item that broke a condition named; a lone item is
one conditional PutItem/UpdateItem/DeleteItem instead (half the write units of a one-item transaction)."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from botocore.exceptions import ClientError, ConnectionError as BotocoreConnectionError, HTTPClientError
from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.errors import ServiceUnavailable
from chalicelib.logs import metric_fields, service_logger

Kind = Literal["condition_check", "delete", "save", "update"]
# PynamoDB sends a transaction's items grouped in this order; cancellation reasons come back in the same order.
_SENT_ORDER: tuple[Kind, ...] = ("condition_check", "delete", "save", "update")
_TRANSIENT = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
# Error codes of a whole request that mean "try again shortly" rather than "this request is wrong".
_TRANSIENT_ERRORS = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
                     "InternalServerError", "ServiceUnavailable"}
ATTEMPTS = 3

_log = service_logger()

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


class _Attempt(TransactWrite):
    """One attempt of a transaction. PynamoDB appends the version action (`version ADD 1`) to the `actions` list it is
    given, so a list shared by the writes' closures would grow on every retry until DynamoDB refuses the repeated path;
    each attempt gets its own copy and is rebuilt from the same inputs."""

    def update(self, model, actions, condition=None, return_values=None, *, add_version_condition=True) -> None:
        super().update(model, list(actions), condition, return_values, add_version_condition=add_version_condition)


class _Single:
    """Applies one Write as the plain conditional operation it describes, with the same arguments a transaction
    takes (the version attribute is checked and incremented the same way by PynamoDB)."""

    def save(self, model, condition=None, return_values=None) -> None:
        model.save(condition)

    def update(self, model, actions, condition=None, return_values=None, *, add_version_condition=True) -> None:
        model.update(list(actions), condition, add_version_condition=add_version_condition)

    def delete(self, model, condition=None, *, add_version_condition=True) -> None:
        model.delete(condition, add_version_condition=add_version_condition)


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
    if len(writes) == 1 and writes[0].kind != "condition_check":
        return _write_one(writes[0])
    sent = sorted(writes, key=lambda write: _SENT_ORDER.index(write.kind))
    for attempt in range(ATTEMPTS):
        try:
            with _Attempt(connection=_connection) as transaction:
                for write in sent:
                    write.apply(transaction)
            return
        except TransactWriteError as error:
            codes = [reason.code if reason else None for reason in (error.cancellation_reasons or [])]
            failed = {write.label for write, code in zip(sent, codes) if code == "ConditionalCheckFailed"}
            if failed:
                raise ConditionFailed(failed) from error
            # A whole TransactWriteItems can be throttled with ProvisionedThroughputExceededException too.
            throttled = {"ThrottlingException", "ProvisionedThroughputExceededException"}
            transient = bool(_TRANSIENT & set(codes)) or error.cause_response_code in _TRANSIENT | throttled
            if not transient:
                raise
            cause = "conflict" if "TransactionConflict" in codes else "throttling"
            if attempt == ATTEMPTS - 1:
                _log.warning("transaction abandoned", extra=metric_fields({"Cause": cause}, TransactionsAbandoned=1))
                raise ServiceUnavailable() from error
            _log.info("transaction retried", extra=metric_fields({"Cause": cause}, TransactionRetries=1))
            time.sleep(random.uniform(0, 0.05 * 2**attempt))


def _write_one(write: Write) -> None:
    """botocore retries a throttled single-item write itself; a failed condition is reported as in a transaction."""
    try:
        write.apply(_Single())
    except (PutError, UpdateError, DeleteError) as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise ConditionFailed({write.label}) from error
        raise


def transient_cause(error: BaseException) -> str | None:
    """Why a store call failed, when it is because DynamoDB was briefly out of reach (throttled, timed out,
    unreachable, its own 5xx) once botocore's retries ran out: the error code or botocore exception name. None when
    the request or our code is at fault. PynamoDB wraps botocore's errors (GetError, QueryError, PutError...), so the
    chain of causes is followed. The HTTP layer answers these 503 with Retry-After: a 500 would tell callers (and
    partners' retry logic) that retrying is pointless."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (BotocoreConnectionError, HTTPClientError)):  # timeouts, refused or dropped connections
            return type(current).__name__
        code = current.response.get("Error", {}).get("Code") if isinstance(current, ClientError) else None
        if code in _TRANSIENT_ERRORS:
            return code
        current = (current.__cause__ or getattr(current, "cause", None)
                   or (None if current.__suppress_context__ else current.__context__))
    return None
