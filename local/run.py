"""`make run`: local AWS up, tables and sign-in bootstrapped, demo users seeded, API served; Ctrl-C stops it all."""

import argparse
import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timezone

from local.aws import PROJECT, STATE_DIR, LocalAws, StackState, instant, stage_environment
from local.bootstrap import bootstrap, ensure_cognito
from local import console
from chalicelib import wiring
from chalicelib.domain.clock import MEXICO_CITY
from local.seed import seed
from local.users import DEMO_USERS, LOCAL_PASSWORD, ensure_user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--dynamodb-port", type=int, default=8001)
    parser.add_argument("--moto-port", type=int, default=8002)
    parser.add_argument("--console-port", type=int, default=8003)
    parser.add_argument("--at", type=instant, help="serve as if it were then (the clock runs on from there), "
                                                   "e.g. 2026-11-23T09:50:00-06:00 to try a consult")
    args = parser.parse_args()
    # Ctrl-C, and SIGTERM from a supervisor, stop everything; installed explicitly because a shell starts
    # background jobs with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    aws = LocalAws(dynamodb_port=args.dynamodb_port, moto_port=args.moto_port,
                   data_dir=STATE_DIR / "dynamodb", log_dir=STATE_DIR / "logs")
    print(f"Starting DynamoDB Local (data in {STATE_DIR / 'dynamodb'}) and moto ...", flush=True)
    api = runner = None
    try:
        aws.start()
        cognito = aws.endpoints.client("cognito-idp")
        pool_id, client_id = ensure_cognito(cognito)
        offset = int((args.at - datetime.now(timezone.utc)).total_seconds()) if args.at else 0
        state = StackState(aws.endpoints.dynamodb, aws.endpoints.moto, pool_id, client_id,
                           f"http://127.0.0.1:{args.api_port}", offset, f"http://127.0.0.1:{args.console_port}")
        if offset:
            print(f"Local clock: {state.now().astimezone(MEXICO_CITY).isoformat(timespec='seconds')} in Mexico City "
                  f"(the machine's + {offset} s)")
        environment = {**os.environ, **state.service_environment(), **stage_environment("local")}
        created = bootstrap(aws.endpoints.client, environment)
        print(f"Tables ready ({'created ' + ', '.join(created) if created else 'kept from the last run'}).")
        print(f"Demo users (password for all: {LOCAL_PASSWORD}):")
        for role, username in DEMO_USERS.items():
            ensure_user(cognito, pool_id, username, role)
            print(f"  {role.value:<9} {username:<16} T=$(make -s token ROLE={role.value})")
        os.environ.update(environment)
        wiring.settings()  # binds the store to the local tables for seeding
        print("Demo teleconsultation data (password as above; T=$(make -s token ROLE=<role> USER=<name>)):")
        for line in seed(cognito, pool_id, state.now()):
            print(f"  {line}")
        from chalicelib.services import exchange_rates  # the schedule's job, once, so a USD quote has the day's FIX

        fix = exchange_rates.fetch_fix(state.now())
        print(f"Exchange rate: FIX {fix['usd_mxn']} MXN per USD of {fix['latest']} (the recorded series, "
              "chalicelib/adapters/data/banxico-sf43718.json; synthetic values).")
        print("Sign up as a new member (SignUp → ConfirmSignUp → PostConfirmation puts you in `members` → sign-in):\n"
              "  T=$(make -s signup EMAIL=ana@example.com)        # later: T=$(make -s token ROLE=member "
              "USER=ana@example.com)\n"
              "A nurse an operator invited (POST /v1/operators/nurses) accepts the invitation (NEW_PASSWORD_REQUIRED):\n"
              f"  T=$(make -s token ROLE=nurse USER=<username>)    # chooses the password {LOCAL_PASSWORD} "
              "(NEW_PASSWORD=… for another)")
        api = subprocess.Popen([sys.executable, "-m", "local.serve", str(args.api_port)], cwd=PROJECT, env=environment)
        runner = subprocess.Popen([sys.executable, "-m", "local.runner"], cwd=PROJECT, env=environment)
        print("Lambda's event sources (local/runner.py): the jobs queue and the outbox stream feed the app's handlers; "
              "`make jobs [AT=…]` dispatches the daily work, notifications reach SNS from the stream.", flush=True)
        state.save()
        print(f"Serving the API on {state.api_url}; try: curl -H \"Authorization: Bearer $T\" {state.api_url}/v1/health",
              flush=True)
        if console.built():
            threading.Thread(target=console.serve(state, args.console_port).serve_forever, daemon=True).start()
            print(f"The staff console: {state.console_url} (sign in as a nurse or operator above)", flush=True)
        else:
            print("The staff console is not built (`make console`); the API serves without it.", flush=True)
        api.wait()
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C (or a supervisor's repeated signal) must not cut the shutdown short and orphan the local AWS.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for child in (api, runner):
            if child is not None and child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        aws.stop()
        (STATE_DIR / "stack.json").unlink(missing_ok=True)
        print("Stopped the API, the event sources, DynamoDB Local and moto.", flush=True)


if __name__ == "__main__":
    main()
