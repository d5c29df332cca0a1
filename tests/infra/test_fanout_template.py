"""The engines the scheduled work runs on, as deployed: the jobs queue and its consumer, the outbox stream and its
relay, their dead-letter queues and alarms, and the permissions each function needs for them."""

import json

import pytest

import app as service
from local.aws import PROJECT


@pytest.fixture(scope="module")
def resources(packaged) -> dict:
    return json.loads((packaged / "sam.json").read_text())["Resources"]


def _timeout(function: str) -> int:
    config = json.loads((PROJECT / ".chalice" / "config.json").read_text())["stages"]["prod"]
    return config["lambda_functions"][function]["lambda_timeout"]


def test_the_jobs_queue_feeds_its_consumer_with_partial_failures_and_a_dead_letter_queue(resources):
    queue = resources["JobsQueue"]["Properties"]
    assert queue["QueueName"] == service.JOBS_QUEUE
    assert queue["VisibilityTimeout"] >= 6 * _timeout("do_job_pieces")  # Lambda's advice for an SQS source
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]},
                                      "maxReceiveCount": 5}
    (event,) = resources["DoJobPieces"]["Properties"]["Events"].values()
    source = event["Properties"]
    assert source["Queue"]["Fn::Sub"].endswith(f":{service.JOBS_QUEUE}")
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert source["ScalingConfig"] == {"MaximumConcurrency": service.JOBS_CONCURRENCY}


def test_the_relay_reads_the_outbox_stream_inserts_bisects_and_dead_letters(resources):
    table = resources["OutboxTable"]["Properties"]
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    assert "GlobalSecondaryIndexes" not in table  # no hot PENDING key any more
    (event,) = resources["RelayOutbox"]["Properties"]["Events"].values()
    source = event["Properties"]
    assert source["Stream"] == {"Fn::GetAtt": ["OutboxTable", "StreamArn"]}
    assert [json.loads(f["Pattern"]) for f in source["FilterCriteria"]["Filters"]] == [{"eventName": ["INSERT"]}]
    assert source["BisectBatchOnFunctionError"] is True and source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert source["MaximumRetryAttempts"] >= 1 and source["MaximumRecordAgeInSeconds"] <= 86400
    assert source["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["RelayDeadLetterQueue", "Arn"]}


def test_every_dead_letter_queue_and_the_backlog_alarm_operations(resources):
    watched = {dimension["Value"]["Fn::GetAtt"][0]
               for resource in resources.values() if resource["Type"] == "AWS::CloudWatch::Alarm"
               for dimension in resource["Properties"].get("Dimensions", []) if dimension["Name"] == "QueueName"}
    assert watched == {"JobsQueue", "JobsDeadLetterQueue", "RelayDeadLetterQueue"}
    (iterator_age,) = [r["Properties"] for r in resources.values()
                       if r["Type"] == "AWS::CloudWatch::Alarm" and r["Properties"]["MetricName"] == "IteratorAge"]
    assert iterator_age["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "RelayOutbox"}}]


def _allowed(resources, role: str) -> set[tuple[str, str]]:
    pairs = set()
    for resource in resources.values():
        if resource["Type"] != "AWS::IAM::Policy" or {"Ref": role} not in resource["Properties"]["Roles"]:
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            for action in statement["Action"]:
                for target in statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]:
                    pairs.add((action, json.dumps(target, sort_keys=True)))
    return pairs


def test_each_function_may_do_what_its_engine_needs(resources):
    queue = json.dumps({"Fn::GetAtt": ["JobsQueue", "Arn"]}, sort_keys=True)
    stream = json.dumps({"Fn::GetAtt": ["OutboxTable", "StreamArn"]}, sort_keys=True)
    dead = json.dumps({"Fn::GetAtt": ["RelayDeadLetterQueue", "Arn"]}, sort_keys=True)
    assert ("sqs:SendMessage", queue) in _allowed(resources, "DailyJobsRole")
    assert {("sqs:ReceiveMessage", queue), ("sqs:DeleteMessage", queue)} <= _allowed(resources, "DoJobPiecesRole")
    relay = _allowed(resources, "RelayOutboxRole")
    assert {("dynamodb:GetRecords", stream), ("dynamodb:GetShardIterator", stream), ("sqs:SendMessage", dead)} <= relay
    redrive = _allowed(resources, "RedriveRelayRole")
    assert {("sqs:ReceiveMessage", dead), ("sqs:DeleteMessage", dead), ("dynamodb:GetRecords", stream),
            ("sns:Publish", json.dumps({"Ref": "NotificationsTopic"}))} <= redrive
    for role in ("DoJobPiecesRole", "RelayOutboxRole", "DailyJobsRole", "RedriveRelayRole"):
        assert any(action == "dynamodb:Query" for action, _ in _allowed(resources, role)), role
    assert all(f"{name}Role" in resources for name in ("DailyJobs", "DoJobPieces", "RelayOutbox", "ConsultReminders"))
