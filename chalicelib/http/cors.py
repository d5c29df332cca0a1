"""Which web page may call the API from a browser: the staff console's origin only (`CONSOLE_ORIGIN`, one per stage).
Without it no browser origin is allowed. It is read when the routes are registered, because API Gateway's preflight
answers are generated from the routes when the app is packaged."""

import os
import re
from functools import cache

from chalice import CORSConfig

# https://host[:port] in AWS; http only for the loopback console of `make run` and the tests.
_ORIGIN = re.compile(r"^(https://[a-z0-9.-]{1,253}(:\d{1,5})?|http://(127\.0\.0\.1|localhost)(:\d{1,5})?)$")
# What the console sends beyond Chalice's defaults (Content-Type, Authorization, ...), and what it reads back.
REQUEST_HEADERS = ["Accept-Language", "Idempotency-Key", "If-Match", "X-Correlation-Id"]
RESPONSE_HEADERS = ["ETag", "Content-Language", "Retry-After", "X-Correlation-Id", "Location"]


@cache
def console_cors() -> CORSConfig | None:
    return cors_for(os.environ.get("CONSOLE_ORIGIN"))


def cors_for(origin: str | None) -> CORSConfig | None:
    if not origin:
        return None
    if not _ORIGIN.fullmatch(origin):
        raise ValueError(f"CONSOLE_ORIGIN must be https://host[:port] (or loopback http), not {origin!r}")
    return CORSConfig(allow_origin=origin, allow_headers=REQUEST_HEADERS, expose_headers=RESPONSE_HEADERS,
                      max_age=600)
