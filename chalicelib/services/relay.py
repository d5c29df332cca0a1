"""The outbox relay (app.py `relay_outbox`, on the outbox table's stream): each notification written by a request or a
job reaches SNS once the transaction that wrote it has committed.

Lambda hands the stream's records in order, per shard, in batches (inserts only: the event source's filter drops
the updates marking messages sent and the TTL deletions). A batch is relayed in order and answers Lambda's partial
batch response: the first record that failed is named, Lambda checkpoints before it and retries from it, bisecting
the batch on repeated failure, and after its retries sends the record's position to the relay's dead-letter queue
(`redrive` relays those again). Once on the topic, each message is delivered to its member's phones, or by e-mail
(services/delivery.py); a delivery worth retrying fails the record the same way. Redelivery is harmless: messages
already marked sent are skipped, and one published but not marked (a crash between the two) is published again with
the same id for consumers to drop.
"""

import json
from datetime import datetime
from typing import Any

from chalicelib import wiring
from chalicelib.logs import metric_fields, service_logger
from chalicelib.services import delivery
from chalicelib.store import outbox
from chalicelib.store.outbox import Queued

PUBLISH_BATCH = 10  # SNS PublishBatch's limit
_log = service_logger()


def relay_records(records: list[dict[str, Any]], now: datetime) -> dict:
    """Relay a batch of stream records (Lambda's shape); returns the partial batch response."""
    queued: list[tuple[str, Queued]] = []
    poison = None
    for record in records:
        if record.get("eventName") != "INSERT":
            continue
        try:
            queued.append((record["dynamodb"]["SequenceNumber"], outbox.from_stream_image(record["dynamodb"]["NewImage"])))
        except Exception:  # not an outbox message: stop here, so Lambda retries from it and then dead-letters it
            poison = record.get("dynamodb", {}).get("SequenceNumber")
            _log.error("not an outbox message", extra={"sequence_number": poison})
            break
    failed_at = _relay(queued, now)
    failure = failed_at or poison
    return {"batchItemFailures": [{"itemIdentifier": failure}] if failure else []}


def _relay(queued: list[tuple[str, Queued]], now: datetime) -> str | None:
    """Publish what is not sent yet, in order, and mark each sent; the sequence number of the first message SNS
    refused, if one was."""
    sent: set[str] = set()
    for start in range(0, len(queued), 100):
        sent |= outbox.already_sent([message.key for _, message in queued[start:start + 100]])
    waiting = [(sequence, message) for sequence, message in queued if message.key not in sent]
    published, failed_at = 0, None
    batch = delivery.Batch(now)
    for start in range(0, len(waiting), PUBLISH_BATCH):
        chunk = waiting[start:start + PUBLISH_BATCH]
        refused = _publish(chunk)
        # On the topic first, then to the members' phones or mailboxes; marked sent only once both are done, so a
        # retry (Lambda's, from the first failed record) publishes again and delivers what is still missing.
        on_topic = [message for index, (_, message) in enumerate(chunk) if index not in refused]
        delivered = dict(zip([message.key for message in on_topic], delivery.deliver_all(on_topic, batch)))
        for sequence, message in chunk:
            if not delivered.get(message.key):
                failed_at = failed_at or sequence
                continue
            outbox.mark_sent(message.key, now)
            published += 1
        if failed_at:
            break
    if queued:
        oldest = min(datetime.fromisoformat(message.created_at) for _, message in queued)
        # The requests and jobs whose messages these are, so a message can be followed from the API to SNS.
        correlation_ids = sorted({message.correlation_id for _, message in queued if message.correlation_id})
        _log.info("relay", extra={"correlation_ids": correlation_ids, "pushed": batch.pushed, "emailed": batch.emailed,
                                  "pruned": batch.pruned, **metric_fields(
            {"Job": "stream"}, RelayPublished=published, RelayLagSeconds=max(0.0, (now - oldest).total_seconds()))})
    return failed_at


def _publish(chunk: list[tuple[str, Queued]]) -> set[int]:
    """One SNS PublishBatch: each notification as JSON, its id the outbox key; kind and id as message attributes too.
    Returns the positions SNS refused."""
    topic = wiring.settings().notifications_topic_arn
    entries = []
    for index, (_, message) in enumerate(chunk):
        body = {"id": message.key, "kind": message.kind, "member_id": message.member_id, "params": message.params,
                "created_at": message.created_at}
        attributes = {"kind": message.kind, "message_id": message.key,
                      **({"correlation_id": message.correlation_id} if message.correlation_id else {})}
        entries.append({
            "Id": str(index), "Message": json.dumps(body, ensure_ascii=False),
            "MessageAttributes": {name: {"DataType": "String", "StringValue": value}
                                  for name, value in attributes.items()},
        })
    answer = wiring.sns().publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    return {int(failed["Id"]) for failed in answer.get("Failed", [])}


def redrive(now: datetime) -> dict:
    """Relay again what the stream mapping dead-lettered (after an SNS outage longer than its retries, say): each
    dead-letter message names one shard's sequence range, read back from the stream (which keeps records 24 hours)
    and relayed as a batch would be; the message is deleted once its records are relayed. Returns counts."""
    sqs, streams = wiring.sqs(), wiring.dynamodb_streams()
    queue = wiring.settings().relay_dead_letters_url
    redriven = failed = 0
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            info = json.loads(message["Body"])["DDBStreamBatchInfo"]
            records = _stream_range(streams, info)
            if relay_records(records, now)["batchItemFailures"]:
                failed += 1  # left for the next redrive (visible again after the queue's visibility timeout)
                continue
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            redriven += 1
        if failed:
            break
    return {"redriven": redriven, "failed": failed}


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A record as GetRecords answers it (boto3 parses its creation time) in the shape Lambda hands a handler (epoch
    seconds, and the stream's ARN)."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": dynamodb, "eventSourceARN": stream_arn}


def _stream_range(streams, info: dict) -> list[dict[str, Any]]:
    """The records of `info`'s shard from its start to its end sequence number, as Lambda hands them."""
    iterator = streams.get_shard_iterator(StreamArn=info["streamArn"], ShardId=info["shardId"],
                                          ShardIteratorType="AT_SEQUENCE_NUMBER",
                                          SequenceNumber=info["startSequenceNumber"])["ShardIterator"]
    end, records = int(info["endSequenceNumber"]), []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=100)
        for record in page["Records"]:
            if int(record["dynamodb"]["SequenceNumber"]) > end:
                return records
            records.append(lambda_record(record, info["streamArn"]))
        if not page["Records"]:
            break
        iterator = page.get("NextShardIterator")
    return records
