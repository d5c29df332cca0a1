"""Per-request cost, in-process: for each main operation, the wall time of one Lambda invocation of the app, the time
spent inside its AWS calls, and the difference, self time: the Python work Lambda bills beyond waiting on AWS.

    .venv/bin/python bench/request_cost.py                   # 40 members' walks, figures
    .venv/bin/python bench/request_cost.py --members 80
    .venv/bin/python bench/request_cost.py --profile webhook # and cProfile's view of that operation's requests

Against DynamoDB Local and the moto server (local.aws.LocalAws, on free ports, in a temporary folder), as
bench/load.py's stack uses them: each AWS call is a real HTTP round trip over loopback, so its time can be taken out
of the request's, and a bare boto3 PutItem on the same endpoint is the floor beside it. (moto in-process would run
its own Python inside the request, which is neither ours nor billed the same way.) The floor's PutItems are taken a
few after each walk, so that both see the same machine (a shared one's load comes and goes). No HTTP server: each
request is an API Gateway proxy event built beforehand (by chalice's LocalGateway, as API Gateway would) and passed
to the app's handler, `app(event, context)`, which is what Lambda times and bills. The service logs to a file in the
temporary folder, one JSON line per request as in Lambda (formatted and written: that work is billed too).

Each member walks: a public quote, registration, a member read (GET /v1/me), a payment reference, the partner's
webhook paying it (two months), the teleconsultation consent (not timed) and three bookings (MAX_UPCOMING). The first
--warmup members' requests are not counted (the first request of a container builds models, fetches the JWKS and
opens connections; bench/cold_start.py measures that).

AWS time: botocore's `Endpoint._send`, the HTTP request and response of one attempt, summed per request on the
calling thread. botocore's own work around it (serialising, signing, parsing; `BaseClient._make_api_call` minus the
send) is in self time, and printed apart as "botocore", as are bearer-token verification ("auth") and log lines
("logs"). CPU: the thread's CPU time over the request, which a busy machine inflates far less than wall times.
Prints figures; asserts nothing.
"""

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from botocore.client import BaseClient  # noqa: E402
from botocore.endpoint import Endpoint  # noqa: E402

from local.aws import LocalAws, StackState, free_port, stage_environment  # noqa: E402
from local.bootstrap import bootstrap, ensure_cognito  # noqa: E402
from local.users import LOCAL_PASSWORD, access_token  # noqa: E402

GOAL_MS = 10.0  # issue 17 item 8: webhook, booking and registration under 10 ms p50 of self time
GOAL_OPERATIONS = ("webhook", "book", "register")
OPERATIONS = ("quote", "register", "me", "reference", "webhook", "book")
LABELS = {"quote": "POST /v1/quotes", "register": "POST /v1/registrations", "me": "GET /v1/me",
          "reference": "POST /v1/me/payment-references", "webhook": "POST /v1/webhooks/{partner}",
          "book": "POST /v1/teleconsult/appointments"}


# --- Time inside AWS calls, per thread -------------------------------------------------------------------------------

class AwsClock:
    """Sums, on each thread, the time spent in botocore's HTTP sends and in whole API calls, and counts the calls."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._send, self._call = Endpoint._send, BaseClient._make_api_call

    def install(self) -> None:
        clock, send, call = self, self._send, self._call

        def timed_send(endpoint, request):
            started = time.perf_counter()
            try:
                return send(endpoint, request)
            finally:
                clock._add("send", time.perf_counter() - started)

        def timed_call(client, operation, params):
            depth = getattr(clock._local, "depth", 0)
            clock._local.depth = depth + 1
            started, sent = time.perf_counter(), clock.totals().get("send", 0.0)
            try:
                return call(client, operation, params)
            finally:
                clock._local.depth = depth
                if depth == 0:  # a call made inside another (none today) is counted once, in the outer one
                    clock._add("call", time.perf_counter() - started)
                    clock._add("calls", 1)
                    name = f"{client.meta.service_model.service_name}:{operation}"
                    clock.totals().setdefault("names", []).append(name)
                    clock.totals().setdefault("trips", []).append((name, clock.totals().get("send", 0.0) - sent))

        Endpoint._send, BaseClient._make_api_call = timed_send, timed_call

        # Segments of self time worth naming: bearer-token verification, and formatting and writing log lines.
        from chalicelib.auth import TokenVerifier

        self._segments = [(TokenVerifier, "verify", "auth"), (logging.Logger, "_log", "logs")]
        self._originals = [getattr(owner, name) for owner, name, _ in self._segments]
        for (owner, name, label), original in zip(self._segments, self._originals):
            setattr(owner, name, clock._timed(original, label))

    def _timed(self, function, label: str):
        clock = self

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                clock._add(label, time.perf_counter() - started)

        return timed

    def uninstall(self) -> None:
        Endpoint._send, BaseClient._make_api_call = self._send, self._call
        for (owner, name, _), original in zip(getattr(self, "_segments", []), getattr(self, "_originals", [])):
            setattr(owner, name, original)

    def _add(self, name: str, value: float) -> None:
        totals = self.totals()
        totals[name] = totals.get(name, 0) + value

    def totals(self) -> dict:
        if not hasattr(self._local, "totals"):
            self._local.totals = {}
        return self._local.totals

    def reset(self) -> None:
        self._local.totals = {}


# --- The stack and the app -------------------------------------------------------------------------------------------

class Stack:
    def __init__(self, folder: Path) -> None:
        self.aws = LocalAws(dynamodb_port=free_port(), moto_port=free_port(), data_dir=folder / "dynamodb",
                            log_dir=folder / "logs")

    def start(self) -> StackState:
        self.aws.start()
        cognito = self.aws.endpoints.client("cognito-idp")
        pool_id, client_id = ensure_cognito(cognito)
        state = StackState(self.aws.endpoints.dynamodb, self.aws.endpoints.moto, pool_id, client_id,
                           "http://127.0.0.1:0")
        environment = {**state.service_environment(), **stage_environment("local")}
        bootstrap(self.aws.endpoints.client, environment)
        os.environ.update(environment)
        return state

    def stop(self) -> None:
        self.aws.stop()


class Invoker:
    """The app's Lambda handler, called with API Gateway proxy events built outside the timed part."""

    def __init__(self, clock: AwsClock) -> None:
        from chalice.test import Client

        from app import app

        self.app = app
        self.client = Client(app, stage_name="local", project_dir=str(PROJECT))
        self.gateway = self.client.http._local_gateway
        self.clock = clock
        self.samples: dict[str, list[dict]] = defaultdict(list)
        self.recording = False
        self.profiled: str | None = None
        self.profiler = cProfile.Profile()

    def request(self, op: str | None, method: str, path: str, headers: dict, body: bytes = b"") -> tuple[int, dict]:
        event = self.gateway._generate_lambda_event(method, path, headers, body)
        context = self.gateway._generate_lambda_context()
        self.clock.reset()
        profiling = self.recording and op is not None and op == self.profiled
        if profiling:
            self.profiler.enable()
        started, cpu = time.perf_counter(), time.thread_time()
        response = self.app(event, context)
        wall, cpu = time.perf_counter() - started, time.thread_time() - cpu
        if profiling:
            self.profiler.disable()
        totals = self.clock.totals()
        if self.recording and op:
            self.samples[op].append({"wall": wall, "cpu": cpu, **{k: (list(v) if isinstance(v, list) else v)
                                                                    for k, v in totals.items()}})
        body_text = response.get("body") or "null"
        return response["statusCode"], json.loads(body_text)


def json_headers(token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


# --- The walk --------------------------------------------------------------------------------------------------------

class Walk:
    def __init__(self, invoker: Invoker, state: StackState) -> None:
        self.invoker, self.state = invoker, state
        self.cognito = state.endpoints.client("cognito-idp")
        prefix = stage_environment("local")["WEBHOOK_SECRETS_PREFIX"]
        secrets = state.endpoints.client("secretsmanager")
        self.secret = json.loads(secrets.get_secret_value(SecretId=prefix + "finabien")["SecretString"])["current"]
        self.run = uuid.uuid4().hex[:6]
        self.slots: list[str] = []

    def token(self, role, username: str) -> str:
        return access_token(self.cognito, self.state.user_pool_id, self.state.app_client_id, username, role)

    def call(self, op, method, path, token=None, body=None, headers=None, expect=(200, 201)) -> dict:
        raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
        status, answer = self.invoker.request(op, method, path, headers or json_headers(token), raw)
        if status not in expect:
            raise SystemExit(f"{op or ''} {method} {path}: {status} {answer}")
        return answer

    def prepare_nurse(self, days: int) -> None:
        """A nurse publishing 08:00-20:00 every day; the slots of the first covered month's days, in order."""
        from chalicelib.auth import Role
        from chalicelib.domain.clock import MEXICO_CITY
        from chalicelib.domain.payments import first_payable_month
        from chalicelib import wiring

        operator = self.token(Role.OPERATOR, f"cost-op-{self.run}")
        username = f"cost-nurse-{self.run}"
        nurse = self.call(None, "POST", "/v1/operators/nurses", operator, {
            "username": username, "email": f"{username}@example.com", "full_name": "Enf. Carmen Costo",
            "cedula_profesional": "7654321", "languages": ["es", "en"]})
        self.cognito.admin_set_user_password(UserPoolId=self.state.user_pool_id, Username=username,
                                             Password=LOCAL_PASSWORD, Permanent=True)
        nurse_token = self.token(Role.NURSE, username)
        windows = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(7)]
        self.call(None, "PUT", "/v1/nurse/availability", nurse_token, {"windows": windows, "horizon_weeks": 12})
        first = first_payable_month(self.state.now().astimezone(MEXICO_CITY).date(),
                                    wiring.settings().payment_deadline_day)
        member = self.token(Role.MEMBER, f"cost-lister-{self.run}")
        from tests.people import registration

        self.call(None, "POST", "/v1/registrations", member, registration())
        for offset in range(days):
            day = first + timedelta(days=offset)
            listed = self.call(None, "GET", f"/v1/teleconsult/slots?from={day}&to={day}&limit=100", member)
            self.slots += [s["slot_id"] for s in listed["items"] if s["nurse"]["nurse_id"] == nurse["nurse_id"]]

    def member(self, n: int) -> None:
        from chalicelib.auth import Role
        from chalicelib.domain.teleconsult import CONSENT_VERSION
        from local.webhook import signed_headers
        from tests.people import registration

        token = self.token(Role.MEMBER, f"cost-{self.run}-{n:05d}")  # Cognito's work, not the service's
        self.call("quote", "POST", "/v1/quotes", None, {"monthly_income_mxn": "12500.00", "zone": "general",
                                                        "months": 2})
        self.call("register", "POST", "/v1/registrations", token, registration())
        self.call("me", "GET", "/v1/me", token)
        reference = self.call("reference", "POST", "/v1/me/payment-references", token, {"months": 2})
        now = self.state.now()
        event = json.dumps({"type": "payment.succeeded", "timestamp": now.isoformat(), "data": {
            "paid_at": now.isoformat(), "amount_mxn": reference["amount_mxn"], "channel": "finabien",
            "partner_transaction_id": f"cost-{self.run}-{n:05d}", "reference": reference["reference_display"]}})
        body = event.encode()
        ack = self.call("webhook", "POST", "/v1/webhooks/finabien", body=body,
                        headers=signed_headers(body, self.secret, f"msg_{self.run}_{n}", int(now.timestamp())))
        if ack["status"] != "applied":
            raise SystemExit(f"webhook: {ack}")
        self.call(None, "POST", "/v1/me/consents/teleconsultation", token, {"version": CONSENT_VERSION})
        for _ in range(3):
            slot = self.slots.pop(0)
            self.call("book", "POST", "/v1/teleconsult/appointments", token,
                      {"slot_id": slot, "reason": "Control de glucosa"},
                      headers={**json_headers(token), "Idempotency-Key": uuid.uuid4().hex})


# --- The floor and the figures ---------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


class Floor:
    """Bare boto3 PutItem calls (≈1 KB) on the same DynamoDB Local, one thread, as bench/load.py's baseline; taken a
    few at a time between the members' walks, so the floor and the requests share the machine's conditions."""

    def __init__(self, state: StackState, clock: AwsClock) -> None:
        self.client, self.clock = state.endpoints.client("dynamodb"), clock
        self.table = f"pti-bench-floor-{uuid.uuid4().hex[:8]}"
        self.client.create_table(TableName=self.table, BillingMode="PAY_PER_REQUEST",
                                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        self.client.get_waiter("table_exists").wait(TableName=self.table)
        self.walls: list[float] = []
        self.sends: list[float] = []
        self.puts(20, keep=False)  # the connection opened and DynamoDB Local's JIT warmed

    def puts(self, count: int, keep: bool = True) -> None:
        padding = "x" * 900
        for _ in range(count):
            self.clock.reset()
            started = time.perf_counter()
            self.client.put_item(TableName=self.table, Item={"pk": {"S": uuid.uuid4().hex}, "body": {"S": padding}})
            if keep:
                self.walls.append((time.perf_counter() - started) * 1000)
                self.sends.append(self.clock.totals().get("send", 0.0) * 1000)

    def figures(self) -> dict:
        self.client.delete_table(TableName=self.table)
        return {"p50": percentile(self.walls, 0.5), "p95": percentile(self.walls, 0.95),
                "send_p50": percentile(self.sends, 0.5), "rate": 1000 / statistics.mean(self.walls),
                "n": len(self.walls)}


def report(samples: dict, floor: dict) -> None:
    print(f"floor: bare boto3 PutItem (≈1 KB) on the same DynamoDB Local, one thread, {floor['n']} between the "
          f"walks: p50 {floor['p50']:.2f} ms (p95 {floor['p95']:.2f}), of which the HTTP round trip "
          f"{floor['send_p50']:.2f} ms and botocore's own work "
          f"{floor['p50'] - floor['send_p50']:.2f} ms; {floor['rate']:.0f} puts/s")
    print(f"per request, ms, p50/p95. self = wall − AWS: what Lambda bills beyond waiting on AWS; goal: self p50 < "
          f"{GOAL_MS:g} ms for {', '.join(GOAL_OPERATIONS)}. CPU = the thread's CPU time over the whole request (AWS "
          f"calls' client side included), inflated far less than wall times when other processes take the cores")
    print(f"  {'operation':<34} {'n':>4} {'wall':>13} {'AWS':>13} {'self':>13} {'CPU':>11} {'self/goal':>9} "
          f"{'wall/PutItem':>12} {'self/PutItem':>12}")
    breakdown = []
    for op in OPERATIONS:
        rows = samples.get(op)
        if not rows:
            continue

        def ms(values) -> list[float]:
            return [value * 1000 for value in values]

        def p(values: list[float], q: float = 0.5) -> float:
            return percentile(values, q)

        wall, aws, cpu = ms(r["wall"] for r in rows), ms(r.get("send", 0.0) for r in rows), ms(r["cpu"] for r in rows)
        own = ms(r["wall"] - r.get("send", 0.0) for r in rows)
        goal = f"x{p(own) / GOAL_MS:.2f}" if op in GOAL_OPERATIONS else "-"
        print(f"  {LABELS[op]:<34} {len(rows):>4} {p(wall):>6.1f}/{p(wall, 0.95):<6.1f} "
              f"{p(aws):>6.1f}/{p(aws, 0.95):<6.1f} {p(own):>6.1f}/{p(own, 0.95):<6.1f} "
              f"{p(cpu):>5.1f}/{p(cpu, 0.95):<5.1f} {goal:>9} x{p(wall) / floor['p50']:<11.2f} "
              f"x{p(own) / floor['p50']:<11.2f}")
        boto = ms(r.get("call", 0.0) - r.get("send", 0.0) for r in rows)
        rest = ms(r["wall"] - r.get("call", 0.0) - r.get("auth", 0.0) - r.get("logs", 0.0) for r in rows)
        names = Counter(" ".join(r.get("names", [])) for r in rows).most_common(1)[0][0]
        breakdown.append(f"  {LABELS[op]:<34} {p(boto):>8.2f} {p(ms(r.get('auth', 0.0) for r in rows)):>6.2f} "
                         f"{p(ms(r.get('logs', 0.0) for r in rows)):>6.2f} {p(rest):>6.2f}   {names or '-'}")
    print("self time's parts, p50 ms: botocore = serialising, signing and parsing the AWS calls; auth = bearer-token "
          "verification; logs = formatting and writing log lines; rest = routing, pydantic, PynamoDB's models, ours")
    print(f"  {'operation':<34} {'botocore':>8} {'auth':>6} {'logs':>6} {'rest':>6}   AWS calls (the usual sequence)")
    print("\n".join(breakdown))
    trips: dict[str, list[float]] = defaultdict(list)
    for rows in samples.values():
        for row in rows:
            for name, seconds in row.get("trips", []):
                trips[name].append(seconds * 1000)
    print("those requests' AWS round trips, by call, p50 (DynamoDB Local and moto on loopback): " + "; ".join(
        f"{name.split(':')[1]} {percentile(values, 0.5):.1f} ms (x{percentile(values, 0.5) / floor['send_p50']:.1f} "
        f"a PutItem's round trip, n={len(values)})" for name, values in sorted(trips.items())))


_AREAS = (  # where a function's own time goes, by the file it is in (first match)
    ("/botocore/", "botocore"), ("/urllib3/", "urllib3 + http.client"), ("/http/client.py", "urllib3 + http.client"),
    ("/email/", "urllib3 + http.client"), ("/socket.py", "urllib3 + http.client"), ("/pynamodb/", "PynamoDB"),
    ("/pydantic", "pydantic"), ("/jwt/", "PyJWT + cryptography"), ("/cryptography/", "PyJWT + cryptography"),
    ("/chalice/", "chalice"), ("/jmespath/", "botocore"), ("/dateutil/", "botocore"),
    ("chalicelib/logs.py", "logs (JSON, scrub, EMF)"), ("/logging/", "logs (JSON, scrub, EMF)"),
    ("/json/", "json"), ("/chalicelib/", "chalicelib (ours)"), ("/app.py", "chalicelib (ours)"),
)


def _area(key: tuple) -> str:
    filename, _, name = key
    if filename == "~":
        if "socket" in name and ("recv" in name or "send" in name):
            return "AWS (socket waits)"
        return "builtins (re, json's C encoder, hashing...)"
    for part, area in _AREAS:
        if part in filename:
            return area
    if "/bench/" in filename:
        return "bench hooks"
    return "other stdlib"


def print_profile(profiler: cProfile.Profile, op: str, count: int, limit: int) -> None:
    """cProfile's own-time table, then the same time summed by area, per request. (Profiling slows Python code about
    twice; the shares matter, not the totals.)"""
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("tottime").print_stats(limit)
    print(f"\ncProfile of {count} '{op}' requests, own time:")
    print("\n".join(line for line in stream.getvalue().splitlines() if line.strip()))
    areas: dict[str, float] = defaultdict(float)
    for key, (_, _, own, _, _) in stats.stats.items():
        areas[_area(key)] += own
    total = sum(areas.values())
    print(f"\nown time by area, per '{op}' request under the profiler ({total / count * 1000:.1f} ms in all):")
    for area, seconds in sorted(areas.items(), key=lambda item: -item[1]):
        print(f"  {area:<45} {seconds / count * 1000:6.2f} ms  {seconds / total:5.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=40, help="members' walks timed (default 40)")
    parser.add_argument("--warmup", type=int, default=5, help="members' walks first, not timed (default 5)")
    parser.add_argument("--floor", type=int, default=8, help="PutItem calls of the floor after each walk (default 8)")
    parser.add_argument("--profile", choices=OPERATIONS, help="cProfile this operation's timed requests")
    parser.add_argument("--profile-lines", type=int, default=45)
    parser.add_argument("--keep", action="store_true", help="keep the temporary stack folder")
    args = parser.parse_args()
    logging.getLogger("botocore").setLevel(logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="pti-cost-"))
    stack = Stack(folder)
    clock = AwsClock()
    service_log = open(folder / "service.log", "w")
    try:
        started = time.perf_counter()
        state = stack.start()
        from chalicelib.logs import service_logger

        for handler in service_logger().handlers:  # one line per request, written to a file (stdout in Lambda)
            handler.setStream(service_log)
        clock.install()
        invoker = Invoker(clock)
        invoker.profiled = args.profile
        walk = Walk(invoker, state)
        walk.prepare_nurse(days=min(28, (args.members + args.warmup) * 3 // 36 + 2))
        print(f"stack up and a nurse's {len(walk.slots)} slots published in {time.perf_counter() - started:.1f} s "
              f"(DynamoDB Local + moto on loopback, in {folder})", flush=True)
        for n in range(args.warmup):
            walk.member(n)
        invoker.recording = True
        started = time.perf_counter()
        floor = Floor(state, clock)
        for n in range(args.warmup, args.warmup + args.members):
            walk.member(n)
            floor.puts(args.floor)
        invoker.recording = False
        print(f"{args.members} members' walks timed in {time.perf_counter() - started:.1f} s (after {args.warmup} "
              f"not timed)", flush=True)
        report(invoker.samples, floor.figures())
        if args.profile:
            print_profile(invoker.profiler, args.profile, len(invoker.samples[args.profile]), args.profile_lines)
    except SystemExit:
        service_log.flush()
        errors = [line for line in (folder / "service.log").read_text().splitlines() if '"ERROR"' in line]
        print("\n".join(errors[-2:]), file=sys.stderr)
        raise
    finally:
        clock.uninstall()
        stack.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
