"""`make jobs [AT=<ISO instant>]`: run the scheduled jobs once against the local stack, as the schedules do in AWS
(the daily run, then teleconsult reminders and the SNS relay).

AT lets you stand on another day, e.g. the 1st of next month to see renewals and lapses:
    make jobs AT=2026-12-01T12:00:00-06:00
Without AT the jobs run at the local API's clock (the machine's, or the one `make run AT=…` set).
"""

import argparse
import json
import os
from dataclasses import asdict

from local.aws import StackState, instant, stage_environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--at", type=instant, help="the instant to run at, with its offset (default: the API's now)")
    args = parser.parse_args()
    state = StackState.load()
    now = args.at or state.now()
    os.environ.update({**state.service_environment(), **stage_environment("local")})
    from chalicelib.services import jobs  # after the environment: settings are read on first use

    report = {**asdict(jobs.run_daily(now)), "consult_reminders": jobs.remind_consults(now),
              "reminders_sent": jobs.relay_notifications(now)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
