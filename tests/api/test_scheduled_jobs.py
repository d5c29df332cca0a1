"""The daily jobs against the in-process AWS, through the engines they run on: the dispatcher's pieces on the jobs
queue done by its consumer (renewals, lapses, reminders, horizon rolls), and the outbox relayed to SNS from the
table's stream. Redelivery changes nothing; a poison message or record is reported, not swallowed."""

import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest

import app as service
from chalicelib import wiring
from chalicelib.domain.jobs import JobMessage, key_ranges, HEX
from chalicelib.services import jobs, relay
from chalicelib.store.outbox import OutboxItem
from local.aws import REGION, stage_environment
from local.bootstrap import local_queue_name
from tests.api.conftest import issue, paid

MX = timezone(timedelta(hours=-6))


def _at(*args) -> datetime:
    return datetime(*args, 12, tzinfo=MX).astimezone(timezone.utc)


@pytest.fixture
def active_member(api, member, partner, clock):
    """A member who paid in early November for December (auto-renewal on)."""
    clock(_at(2026, 11, 5))
    headers, body = member()
    reference = issue(api, headers)
    assert json.loads(partner.send(paid(reference["reference"], reference["amount_mxn"], tx=f"job-{body['curp']}",
                                        paid_at=clock.now())).body)["status"] == "applied"
    return headers


@pytest.fixture
def subscriber(aws):
    """An SQS queue subscribed to the notifications topic: what SNS delivered."""
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="notifications")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns", region_name=REGION).subscribe(
        TopicArn=stage_environment("local")["NOTIFICATIONS_TOPIC_ARN"], Protocol="sqs", Endpoint=arn,
        Attributes={"RawMessageDelivery": "true"})

    def received(with_attributes: bool = False) -> list:
        bodies = []
        while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10,
                                              MessageAttributeNames=["All"]).get("Messages", []):
            bodies += [(json.loads(m["Body"]), {name: value["StringValue"] for name, value in
                                                 m.get("MessageAttributes", {}).items()}) if with_attributes
                       else json.loads(m["Body"]) for m in messages]
            sqs.delete_message_batch(QueueUrl=queue, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
        return bodies

    return received


def _coverage(api, headers):
    return json.loads(api.http.get("/v1/me/coverage", headers=headers).body)


def _references(api, headers):
    return json.loads(api.http.get("/v1/me/payment-references", headers=headers).body)["references"]


def _unsent_kinds():
    return sorted(item.kind for item in OutboxItem.scan() if item.sent_at is None)


def test_auto_renewal_issues_next_months_reference_once_at_the_window_start(api, active_member, clock, event_sources):
    event_sources.run_jobs(clock(_at(2026, 12, 1)))
    (renewal, _) = _references(api, active_member)
    assert renewal["months"] == ["2027-01"] and renewal["status"] == "open"
    event_sources.run_jobs(clock.now())  # the dispatcher ran twice: the member already has an open reference
    assert len(_references(api, active_member)) == 2
    assert "reference-issued" in _unsent_kinds()
    assert jobs.renew_references(clock(_at(2026, 12, 16)), 0) == 0  # after the deadline: nothing


def test_the_dispatcher_sends_every_piece_of_the_day_and_renewals_only_in_the_window(aws, monkeypatch):
    shards = 16
    assert jobs.dispatch_daily(_at(2026, 12, 1)) == 3 * shards  # renew, lapse, remind; no nurse yet
    assert jobs.dispatch_daily(_at(2026, 12, 16)) == 2 * shards
    monkeypatch.setenv("JOB_FANOUT", "4")
    wiring.reset()
    assert jobs.dispatch_daily(_at(2026, 12, 1)) == 3 * shards * 4


def test_key_ranges_cover_the_space_once_in_order():
    for pieces in (2, 3, 7, 64, 256, 1000):
        ranges = key_ranges(HEX, pieces)
        pairs = [a + b for a in HEX for b in HEX]
        covered = [p for r in ranges for p in pairs if r.first <= p <= r.last]
        assert covered == pairs, pieces


def test_members_split_over_key_ranges_are_each_renewed_once(api, member, partner, clock, monkeypatch, event_sources):
    clock(_at(2026, 11, 5))
    payers = []
    for n in range(6):
        headers, body = member()
        reference = issue(api, headers)
        partner.send(paid(reference["reference"], reference["amount_mxn"], tx=f"range-{n}", paid_at=clock.now()))
        payers.append(headers)
    monkeypatch.setenv("JOB_FANOUT", "16")
    wiring.reset()
    done = sum(jobs.run_piece(JobMessage(step="renew", now=_at(2026, 12, 1), shard=shard, keys=keys))
               for shard in range(16) for keys in key_ranges(HEX, 16))
    assert done == 6
    assert all(len(_references(api, headers)) == 2 for headers in payers)


def test_coverage_lapses_the_day_after_it_ends_unpaid(api, active_member, clock, operator, event_sources):
    event_sources.run_jobs(clock(_at(2026, 12, 31)))
    assert _coverage(api, active_member)["status"] == "active"
    event_sources.run_jobs(clock(_at(2027, 1, 1)))
    assert _coverage(api, active_member)["status"] == "lapsed"
    event_sources.run_jobs(clock.now())
    figures = json.loads(api.http.get("/v1/operators/stats", headers=operator).body)
    assert figures["members_by_status"]["lapsed"] == 1 and figures["members_by_status"]["active"] == 0
    assert "coverage-lapsed" in _unsent_kinds()


def test_a_lapsed_member_who_pays_is_active_again(api, active_member, partner, clock, event_sources):
    event_sources.run_jobs(clock(_at(2027, 1, 2)))
    clock(_at(2027, 1, 10))
    reference = issue(api, active_member)
    assert reference["months"] == ["2027-02"]
    partner.send(paid(reference["reference"], reference["amount_mxn"], tx="back-1", paid_at=clock.now()))
    assert _coverage(api, active_member)["status"] == "active"


def test_open_references_get_one_reminder_three_days_before_the_deadline(api, member, clock):
    clock(_at(2026, 11, 5))
    headers, _ = member()
    issue(api, headers)  # due 15 November

    def remind(now):
        return sum(jobs.remind_deadlines(now, shard) for shard in range(16))

    assert remind(clock(_at(2026, 11, 11))) == 0
    assert remind(clock(_at(2026, 11, 12))) == 1
    assert remind(clock.now()) == 0


def test_a_redelivered_piece_changes_nothing(api, active_member, clock):
    pieces = [JobMessage(step="renew", now=_at(2026, 12, 1), shard=shard) for shard in range(16)]
    first = [(str(i), piece.model_dump_json()) for i, piece in enumerate(pieces)]
    assert jobs.run_pieces(first) == {"batchItemFailures": []}
    assert len(_references(api, active_member)) == 2
    assert jobs.run_pieces(first) == {"batchItemFailures": []}  # the same messages again
    assert len(_references(api, active_member)) == 2


def test_a_failing_piece_returns_alone_to_the_queue(aws, monkeypatch):
    real = jobs.remind_deadlines

    def flaky(now, shard, codes=None):
        if shard == 3:
            raise RuntimeError("DynamoDB unavailable")
        return real(now, shard, codes)

    monkeypatch.setattr(jobs, "remind_deadlines", flaky)
    batch = [("ok", JobMessage(step="remind", now=_at(2026, 12, 1), shard=2).model_dump_json()),
             ("fails", JobMessage(step="remind", now=_at(2026, 12, 1), shard=3).model_dump_json()),
             ("poison", '{"step": "renew", "now": "yesterday"}')]
    assert jobs.run_pieces(batch) == {"batchItemFailures": [{"itemIdentifier": "fails"}, {"itemIdentifier": "poison"}]}


def test_a_poison_message_reaches_the_dead_letter_queue_after_five_receives(aws, monkeypatch, event_sources):
    monkeypatch.setattr("local.runner.FAILED_VISIBILITY", 0)  # visible again at once, not after a second
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.get_queue_url(QueueName=local_queue_name("JobsQueue"))["QueueUrl"]
    dead = sqs.get_queue_url(QueueName=local_queue_name("JobsDeadLetterQueue"))["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="not json at all")
    receives = 0
    while event_sources.queue_source.poll(wait_seconds=0):
        receives += 1
    assert receives == 5
    (dead_letter,) = sqs.receive_message(QueueUrl=dead, MaxNumberOfMessages=10)["Messages"]
    assert dead_letter["Body"] == "not json at all"


def test_the_stream_relays_to_sns_once_and_without_personal_data(api, active_member, clock, subscriber,
                                                                   event_sources):
    event_sources.run_jobs(clock(_at(2026, 12, 1)))
    assert event_sources.relay() >= 2
    bodies = subscriber()
    assert sorted(b["kind"] for b in bodies) == ["payment-applied", "reference-issued"]
    assert _unsent_kinds() == []
    profile = json.loads(api.http.get("/v1/me", headers=active_member).body)
    for body in bodies:
        for secret in (profile["curp"], profile["nss"], profile["email"], profile["phone"]):
            assert secret not in json.dumps(body, ensure_ascii=False)
    assert event_sources.relay() == 0 and subscriber() == []


def _stream_records():
    """Every record of the outbox stream as Lambda hands it (through the local runner's conversion)."""
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    table = stage_environment("local")["OUTBOX_TABLE"]
    arn = boto3.client("dynamodb", region_name=REGION).describe_table(TableName=table)["Table"]["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records += [relay.lambda_record(r, arn) for r in streams.get_records(ShardIterator=iterator)["Records"]]
    return records


def test_a_redelivered_batch_publishes_nothing_again(api, active_member, clock, subscriber):
    records = [r for r in _stream_records() if r["eventName"] == "INSERT"]
    assert service.relay_outbox({"Records": records}, None) == {"batchItemFailures": []}
    assert [b["kind"] for b in subscriber()] == ["payment-applied"]
    assert service.relay_outbox({"Records": records}, None) == {"batchItemFailures": []}
    assert subscriber() == []


def test_a_poison_record_stops_the_batch_at_itself(api, active_member, clock, subscriber):
    (good,) = [r for r in _stream_records() if r["eventName"] == "INSERT"]
    poison = json.loads(json.dumps(good))
    poison["dynamodb"]["SequenceNumber"] = "9" * 21
    poison["dynamodb"]["NewImage"] = {"key": {"S": "x"}}  # no kind, member or time: not a message
    answer = relay.relay_records([good, poison], clock.now())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "9" * 21}]}
    assert [b["kind"] for b in subscriber()] == ["payment-applied"]  # what came before it was relayed


def test_a_message_sns_refuses_is_retried_from_itself(api, active_member, clock, subscriber, monkeypatch):
    records = [r for r in _stream_records() if r["eventName"] == "INSERT"]

    def refusing(**request):
        first = request["PublishBatchRequestEntries"][0]["Id"]
        return {"Successful": [], "Failed": [{"Id": first, "Code": "InternalError", "SenderFault": False}]}

    with monkeypatch.context() as patched:
        patched.setattr(wiring.sns(), "publish_batch", refusing)
        sequence = records[0]["dynamodb"]["SequenceNumber"]
        assert relay.relay_records(records, clock.now()) == {"batchItemFailures": [{"itemIdentifier": sequence}]}
    assert _unsent_kinds() == ["payment-applied"]
    assert relay.relay_records(records, clock.now()) == {"batchItemFailures": []}
    assert [b["kind"] for b in subscriber()] == ["payment-applied"]


def test_what_the_relay_dead_lettered_in_an_sns_outage_is_redriven_once(api, active_member, clock, subscriber,
                                                                          monkeypatch, event_sources):
    def outage(**request):
        raise RuntimeError("SNS unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(wiring.sns(), "publish_batch", outage)
        event_sources.relay()  # retried, bisected, then dead-lettered
    assert _unsent_kinds() == ["payment-applied"] and subscriber() == []
    assert relay.redrive(clock.now()) == {"redriven": 1, "failed": 0}
    assert [b["kind"] for b in subscriber()] == ["payment-applied"] and _unsent_kinds() == []
    assert relay.redrive(clock.now()) == {"redriven": 0, "failed": 0}


def test_correlation_ids_follow_a_notice_from_its_request_or_its_job_to_sns(api, member, partner, clock, subscriber,
                                                                            event_sources):
    clock(_at(2026, 11, 5))
    headers, _ = member()
    reference = issue(api, headers)
    answer = partner.send(paid(reference["reference"], reference["amount_mxn"], tx="corr-1", paid_at=clock.now()))
    event_sources.run_jobs(clock(_at(2026, 12, 1)))  # dispatched as "test"
    event_sources.relay()
    attributes = {body["kind"]: attrs for body, attrs in subscriber(with_attributes=True)}
    assert attributes["payment-applied"]["correlation_id"] == answer.headers["X-Correlation-Id"]
    assert attributes["reference-issued"]["correlation_id"] == "test"
