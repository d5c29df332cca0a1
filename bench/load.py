"""Load over HTTP: a realistic mix driven concurrently against the real local stack, then a reconciliation of money
and bookings, then the same figures for a bare boto3 PutItem loop against the same DynamoDB Local as a baseline.

    .venv/bin/python bench/load.py                          # its own stack on free ports, in a temporary folder
    .venv/bin/python bench/load.py --duration 30 --workers 4
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000   # against a running `make run` (reads .local/stack.json)

The mix (steady workers pick by weight): public quotes, registrations, payment references, slot listing. Beside
them a partner thread delivers what the references made payable in bursts (every --burst-every seconds), about a
third of the deliveries duplicates (same webhook-id, or a new webhook-id with the same transaction id) racing their
original, with some unmatched payments (wrong amounts, unknown references) and SPEI payments by NSS; a race thread
sends --racers covered members at one slot at the same instant, --races times.

Figures per operation: count, req/s over the timed run, p50/p99 latency, answers by status. Then, reconciled from
the members' own reads and the operators' figures: every payment applied exactly once (coverage months equal what
each member paid; counters moved by exactly the applied/unmatched payments counted), every raced slot booked at
most once (the nurse's agenda has one appointment per slot). Prints figures; asserts nothing. On a laptop this is
local/serve.py (`chalice local`'s handler in one worker process per core, --api-workers to choose) and DynamoDB Local
(one JVM), not API Gateway + Lambda + DynamoDB: the absolute figures say little about AWS, the ratios to the bare
PutItem baseline (the DynamoDB floor: the same DynamoDB Local, as many threads as steady workers) and the
reconciliation say more. bench/request_cost.py says how much of each request is the service's own work.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter, defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from stdnum import luhn  # noqa: E402

from chalicelib.domain.clock import MEXICO_CITY  # noqa: E402
from chalicelib.domain.payments import first_payable_month, reference_code  # noqa: E402
from chalicelib.domain.teleconsult import CONSENT_VERSION  # noqa: E402
from chalicelib.auth import Role  # noqa: E402
from local.aws import STATE_DIR, StackState  # noqa: E402
from local.users import LOCAL_PASSWORD, access_token  # noqa: E402
from local.webhook import local_secret, signed_headers  # noqa: E402
from tests.people import make_curp, registration  # noqa: E402

MONTH_CHOICES = (1, 1, 1, 1, 2, 3, 6, 12)  # most pay month by month
MIX = {"quote": 35, "register": 10, "reference": 30, "slots": 25}
PARTNER_ATTEMPTS = 5  # a partner retries anything but a 2xx
DEADLINE_DAY = 15
CONSONANTS = "BCDFGHJKLMNPQRSTVWXYZ"


# --- HTTP and figures -----------------------------------------------------------------------------------------------

class Figures:
    """Latency and status of every HTTP attempt, by operation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)

    def record(self, op: str, status: int, seconds: float) -> None:
        with self._lock:
            self.latencies[op].append(seconds * 1000)
            self.statuses[op][status] += 1


@dataclass
class Answer:
    status: int
    body: bytes

    def json(self):
        return json.loads(self.body)


class Api:
    def __init__(self, base_url: str, figures: Figures) -> None:
        self.base_url = base_url
        self.figures = figures

    def call(self, op: str | None, method: str, path: str, *, headers: dict | None = None, json_body=None,
             body: bytes | None = None) -> Answer:
        """One HTTP request, timed and recorded under `op` (None: setup or reconciliation, not recorded)."""
        if json_body is not None:
            body = json.dumps(json_body).encode()
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers or {})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = Answer(response.status, response.read())
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, error.read())
        except OSError as error:  # reset, refused, timeout: status 0
            answer = Answer(0, repr(error).encode())
        if op:
            self.figures.record(op, answer.status, time.perf_counter() - started)
        return answer


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


# --- People, payments, races ----------------------------------------------------------------------------------------

def synthetic_registration() -> dict:
    """A valid registration with random identifiers (so reruns against a kept `make run` stack don't collide)."""
    birth = date(1960, 1, 1) + timedelta(days=random.randrange(40 * 365))
    consonants = "".join(random.choice(CONSONANTS) for _ in range(3))
    nss_body = f"{random.randrange(10**10):010d}"
    return registration(curp=make_curp(birth=birth, sex=random.choice("HM"), consonants=consonants),
                        nss=nss_body + luhn.calc_check_digit(nss_body),
                        monthly_income_mxn=f"{random.randrange(8000, 30000)}.00",
                        zone=random.choice(("general", "general", "general", "zlfn")))


@dataclass
class Member:
    username: str
    headers: dict
    member_id: str | None = None
    nss: str | None = None
    paid_months: list[str] = field(default_factory=list)  # months of the payments acknowledged `applied`
    applied: int = 0
    wins: int = 0
    uncertain: bool = False  # a delivery of its payment never got an answer we could read


@dataclass
class UniquePayment:
    tx: str
    partner: str
    body: bytes
    amount: Decimal
    expected: str  # applied | unmatched
    member: Member | None = None
    months: list[str] = field(default_factory=list)
    acks: list[dict] = field(default_factory=list)
    unanswered: int = 0  # deliveries that never got a 2xx


@dataclass
class Delivery:
    payment: UniquePayment
    message_id: str
    kind: str  # original | same-id | new-id (a duplicate)


@dataclass
class Race:
    slot_id: str
    day: str
    statuses: list[int] = field(default_factory=list)
    winner: str | None = None


class Load:
    """The shared state of one run."""

    def __init__(self, api: Api, state: StackState, args) -> None:
        self.api, self.state, self.args = api, state, args
        self.run = uuid.uuid4().hex[:8]
        self.lock = threading.Lock()
        self.cognito = state.endpoints.client("cognito-idp")
        self.secrets = {partner: local_secret(state, partner) for partner in ("finabien", "spei")}
        self.tokens: deque[tuple[str, dict]] = deque()  # signed-in users not yet registered
        self.ready: deque[Member] = deque()  # registered, no reference in flight
        self.members: list[Member] = []  # every member registered by this run
        self.payments: list[UniquePayment] = []
        self.pending: list[Delivery] = []  # deliveries waiting for the next burst
        self.in_flight: dict[str, Member] = {}  # tx of a right payment -> member waiting for it
        self.bursts: list[tuple[int, float]] = []  # (deliveries, seconds)
        self.fallbacks = Counter()
        self.races: list[Race] = []
        self.racers: list[Member] = []

    # sign-in ---------------------------------------------------------------------------------------------------------

    def sign_in(self, role: Role, username: str) -> dict:
        token = access_token(self.cognito, self.state.user_pool_id, self.state.app_client_id, username, role)
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    # steady operations -----------------------------------------------------------------------------------------------

    def quote(self) -> None:
        body = {"monthly_income_mxn": f"{random.randrange(7000, 40000)}.00",
                "zone": random.choice(("general", "zlfn")), "months": random.choice(MONTH_CHOICES)}
        self.api.call("quote", "POST", "/v1/quotes", headers={"Content-Type": "application/json"}, json_body=body)

    def register(self, op: str | None = "register") -> Member | None:
        with self.lock:
            signed = self.tokens.popleft() if self.tokens else None
        if signed is None:
            self.fallbacks["register→quote (no signed-in user left)"] += 1
            return self.quote()
        username, headers = signed
        body = synthetic_registration()
        answer = self.api.call(op, "POST", "/v1/registrations", headers=headers, json_body=body)
        if answer.status != 201:
            return None
        member = Member(username, headers, answer.json()["member_id"], body["nss"])
        with self.lock:
            self.members.append(member)
            self.ready.append(member)
        return member

    def reference(self, op: str | None = "reference", member: Member | None = None,
                  months: int | None = None) -> None:
        """Issue a reference and plan what the partners will send for it (queued for the next burst)."""
        if member is None:
            with self.lock:
                member = self.ready.popleft() if self.ready else None
            if member is None:
                self.fallbacks["reference→register (no member ready)"] += 1
                self.register()
                return
        answer = self.api.call(op, "POST", "/v1/me/payment-references", headers=member.headers,
                               json_body={"months": months or random.choice(MONTH_CHOICES)})
        if answer.status != 201:
            with self.lock:
                self.ready.append(member)
            return
        self.plan_payments(member, answer.json())

    def slots(self) -> None:
        with self.lock:
            member = random.choice(self.members) if self.members else None
        if member is None:
            return self.quote()
        first = self.target_days[random.randrange(len(self.target_days))]
        last = min(first + timedelta(days=2), self.target_days[-1])
        self.api.call("slots", "GET", f"/v1/teleconsult/slots?from={first}&to={last}&limit=50",
                      headers=member.headers)

    # payments --------------------------------------------------------------------------------------------------------

    def _event(self, data: dict) -> bytes:
        now = self.state.now()
        return json.dumps({"type": "payment.succeeded", "timestamp": now.isoformat(),
                           "data": {"paid_at": now.isoformat(), **data}}).encode()

    def _payment(self, partner: str, amount: Decimal, expected: str, member: Member | None, months: list[str],
                 **data) -> UniquePayment:
        tx = f"load-{self.run}-{len(self.payments):06d}"
        if partner == "spei":
            data["spei"] = {"clave_rastreo": f"LD{self.run}{len(self.payments):06d}", "sending_bank": "BANORTE",
                            "sending_account": "072180001234567890"}
        body = self._event({"amount_mxn": f"{amount:.2f}", "channel": data.pop("channel", partner),
                            "partner_transaction_id": tx, **data})
        payment = UniquePayment(tx, partner, body, amount, expected, member, months)
        self.payments.append(payment)
        return payment

    def _deliveries(self, payment: UniquePayment) -> list[Delivery]:
        """The original, and for half of the payments one duplicate racing it: so a third of all deliveries are
        duplicates, half of them exact re-sends (same webhook-id), half a new webhook-id for the same transaction."""
        first = Delivery(payment, f"msg_{payment.tx}_0", "original")
        if random.random() >= 0.5:
            return [first]
        if random.random() < 0.5:
            return [first, Delivery(payment, first.message_id, "same-id")]
        return [first, Delivery(payment, f"msg_{payment.tx}_1", "new-id")]

    def plan_payments(self, member: Member, reference: dict) -> None:
        amount = Decimal(reference["amount_mxn"])
        with self.lock:
            if random.random() < 0.2:  # SPEI: the transfer's reference is the NSS, it pays the open reference
                right = self._payment("spei", amount, "applied", member, reference["months"], reference=None,
                                      nss=member.nss)
            else:
                right = self._payment("finabien", amount, "applied", member, reference["months"],
                                      reference=reference["reference_display"])
            planned = [right]
            if random.random() < 0.08:  # the member typed the amount wrong at a bank window
                planned.append(self._payment("finabien", amount + Decimal("1.00"), "unmatched", member, [],
                                             reference=reference["reference"], channel="bank_window"))
            if random.random() < 0.05:  # someone paid a reference nobody issued
                code = reference_code(f"{random.randrange(10**16):016d}")
                planned.append(self._payment("finabien", Decimal(random.randrange(150000, 500000)) / 100,
                                             "unmatched", None, [], reference=code))
            self.in_flight[right.tx] = member
            for payment in planned:
                self.pending.extend(self._deliveries(payment))

    def deliver(self, delivery: Delivery, op: str | None = "webhook") -> None:
        """What a partner does: send, and on anything but a 2xx wait a little and send the same again (signed anew)."""
        payment = delivery.payment
        for attempt in range(PARTNER_ATTEMPTS):
            headers = signed_headers(payment.body, self.secrets[payment.partner], delivery.message_id,
                                     int(self.state.now().timestamp()))
            answer = self.api.call(op, "POST", f"/v1/webhooks/{payment.partner}", headers=headers, body=payment.body)
            if 200 <= answer.status < 300:
                with self.lock:
                    payment.acks.append(answer.json())
                return
            time.sleep(random.uniform(0.05, 0.2) * (attempt + 1))
        with self.lock:
            payment.unanswered += 1

    def burst(self, pool: ThreadPoolExecutor, op: str | None = "webhook") -> int:
        """Deliver everything queued, shuffled, at once; members whose payment is settled are ready again."""
        with self.lock:
            deliveries, self.pending = self.pending, []
        if not deliveries:
            return 0
        random.shuffle(deliveries)
        started = time.perf_counter()
        list(pool.map(lambda d: self.deliver(d, op), deliveries))
        elapsed = time.perf_counter() - started
        settled = {d.payment.tx: d.payment for d in deliveries}
        with self.lock:
            self.bursts.append((len(deliveries), elapsed))
            for tx, payment in settled.items():
                member = self.in_flight.pop(tx, None)
                if member is None:
                    continue
                if any(ack["status"] == "applied" for ack in payment.acks):
                    member.paid_months += payment.months
                    member.applied += 1
                    self.ready.append(member)
                else:  # never answered, or only "duplicate": committed by an attempt whose answer was lost
                    member.uncertain = True
        return len(deliveries)

    # races -----------------------------------------------------------------------------------------------------------

    def race(self, target: Race, pool: ThreadPoolExecutor, op: str | None = "book") -> None:
        with self.lock:
            eligible = sorted((m for m in self.racers if m.wins < 3), key=lambda m: (m.wins, random.random()))
        racers = eligible[:self.args.racers]
        if not racers:
            return
        barrier = threading.Barrier(len(racers))

        def attempt(member: Member) -> tuple[Member, Answer]:
            barrier.wait()
            return member, self.api.call(op, "POST", "/v1/teleconsult/appointments", headers=member.headers,
                                         json_body={"slot_id": target.slot_id, "reason": "Control de glucosa"})

        for member, answer in pool.map(attempt, racers):
            target.statuses.append(answer.status)
            if answer.status == 201:
                member.wins += 1
                target.winner = member.member_id
        with self.lock:
            self.races.append(target)


# --- Setup ----------------------------------------------------------------------------------------------------------

def start_own_stack(keep: bool, api_workers: int | None):
    from local.serve import worker_count
    from tests.e2e.conftest import start_stack

    if api_workers:
        os.environ["PTI_API_WORKERS"] = str(api_workers)  # local.run passes its environment on to local.serve
    folder = Path(tempfile.mkdtemp(prefix="pti-load-"))
    print(f"starting a local stack in {folder} (DynamoDB Local + moto + the API in {worker_count()} worker "
          f"process(es), free ports) ...", flush=True)
    started = time.perf_counter()
    stack = start_stack(folder / "state")
    print(f"  up in {time.perf_counter() - started:.1f} s at {stack.api_url}", flush=True)

    def stop() -> None:
        stack.stop()
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)

    return stack.api_url, StackState.load(stack.state_dir / "stack.json"), stop


def operator_stats(load: Load) -> dict:
    answer = load.api.call(None, "GET", "/v1/operators/stats", headers=load.operator)
    if answer.status != 200:
        raise SystemExit(f"operator stats: {answer.status} {answer.body[:300]!r}")
    return answer.json()


def setup(load: Load) -> None:
    args, api, now = load.args, load.api, load.state.now()
    started = time.perf_counter()
    load.operator = load.sign_in(Role.OPERATOR, f"load-op-{load.run}")
    load.stats_before = operator_stats(load)

    # A nurse of our own, publishing 09:00-13:00 every day (12 slots of 20 minutes) for 12 weeks.
    username = f"load-nurse-{load.run}"
    created = api.call(None, "POST", "/v1/operators/nurses", headers=load.operator, json_body={
        "username": username, "email": f"{username}@example.com", "full_name": "Enf. Carmen Load",
        "cedula_profesional": "7654321", "languages": ["es", "en"]})
    if created.status != 201:
        raise SystemExit(f"create nurse: {created.status} {created.body[:300]!r}")
    load.nurse_id = created.json()["nurse_id"]
    load.cognito.admin_set_user_password(UserPoolId=load.state.user_pool_id, Username=username,
                                         Password=LOCAL_PASSWORD, Permanent=True)
    load.nurse = load.sign_in(Role.NURSE, username)
    windows = [{"weekday": d, "start": "09:00", "end": "13:00"} for d in range(7)]
    published = api.call(None, "PUT", "/v1/nurse/availability", headers=load.nurse,
                         json_body={"windows": windows, "horizon_weeks": 12})
    if published.status != 200:
        raise SystemExit(f"publish availability: {published.status} {published.body[:300]!r}")

    # Signed-in users: the racers, and those who will register during the run (Cognito is not what is measured).
    total = args.racer_pool + args.members
    minted = time.perf_counter()
    for i in range(total):
        load.tokens.append((f"load-{load.run}-{i:05d}", load.sign_in(Role.MEMBER, f"load-{load.run}-{i:05d}")))
    print(f"  {total} members signed in to the local Cognito in {time.perf_counter() - minted:.1f} s", flush=True)

    # Racers: registered, paid for two months (their payments count in the reconciliation too) and consented.
    with ThreadPoolExecutor(8) as pool:
        racers = [m for m in pool.map(lambda _: load.register(None), range(args.racer_pool)) if m]
        with load.lock:
            load.ready.clear()  # racers are not part of the steady mix's payers
        list(pool.map(lambda m: load.reference(None, m, 2), racers))
        load.burst(pool, None)
        for member in racers:
            api.call(None, "POST", "/v1/me/consents/teleconsultation", headers=member.headers,
                     json_body={"version": CONSENT_VERSION})
    load.racers = [m for m in racers if m.applied]
    with load.lock:
        load.ready.clear()

    # Target days: in the racers' first covered month, which the nurse's 12-week horizon reaches.
    first_month = first_payable_month(now.astimezone(MEXICO_CITY).date(), DEADLINE_DAY)
    load.target_days = [first_month + timedelta(days=d) for d in range(2, 2 + max(args.races, 4))]
    load.targets = []
    for day in load.target_days:
        listed = api.call(None, "GET", f"/v1/teleconsult/slots?from={day}&to={day}&limit=100",
                          headers=load.racers[0].headers)
        ours = [s for s in listed.json()["items"] if s["nurse"]["nurse_id"] == load.nurse_id] if listed.status == 200 else []
        if ours:  # a mid-morning slot of that day: the popular one
            load.targets.append(Race(ours[len(ours) // 4]["slot_id"], day.isoformat()))
    print(f"  setup: nurse, {len(load.racers)} covered racers, {len(load.targets)} target slots in "
          f"{time.perf_counter() - started:.1f} s", flush=True)


# --- The timed run --------------------------------------------------------------------------------------------------

def timed_run(load: Load) -> float:
    args = load.args
    stop = threading.Event()
    ops, weights = zip(*MIX.items())
    actions = {"quote": load.quote, "register": load.register, "reference": load.reference, "slots": load.slots}

    def worker() -> None:
        while not stop.is_set():
            actions[random.choices(ops, weights)[0]]()

    def partner() -> None:
        with ThreadPoolExecutor(args.burst_workers) as pool:
            while not stop.is_set():
                stop.wait(args.burst_every)
                load.burst(pool)
            while load.burst(pool):  # what the last references made payable
                pass

    def racer() -> None:
        every = args.duration / (len(load.targets[:args.races]) + 1)
        with ThreadPoolExecutor(args.racers) as pool:
            for target in load.targets[:args.races]:
                if stop.wait(every):
                    return
                load.race(target, pool)

    print(f"timed run: {args.duration:.0f} s, {args.workers} steady workers {dict(MIX)}, partner bursts every "
          f"{args.burst_every:g} s ({args.burst_workers} senders), {min(args.races, len(load.targets))} races of "
          f"{args.racers}", flush=True)
    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    threads += [threading.Thread(target=partner), threading.Thread(target=racer)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(args.duration)
    stop.set()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


# --- Reports --------------------------------------------------------------------------------------------------------

EXPECTED = {"book": {409: "lost race"}}
# DynamoDB calls behind one request (docs/data-model.md, access patterns), for reading the ratios.
DYNAMODB_CALLS = {"quote": "none", "register": "1 tx", "reference": "1 read + 1 tx", "webhook": "1 read + 1 tx",
                  "slots": "1 read + 1 query/day", "book": "1 query + 1 read + 1 tx"}


def print_table(figures: Figures, elapsed: float, baseline: tuple[float, float, float] | None = None) -> None:
    header = f"  {'operation':<11} {'count':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}  "
    header += "vs PutItem: req/s, p50   DynamoDB calls" if baseline else "answers by status"
    print(header)
    total = 0
    for op in ("quote", "register", "reference", "webhook", "slots", "book"):
        latencies = figures.latencies.get(op)
        if not latencies:
            continue
        total += len(latencies)
        rate = len(latencies) / elapsed
        p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        answers = ", ".join(f"{status or 'conn-error'}×{n}" + (f" ({EXPECTED[op][status]})" if status in
                                                               EXPECTED.get(op, {}) else "")
                            for status, n in sorted(figures.statuses[op].items()))
        errors = sum(n for status, n in figures.statuses[op].items()
                     if not 200 <= status < 300 and status not in EXPECTED.get(op, {}))
        line = f"  {op:<11} {len(latencies):>7} {rate:>8.1f} {p50:>8.1f} {p99:>8.1f} {errors:>6}  "
        if baseline:
            line += f"x{rate / baseline[0]:<6.3f} x{p50 / baseline[1]:<5.2f}      {DYNAMODB_CALLS[op]}"
        else:
            line += answers
        print(line)
    if baseline:
        print(f"  {'all':<11} {total:>7} {total / elapsed:>8.1f}{'':>26}  "
              f"x{total / elapsed / baseline[0]:.3f} (every operation together ÷ PutItem/s)")


def reconcile(load: Load) -> None:
    api = load.api
    print("reconciliation (read back over HTTP after the run)")

    # 1. Each partner transaction acted on once: one applied/unmatched answer, every other delivery a duplicate.
    acted = Counter(len([a for a in p.acks if a["status"] != "duplicate"]) for p in load.payments)
    statuses = Counter(a["status"] for p in load.payments for a in p.acks)
    wrong = [p.tx for p in load.payments if any(a["status"] not in (p.expected, "duplicate") for a in p.acks)]
    deliveries = sum(len(p.acks) + p.unanswered for p in load.payments)
    print(f"  payments: {len(load.payments)} unique, {deliveries} deliveries "
          f"({deliveries - len(load.payments)} duplicates, {deliveries and (deliveries - len(load.payments)) / deliveries:.0%}); "
          f"answers {dict(statuses)}")
    print(f"    transactions acted on exactly once: {acted[1]}, twice or more: {sum(n for k, n in acted.items() if k > 1)}, "
          f"never (no readable answer): {acted[0]}; answered other than expected: {len(wrong)}")

    # 2. Each member's coverage is exactly the months they paid, from as many applied payments.
    def check(member: Member) -> tuple[bool, bool, bool]:
        coverage = api.call(None, "GET", "/v1/me/coverage", headers=member.headers).json()
        payments = api.call(None, "GET", "/v1/me/payments", headers=member.headers).json()["payments"]
        applied = [p for p in payments if p["status"] == "applied"]
        ids = [p["payment_id"] for p in payments]
        months_ok = sorted(coverage["covered_months"]) == sorted(member.paid_months)
        count_ok = len(applied) == member.applied and len(ids) == len(set(ids))
        months_once = len(coverage["covered_months"]) == len(set(coverage["covered_months"]))
        return months_ok, count_ok, months_once

    with ThreadPoolExecutor(8) as pool:
        checked = list(pool.map(check, load.members))
    uncertain = sum(m.uncertain for m in load.members)
    print(f"  members: {len(load.members)} registered ({sum(1 for m in load.members if m.applied)} paid at least once, "
          f"{sum(m.applied for m in load.members)} payments applied); coverage = months paid: "
          f"{sum(c[0] for c in checked)}/{len(checked)}, applied payments = acknowledged: {sum(c[1] for c in checked)}"
          f"/{len(checked)}, no month twice: {sum(c[2] for c in checked)}/{len(checked)}"
          + (f"; {uncertain} with an unanswered delivery" if uncertain else ""))

    # 3. The operators' counters moved by exactly what was counted here.
    after = operator_stats(load)
    before = load.stats_before
    if before["month"] != after["month"]:
        print(f"  operator stats: the month changed during the run ({before['month']} → {after['month']}); not compared")
    else:
        old, new = before["payments_this_month"], after["payments_this_month"]

        def acted_as(kind: str) -> list[UniquePayment]:
            return [p for p in load.payments if any(a["status"] == kind for a in p.acks)]

        expected = {"applied": acted_as("applied"), "unmatched": acted_as("unmatched")}
        expected["received"] = expected["applied"] + expected["unmatched"]
        parts = []
        for kind in ("received", "applied", "unmatched"):
            counted, mxn = len(expected[kind]), sum((p.amount for p in expected[kind]), Decimal(0))
            moved, moved_mxn = new[kind] - old[kind], Decimal(new[f"{kind}_mxn"]) - Decimal(old[f"{kind}_mxn"])
            parts.append(f"{kind} {moved} vs {counted} counted, {moved_mxn} vs {mxn} MXN"
                         + ("" if (moved, moved_mxn) == (counted, mxn) else "  ← DIFFERS"))
        print("  operator stats, this month: " + "; ".join(parts))
        paid = sum(1 for m in load.members if m.applied)
        status_old, status_new = before["members_by_status"], after["members_by_status"]
        active = status_new.get("active", 0) - status_old.get("active", 0)
        pending = status_new.get("pending_payment", 0) - status_old.get("pending_payment", 0)
        print(f"  operator stats, members: active +{active} vs {paid} who paid; pending_payment +{pending} vs "
              f"{len(load.members) - paid} who did not")

    # 4. Each raced slot booked at most once: the nurse's agenda has one appointment per slot.
    days = sorted({race.day for race in load.races})
    agenda = Counter()
    for day in days:
        for item in api.call(None, "GET", f"/v1/nurse/agenda?date={day}", headers=load.nurse).json()["items"]:
            agenda[item["slot_id"]] += 1
    for race in load.races:
        wins = race.statuses.count(201)
        others = Counter(s for s in race.statuses if s != 201)
        print(f"  race {race.slot_id[-13:]} ({race.day}): {len(race.statuses)} racers, 201×{wins}, "
              f"{', '.join(f'{s}×{n}' for s, n in sorted(others.items()))}; appointments in the agenda: "
              f"{agenda[race.slot_id]}")
    booked_twice = sum(1 for slot, n in agenda.items() if n > 1)
    print(f"  slots with more than one appointment in the agenda: {booked_twice}")


def baseline(state: StackState, workers: int, seconds: float) -> tuple[float, float, float]:
    """A bare boto3 PutItem loop (≈1 KB items) against the same DynamoDB Local, with as many threads."""
    client = state.endpoints.client("dynamodb")
    table = f"pti-bench-baseline-{uuid.uuid4().hex[:8]}"
    client.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    client.get_waiter("table_exists").wait(TableName=table)
    clients = [state.endpoints.client("dynamodb") for _ in range(workers)]  # created here: creation isn't thread-safe
    latencies: list[float] = []
    lock = threading.Lock()
    padding = "x" * 900
    deadline = time.perf_counter() + seconds

    def loop(own) -> None:
        mine = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            own.put_item(TableName=table, Item={"pk": {"S": uuid.uuid4().hex}, "body": {"S": padding}})
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    client.delete_table(TableName=table)
    rate = len(latencies) / elapsed
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    print(f"baseline: bare boto3 PutItem (≈1 KB) against the same DynamoDB Local, {workers} threads, {elapsed:.1f} s")
    print(f"  {'PutItem':<11} {len(latencies):>7} {rate:>8.1f} {p50:>8.1f} {p99:>8.1f}  "
          f"mean {statistics.mean(latencies):.1f} ms")
    return rate, p50, p99


def summary(figures: Figures, elapsed: float, put_rate: float, put_p50: float) -> None:
    """The two figures issue 17 reads, beside the DynamoDB floor."""
    total = sum(len(latencies) for latencies in figures.latencies.values())
    webhook = figures.latencies.get("webhook")
    line = (f"beside the DynamoDB floor ({put_rate:.0f} PutItem/s, p50 {put_p50:.1f} ms): the whole mix ran at "
            f"{total / elapsed:.0f} req/s, x{total / elapsed / put_rate:.2f} the floor's rate")
    if webhook:
        p50 = percentile(webhook, 0.5)
        line += f"; a webhook's p50 {p50:.1f} ms, x{p50 / put_p50:.1f} a PutItem's"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running API (e.g. `make run`'s http://127.0.0.1:8000); default: start one")
    parser.add_argument("--state", default=str(STATE_DIR / "stack.json"), help="with --url: that stack's stack.json")
    parser.add_argument("--duration", type=float, default=40, help="seconds of timed load (default 40)")
    parser.add_argument("--workers", type=int, default=8, help="steady-mix threads (default 8)")
    parser.add_argument("--burst-every", type=float, default=2.0, help="seconds between partner bursts (default 2)")
    parser.add_argument("--burst-workers", type=int, default=16, help="a burst's parallel deliveries (default 16)")
    parser.add_argument("--races", type=int, default=6, help="slots raced (default 6)")
    parser.add_argument("--racers", type=int, default=12, help="members racing for each slot (default 12)")
    parser.add_argument("--racer-pool", type=int, default=24, help="covered members who race (default 24)")
    parser.add_argument("--members", type=int, default=400, help="users signed in up front to register (default 400)")
    parser.add_argument("--baseline-seconds", type=float, default=8, help="length of the PutItem baseline (default 8)")
    parser.add_argument("--api-workers", type=int, help="API worker processes of the stack it starts (default: one "
                                                        "per core, as `make run`)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary stack folder")
    parser.add_argument("--seed", type=int, help="random seed (default: random, printed)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    random.seed(seed)
    import logging

    logging.getLogger("botocore").setLevel(logging.WARNING)
    stop = None
    try:
        if args.url:
            state = StackState.load(Path(args.state))
            api_url = args.url.rstrip("/")
            print(f"against {api_url} (stack state {args.state}); other traffic there would skew the reconciliation")
        else:
            api_url, state, stop = start_own_stack(args.keep, args.api_workers)
        figures = Figures()
        load = Load(Api(api_url, figures), state, args)
        print(f"run {load.run}, seed {seed}")
        setup(load)
        elapsed = timed_run(load)
        print(f"results over {elapsed:.1f} s (the last burst drained after the {args.duration:.0f} s mark)")
        print_table(figures, elapsed)
        if load.bursts:
            sizes = [n for n, _ in load.bursts]
            inside = sum(sizes) / sum(s for _, s in load.bursts)
            print(f"  webhook bursts: {len(sizes)}, {statistics.mean(sizes):.1f} deliveries each on average (max "
                  f"{max(sizes)}), {inside:.1f} deliveries/s while a burst was on")
        if load.fallbacks:
            print(f"  fallbacks: {dict(load.fallbacks)}")
        reconcile(load)
        put_rate, put_p50, put_p99 = baseline(state, args.workers, args.baseline_seconds)
        print("service vs baseline (each service request is 0–3 reads + 1 transaction, plus HTTP, JSON, pydantic,")
        print("token checks and webhook signatures; see docs/data-model.md for the round trips)")
        print_table(figures, elapsed, (put_rate, put_p50, put_p99))
        summary(figures, elapsed, put_rate, put_p50)
    finally:
        if stop:
            stop()


if __name__ == "__main__":
    main()
