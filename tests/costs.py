"""Count the AWS requests a piece of code makes, per service and operation, and the DynamoDB capacity they report.

    with aws_requests() as requests:
        api.http.get("/v1/me", headers=headers)
    assert requests.dynamodb() == {"GetItem": 1}

Where it hooks: every botocore client, whichever session made it. PynamoDB 6 builds its DynamoDB client from a
botocore session of its own (`pynamodb.connection.base.Connection.session`: `botocore.session.get_session()`, one per
thread), boto3's clients come from boto3's default session, and each client copies its session's event emitter when
it is created. So `before-call`/`after-call` handlers registered on one session would miss the other's clients and
every client the service had already created (PynamoDB's connection and `wiring`'s clients live for the process, as
in Lambda). `BaseClient._make_api_call` is the one place all of them pass through, once per API operation, with the
operation's name, parameters and parsed response: the technique of tests/api/test_webhooks.py's cost test.

One recorded call is one API operation as the service code asked for it: botocore's own retries of a throttled or
failed attempt happen inside it (none happen against moto), while the service's retries of a cancelled transaction
(`chalicelib/store/transactions.py`) are calls of their own. A call that fails (a refused condition, a cancelled
transaction) is still a round trip and is recorded, with its error code.

Capacity: PynamoDB asks for `ReturnConsumedCapacity=TOTAL` on every item operation already; calls made with plain
boto3 get it added here when the operation accepts it. Real DynamoDB reports what the request consumed. moto 5
reports fixed placeholders, not sizes: GetItem 0.5 (consistent or not), PutItem, DeleteItem, Query and Scan 1.0,
BatchGetItem 1 per key, BatchWriteItem 1.0 per table, TransactGetItems 2 per item; nothing for UpdateItem or
TransactWriteItems. So against moto a total is a count in disguise, and a lower bound unless `capacity_complete`.
"""

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from botocore.client import BaseClient
from botocore.exceptions import ClientError
from botocore.model import OperationNotFoundError

DYNAMODB = "dynamodb"


@dataclass(frozen=True)
class Call:
    service: str  # botocore's service name: dynamodb, kms, sns, secretsmanager, cognito-idp, ...
    operation: str  # GetItem, TransactWriteItems, Decrypt, Publish, ...
    error: str | None = None  # the error code when the call failed (e.g. TransactionCanceledException)
    capacity: float | None = None  # CapacityUnits the response reported, summed over its tables; None if absent
    items: int | None = None  # how many items a TransactWriteItems carried

    @property
    def label(self) -> str:
        return self.operation if self.service == DYNAMODB else f"{self.service}:{self.operation}"


@dataclass
class Requests:
    """The AWS requests made while one `aws_requests()` block was open, in order."""

    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def dynamodb_calls(self) -> list[Call]:
        return [call for call in self.calls if call.service == DYNAMODB]

    def dynamodb(self) -> Counter:
        """DynamoDB requests by operation, e.g. Counter({'GetItem': 1, 'TransactWriteItems': 1})."""
        return Counter(call.operation for call in self.dynamodb_calls())

    @property
    def round_trips(self) -> int:
        """DynamoDB requests, as docs/data-model.md's access-pattern table counts round trips."""
        return len(self.dynamodb_calls())

    def others(self) -> Counter:
        """Requests to every other service, keyed `service:Operation` (kms:Decrypt, sns:Publish, ...)."""
        return Counter(call.label for call in self.calls if call.service != DYNAMODB)

    def failed(self) -> list[Call]:
        return [call for call in self.calls if call.error]

    def capacity(self) -> float | None:
        """Sum of the consumed capacity units reported by DynamoDB responses; None when none reported any."""
        reported = [call.capacity for call in self.dynamodb_calls() if call.capacity is not None]
        return sum(reported) if reported else None

    @property
    def capacity_complete(self) -> bool:
        """Every successful DynamoDB request reported its capacity (so `capacity()` is the whole cost)."""
        return all(call.capacity is not None for call in self.dynamodb_calls() if not call.error)


def _consumed(response: dict) -> float | None:
    reported = response.get("ConsumedCapacity")
    if reported is None:
        return None
    entries = reported if isinstance(reported, list) else [reported]
    units = [entry["CapacityUnits"] for entry in entries if isinstance(entry, dict) and "CapacityUnits" in entry]
    return float(sum(units)) if units else None


def _accepts_capacity(client: BaseClient, operation: str) -> bool:
    try:
        shape = client.meta.service_model.operation_model(operation).input_shape
    except OperationNotFoundError:  # let botocore raise its own error for it
        return False
    return shape is not None and "ReturnConsumedCapacity" in shape.members


_active: list[Requests] = []
_active_lock = threading.Lock()
_wrapped = None  # BaseClient._make_api_call as it was when the first block opened


def _recording_make_api_call(self: BaseClient, operation_name: str, api_params: dict):
    with _active_lock:
        listeners, original = list(_active), _wrapped
    if not listeners:  # a block closed while this call was on its way in
        return (original or BaseClient._make_api_call)(self, operation_name, api_params)
    service = self.meta.service_model.service_name
    if service == DYNAMODB and "ReturnConsumedCapacity" not in api_params and _accepts_capacity(self, operation_name):
        api_params = {**api_params, "ReturnConsumedCapacity": "TOTAL"}
    items = len(api_params.get("TransactItems", [])) if operation_name == "TransactWriteItems" else None
    try:
        response = original(self, operation_name, api_params)
    except ClientError as error:
        call = Call(service, operation_name, error.response.get("Error", {}).get("Code", "ClientError"),
                    _consumed(error.response), items)
        for requests in listeners:
            requests.add(call)
        raise
    except Exception as error:  # no parsed answer (a connection error, say): kept, named by the exception
        call = Call(service, operation_name, type(error).__name__, items=items)
        for requests in listeners:
            requests.add(call)
        raise
    call = Call(service, operation_name, None, _consumed(response), items)
    for requests in listeners:
        requests.add(call)
    return response


@contextmanager
def aws_requests() -> Iterator[Requests]:
    """Record every AWS request made by any botocore client in this process while the block runs.

    Blocks may nest (each sees the calls made while it is open). Only calls made while a block is open are recorded;
    outside them the hook just passes the call on.
    """
    global _wrapped
    requests = Requests()
    with _active_lock:
        if not _active:
            _wrapped = BaseClient._make_api_call
            BaseClient._make_api_call = _recording_make_api_call
        _active.append(requests)
    try:
        yield requests
    finally:
        with _active_lock:
            _active.remove(requests)
            if not _active:
                BaseClient._make_api_call = _wrapped
                _wrapped = None


def describe(counts: Counter) -> str:
    """`GetItem ×1, TransactWriteItems ×1` (operations in the order first seen), or `-` for none."""
    return ", ".join(f"{name} ×{count}" for name, count in counts.items()) or "-"
