"""`make run`: local AWS up, tables and sign-in bootstrapped, demo users seeded, API served; Ctrl-C stops it all."""

import os
import signal
import subprocess
import sys

from chalicelib.http.auth import Role
from local.aws import PROJECT, STATE_DIR, LocalAws, StackState, stage_environment
from local.bootstrap import ensure_cognito, ensure_tables
from local.users import DEMO_USERS, LOCAL_PASSWORD, ensure_user

API_PORT, DYNAMODB_PORT, MOTO_PORT = 8000, 8001, 8002


def main() -> None:
    aws = LocalAws(dynamodb_port=DYNAMODB_PORT, moto_port=MOTO_PORT,
                   data_dir=STATE_DIR / "dynamodb", log_dir=STATE_DIR / "logs")
    print(f"Starting DynamoDB Local (data in {STATE_DIR / 'dynamodb'}) and moto ...", flush=True)
    aws.start()
    api = None
    try:
        pool_id, client_id = ensure_cognito(aws.endpoints.client("cognito-idp"))
        state = StackState(aws.endpoints.dynamodb, aws.endpoints.moto, pool_id, client_id, f"http://127.0.0.1:{API_PORT}")
        state.save()
        environment = {**os.environ, **state.service_environment(), **stage_environment("local")}
        created = ensure_tables(aws.endpoints.client("dynamodb"), environment)
        print(f"Tables ready ({'created ' + ', '.join(created) if created else 'already there'}).")
        cognito = aws.endpoints.client("cognito-idp")
        print("Demo users (password for all: %s):" % LOCAL_PASSWORD)
        for role, username in DEMO_USERS.items():
            ensure_user(cognito, pool_id, username, role)
            print(f"  {role.value:<9} {username:<16} T=$(make -s token ROLE={role.value})")
        print(f"Serving the API on {state.api_url}  (try: curl -H \"Authorization: Bearer $T\" {state.api_url}/v1/health)")
        api = subprocess.Popen([sys.executable, "-m", "local.serve", str(API_PORT)], cwd=PROJECT, env=environment)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        api.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if api is not None and api.poll() is None:
            api.terminate()
            api.wait(timeout=10)
        aws.stop()
        (STATE_DIR / "stack.json").unlink(missing_ok=True)
        print("Stopped the API, DynamoDB Local and moto.")


if __name__ == "__main__":
    main()
