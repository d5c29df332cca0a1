"""Quote speed: quotes per second in-process (the pure domain function, one core) and the endpoint's latency through
chalice's test client. Prints figures and ratios; asserts nothing. Goal: over 20,000 one-month quotes per second."""

import json
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from chalicelib.domain.quotes import quote  # noqa: E402
from chalicelib.domain.rates import rate_book  # noqa: E402


def per_second(months: int, seconds: float = 2.0) -> float:
    incomes = [Decimal(f"{8000 + i * 37}.50") for i in range(500)]
    start, count = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        for income in incomes:
            quote(income, "general" if count % 2 else "zlfn", date(2026, 3, 1), months)
            count += 1
    return count / (time.perf_counter() - start)


def endpoint_latencies(requests: int = 2000) -> list[float]:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from chalice.test import Client

    from app import app

    # A start month and a rate of its own: the quote reads neither the settings nor the stored FIX (no network).
    body = json.dumps({"monthly_income_mxn": "9000.00", "zone": "general", "start_month": "2026-03", "months": 1,
                       "usd_mxn_rate": "18.40"})
    timings = []
    with Client(app, stage_name="local", project_dir=str(PROJECT)) as client:
        for _ in range(requests):
            started = time.perf_counter()
            response = client.http.post("/v1/quotes", headers={"Content-Type": "application/json"}, body=body)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"unexpected {response.status_code}: {response.body[:200]!r}")
    return timings


def main() -> None:
    rate_book()  # loaded once per process, as in Lambda
    one, year = per_second(1), per_second(12)
    print("in-process, one core")
    print(f"  1-month quotes   {one:10,.0f} /s   x{one / 20000:.2f} of the 20,000/s goal")
    print(f"  12-month quotes  {year:10,.0f} /s   ({year * 12:,.0f} months/s)")
    import logging

    logging.getLogger("pti").disabled = True  # one log line per request would dominate the figure
    timings = sorted(endpoint_latencies())
    p50, p95, p99 = (timings[int(len(timings) * q)] for q in (0.5, 0.95, 0.99))
    print("POST /v1/quotes through chalice.test.Client (middleware, validation, rendering; no network)")
    print(f"  p50 {p50:.2f} ms   p95 {p95:.2f} ms   p99 {p99:.2f} ms   mean {statistics.mean(timings):.2f} ms")


if __name__ == "__main__":
    main()
