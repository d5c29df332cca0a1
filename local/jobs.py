"""`make jobs [AT=<ISO instant>]`: the scheduled jobs once against the local stack, as the schedules run them in AWS:
the daily dispatcher sends the day's pieces to the jobs queue, and `make run`'s event sources (local/runner.py) do
them and relay the notifications from the outbox stream; then the consult reminders and the exchange-rate fetch (the
recorded FIX series). Waits for the queue to empty and
prints what was done.

AT lets you stand on another day, e.g. the 1st of next month to see renewals and lapses:
    make jobs AT=2026-12-01T12:00:00-06:00
Without AT the jobs run at the local API's clock (the machine's, or the one `make run AT=…` set).
"""

import argparse
import json
import os
import time

from local.aws import StackState, instant, stage_environment

WAIT_SECONDS = 120


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--at", type=instant, help="the instant to run at, with its offset (default: the API's now)")
    args = parser.parse_args()
    state = StackState.load()
    now = args.at or state.now()
    os.environ.update({**state.service_environment(), **stage_environment("local")})
    from chalicelib import wiring
    from chalicelib.services import exchange_rates, jobs  # after the environment: settings are read on first use

    pieces = jobs.dispatch_daily(now, "make-jobs")
    waiting = _wait_for_queue(wiring.sqs(), wiring.settings().jobs_queue_url)
    report = {"pieces_dispatched": pieces, "pieces_still_queued": waiting,
              "consult_reminders": jobs.remind_consults(now), "exchange_rate": exchange_rates.fetch_fix(now)}
    print(json.dumps(report, indent=2))


def _wait_for_queue(sqs, url: str) -> int:
    """Until no message is queued or in flight (the event sources took them all), or WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        left = sum(int(value) for value in attributes.values())
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


if __name__ == "__main__":
    main()
