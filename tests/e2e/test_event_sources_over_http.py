"""The scheduled work on the engines it runs on in AWS, played locally: `make jobs` dispatches the day's pieces to the
jobs queue (the moto server's SQS), `make run`'s event sources (local/runner.py) hand them to the consumer and the
outbox table's inserts (DynamoDB Local's stream) to the relay, which publishes to SNS. Checked from outside: a renewal
issued through the queue, once even when the day is dispatched twice; a notification relayed from the stream; a
poison message and a poison stream record each reaching their dead-letter queue while the rest flows on."""

import json
import subprocess
import sys
import time
import uuid
from datetime import datetime

import pytest

from local.aws import PROJECT, StackState, stage_environment
from local.bootstrap import local_queue_name
from tests.e2e.conftest import start_stack
from tests.e2e.test_payments_over_http import _post_webhook, _register, _secrets, _succeeded

pytestmark = pytest.mark.e2e

RENEWAL_DAY = "2027-01-01T12:00:00-06:00"  # a payment made on 30 November or later covers January


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory):
    """A stack of its own: standing on 1 January renews and lapses every member of a shared one."""
    running = start_stack(tmp_path_factory.mktemp("event-sources") / "state")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def aws(own_stack):
    state = StackState.load(own_stack.state_dir / "stack.json")
    return state.endpoints


def _eventually(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def _subscribed_queue(aws) -> tuple[object, str]:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName=f"phone-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.client("sns").subscribe(TopicArn=stage_environment("local")["NOTIFICATIONS_TOPIC_ARN"], Protocol="sqs",
                                Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    return sqs, url


def _received(sqs, url: str) -> list[dict]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def _make_jobs(stack, at: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "local.jobs", "--at", at], cwd=PROJECT, env=stack.environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout[result.stdout.index("{\n"):])  # after the service's own log lines


def _pay(stack, headers) -> None:
    reference = stack.request("POST", "/v1/me/payment-references", headers=headers, json_body={"months": 1}).json()
    body = _succeeded(reference=reference["reference"], amount=reference["amount_mxn"], tx=uuid.uuid4().hex,
                      channel="finabien")
    answer = _post_webhook(stack, "finabien", body, _secrets(stack)["finabien"], f"msg_{uuid.uuid4().hex}")
    assert answer.status == 200 and answer.json()["status"] == "applied", answer.body


def test_a_payment_notice_is_relayed_from_the_stream_and_renewal_runs_through_the_queue_once(own_stack, aws):
    sqs, phone = _subscribed_queue(aws)
    headers, _, member_id = _register(own_stack, f"renew-{uuid.uuid4().hex[:6]}")
    _pay(own_stack, headers)

    notices = []
    assert _eventually(lambda: notices.extend(_received(sqs, phone)) or any(
        n["kind"] == "payment-applied" and n["member_id"] == member_id for n in notices)), notices

    first = _make_jobs(own_stack, RENEWAL_DAY)
    assert first["pieces_dispatched"] >= 48 and first["pieces_still_queued"] == 0, first
    second = _make_jobs(own_stack, RENEWAL_DAY)  # the schedule retried: every piece again
    assert second["pieces_still_queued"] == 0
    references = own_stack.request("GET", "/v1/me/payment-references", headers=headers).json()["references"]
    renewals = [r for r in references if r["months"] == ["2027-02"]]
    assert len(renewals) == 1 and renewals[0]["status"] == "open", references
    assert _eventually(lambda: notices.extend(_received(sqs, phone)) or any(
        n["kind"] == "reference-issued" and n["member_id"] == member_id for n in notices)), notices
    assert sum(n["kind"] == "reference-issued" and n["member_id"] == member_id for n in notices) == 1


def test_a_poison_message_reaches_the_jobs_dead_letter_queue(own_stack, aws):
    sqs = aws.client("sqs")
    queue = sqs.get_queue_url(QueueName=local_queue_name("JobsQueue"))["QueueUrl"]
    dead = sqs.get_queue_url(QueueName=local_queue_name("JobsDeadLetterQueue"))["QueueUrl"]
    marker = f"poison {uuid.uuid4()}"
    sqs.send_message(QueueUrl=queue, MessageBody=marker)

    def dead_lettered():
        messages = sqs.receive_message(QueueUrl=dead, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        return [m for m in messages if m["Body"] == marker]

    (message,) = _eventually(dead_lettered, timeout=60)
    assert int(message["Attributes"]["ApproximateReceiveCount"] if "Attributes" in message else 5) >= 1


def test_a_poison_stream_record_is_dead_lettered_and_the_stream_moves_on(own_stack, aws):
    sqs, phone = _subscribed_queue(aws)
    dynamodb = aws.client("dynamodb")
    table = stage_environment("local")["OUTBOX_TABLE"]
    dynamodb.put_item(TableName=table, Item={"key": {"S": f"poison#{uuid.uuid4()}"}})  # no kind, member or time
    headers, _, member_id = _register(own_stack, f"after-poison-{uuid.uuid4().hex[:6]}")
    _pay(own_stack, headers)

    dead = sqs.get_queue_url(QueueName=local_queue_name("RelayDeadLetterQueue"))["QueueUrl"]

    def dead_lettered():
        messages = sqs.receive_message(QueueUrl=dead, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        return [json.loads(m["Body"]) for m in messages]

    (failure,) = _eventually(dead_lettered, timeout=60)
    info = failure["DDBStreamBatchInfo"]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted" and info["batchSize"] == 1
    assert info["streamArn"] == dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    notices = []
    assert _eventually(lambda: notices.extend(_received(sqs, phone)) or any(
        n["kind"] == "payment-applied" and n["member_id"] == member_id for n in notices)), notices
    assert datetime.fromisoformat(info["approximateArrivalOfFirstRecord"]).tzinfo is not None
