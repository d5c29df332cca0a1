"""Faults in the service's dependencies (DynamoDB, KMS, Secrets Manager), through the real app.

What every case checks: what is safe to retry is retried (and succeeds when the fault clears); otherwise the answer
is 503 with `Retry-After` and a problem body (never a 500, never a trace); and nothing of the failed operation is left
in the tables (read back with boto3 and the PynamoDB models after each case).

How faults are injected. Every botocore client in the process (PynamoDB's: one per model class plus the transactions'
connection, each from its own botocore session; boto3's KMS and Secrets Manager clients) hands each prepared request,
attempt by attempt, to the `before-send` handler moto adds to botocore's built-in handlers. We wrap that handler's
`process_request`, so a fault can answer a call as AWS does when in trouble (an error document, a timeout, a refused
connection) *instead of* letting moto apply it, or *after* moto applied it (the answer is lost). A handler registered
on a client's own `before-send` would not do: botocore calls every handler of the event, so moto would still apply
a write whose answer we faked. Everything above the wire is real: botocore's retry policies (standard mode:
4 attempts for PynamoDB's clients, 3 for boto3's default ones), PynamoDB's error wrapping, the store's retries, the
HTTP layer. Retry back-off is recorded, not slept.
"""

import ast
import itertools
import json
import pathlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.endpoint
import pytest
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from moto.core.models import botocore_stubber

import chalicelib
from chalicelib import wiring
from chalicelib.domain.teleconsult import CONSENT_VERSION
from chalicelib.domain.identity import ReadScope
from chalicelib.auth import Role
from chalicelib.store import records as record_store
from chalicelib.services import jobs
from chalicelib.store import teleconsult as teleconsult_store
from chalicelib.store import transactions
from chalicelib.store.records import AuditItem
from local.aws import REGION
from tests.api.conftest import issue, paid
from tests.api.test_beneficiaries import _add, _child_curp
from tests.api.test_records import scene  # noqa: F401 (fixture)
from tests.api.test_teleconsult import MX, _book, _consent, _publish, _slots
from tests.api.test_teleconsult import nurses  # noqa: F401 (fixture used by scene)
from tests.people import consult_note, make_curp, registration

AMZ_JSON = "application/x-amz-json-1.0"
_TARGET_PREFIX = {"dynamodb": "DynamoDB_20120810.", "kms": "TrentService.", "secretsmanager": "secretsmanager."}
PYNAMODB_ATTEMPTS = 4  # PynamoDB's botocore client: standard retry mode, 1 + max_retry_attempts (3)
BOTO3_ATTEMPTS = 3  # boto3's default clients (KMS, Secrets Manager): standard retry mode, 3 attempts
_usernames = itertools.count()


# --- The fault harness ----------------------------------------------------------------------------------------------

Answer = Callable[[Any, dict, Callable], Any]  # (request, its JSON body, moto) -> (status, headers, body), or raises


@dataclass
class Fault:
    service: str
    operation: str
    answer: Answer
    times: int | None  # how many matching calls fail; None: every one
    when: Callable[[dict], bool]
    attempts: list[dict] = field(default_factory=list)  # the body of each matching call, failed or not


class Faults:
    def __init__(self, moto: Callable) -> None:
        self._moto = moto
        self._active: list[Fault] = []
        self.sleeps: list[float] = []

    @contextmanager
    def inject(self, service: str, operation: str, answer: Answer, *, times: int | None = None,
               when: Callable[[dict], bool] = lambda body: True) -> Iterator[Fault]:
        fault = Fault(service, operation, answer, times, when)
        self._active.append(fault)
        try:
            yield fault
        finally:
            self._active.remove(fault)

    def process(self, request) -> Any:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        for fault in self._active:
            if target != _TARGET_PREFIX[fault.service] + fault.operation:
                continue
            body = json.loads(request.body or b"{}")
            if not fault.when(body):
                continue
            fault.attempts.append(body)
            if fault.times is None or len(fault.attempts) <= fault.times:
                return fault.answer(request, body, self._moto)
        return self._moto(request)


def error(code: str, status: int = 400, **members: Any) -> Answer:
    """AWS's JSON error document for `code`."""

    def answer(request, body, moto):
        return status, {"Content-Type": AMZ_JSON}, json.dumps({"__type": code, "message": "injected", **members})

    return answer


def cancelled(reason: str, on: Callable[[dict], bool] = lambda item: True) -> Answer:
    """TransactionCanceledException: `reason` for the first transaction item `on` picks, None for the others."""

    def answer(request, body, moto):
        reasons, picked = [], False
        for item in body["TransactItems"]:
            hit = not picked and on(item)
            picked |= hit
            reasons.append({"Code": reason, "Message": "injected"} if hit else {"Code": "None"})
        codes = ", ".join(r["Code"] for r in reasons)
        return error("com.amazonaws.dynamodb.v20120810#TransactionCanceledException", CancellationReasons=reasons,
                     message=f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]"
                     )(request, body, moto)

    return answer


def dropped(kind: type[Exception]) -> Answer:
    """The request never gets an answer: a read or connect timeout, or no connection at all."""

    def answer(request, body, moto):
        raise kind(endpoint_url=request.url)

    return answer


def lost(request, body, moto):
    """The request is applied, then its answer is lost (read timeout)."""
    moto(request)
    raise ReadTimeoutError(endpoint_url=request.url)


@pytest.fixture
def faults(aws, monkeypatch) -> Faults:
    harness = Faults(botocore_stubber.process_request)
    monkeypatch.setattr(botocore_stubber, "process_request", harness.process)
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=harness.sleeps.append))  # botocore retries
    monkeypatch.setattr(transactions, "time", SimpleNamespace(sleep=harness.sleeps.append))  # the store's retries
    return harness


# --- Reading the tables, checking answers -------------------------------------------------------------------------

def tables_now() -> dict[str, list[str]]:
    """Every item of every table (a test may Scan: it reads everything on purpose)."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    state = {}
    for logical, name in wiring.settings().tables.items():
        pages = dynamodb.get_paginator("scan").paginate(TableName=name, ConsistentRead=True)
        items = [item for page in pages for item in page["Items"]]
        state[logical] = sorted(json.dumps(item, sort_keys=True, default=str) for item in items)
    return state


def added(before: dict[str, list[str]], after: dict[str, list[str]]) -> dict[str, list[dict]]:
    """Items in `after` and not in `before`, by table; asserts nothing was changed or removed."""
    for logical, items in before.items():
        assert set(items) <= set(after[logical]), f"{logical}: an item changed or disappeared"
    return {logical: [json.loads(i) for i in items if i not in set(before[logical])]
            for logical, items in after.items() if set(items) - set(before[logical])}


def assert_unavailable(response) -> dict:
    assert response.status_code == 503, response.body
    assert response.headers.get("Retry-After", "").isdigit(), response.headers
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = json.loads(response.body)
    assert problem["type"] == "urn:pti-migrante:problem:unavailable" and problem["status"] == 503
    assert problem["correlation_id"] == response.headers["X-Correlation-Id"]
    raw = response.body.decode()
    assert not any(word in raw for word in ("Traceback", ".py", "botocore", "pynamodb", "Exception", "injected"))
    return problem


def _json(response) -> Any:
    return json.loads(response.body)


def _signed_in(aws) -> dict[str, str]:
    return {"Authorization": f"Bearer {aws.token(Role.MEMBER, f'fault-{next(_usernames)}')}",
            "Content-Type": "application/json"}


def _register(api, headers, body, key: str | None = None):
    extra = {"Idempotency-Key": key} if key else {}
    return api.http.post("/v1/registrations", headers={**headers, **extra}, body=json.dumps(body))


def _no_unhandled_errors(service_logs) -> None:
    assert not [e for e in service_logs.entries() if e["message"] == "unhandled error"]


# --- 1. Throttling ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("operation", "path", "code"), [
    ("GetItem", "/v1/me", "ProvisionedThroughputExceededException"),
    ("Query", "/v1/me/beneficiaries", "ThrottlingException"),
])
def test_a_throttled_read_is_retried_and_answers_503_only_while_the_throttle_lasts(api, faults, member, clock,
                                                                                   service_logs, operation, path, code):
    headers, _ = member()
    clean = api.http.get(path, headers=headers)
    before = tables_now()
    with faults.inject("dynamodb", operation, error(code)) as fault:
        assert_unavailable(api.http.get(path, headers=headers))
    assert len(fault.attempts) == PYNAMODB_ATTEMPTS and len(faults.sleeps) == PYNAMODB_ATTEMPTS - 1
    assert tables_now() == before
    _no_unhandled_errors(service_logs)

    with faults.inject("dynamodb", operation, error(code), times=2) as fault:
        recovered = api.http.get(path, headers=headers)
    assert recovered.status_code == 200 and len(fault.attempts) == 3
    assert _json(recovered) == _json(clean)


def test_a_throttled_put_in_a_write_route_writes_nothing_until_it_goes_through(api, faults, member, service_logs):
    headers, _ = member()
    member_id = _json(api.http.get("/v1/me", headers=headers))["person_id"]  # the patient id
    consent = json.dumps({"version": CONSENT_VERSION})
    before = tables_now()
    with faults.inject("dynamodb", "Query", error("ThrottlingException")) as fault:  # whose patient: the member's Query
        assert_unavailable(api.http.post("/v1/me/consents/teleconsultation", headers=headers, body=consent))
    assert len(fault.attempts) == PYNAMODB_ATTEMPTS
    with faults.inject("dynamodb", "PutItem", error("ProvisionedThroughputExceededException")) as fault:
        assert_unavailable(api.http.post("/v1/me/consents/teleconsultation", headers=headers, body=consent))
    assert len(fault.attempts) == PYNAMODB_ATTEMPTS
    assert tables_now() == before and teleconsult_store.consent_of(member_id) is None
    _no_unhandled_errors(service_logs)

    with faults.inject("dynamodb", "PutItem", error("ThrottlingException"), times=2):
        assert api.http.post("/v1/me/consents/teleconsultation", headers=headers, body=consent).status_code == 201
    assert teleconsult_store.consent_of(member_id).version == CONSENT_VERSION
    assert list(added(before, tables_now())) == ["teleconsult"]


def test_a_throttled_registration_writes_nothing_and_a_retry_with_its_key_registers_once(api, aws, faults,
                                                                                         service_logs):
    headers, body = _signed_in(aws), registration()
    before = tables_now()
    with faults.inject("dynamodb", "GetItem", error("ProvisionedThroughputExceededException")) as lookup:
        assert_unavailable(_register(api, headers, body, key="reg-1"))  # the Idempotency-Key lookup
    assert len(lookup.attempts) == PYNAMODB_ATTEMPTS
    with faults.inject("dynamodb", "TransactWriteItems", error("ProvisionedThroughputExceededException")) as fault:
        assert_unavailable(_register(api, headers, body, key="reg-1"))
    # botocore retries each transaction, and the store retries a throttled one too before giving up
    assert len(fault.attempts) == PYNAMODB_ATTEMPTS * transactions.ATTEMPTS
    assert tables_now() == before
    _no_unhandled_errors(service_logs)

    with faults.inject("dynamodb", "TransactWriteItems", error("ThrottlingException"), times=5):
        assert _register(api, headers, body, key="reg-1").status_code == 201
    replay = _register(api, headers, body, key="reg-1")
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") == "true"
    new = added(before, tables_now())
    assert len([i for i in new["members"] if i["sk"]["S"] == "PROFILE"]) == 1 and len(new["idempotency"]) == 1


def test_a_throttled_audit_put_in_a_read_route_is_retried_and_never_doubled(api, faults, member, clock,
                                                                            service_logs):
    """Reading a record writes its audit event first (PutItem, condition: absent)."""
    headers, body = member()
    before = tables_now()
    with faults.inject("dynamodb", "PutItem", error("ProvisionedThroughputExceededException")) as fault:
        assert_unavailable(api.http.get("/v1/me/record", headers=headers))
    assert len(fault.attempts) == PYNAMODB_ATTEMPTS and tables_now() == before
    _no_unhandled_errors(service_logs)

    with faults.inject("dynamodb", "PutItem", error("ThrottlingException"), times=3):
        assert api.http.get("/v1/me/record", headers=headers).status_code == 200
    scope = ReadScope(person_ids=[_json(api.http.get("/v1/me", headers=headers))["person_id"]], account=None)
    events, _ = record_store.access_log(scope, 10)
    assert [e.action for e in events] == ["read-record"]

    # The put is applied but its answer is lost: botocore sends it again, and finds its own event already there.
    with faults.inject("dynamodb", "PutItem", lost, times=1) as fault:
        read = api.http.get("/v1/me/record", headers=headers)
    assert read.status_code == 200, read.body
    assert len(fault.attempts) == 2
    events, _ = record_store.access_log(scope, 10)
    assert [e.action for e in events] == ["read-record", "read-record"]  # one per read, not per attempt
    _no_unhandled_errors(service_logs)


# --- 2. Cancelled transactions ------------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", ["TransactionConflict", "ThrottlingError"])
def test_a_transaction_cancelled_by_a_transient_reason_is_retried_then_answers_503(api, aws, faults, service_logs,
                                                                                   reason):
    headers, body = _signed_in(aws), registration()
    before = tables_now()
    with faults.inject("dynamodb", "TransactWriteItems", cancelled(reason)) as fault:
        assert_unavailable(_register(api, headers, body, key="conflict-1"))
    assert len(fault.attempts) == transactions.ATTEMPTS  # botocore does not retry a cancellation; the store does
    assert len(faults.sleeps) == transactions.ATTEMPTS - 1
    assert tables_now() == before
    _no_unhandled_errors(service_logs)

    with faults.inject("dynamodb", "TransactWriteItems", cancelled(reason), times=2) as fault:
        registered = _register(api, headers, body, key="conflict-1")
    assert registered.status_code == 201 and len(fault.attempts) == 3
    assert _json(api.http.get("/v1/me", headers=headers))["curp"] == body["curp"]
    assert len([i for i in added(before, tables_now())["members"] if i["sk"]["S"] == "PROFILE"]) == 1


def _reversal(tx: str, when: datetime) -> dict:
    return {"type": "payment.reversed", "data": {"partner_transaction_id": tx, "reversed_at": when.isoformat(),
                                                 "reason": "Contracargo"}}


@pytest.mark.parametrize("reason", ["TransactionConflict", "ThrottlingError"])
def test_money_transactions_survive_a_retry(api, aws, faults, member, partner, operator, clock, service_logs, reason):
    """Each money movement retried once after a transient cancellation goes through, exactly once: the retry is
    rebuilt from the same inputs (PynamoDB used to grow a shared `actions` list with a second `version ADD 1`)."""
    headers, _ = member()
    reference = issue(api, headers)
    with faults.inject("dynamodb", "TransactWriteItems", cancelled(reason), times=1) as fault:
        applied = partner.send(paid(reference["reference"], reference["amount_mxn"], tx=f"retry-{reason}",
                                    paid_at=clock.now()))
    assert applied.status_code == 200 and _json(applied)["status"] == "applied", applied.body
    assert len(fault.attempts) == 2
    with faults.inject("dynamodb", "TransactWriteItems", cancelled(reason), times=1) as fault:
        reversed_ = partner.send(_reversal(f"retry-{reason}", clock.now()))
    assert reversed_.status_code == 200 and _json(reversed_)["status"] == "reversed", reversed_.body
    assert len(fault.attempts) == 2

    unmatched = _json(partner.send(paid("123456789012345678", "100.00", tx=f"lost-{reason}", paid_at=clock.now())))
    decision = {"action": "refund", "note": "Sin referencia: se devuelve"}
    with faults.inject("dynamodb", "TransactWriteItems", cancelled(reason), times=1) as fault:
        resolved = api.http.post(f"/v1/operators/payments/{unmatched['payment_id']}/resolve", headers=operator,
                                 body=json.dumps(decision))
    assert resolved.status_code == 200 and _json(resolved)["status"] == "refund_pending", resolved.body
    assert len(fault.attempts) == 2
    _no_unhandled_errors(service_logs)


def test_reversing_an_unmatched_payment_counts_once_even_when_both_counters_pick_one_shard(
        api, partner, operator, clock, monkeypatch, service_logs):
    """Its two counter changes fall in one month: merged into one item, they can no longer land on one shard twice
    (DynamoDB refuses two operations on one item; this failed about 1 time in 16)."""
    from chalicelib.store import stats

    monkeypatch.setattr(stats.random, "randrange", lambda shards: 3)
    unmatched = _json(partner.send(paid("123456789012345678", "100.00", tx="one-shard", paid_at=clock.now())))
    assert unmatched["status"] == "unmatched"
    reversed_ = partner.send(_reversal("one-shard", clock.now()))
    assert reversed_.status_code == 200 and _json(reversed_)["status"] == "reversed", reversed_.body
    figures = _json(api.http.get("/v1/operators/stats", headers=operator))["payments_this_month"]
    assert figures["reversed"] == 1 and figures["unmatched"] == 0
    _no_unhandled_errors(service_logs)


def test_a_failed_condition_is_a_409_at_once_and_writes_nothing(api, aws, faults, service_logs):
    headers, body = _signed_in(aws), registration()
    before = tables_now()
    on_profile = cancelled("ConditionalCheckFailed", on=lambda item: '"PROFILE"' in json.dumps(item))
    with faults.inject("dynamodb", "TransactWriteItems", on_profile) as fault:
        refused = _register(api, headers, body)
    assert refused.status_code == 409 and "Retry-After" not in refused.headers
    assert _json(refused)["type"] == "urn:pti-migrante:problem:conflict" and "registro" in _json(refused)["detail"]
    assert len(fault.attempts) == 1 and faults.sleeps == []  # not retried
    assert tables_now() == before
    assert _register(api, headers, body).status_code == 201  # nothing was left behind to conflict with


def test_a_guard_taken_between_the_read_and_the_write_starts_the_registration_over(api, aws, faults, service_logs):
    """Another account's transaction puts the CURP guard after ours read it absent: ours is cancelled on that guard
    and the registration starts over from a fresh read, once; a second race is a 503, never a partial write."""
    headers, body = _signed_in(aws), registration()
    before = tables_now()
    on_curp_guard = cancelled("ConditionalCheckFailed", on=lambda item: "CURP#" in json.dumps(item))
    with faults.inject("dynamodb", "TransactWriteItems", on_curp_guard) as fault:
        assert_unavailable(_register(api, headers, body))
    assert len(fault.attempts) == 2 and tables_now() == before
    with faults.inject("dynamodb", "TransactWriteItems", on_curp_guard, times=1) as fault:
        assert _register(api, headers, body).status_code == 201
    assert len(fault.attempts) == 2
    _no_unhandled_errors(service_logs)


# --- 3. Timeouts and unreachable DynamoDB -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", [ReadTimeoutError, ConnectTimeoutError, EndpointConnectionError])
def test_dynamodb_timeouts_are_retried_then_answer_503_and_leave_nothing(api, aws, faults, service_logs, kind):
    headers, body = _signed_in(aws), registration()
    before = tables_now()
    with faults.inject("dynamodb", "TransactWriteItems", dropped(kind)) as fault:
        assert_unavailable(_register(api, headers, body, key="slow-1"))
    assert len(fault.attempts) == PYNAMODB_ATTEMPTS
    # botocore resends the same transaction with the same ClientRequestToken: DynamoDB applies it at most once even
    # when a timed-out attempt did go through.
    tokens = {attempt.get("ClientRequestToken") for attempt in fault.attempts}
    assert len(tokens) == 1 and None not in tokens
    assert tables_now() == before
    _no_unhandled_errors(service_logs)

    with faults.inject("dynamodb", "TransactWriteItems", dropped(kind), times=1):
        assert _register(api, headers, body, key="slow-1").status_code == 201
    with faults.inject("dynamodb", "GetItem", dropped(kind)) as fault:
        assert_unavailable(api.http.get("/v1/me", headers=headers))
    assert len(fault.attempts) == PYNAMODB_ATTEMPTS
    with faults.inject("dynamodb", "Query", dropped(kind), times=2):
        assert api.http.get("/v1/me/export", headers=headers).status_code == 200
    _no_unhandled_errors(service_logs)
    warned = [e for e in service_logs.entries() if e["message"] == "dependency unavailable"]
    assert len(warned) == 2 and {e["cause"] for e in warned} == {kind.__name__}  # a warning naming it, no traceback
    assert not any("exception" in e for e in warned)


# --- 4. Secrets Manager when a partner's webhook arrives ----------------------------------------------------------

@pytest.mark.parametrize("answer", [error("InternalServiceError", 500), error("ThrottlingException"),
                                    dropped(EndpointConnectionError)], ids=["internal", "throttled", "unreachable"])
def test_a_webhook_without_its_secret_answers_503_so_the_partner_retries(api, faults, member, partner, clock,
                                                                         service_logs, answer):
    headers, _ = member()
    reference = issue(api, headers)
    event = paid(reference["reference"], reference["amount_mxn"], tx="tx-faults", paid_at=clock.now())
    secret = partner.secret()  # the partner's own copy, read before the fault
    before = tables_now()
    with faults.inject("secretsmanager", "GetSecretValue", answer) as fault:
        assert_unavailable(partner.send(event, secret=secret, message_id="msg_faults_1"))
    assert len(fault.attempts) == BOTO3_ATTEMPTS
    assert tables_now() == before  # no delivery, no payment, no counters, no notification
    _no_unhandled_errors(service_logs)

    with faults.inject("secretsmanager", "GetSecretValue", answer, times=2):  # botocore's retries ride it out
        accepted = partner.send(event, secret=secret, message_id="msg_faults_1")
    assert accepted.status_code == 200 and _json(accepted)["status"] == "applied", accepted.body
    assert len(tables_now()["payments"]) > len(before["payments"])


# --- 5. KMS when a nurse ends a consult with her note, and when the member reads the record -------------------------

KMS_FAULTS = [error("ThrottlingException"), error("KMSInternalException", 500),
              error("DependencyTimeoutException", 503), dropped(EndpointConnectionError)]


def test_kms_faults_leave_the_consult_arrived_and_the_record_unwritten(api, faults, clock, scene,  # noqa: F811
                                                                      service_logs):
    consult, nurse = scene["consult"], scene["ana"]
    clock(datetime.fromisoformat(consult["start"]))
    assert api.http.post(f"/v1/nurse/appointments/{consult['appointment_id']}/start", headers=nurse).status_code == 200
    end = f"/v1/nurse/appointments/{consult['appointment_id']}/end"
    before = tables_now()
    for answer in KMS_FAULTS:
        with faults.inject("kms", "GenerateDataKey", answer) as fault:
            assert_unavailable(api.http.post(end, headers=nurse, body=json.dumps(consult_note())))
        assert len(fault.attempts) == BOTO3_ATTEMPTS
        assert tables_now() == before  # no head, entry, encounter or audit item; the appointment untouched
        assert teleconsult_store.get_appointment(consult["appointment_id"]).status == "arrived"
    _no_unhandled_errors(service_logs)

    ended = api.http.post(end, headers=nurse, body=json.dumps(consult_note()))
    assert ended.status_code == 201, ended.body
    assert teleconsult_store.get_appointment(consult["appointment_id"]).status == "fulfilled"

    before = tables_now()
    for answer in KMS_FAULTS:
        with faults.inject("kms", "Decrypt", answer):
            assert_unavailable(api.http.get("/v1/me/record", headers=scene["member"]))
    new = added(before, tables_now())
    # The read's audit event is written before anything is read (no read goes unlogged), so each refused read left
    # exactly its own, whole; nothing else changed.
    assert list(new) == ["records"] and len(new["records"]) == len(KMS_FAULTS)
    for item in new["records"]:
        event = AuditItem.get(item["pk"]["S"], item["sk"]["S"])
        assert (event.action, event.actor_role, event.patient_id) == ("read-record", "member", scene["patient_id"])
    scope = ReadScope(person_ids=[scene["patient_id"]], account=None)
    assert record_store.page(scope, wiring.record_keys(), 10)[0][0].entry_id == _json(ended)["entry_id"]

    read = api.http.get("/v1/me/record", headers=scene["member"])
    assert read.status_code == 200 and [e["entry_id"] for e in _json(read)["items"]] == [_json(ended)["entry_id"]]
    _no_unhandled_errors(service_logs)


def test_kms_faults_on_a_booking_leave_the_slot_free(api, faults, nurses, member, partner, clock,  # noqa: F811
                                                    service_logs):
    """The reason is sealed before the booking's transaction: without KMS there is no booking, and no reason in clear."""
    w = SimpleNamespace(api=api, member=member, partner=partner, clock=clock, nurses=nurses)
    drive = _book_consult(w)
    before = tables_now()
    for answer in KMS_FAULTS:
        with faults.inject("kms", "GenerateDataKey", answer) as fault:
            assert_unavailable(drive.act())
        assert len(fault.attempts) == BOTO3_ATTEMPTS and tables_now() == before
    assert drive.act().status_code == 201
    _no_unhandled_errors(service_logs)


# --- 6. Every commit the service makes, under a conflict and under throttling ---------------------------------------

@dataclass(frozen=True)
class Drive:
    act: Callable[[], Any]  # the request (or daily job) that commits; repeatable
    expected: Any  # its success: an HTTP status, or a job's count
    job: bool = False


@dataclass(frozen=True)
class Site:
    """A function in chalicelib that calls `transactions.commit` (`module.function`), driven the way its user
    drives it. `prepare` builds what the write needs; `single` sites write one item (a conditional PutItem or
    UpdateItem, not a transaction), so only throttling applies to them."""
    name: str
    prepare: Callable[[SimpleNamespace], Drive]
    single: str | None = None  # the operation of a one-item write


def _post(w, path, headers, body=None):
    return lambda: w.api.http.post(path, headers=headers, body=json.dumps(body) if body is not None else None)


def _paid_member(w) -> tuple[dict, dict]:
    """A member who paid for December on 5 November."""
    w.clock(datetime(2026, 11, 5, 9, tzinfo=MX).astimezone(timezone.utc))
    headers, body = w.member()
    reference = issue(w.api, headers)
    w.partner.send(paid(reference["reference"], reference["amount_mxn"], tx=f"fault-{body['curp']}",
                        paid_at=w.clock.now()))
    return headers, body


def _free_slot(w) -> tuple[dict, dict, dict]:
    """On 25 November, a consenting member covered in December and a free 1 December slot of a new nurse:
    (member, nurse, slot)."""
    headers, _ = _paid_member(w)
    nurse, _ = w.nurses(f"nurse{next(_usernames)}")
    w.clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    _publish(w.api, nurse)
    _consent(w.api, headers)
    return headers, nurse, _slots(w.api, headers, "2026-12-01", "2026-12-01")[0]


def _booked(w) -> tuple[dict, dict, dict]:
    """The member's consult with a nurse on 1 December, booked on 25 November: (member, nurse, consult)."""
    headers, nurse, slot = _free_slot(w)
    return headers, nurse, _json(_book(w.api, headers, slot["slot_id"]))


def _unmatched(w, tx: str) -> dict:
    return _json(w.partner.send(paid("123456789012345678", "100.00", tx=tx, paid_at=w.clock.now())))


def _claim(w) -> str:
    """A member's adult son, a beneficiary, registers an account of his own: his pending claim."""
    parent, _ = w.member()
    born = date(2005, 4, 10)
    son = make_curp("PEGL", born, "H", "JC", "RMS")
    assert _add(w.api, parent, relationship="child", student=True, curp=son).status_code == 201
    claimant, _ = w.member(curp=son)
    person_id = _json(w.api.http.get("/v1/me", headers=claimant))["person_id"]
    queue = _json(w.api.http.get("/v1/operators/identity-claims?limit=100", headers=w.operator))["items"]
    return next(c["claim_id"] for c in queue if c["claimant_person_id"] == person_id)


def _registration(w):
    headers, body = _signed_in(w.aws), registration()
    return Drive(lambda: _register(w.api, headers, body), 201)


def _add_beneficiary(w):
    headers, _ = w.member()
    return Drive(lambda: _add(w.api, headers, relationship="child", curp=_child_curp(date(2015, 3, 1))), 201)


def _remove_beneficiary(w):
    headers, _ = w.member()
    child = _json(_add(w.api, headers, relationship="child", curp=_child_curp(date(2015, 3, 1))))
    return Drive(lambda: w.api.http.delete(f"/v1/me/beneficiaries/{child['beneficiary_id']}", headers=headers), 200)


def _every_shard(step, now) -> int:
    """A daily step over all of its index's shards, as the day's pieces do it (16 shards each, JOB_FANOUT 1)."""
    return sum(step(now, shard) for shard in range(16))


def _lapse(w):
    _paid_member(w)
    return Drive(lambda: _every_shard(jobs.lapse_ended_coverage, w.clock(datetime(2027, 1, 1, 12, tzinfo=MX))), 1,
                 job=True)


def _issue_reference(w):
    headers, _ = w.member()
    return Drive(_post(w, "/v1/me/payment-references", headers, {"months": 1}), 201)


def _apply_payment(w):
    headers, _ = w.member()
    reference = issue(w.api, headers)
    event = paid(reference["reference"], reference["amount_mxn"], tx="fault-apply", paid_at=w.clock.now())
    return Drive(lambda: w.partner.send(event, message_id="msg_fault_apply"), 200)


def _keep_unmatched(w):
    event = paid("123456789012345678", "100.00", tx="fault-unmatched", paid_at=w.clock.now())
    return Drive(lambda: w.partner.send(event, message_id="msg_fault_unmatched"), 200)


def _reverse_unseen(w):
    return Drive(lambda: w.partner.send(_reversal("fault-never-seen", w.clock.now()), message_id="msg_fault_rev0"), 200)


def _reverse(w):
    headers, body = _paid_member(w)
    return Drive(lambda: w.partner.send(_reversal(f"fault-{body['curp']}", w.clock.now()), message_id="msg_fault_rev"),
                 200)


def _resolve(w):
    payment = _unmatched(w, "fault-resolve")
    return Drive(_post(w, f"/v1/operators/payments/{payment['payment_id']}/resolve", w.operator,
                       {"action": "refund", "note": "Sin referencia: se devuelve"}), 200)


def _unknown_event(w):
    return Drive(lambda: w.partner.send({"type": "payout.updated", "data": {}}, message_id="msg_fault_unknown"), 200)


def _confirm_claim(w):
    claim_id = _claim(w)
    return Drive(_post(w, f"/v1/operators/identity-claims/{claim_id}/confirm", w.operator,
                       {"why": "Acta de nacimiento y pasaporte revisados", "checked": "documents"}), 200)


def _reject_claim(w):
    claim_id = _claim(w)
    return Drive(_post(w, f"/v1/operators/identity-claims/{claim_id}/reject", w.operator,
                       {"why": "No es la persona: otra fecha de nacimiento en su acta"}), 200)


def _end_consult(w):
    _, nurse, consult = _booked(w)
    w.clock(datetime.fromisoformat(consult["start"]))
    assert _post(w, f"/v1/nurse/appointments/{consult['appointment_id']}/start", nurse)().status_code == 200
    return Drive(_post(w, f"/v1/nurse/appointments/{consult['appointment_id']}/end", nurse, consult_note()), 201)


def _create_nurse(w):
    username = f"nurse{next(_usernames)}"
    return Drive(_post(w, "/v1/operators/nurses", w.operator, {
        "username": username, "email": f"{username}@example.com", "full_name": "Enf. Rosa Prueba",
        "cedula_profesional": "12345678", "languages": ["es"]}), 201)


def _deactivate_nurse(w):
    created = _json(_post(w, "/v1/operators/nurses", w.operator, {
        "username": f"nurse{next(_usernames)}", "email": "baja@example.com", "full_name": "Enf. Baja Prueba",
        "cedula_profesional": "12345678", "languages": ["es"]})())
    return Drive(_post(w, f"/v1/operators/nurses/{created['nurse_id']}/deactivate", w.operator,
                       {"reason": "Dejó el programa"}), 200)


def _book_consult(w):
    headers, _, slot = _free_slot(w)
    return Drive(lambda: _book(w.api, headers, slot["slot_id"]), 201)


def _noshow(w):
    _, nurse, consult = _booked(w)
    w.clock(datetime.fromisoformat(consult["start"]) + timedelta(minutes=15))
    return Drive(_post(w, f"/v1/nurse/appointments/{consult['appointment_id']}/noshow", nurse), 200)


def _nurse_cancel(w):
    _, nurse, consult = _booked(w)
    return Drive(_post(w, f"/v1/nurse/appointments/{consult['appointment_id']}/cancel", nurse,
                       {"reason": "Incapacidad médica"}), 200)


def _member_cancel(w):
    headers, _, consult = _booked(w)
    return Drive(_post(w, f"/v1/me/appointments/{consult['appointment_id']}/cancel", headers), 200)


def _consenting(w) -> dict:
    headers, _ = _paid_member(w)
    w.clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    assert _consent(w.api, headers).status_code == 201
    return headers


WAIT_DAYS = {"from": "2026-12-01", "to": "2026-12-02"}


def _join_waitlist(w):
    return Drive(_post(w, "/v1/teleconsult/waitlist", _consenting(w), WAIT_DAYS), 201)


def _leave_waitlist(w):
    headers = _consenting(w)
    joined = _json(_post(w, "/v1/teleconsult/waitlist", headers, WAIT_DAYS)())
    return Drive(lambda: w.api.http.delete(f"/v1/teleconsult/waitlist/{joined['patient_id']}", headers=headers), 200)


def _reschedule(w):
    headers, _, consult = _booked(w)
    later = _slots(w.api, headers, "2026-12-02", "2026-12-02")[0]
    return Drive(_post(w, f"/v1/me/appointments/{consult['appointment_id']}/reschedule", headers,
                       {"slot_id": later["slot_id"]}), 200)


def _remind_deadline(w):
    w.clock(datetime(2026, 11, 5, 12, tzinfo=MX))
    headers, _ = w.member()
    issue(w.api, headers)  # due 15 November
    return Drive(lambda: _every_shard(jobs.remind_deadlines, w.clock(datetime(2026, 11, 12, 12, tzinfo=MX))), 1,
                 job=True)


def _remind_consult(w):
    _, _, consult = _booked(w)
    day_before = datetime.fromisoformat(consult["start"]) - timedelta(hours=23, minutes=30)
    return Drive(lambda: jobs.remind_consults(w.clock(day_before)), 1, job=True)


_PHONE = {"platform": "fcm", "token": "fault-token-" + "0" * 40, "language": "es"}


def _put_phone(w, headers, body=_PHONE):
    return lambda: w.api.http.put("/v1/me/devices/fault-phone", headers=headers, body=json.dumps(body))


def _add_device(w):
    headers, _ = w.member()
    return Drive(_put_phone(w, headers), 200)


def _replace_device(w):
    headers, _ = w.member()
    assert _put_phone(w, headers)().status_code == 200
    return Drive(_put_phone(w, headers, {**_PHONE, "token": _PHONE["token"] + "1"}), 200)


def _remove_device(w):
    headers, _ = w.member()
    assert _put_phone(w, headers)().status_code == 200
    return Drive(lambda: w.api.http.delete("/v1/me/devices/fault-phone", headers=headers), 200)


def _deliver_push(w):
    """A member's phone and a notification on the outbox stream, handed to the relay as Lambda would."""
    from chalicelib.services import relay
    from chalicelib.store import outbox

    headers, _ = w.member()
    assert _put_phone(w, headers)().status_code == 200
    member_id = _json(w.api.http.get("/v1/me", headers=headers))["member_id"]
    notice = outbox.Notification("payment-applied", member_id, "fault-payment", {"months": ["2027-01"]})
    transactions.commit([outbox.enqueue(notice, w.clock.now())])
    record = {"eventName": "INSERT", "dynamodb": {"SequenceNumber": "1",
                                                  "NewImage": outbox.OutboxItem.get(notice.key).serialize()}}
    return Drive(lambda: relay.relay_records([record], w.clock.now()), {"batchItemFailures": []}, job=True)


def _patch_profile(w):
    headers, _ = w.member()
    etag = w.api.http.get("/v1/me", headers=headers).headers["ETag"]
    return Drive(lambda: w.api.http.patch("/v1/me", headers={**headers, "If-Match": etag},
                                          body=json.dumps({"zone": "zlfn"})), 200)


def _close_account(w):
    headers, _ = w.member()
    return Drive(_post(w, "/v1/me/closure", headers), 201)


def _complete_closure(w):
    headers, _ = w.member()
    request = _json(_post(w, "/v1/me/closure", headers)())
    return Drive(_post(w, f"/v1/operators/arco-requests/{request['request_id']}/complete", w.operator), 200)


def _certificate(w):
    headers, _ = _paid_member(w)
    return Drive(lambda: w.api.http.get("/v1/me/coverage/certificate.pdf",
                                        headers={**headers, "Accept": "application/pdf"}), 200)


def _fetch_rate(w):
    from chalicelib.services import exchange_rates

    when = w.clock(datetime(2026, 11, 20, 13, tzinfo=MX))
    return Drive(lambda: exchange_rates.fetch_fix(when)["latest"], "2026-11-20", job=True)


SITES = [
    Site("members.create_member", _registration),
    Site("members.update_member", _patch_profile),
    Site("privacy.open_closure", _close_account),
    Site("privacy.complete_closure", _complete_closure),
    Site("members.add_beneficiary", _add_beneficiary),
    Site("members.remove_beneficiary", _remove_beneficiary),
    Site("members.mark_lapsed", _lapse),
    Site("payments.issue_reference", _issue_reference),
    Site("payments.record_delivery", _unknown_event, single="PutItem"),
    Site("ledger.receive_payment", _apply_payment),
    Site("ledger.receive_payment", _keep_unmatched),
    Site("ledger.reverse_payment", _reverse_unseen),
    Site("ledger.reverse_payment", _reverse),
    Site("ledger._commit_resolution", _resolve),
    Site("persons.confirm", _confirm_claim),
    Site("persons.reject", _reject_claim, single="UpdateItem"),
    Site("records.append", _end_consult),
    Site("nurses.create_nurse", _create_nurse),
    Site("nurses.deactivate_nurse", _deactivate_nurse),
    Site("bookings.book", _book_consult),
    Site("bookings.move", _noshow),
    Site("bookings.cancel", _nurse_cancel),
    Site("bookings.cancel", _member_cancel),
    Site("bookings.reschedule", _reschedule),
    Site("waitlist.join_waitlist", _join_waitlist),
    Site("waitlist.leave_waitlist", _leave_waitlist),
    Site("jobs.remind_deadlines", _remind_deadline, single="PutItem"),
    Site("jobs.remind_consults", _remind_consult, single="PutItem"),
    Site("devices.add_device", _add_device),
    Site("devices.replace_device", _replace_device, single="PutItem"),
    Site("devices.remove_device", _remove_device),
    Site("devices.claim_delivery", _deliver_push, single="PutItem"),
    Site("documents.save_document", _certificate, single="PutItem"),
    Site("exchange_rates._put", _fetch_rate, single="PutItem"),
]


def _commit_sites_in_the_code() -> set[str]:
    sites = set()
    for path in pathlib.Path(chalicelib.__file__).parent.rglob("*.py"):
        for function in ast.walk(ast.parse(path.read_text())):
            if isinstance(function, ast.FunctionDef) and any(
                    isinstance(call, ast.Call) and getattr(call.func, "id", None) == "commit"
                    for call in ast.walk(function)):
                sites.add(f"{path.stem}.{function.name}")
    return sites


def test_every_commit_in_the_code_has_a_fault_case():
    assert {site.name for site in SITES} == _commit_sites_in_the_code()


@pytest.fixture
def committing(monkeypatch) -> list[str]:
    """The commit sites that wrote while the fixture is active, named as SITES names them."""
    sites: list[str] = []

    def caller(depth: int) -> str:
        frame = sys._getframe(depth)
        return f"{frame.f_globals['__name__'].rsplit('.', 1)[-1]}.{frame.f_code.co_name}"

    class Attempt(transactions._Attempt):
        def __init__(self, *args, **kwargs):
            sites.append(caller(3))  # caller() <- __init__ <- commit() <- the site
            super().__init__(*args, **kwargs)

    class Single(transactions._Single):
        def __init__(self):
            sites.append(caller(4))  # caller() <- __init__ <- _write_one() <- commit() <- the site
            super().__init__()

    monkeypatch.setattr(transactions, "_Attempt", Attempt)
    monkeypatch.setattr(transactions, "_Single", Single)
    return sites


CASES = [pytest.param(site, fault, id=f"{site.name}[{site.prepare.__name__[1:]}]-{fault}")
         for site in SITES for fault in (["throttled"] if site.single else ["conflict", "throttled"])]


@pytest.mark.parametrize(("site", "fault"), CASES)
def test_each_commit_survives_a_conflict_and_leaves_nothing_when_throttled(
        request, api, aws, faults, member, partner, operator, clock, nurses, committing, service_logs, site, fault):
    """A transaction cancelled once by a concurrent one is retried and goes through; throttled to the end, the caller
    gets a 503 (a job raises, to be run again) with the tables exactly as before, and the same request then succeeds."""
    w = SimpleNamespace(api=api, aws=aws, member=member, partner=partner, operator=operator, clock=clock,
                        nurses=nurses)
    drive = site.prepare(w)
    operation = site.single or "TransactWriteItems"

    def succeeded(result) -> None:
        if drive.job:
            assert result == drive.expected
        else:
            assert result.status_code == drive.expected, result.body

    committing.clear()
    if fault == "conflict":
        with faults.inject("dynamodb", operation, cancelled("TransactionConflict"), times=1) as injected:
            succeeded(drive.act())
        assert len(injected.attempts) >= 2
    else:
        before = tables_now()
        with faults.inject("dynamodb", operation, error("ThrottlingException")) as injected:
            if drive.job:
                with pytest.raises(Exception):
                    drive.act()
            else:
                assert_unavailable(drive.act())
        assert injected.attempts and tables_now() == before
        succeeded(drive.act())
    assert site.name in committing
    _no_unhandled_errors(service_logs)
