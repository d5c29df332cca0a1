"""Structured JSON logs, one object per line, scrubbed of personal identifiers, that carry the service's metrics.

Handlers log only what they choose (route templates, statuses, ids they generated), never request bodies. The
scrubber is the second line of defence: whatever reaches a log line — an exception message, a traceback — has CURP,
RFC, NSS, e-mail addresses and phone numbers replaced before it is written.

Every line names the Lambda invocation it belongs to (`aws_request_id`) and whether that invocation started its
container (`cold_start`). A line given `metric_fields(...)` is also a CloudWatch embedded-metric-format record:
CloudWatch Logs extracts its metrics with no API call and no extra line (METRICS lists them; infra's alarms and
dashboard use only those).
"""

import json
import logging
import re
import sys
import time
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any

# (pattern, replacement, a character every match contains: when the line has none, the pattern is not run — the
# e-mail pattern costs a third of a line's scrubbing, and request lines have no "@")
_SCRUBBERS = [
    (re.compile(r"[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[A-Z0-9]\d", re.IGNORECASE), "[CURP]",
     None),
    (re.compile(r"\b[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}\b", re.IGNORECASE), "[RFC]", None),
    (re.compile(r"[^\s@\"<>(),;:\[\]]+@[\w-]+(\.[\w-]+)+"), "[EMAIL]", "@"),
    (re.compile(r"\+\d[\d ()-]{7,}\d"), "[PHONE]", "+"),
    (re.compile(r"(?<!\d)\d{10,11}(?!\d)"), "[NUMBER]", None),
]

_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def scrub(value: str) -> str:
    for pattern, replacement, needs in _SCRUBBERS:
        if needs is None or needs in value:
            value = pattern.sub(replacement, value)
    return value


NAMESPACE = "PtiMigrante"
# The metrics the service emits, by name: their unit. Dimensions are given where each is emitted.
METRICS = {
    "Latency": "Milliseconds",  # per request, by Route (the route template)
    "Http5xx": "Count",  # per request, by Route: 1 when the answer was a 5xx
    "Deliveries": "Count",  # per webhook delivery, by Partner and Outcome (applied, unmatched, reversed, duplicate…)
    "TransactionRetries": "Count",  # per retried TransactWriteItems, by Cause (conflict or throttling)
    "TransactionsAbandoned": "Count",  # per transaction given up after its retries (answered 503)
    "RelayPublished": "Count",  # per relayed stream batch
    "RelayLagSeconds": "Seconds",  # per relayed stream batch: the age of its oldest message
    "JobPiecesDone": "Count",  # per piece of the daily work done, by Step
    "JobPiecesFailed": "Count",  # per piece that failed (returned to the queue), by Step ("invalid": not a piece)
    "ExchangeRateFetchFailed": "Count",  # per exchange-rate run whose provider failed, by Provider
    # per exchange-rate run: banking business days since the stored FIX was published (none stored: not emitted)
    "ExchangeRateAgeBusinessDays": "None",
}

_invocation: ContextVar[dict[str, Any]] = ContextVar("invocation", default={})
_containers_first = [True]


def start_invocation(aws_request_id: str | None) -> None:
    """Name the Lambda invocation every following line belongs to; the container's first one is its cold start."""
    _invocation.set({"aws_request_id": aws_request_id, "cold_start": _containers_first[0]})
    _containers_first[0] = False


def follow(correlation_id: str | None) -> None:
    """Every following line of the invocation carries `correlation_id`: the request's, or the one a queue message or
    an outbox record brought from the request or job that caused it."""
    _invocation.set({**_invocation.get(), "correlation_id": correlation_id})


def correlation_id() -> str | None:
    """The correlation id the invocation follows, for what it hands on (queue messages, outbox records)."""
    return _invocation.get().get("correlation_id")


def metric_fields(dimensions: dict[str, str], **values: float) -> dict[str, Any]:
    """The fields that make a log line an embedded-metric-format record of `values` (names from METRICS), published
    by all its dimensions, by each one alone and with none (the totals alarms watch)."""
    names = sorted(dimensions)
    sets = [names] + [[name] for name in names if len(names) > 1] + [[]]
    return {
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
            "Namespace": NAMESPACE, "Dimensions": sets,
            "Metrics": [{"Name": name, "Unit": METRICS[name]} for name in values]}]},
        **dimensions, **values,
    }


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_invocation.get(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return scrub(json.dumps(entry, ensure_ascii=False, default=str))


def service_logger(name: str = "pti") -> logging.Logger:
    """The service's logger: JSON lines on stdout (CloudWatch in Lambda), configured once."""
    logger = logging.getLogger(name)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger
