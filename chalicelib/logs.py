"""Structured JSON logs, one object per line, scrubbed of personal identifiers.

Handlers log only what they choose (route templates, statuses, ids they generated), never request bodies. The
scrubber is the second line of defence: whatever reaches a log line — an exception message, a traceback — has CURP,
RFC, NSS, e-mail addresses and phone numbers replaced before it is written.
"""

import json
import logging
import re
import sys
from datetime import datetime, timezone
from typing import Any

_SCRUBBERS = [
    (re.compile(r"[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[A-Z0-9]\d", re.IGNORECASE), "[CURP]"),
    (re.compile(r"\b[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}\b", re.IGNORECASE), "[RFC]"),
    (re.compile(r"[^\s@\"<>(),;:\[\]]+@[\w-]+(\.[\w-]+)+"), "[EMAIL]"),
    (re.compile(r"\+\d[\d ()-]{7,}\d"), "[PHONE]"),
    (re.compile(r"(?<!\d)\d{10,11}(?!\d)"), "[NUMBER]"),
]

_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def scrub(value: str) -> str:
    for pattern, replacement in _SCRUBBERS:
        value = pattern.sub(replacement, value)
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
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
