"""`make jobs [AT=<ISO instant>]`: run the scheduled jobs once against the local stack, as the schedules do in AWS
(the daily run, then teleconsult reminders and the SNS relay).

AT lets you stand on another day, e.g. the 1st of next month to see renewals and lapses:
    make jobs AT=2026-12-01T12:00:00-06:00
"""

import argparse
import json
import os
from dataclasses import asdict
from datetime import datetime, timezone

from local.aws import StackState, stage_environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--at", help="the instant to run at (default: now)")
    args = parser.parse_args()
    now = datetime.fromisoformat(args.at) if args.at else datetime.now(timezone.utc)
    if now.tzinfo is None:
        parser.error("--at needs a time zone offset, e.g. 2026-12-01T12:00:00-06:00")
    os.environ.update({**StackState.load().service_environment(), **stage_environment("local")})
    from chalicelib import scheduled  # after the environment: settings are read on first use

    now = now.astimezone(timezone.utc)
    report = {**asdict(scheduled.run_daily(now)), "consult_reminders": scheduled.remind_consults(now),
              "reminders_sent": scheduled.relay_notifications(now)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
