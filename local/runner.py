"""Lambda's event sources, locally: polls the jobs queue (the moto server's SQS) and the outbox table's stream
(DynamoDB Local's) and invokes the app's handlers with the events Lambda delivers. `make run` runs it beside the API.

Each source follows its mapping in infra/template.json and the app's decorators:
- **Queue**: batches of the decorator's size; the messages a handler names in `batchItemFailures` (all of them if it
  raises) stay on the queue and come back, and after the queue's maxReceiveCount SQS itself moves them to the
  dead-letter queue. One local deviation: a failed message is visible again after FAILED_VISIBILITY seconds, not after
  the queue's visibility timeout (90 minutes), so a retry can be watched.
- **Stream**: each shard read in order from its oldest record, filtered as the mapping's FilterCriteria says (inserts
  only); a batch that names a failed record is retried from that record up to MaximumRetryAttempts times, then, as
  BisectBatchOnFunctionError does, split until the failing record is alone; a record that still fails goes to the
  on-failure destination as Lambda sends it (the batch's position in the stream, not its contents) and the shard moves
  on.
"""

import argparse
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from chalicelib.services.relay import lambda_record
from local.aws import REGION, Endpoints
from local.bootstrap import load_template, local_queue_name

FAILED_VISIBILITY = 1
DISCOVER_SECONDS = 5
Handler = Callable[[dict, Any], Any]


@dataclass
class LambdaContext:
    """What a handler reads of Lambda's context object."""

    function_name: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 512

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def _failures(result: Any) -> list[str]:
    return [failure["itemIdentifier"] for failure in (result or {}).get("batchItemFailures", [])]


class QueueSource:
    def __init__(self, sqs, queue_url: str, handler: Handler, function_name: str, batch_size: int) -> None:
        self._sqs, self._url, self._handler = sqs, queue_url, handler
        self._function_name, self._batch_size = function_name, batch_size
        self._arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def poll(self, wait_seconds: int = 1) -> int:
        """One receive of up to 10 messages, as Lambda's poller does, and one invocation per batch of them; returns
        how many messages it handed over."""
        messages = self._sqs.receive_message(QueueUrl=self._url, MaxNumberOfMessages=10,
                                             WaitTimeSeconds=wait_seconds, AttributeNames=["All"],
                                             MessageAttributeNames=["All"]).get("Messages", [])
        for start in range(0, len(messages), self._batch_size):
            self._invoke(messages[start:start + self._batch_size])
        return len(messages)

    def _invoke(self, messages: list[dict]) -> None:
        event = {"Records": [{
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
            "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs", "eventSourceARN": self._arn, "awsRegion": REGION,
        } for m in messages]}
        try:
            failed = set(_failures(self._handler(event, LambdaContext(self._function_name))))
        except Exception:
            failed = {m["MessageId"] for m in messages}
        for message in messages:
            if message["MessageId"] in failed:
                self._sqs.change_message_visibility(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"],
                                                    VisibilityTimeout=FAILED_VISIBILITY)
            else:
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])


class StreamSource:
    def __init__(self, streams, stream_arn: str, handler: Handler, function_name: str, *, batch_size: int,
                 mapping: dict[str, Any], on_failure: Callable[[dict], None]) -> None:
        self._streams, self._arn, self._handler = streams, stream_arn, handler
        self._function_name, self._batch_size = function_name, batch_size
        self._retries = mapping.get("MaximumRetryAttempts", 0)
        self._bisect = mapping.get("BisectBatchOnFunctionError", False)
        patterns = [json.loads(f["Pattern"]) for f in mapping.get("FilterCriteria", {}).get("Filters", [])]
        self._events = {name for pattern in patterns for name in pattern.get("eventName", [])} or None
        self._on_failure = on_failure
        self._iterators: dict[str, str | None] = {}
        self._discovered_at = float("-inf")

    def _discover(self) -> None:
        """New shards (a stream rolls them over), looked for every DISCOVER_SECONDS."""
        if time.monotonic() - self._discovered_at < DISCOVER_SECONDS:
            return
        self._discovered_at = time.monotonic()
        for shard in self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]:
            if shard["ShardId"] not in self._iterators:
                self._iterators[shard["ShardId"]] = self._streams.get_shard_iterator(
                    StreamArn=self._arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    def poll(self) -> int:
        """One read of every open shard, each batch delivered; returns how many records were handed over."""
        self._discover()
        delivered = 0
        for shard, iterator in list(self._iterators.items()):
            if iterator is None:
                continue  # closed and read to its end
            answer = self._streams.get_records(ShardIterator=iterator, Limit=self._batch_size)
            self._iterators[shard] = answer.get("NextShardIterator")
            records = [lambda_record(r, self._arn) for r in answer["Records"]
                       if self._events is None or r["eventName"] in self._events]
            if records:
                self._deliver(shard, records)
                delivered += len(records)
        return delivered

    def _deliver(self, shard: str, records: list[dict]) -> None:
        pending = [records]
        while pending:
            batch = pending.pop(0)
            for _ in range(self._retries + 1):
                failed = self._invoke(batch)
                if failed is None:
                    batch = []
                    break
                batch = batch[failed:]  # Lambda checkpoints before the failed record and retries from it
            if not batch:
                continue
            if self._bisect and len(batch) > 1:
                half = len(batch) // 2
                pending[:0] = [batch[:half], batch[half:]]
            else:
                self._on_failure(self._failure_record(shard, batch))
                pending[:0] = [batch[1:]] if batch[1:] else []

    def _invoke(self, batch: list[dict]) -> int | None:
        """The handler on `batch`; None when it succeeded, else the position of the first failed record."""
        try:
            failed = _failures(self._handler({"Records": batch}, LambdaContext(self._function_name)))
        except Exception:
            return 0
        if not failed:
            return None
        positions = [i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] in failed]
        return positions[0] if positions else 0

    def _failure_record(self, shard: str, batch: list[dict]) -> dict:
        """What Lambda sends a stream mapping's on-failure destination: where the record is, not what it holds."""
        first = batch[0]["dynamodb"]
        return {
            "requestContext": {"requestId": str(uuid.uuid4()), "functionArn": self._function_name,
                               "condition": "RetryAttemptsExhausted", "approximateInvokeCount": self._retries + 1},
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0", "timestamp": datetime.now(timezone.utc).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": shard, "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": first["SequenceNumber"], "batchSize": 1, "streamArn": self._arn,
                "approximateArrivalOfFirstRecord": datetime.fromtimestamp(
                    first["ApproximateCreationDateTime"], timezone.utc).isoformat(),
            },
        }


def sources(client: Callable[[str], Any], environment: dict[str, str]) -> list[QueueSource | StreamSource]:
    """The app's two event sources against the clients `client(service)` returns."""
    import app as service  # after the environment: the app reads it on first use

    template = load_template()["Resources"]
    configs = {config.name: config for config in service.app.event_sources}
    sqs = client("sqs")
    jobs = configs["do_job_pieces"]
    queue = QueueSource(sqs, sqs.get_queue_url(QueueName=local_queue_name("JobsQueue"))["QueueUrl"],
                        service.do_job_pieces, jobs.name, jobs.batch_size)
    relay = configs["relay_outbox"]
    stream_arn = client("dynamodb").describe_table(TableName=environment["OUTBOX_TABLE"])["Table"]["LatestStreamArn"]
    dead_letters = sqs.get_queue_url(QueueName=local_queue_name("RelayDeadLetterQueue"))["QueueUrl"]
    mapping = template["RelayOutbox"]["Properties"]["Events"]["RelayOutboxDynamodbEventSource"]["Properties"]
    stream = StreamSource(client("dynamodbstreams"), stream_arn, service.relay_outbox, relay.name,
                          batch_size=relay.batch_size, mapping=mapping,
                          on_failure=lambda record: sqs.send_message(QueueUrl=dead_letters, MessageBody=json.dumps(record)))
    return [queue, stream]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    from chalicelib import wiring

    wiring.settings()  # a bad environment fails here, as at a Lambda's cold start
    endpoints = Endpoints(os.environ["AWS_ENDPOINT_URL_DYNAMODB"], os.environ["AWS_ENDPOINT_URL"])
    running = sources(endpoints.client, dict(os.environ))
    print("Event sources: the jobs queue and the outbox stream, polled.", flush=True)
    try:
        while True:
            busy = 0
            for source in running:
                try:
                    busy += source.poll()
                except Exception as error:  # the local AWS restarting, say: Lambda's pollers retry too
                    print(f"Event source poll failed, retrying: {error!r}", file=sys.stderr, flush=True)
                    time.sleep(1)
            if not busy:
                time.sleep(0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
