"""Scale on paper: per-partition load of the hottest paths if a share of the ~12 million Mexicans in the US joined,
simulated discretely and compared with DynamoDB's, Lambda's and the streams' documented limits. Pure Python, no AWS.
Prints peak per-key rates, headroom (limit ÷ peak) and PASS / OVER LIMIT per key, how long the 1st's renewals take and
how far the outbox relay lags; docs/capacity.md reads these figures. Its settings default to the code's own values,
read from the files that set them (app.py, .chalice/config.json, infra/template.json, chalicelib/; see below).

    .venv/bin/python bench/hot_partition.py                     # 25 %, 50 %, 100 %
    .venv/bin/python bench/hot_partition.py --shares 100 --sweeps  # and the sweeps behind the code's settings
    .venv/bin/python bench/hot_partition.py --shares 10,25 --job-concurrency 32 --tx-window-ms 20

Five scenes, each share in turn:

1. The month-start payment window (days 1–15, Mexico City; paying by the 15th covers next month). Payments arrive
   by a day curve, an hour curve and, for a share of them, a partner that sends each minute's settlements at once.
   Every payment of 10 minutes of the busiest hour is simulated (--peak-minutes): 1 GetItem + 1 TransactWriteItems
   (delivery, payment, reference, profile, the counter shards of its month and day scopes — and all-time on a status
   change, whose month and day deltas merge into the payment's — merged per scope as chalicelib/store/stats.py does,
   and the outbox message: a base item only, no index) plus the index writes those items cause. Then a partner
   outage whose backlog is replayed at 1,000 deliveries/s; counter-shard contention is simulated attempt by attempt
   (a transaction starting while another holds one of its items is cancelled and retried, up to 3 attempts, as
   chalicelib/store/transactions.py does).
2. A booking rush on one Mexico City day: its `free_slots` entries are written to FREE_SLOT_SHARDS keys
   "<day>#<crc32(nurse) % N>"; a listing is N parallel Queries merged by start, each shard's first page sized as
   chalicelib/store/teleconsult/nurses.py does (at most FREE_PAGE_MAX = 9 slots, one 4 KB read block; --shard-page to
   change), read on when the merge needs more of it.
3. The 1st's daily jobs fanned out on SQS: the dispatcher's messages (renewals and lapses per by_coverage_end shard ×
   JOB_FANOUT member-id ranges, reminders per `waiting` shard × code ranges, horizon rolls per 25 nurses), shuffled
   before sending as chalicelib/services/jobs.py's dispatch_daily does and taken in SQS's best-effort order (here:
   that random order) by at most MaximumConcurrency consumers, each doing its messages' paged Queries and one ~15 ms
   TransactWriteItems per member in turn (a lapse's carries 3 counter shards: all-time, month, day). Their writes are
   metered per key and per table. Every renewal rewrites the profile's by_coverage_end entry (the index projects all
   attributes), so concurrent consumers on one shard share its key: that key, not the table, bounds
   MaximumConcurrency.
4. The outbox relay on the outbox table's stream: one stream shard per outbox-table partition, INSERT records only
   (the event filter drops the relay's own updates), ParallelizationFactor concurrent batches of ≤100 per shard, each
   batch one BatchGetItem, PublishBatch calls of 10 and one UpdateItem per message, in turn. Its lag (a record's
   arrival to its publish) at the 1st's peak and during the 1,000/s replay.
5. With --sweeps: the same scenes at 100 % (the rush at 25 %) across candidate values of each setting: how the
   values the code uses were chosen, and what the alternatives would do.

Capacity units follow DynamoDB's rules: a write is 1 unit per KB, a transactional write 2; a strongly consistent
read 1 unit per 4 KB, eventually consistent (every index Query) half; an index write costs the projected item's
size (every index here projects all attributes, so any change to an indexed item rewrites its index entry), and
moving an item to another index key is a delete plus a put. Cancelled transactions are counted as if they consumed
their writes (conservative). Item sizes are those measured in DynamoDB Local after bench/load.py. One partition key
value is treated as served by one partition (no split for heat): 1,000 write units and 3,000 read units per second;
a single item also serialises transactions.
"""

import argparse
import ast
import heapq
import json
import math
import random
import zlib
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

POPULATION = 12_000_000  # Mexicans living in the US (order of magnitude used by IMSS/SRE communications)

# --- The code's settings: the defaults of the flags below ---------------------------------------------------------
# Read from the files that set them, without importing them (importing app.py would load Chalice, PynamoDB and every
# route; the store modules load PynamoDB): the simulation runs the values the code deploys, and a renamed constant
# stops it here rather than leaving it to simulate a setting nobody uses.
PROJECT = Path(__file__).resolve().parents[1]


def _module(path: str) -> ast.Module:
    return ast.parse((PROJECT / path).read_text(encoding="utf-8"), path)


def code_constant(path: str, name: str):
    """The literal assigned to `name` at the top level of the module at `path`."""
    for node in _module(path).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError(f"{path} no longer sets {name}: bench/hot_partition.py takes its default from there")


def handler_argument(path: str, function: str, keyword: str):
    """A literal keyword argument of the decorator on `function` in `path` (app.py's event sources)."""
    for node in _module(path).body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            for decorator in node.decorator_list:
                for argument in getattr(decorator, "keywords", []):
                    if argument.arg == keyword:
                        return ast.literal_eval(argument.value)
    raise LookupError(f"{path}: {function}'s decorator no longer has {keyword}=: bench/hot_partition.py reads it")


def json_setting(path: str, *keys: str):
    value = json.loads((PROJECT / path).read_text(encoding="utf-8"))
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            raise LookupError(f"{path} has no {'.'.join(keys)}: bench/hot_partition.py takes its default from there")
        value = value[key]
    return value


PROD = json_setting(".chalice/config.json", "stages", "prod")
JOB_FANOUT = int(PROD["environment_variables"]["JOB_FANOUT"])  # member-id ranges per by_coverage_end shard (64)
JOB_BATCH = handler_argument("app.py", "do_job_pieces", "batch_size")  # SQS messages per consumer invocation (1)
JOB_CONCURRENCY = code_constant("app.py", "JOBS_CONCURRENCY")  # the jobs event source's MaximumConcurrency (16)
RELAY_BATCH = handler_argument("app.py", "relay_outbox", "batch_size")  # stream records per relay invocation (100)
RELAY_PARALLELIZATION = json_setting(  # the outbox stream mapping's ParallelizationFactor (6)
    "infra/template.json", "Resources", "RelayOutbox", "Properties", "Events", "RelayOutboxDynamodbEventSource",
    "Properties", "ParallelizationFactor")
FREE_SLOT_SHARDS = code_constant("chalicelib/store/teleconsult/items.py", "FREE_SLOT_SHARDS")  # keys per day (8)
FREE_PAGE_MAX = code_constant("chalicelib/store/teleconsult/nurses.py", "FREE_PAGE_MAX")  # a shard's page, slots (9)
COUNTER_SHARDS = code_constant("chalicelib/store/stats.py", "SHARDS")  # stats shards per scope (256)
BATCH_KEYS = code_constant("chalicelib/store/stats.py", "BATCH_KEYS")  # BatchGetItem's keys per call (100)
OPEN_SHARDS = code_constant("chalicelib/store/payments.py", "OPEN_SHARDS")  # `waiting` keys per deadline (16)
COVERAGE_END_SHARDS = code_constant("chalicelib/store/members.py", "COVERAGE_END_SHARDS")  # keys per month (16)
NURSES_PER_MESSAGE = code_constant("chalicelib/domain/jobs.py", "NURSES_PER_MESSAGE")  # a horizon roll's nurses (25)
LAMBDA_TIMEOUT_S = PROD["lambda_timeout"]  # the API's (15 s)
JOB_TIMEOUT_S = PROD["lambda_functions"]["do_job_pieces"]["lambda_timeout"]  # the jobs consumer's (900 s)
TEMPLATE = json_setting("infra/template.json", "Resources")
VISIBILITY_S = TEMPLATE["JobsQueue"]["Properties"]["VisibilityTimeout"]  # the jobs queue's: 6 × the consumer's timeout
_THROTTLES = {s["ResourcePath"]: s for s in TEMPLATE["RestAPI"]["Properties"]["MethodSettings"]}
STAGE_RPS = _THROTTLES["/*"]["ThrottlingRateLimit"]  # API Gateway stage throttling (§6 of capacity.md): 8,000/s
STAGE_BURST = _THROTTLES["/*"]["ThrottlingBurstLimit"]  # 5,000
WEBHOOK_RPS = _THROTTLES["/~1v1~1webhooks~1{partner}"]["ThrottlingRateLimit"]  # 1,500/s, all partners

# --- Limits (AWS documentation) -------------------------------------------------------------------------------------
PARTITION_WCU = 1_000  # write units per second per partition (table or index)
PARTITION_RCU = 3_000  # read units per second per partition
TABLE_QUOTA = 40_000  # default per-table on-demand throughput quota, read and write units per second (adjustable)
NEW_TABLE_WCU, NEW_TABLE_RCU = 4_000, 12_000  # a new on-demand table, before it has seen a higher peak
ITEM_MAX = 400 * 1024
TX_MAX_ITEMS, TX_MAX_BYTES = 100, 4 * 1024 * 1024
LAMBDA_CONCURRENCY = 1_000  # default per account per Region (adjustable); new accounts may start lower
STREAM_SHARD_RECORDS = 1_000  # records written per second per stream shard (≈ one shard per 1,000-WCU partition)
STREAM_POLL_S = 0.25  # Lambda polls each stream shard about 4 times a second
SNS_PUBLISH = 30_000  # SNS Publish/PublishBatch messages per second, us-east-1 (9,000 or 1,500 in other Regions)
KMS_SYMMETRIC = 5_500  # cryptographic operations (symmetric) per second, shared, default in the smallest Regions

# --- Item sizes in bytes (measured in DynamoDB Local after bench/load.py; the profile grows ~10 B per paid month) ----
SIZE = {"profile": 1300, "reference": 610, "payment": 760, "delivery": 610, "counter": 140, "outbox": 400,
        "guard": 90, "slot": 430, "appointment": 960, "patient-guard": 140, "waitday": 330, "consent": 260,
        "nurse": 600, "availability": 900}
QUERY_PAGE = 1024 * 1024  # a Query returns at most 1 MB per call
SLOTS_PER_ROLL = 36  # the horizon roll adds one day of her pattern per nurse


def wu(size: int) -> int:
    return math.ceil(size / 1024)


def ru(size: int) -> int:
    return math.ceil(size / 4096)


# --- Meter: units per key per second ---------------------------------------------------------------------------------

@dataclass
class Peak:
    group: str
    key: str
    keys: int
    wcu: float
    rcu: float
    ops: float
    second: int


class Meter:
    """Read/write units and operations per (group, key) per second; groups are the shared keys of one kind."""

    def __init__(self) -> None:
        self.units: dict[str, dict[str, dict[int, list[float]]]] = defaultdict(lambda: defaultdict(dict))
        self.tables: dict[str, dict[int, list[float]]] = defaultdict(dict)
        self.lambda_seconds: dict[int, float] = defaultdict(float)

    def add(self, group: str, key: str, t: float, rcu: float = 0.0, wcu: float = 0.0, table: str | None = None,
            ops: float = 1) -> None:
        second = int(t)
        cell = self.units[group][key].setdefault(second, [0.0, 0.0, 0])
        cell[0] += rcu
        cell[1] += wcu
        cell[2] += ops
        if table:
            self.table(table, t, rcu, wcu)

    def table(self, table: str, t: float, rcu: float = 0.0, wcu: float = 0.0) -> None:
        cell = self.tables[table].setdefault(int(t), [0.0, 0.0])
        cell[0] += rcu
        cell[1] += wcu

    def invoke(self, t: float, seconds: float) -> None:
        """A Lambda invocation of `seconds` starting at t: per second, concurrency ≈ sum of busy seconds."""
        while seconds > 0:  # a long invocation is busy in every second it spans
            busy = min(seconds, int(t) + 1 - t)
            self.lambda_seconds[int(t)] += busy
            t, seconds = t + busy, seconds - busy

    def peaks(self) -> list[Peak]:
        """Per group, the key and second with the most units (write units first, then read units)."""
        found = []
        for group, keys in self.units.items():
            best = None
            for key, seconds in keys.items():
                for second, (rcu, wcu, ops) in seconds.items():
                    score = max(wcu / PARTITION_WCU, rcu / PARTITION_RCU)
                    if best is None or score > best[0]:
                        best = (score, key, second, rcu, wcu, ops)
            _, key, second, rcu, wcu, ops = best
            found.append(Peak(group, key, len(keys), wcu, rcu, ops, second))
        return found

    def table_peaks(self) -> dict[str, tuple[float, float]]:
        return {table: (max(c[0] for c in seconds.values()), max(c[1] for c in seconds.values()))
                for table, seconds in self.tables.items()}

    def concurrency_peak(self) -> float:
        return max(self.lambda_seconds.values(), default=0.0)


def spread(meter: Meter, group: str, key: str, t0: float, t1: float, rcu: float = 0.0, wcu: float = 0.0,
           ops: float = 0.0, table: str | None = None) -> None:
    """Units spent evenly over [t0, t1), metered in each second they overlap."""
    span = max(t1 - t0, 1e-9)
    second = int(t0)
    while second < t1:
        share = (min(t1, second + 1) - max(t0, second)) / span
        if share > 0:
            meter.add(group, key, second, rcu * share, wcu * share, table, ops * share)
        second += 1


def headroom(peak: Peak) -> float:
    used = max(peak.wcu / PARTITION_WCU, peak.rcu / PARTITION_RCU)
    return 1 / used if used else math.inf


def verdict(room: float) -> str:
    return "PASS" if room >= 1 else "OVER LIMIT"


def crc_shard(name: str, shards: int) -> int:
    return zlib.crc32(name.encode()) % shards


def poisson(lam: float, rng: random.Random) -> int:
    if lam < 50:
        threshold, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p < threshold:
                return k
            k += 1
    return max(0, round(rng.gauss(lam, math.sqrt(lam))))


def conflicts(times: dict[str, list[float]], window: float) -> tuple[float, float]:
    """Of operations on the same item, the share that had another one within `window` seconds either side, and the
    busiest item's operations per second (the booking rush's slots)."""
    clashing = total = 0
    busiest = 0.0
    for events in times.values():
        events.sort()
        total += len(events)
        for i, t in enumerate(events):
            if (i and t - events[i - 1] < window) or (i + 1 < len(events) and events[i + 1] - t < window):
                clashing += 1
        per_second = defaultdict(int)
        for t in events:
            per_second[int(t)] += 1
        busiest = max(busiest, max(per_second.values(), default=0))
    return (clashing / total if total else 0.0), busiest


@dataclass
class Contention:
    attempts: int
    cancelled: float  # share of attempts cancelled (another transaction held one of their items)
    retried: float  # share of transactions that needed a second attempt
    failed: float  # share that failed all 3 attempts (503 to the caller, who retries later)
    busiest: int  # the busiest counter item's attempts in one second


def counter_contention(txs: list[tuple[float, tuple[str, ...]]], window: float, rng: random.Random,
                       attempts: int = 3) -> Contention:
    """Each transaction in time order: cancelled if one of its items is held by a transaction that started less than
    `window` before; retried after chalicelib/store/transactions.py's jittered backoff (0–50 ms, then 0–100 ms)."""
    heap = [(t, i, 1) for i, (t, _) in enumerate(txs)]
    heapq.heapify(heap)
    held: dict[str, float] = {}
    per_second: dict[tuple[str, int], int] = defaultdict(int)
    tried = cancelled = failed = 0
    retried: set[int] = set()
    while heap:
        t, i, attempt = heapq.heappop(heap)
        tried += 1
        items = txs[i][1]
        for item in items:
            per_second[(item, int(t))] += 1
        if any(t - held.get(item, -1.0) < window for item in items):
            cancelled += 1
            retried.add(i)
            if attempt < attempts:
                heapq.heappush(heap, (t + rng.uniform(0, 0.05 * 2 ** (attempt - 1)), i, attempt + 1))
            else:
                failed += 1
            continue
        for item in items:
            held[item] = t
    n = max(len(txs), 1)
    return Contention(tried, cancelled / max(tried, 1), len(retried) / n, failed / n,
                      max(per_second.values(), default=0))


# --- Scene 1: the payment window -----------------------------------------------------------------------------------

# Share of the window's payments per Mexico City day 1..15: the 1st (references and reminders go out at 01:00), a
# quiet middle, the deadline rush on the 15th. An assumption: no data on PTI payment timing was found.
DAY_WEIGHTS = [0.14, 0.08, 0.06, 0.045, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.045, 0.06, 0.09, 0.20]
# Mexico City hours 0..23: after-work evenings in the US (Pacific is 1–2 h behind Mexico City, Central 0–1 h).
HOUR_WEIGHTS = [2.0, 1.0, 0.5, 0.3, 0.3, 0.4, 0.7, 1.0, 1.3, 1.5, 1.6, 1.7, 1.8, 1.9, 1.9, 2.0, 2.2, 2.6, 3.0, 3.4,
                3.8, 4.0, 3.6, 2.8]
DEADLINE_BOOST = {20: 1.5, 21: 1.8, 22: 2.2, 23: 2.6}  # the 15th's last hours: 23:59:59 is the deadline
# How many months a payment covers (the reference offers 1, 2, 3, 6, 12); most pay month by month.
PERIOD_MIX = {1: 0.60, 2: 0.05, 3: 0.10, 6: 0.10, 12: 0.15}


def paying_fraction() -> float:
    """Of all members, the share whose coverage ends this month (renewals spread evenly over the year)."""
    return sum(share / months for months, share in PERIOD_MIX.items())


def hourly_expectation(payments: float) -> list[tuple[int, int, float]]:
    """(day, hour, expected payments) over the window."""
    cells = []
    for day, day_weight in enumerate(DAY_WEIGHTS, start=1):
        weights = [w * (DEADLINE_BOOST.get(h, 1.0) if day == 15 else 1.0) for h, w in enumerate(HOUR_WEIGHTS)]
        total = sum(weights)
        cells += [(day, hour, payments * day_weight * w / total) for hour, w in enumerate(weights)]
    return cells


@dataclass
class PaymentEvent:
    t: float
    member: int
    spei: bool
    unmatched: bool
    unknown: bool  # an unmatched payment whose member is unknown (no outbox, no member index)
    new_member: bool  # first payment: status pending → active moves an all-time counter too
    duplicate: bool = False


def payment_arrivals(count: int, seconds: float, batch_share: float, batch_every: float, batch_spread: float,
                     duplicates: float, args, rng: random.Random, start_member: int = 0) -> list[PaymentEvent]:
    """`count` unique payments over `seconds`: organic ones uniform (Poisson), batched ones sent at the start of each
    `batch_every` window over `batch_spread` seconds; each with its racing duplicates."""
    events = []
    for i in range(count):
        if rng.random() < batch_share:
            t = math.floor(rng.random() * seconds / batch_every) * batch_every + rng.random() * batch_spread
        else:
            t = rng.random() * seconds
        unmatched = rng.random() < args.unmatched
        event = PaymentEvent(t, start_member + i, rng.random() < args.spei, unmatched,
                             unmatched and rng.random() < 0.3, rng.random() < args.joining_share)
        events.append(event)
        if rng.random() < duplicates:  # a retry racing the original (timeout, or a new webhook-id)
            events.append(PaymentEvent(t + rng.uniform(0.05, 2.0), event.member, event.spei, event.unmatched,
                                       event.unknown, event.new_member, duplicate=True))
    return events


def meter_payments(events: list[PaymentEvent], meter: Meter, args, rng: random.Random,
                   month: str = "2026-12", day: str = "2026-12-15",
                   next_month: str = "2027-01") -> list[tuple[float, tuple[str, ...]]]:
    """Every read, transactional write and index write of each delivery, on the key it lands on. Returns each
    transaction's counter items (for the contention simulation)."""
    deadline = f"OPEN#{month}-15"
    shards = args.counter_shards
    txs = []
    for e in events:
        # Reads: the reference by code (1 GetItem, consistent); by NSS: guard + profile + reference.
        reads = [("payments", ru(SIZE["reference"]))]
        if e.spei:
            reads += [("members", ru(SIZE["guard"])), ("members", ru(SIZE["profile"]))]
        for table, units in reads:
            meter.table(table, e.t, rcu=units)
        meter.invoke(e.t, args.webhook_ms / 1000 * (1.6 if e.spei else 1.0))
        # The transaction: unique items (delivery, payment, reference, profile, outbox) and one random shard per
        # counter scope (month and day; all-time when the member's status changes).
        items = [f"{month}#{rng.randrange(shards):03d}", f"{day}#{rng.randrange(shards):03d}"]
        meter.add("stats · <month>#<shard>", items[0], e.t, wcu=2 * wu(SIZE["counter"]), table="stats")
        meter.add("stats · <day>#<shard>", items[1], e.t, wcu=2 * wu(SIZE["counter"]), table="stats")
        if e.new_member and not e.unmatched:
            items.append(f"all#{rng.randrange(shards):03d}")
            meter.add("stats · all#<shard>", items[2], e.t, wcu=2 * wu(SIZE["counter"]), table="stats")
        txs.append((e.t, tuple(items)))
        meter.table("payments", e.t, wcu=2 * (wu(SIZE["delivery"]) + wu(SIZE["payment"])))
        if not e.unknown:
            meter.table("outbox", e.t, wcu=2 * wu(SIZE["outbox"]))  # base item only: no `pending` index any more
        if not e.unmatched:
            meter.table("payments", e.t, wcu=2 * wu(SIZE["reference"]))
            meter.table("members", e.t, wcu=2 * wu(SIZE["profile"]))
        if e.duplicate:
            continue  # cancelled by the delivery or payment guard: nothing reaches an index
        if not e.unknown:
            meter.table("payments", e.t, wcu=wu(SIZE["payment"]))  # by_member, MEMBER#<sub>: spread
        if e.unmatched:
            meter.add("payments.waiting · UNMATCHED", "UNMATCHED", e.t, wcu=wu(SIZE["payment"]), table="payments")
            continue
        code_shard = f"{deadline}#{rng.randrange(args.open_shards):02d}"
        meter.add("payments.waiting · OPEN#<deadline>#<shard>", code_shard, e.t, wcu=wu(SIZE["reference"]),
                  table="payments")  # the reference leaves the open-references index
        meter.table("payments", e.t, wcu=wu(SIZE["reference"]))  # its by_member entry is rewritten
        coverage_shard = e.member % args.coverage_end_shards  # crc32(sub) % 16
        meter.add("members.by_coverage_end · <new month>#<shard>", f"{next_month}#{coverage_shard:02d}", e.t,
                  wcu=wu(SIZE["profile"]), table="members")
        if not e.new_member:  # the profile leaves last month's key
            meter.add("members.by_coverage_end · <old month>#<shard>", f"{month}#{coverage_shard:02d}", e.t,
                      wcu=wu(SIZE["profile"]), table="members")
    return txs


def scene_payments(members: int, args, rng: random.Random) -> dict:
    payers = members * (paying_fraction() + args.joining_share)
    cells = hourly_expectation(payers)
    day, hour, expected = max(cells, key=lambda cell: cell[2])
    seconds = args.peak_minutes * 60  # a slice of the busiest hour: its peak second and contention are the hour's
    count = poisson(expected * seconds / 3600, rng)
    events = payment_arrivals(count, seconds, args.batch_share, args.batch_every, args.batch_spread, args.duplicates,
                              args, rng)
    meter = Meter()
    txs = meter_payments(events, meter, args, rng)
    per_second = defaultdict(int)
    deliveries = defaultdict(int)
    for e in events:
        deliveries[int(e.t)] += 1
        if not e.duplicate:
            per_second[int(e.t)] += 1
    replay = scene_replay(expected, args, rng)
    return {
        "payers": payers, "day": day, "hour": hour, "expected": expected, "count": count, "meter": meter,
        "peak_payments": max(per_second.values(), default=0), "peak_deliveries": max(deliveries.values(), default=0),
        "contention": counter_contention(txs, args.tx_window_ms / 1000, rng), **replay,
    }


def scene_replay(expected_hour: float, args, rng: random.Random) -> dict:
    """A partner outage at the peak: its share of `outage` minutes' payments, replayed at its sending rate (one
    delivery per payment: what it retries is what never got a 2xx). At least a minute of replay, whatever the share,
    so the per-key rates are the replay's own."""
    backlog = max(poisson(expected_hour * args.outage_minutes / 60 * args.partner_share, rng),
                  int(args.replay_rate * 60))
    seconds = backlog / args.replay_rate
    simulated = int(args.replay_rate * 60)  # its first minute, delivery by delivery: every minute is alike
    replay = payment_arrivals(simulated, simulated / args.replay_rate, 0.0, 1, 1, 0.0, args, rng, start_member=10**9)
    meter = Meter()
    txs = meter_payments(replay, meter, args, rng)
    known = sum(not e.unknown for e in replay) / max(len(replay), 1)  # payments that queue a notification
    series = [args.replay_rate * known * min(1.0, seconds - s) for s in range(math.ceil(seconds))]
    return {"backlog": backlog, "replay_seconds": seconds, "replay_meter": meter,
            "replay_contention": counter_contention(txs, args.tx_window_ms / 1000, rng), "replay_inserts": series}


# --- Scene 2: the booking rush --------------------------------------------------------------------------------------

def shard_page(limit: int, shards: int, page_size: int) -> int:
    """A shard's first page of a listing of `limit` slots: as chalicelib/store/teleconsult/nurses.py sizes it (0),
    min(limit, FREE_PAGE_MAX) = at most 9 slots (3.9 KB: one 4 KB read block); `page_size` slots (> 0); or (-1) as
    nurses.py sized it before FREE_PAGE_MAX, twice the shard's share of the listing and at least 10 slots (14 of a
    listing of 50 over 8 shards: 6 KB, two blocks), which the sweep compares."""
    if page_size < 0:
        return min(limit, max(10, 2 * math.ceil(limit / shards)))
    return min(limit, page_size or FREE_PAGE_MAX)


def scene_rush(members: int, args, rng: random.Random, shards: int | None = None,
               page_size: int | None = None) -> dict:
    """One Mexico City day D, opened to a rush: `rush_share` of members want a consult that day. The day's free slots
    are indexed under `shards` keys "<day>#<crc32(nurse) % shards>"; a listing queries them all and merges by start."""
    shards = shards or args.free_slot_shards
    page_size = args.shard_page if page_size is None else page_size
    nurses = max(1, math.ceil(members / args.members_per_nurse))
    nurse_shard = [crc_shard(f"nurse-{n}", shards) for n in range(nurses)]
    # Merged order: start, then nurse id. Slot i starts (i // nurses) * 20 min after 08:00, nurse i % nurses.
    total = nurses * args.slots_per_nurse
    taken = bytearray(total)
    first_free = 0
    popular_slots = list(range(0, total, nurses))  # nurse 0: the one many ask for by name
    meter = Meter()
    slot_times: dict[str, list[float]] = defaultdict(list)

    def shard_reads(limit: int) -> tuple[float, float]:
        """(Queries, RCU) one listing of `limit` slots costs each shard key: its first page, and a second one when
        the shard holds more of the listing's slots than that page (nurses spread evenly over the shards). One shard
        is the unsharded design: one Query of the whole listing."""
        page = shard_page(limit, shards, page_size)
        if shards == 1:
            return 1.0, ru(limit * SIZE["slot"]) * 0.5
        more = sum(math.comb(limit, k) * (1 / shards) ** k * (1 - 1 / shards) ** (limit - k)
                   for k in range(page + 1, limit + 1))
        return 1 + more, (1 + more) * ru(page * SIZE["slot"]) * 0.5

    listings: dict[int, int] = defaultdict(int)
    alternatives: dict[int, int] = defaultdict(int)
    requests: dict[int, int] = defaultdict(int)
    day_key = "2027-01-01"
    outcomes: dict[str, int] = defaultdict(int)
    attempts: dict[int, int] = defaultdict(int)
    arrivals = int(members * args.rush_share)
    heap: list[tuple[float, int, int, int]] = []  # (time, member, slot to book or -1 to list, sequence)
    for member in range(arrivals):
        t = -args.rush_tau * math.log(1 - rng.random())
        if t < args.rush_seconds:
            heap.append((t, member, -1, member))
    heapq.heapify(heap)
    sequence = arrivals

    def free_page(limit: int) -> list[int]:
        nonlocal first_free
        found = taken.find(0, first_free)
        first_free = total if found < 0 else found
        page, i = [], first_free
        while i < total and len(page) < limit:
            window = taken[i:i + 2 * limit]
            page += [i + j for j, used in enumerate(window) if not used][:limit - len(page)]
            i += len(window)
        return page

    def pick(page: list[int], member: int) -> int | None:
        if not page:
            return None
        if member % 1000 < args.popular_share * 1000:
            mine = next((s for s in popular_slots if not taken[s]), None)
            if mine is not None:
                return mine
        return page[0] if rng.random() < args.pick_first else rng.choice(page[:10])

    def wait(t: float, why: str) -> None:
        outcomes[why] += 1
        meter.add("teleconsult.waitlist · <day>", day_key, t, wcu=wu(SIZE["waitday"]), table="teleconsult")

    while heap:
        t, member, slot, _ = heapq.heappop(heap)
        requests[int(t)] += 1
        if slot < 0:  # GET /v1/teleconsult/slots for the day: one Query per shard, in parallel, merged
            listings[int(t)] += 1
            meter.invoke(t, args.list_ms / 1000)
            chosen = pick(free_page(50), member)
            if chosen is None:
                wait(t, "found the day full, joined the waitlist")
            else:
                sequence += 1
                heapq.heappush(heap, (t + rng.uniform(*args.think_s), member, chosen, sequence))
            continue
        # POST /v1/teleconsult/appointments: GetItem of the slot, then the transaction on it (her partition).
        attempts[member] += 1
        meter.invoke(t, args.book_ms / 1000)
        nurse = slot % nurses
        meter.add("teleconsult · NURSE#<sub> (her slots)", f"NURSE#{nurse}", t, rcu=ru(SIZE["slot"]),
                  wcu=2 * wu(SIZE["slot"]), table="teleconsult")
        slot_times[f"slot-{slot}"].append(t)
        if not taken[slot]:
            taken[slot] = 1
            outcomes["booked"] += 1
            meter.add("teleconsult.free_slots · <day>#<shard>", f"{day_key}#{nurse_shard[nurse]}", t,
                      wcu=wu(SIZE["slot"]), table="teleconsult")
            hour = 14 + (slot // nurses) // 3  # UTC hour of the start (08:00 Mexico City = 14:00 UTC)
            meter.add("teleconsult.by_start_hour · <UTC hour>", f"20270101T{hour:02d}", t,
                      wcu=wu(SIZE["appointment"]), table="teleconsult")
            # appointment, 4 patient guards, upcoming count (transactional); by_member/by_nurse_day/by_patient entries
            meter.table("teleconsult", t, wcu=2 * (wu(SIZE["appointment"]) + 4 * wu(SIZE["patient-guard"]) + 1)
                        + 3 * wu(SIZE["appointment"]))
            continue
        # 409 slot-taken: the answer carries alternatives (one more listing of the day, 10 slots).
        alternatives[int(t)] += 1
        if attempts[member] >= args.max_tries:
            wait(t, "gave up after 409s, joined the waitlist")
            continue
        alternative = pick(free_page(10), member)
        if alternative is None:
            wait(t, "got 409 on a full day, joined the waitlist")
            continue
        sequence += 1
        heapq.heappush(heap, (t + rng.uniform(*args.retry_think_s), member, alternative, sequence))
    # Every listing reads every shard key once: each key sees the same Queries.
    for second in set(listings) | set(alternatives):
        (list_queries, list_rcu), (alt_queries, alt_rcu) = shard_reads(50), shard_reads(10)
        queries = listings.get(second, 0) * list_queries + alternatives.get(second, 0) * alt_queries
        rcu = listings.get(second, 0) * list_rcu + alternatives.get(second, 0) * alt_rcu
        for shard in range(shards):
            meter.add("teleconsult.free_slots · <day>#<shard>", f"{day_key}#{shard}", second, rcu=rcu,
                      table="teleconsult", ops=queries)
    share, busiest_slot = conflicts(slot_times, args.tx_window_ms / 1000)
    return {"nurses": nurses, "slots": total, "arrivals": arrivals, "meter": meter, "outcomes": dict(outcomes),
            "page": 50 if shards == 1 else shard_page(50, shards, page_size), "page_rcu": shard_reads(50)[1],
            "slot_conflicts": share, "busiest_slot": busiest_slot, "shards": shards,
            "attempts": sum(attempts.values()), "left_free": total - sum(taken),
            "peak_requests": max(requests.values(), default=0)}


# --- Scene 3: the 1st's jobs, fanned out on SQS ---------------------------------------------------------------------

@dataclass
class Piece:
    """One queue message: a step on one index shard and key range (or a group of nurses)."""
    step: str  # renew, lapse, remind, roll
    shard: int
    reads: int  # items its Query returns
    txs: int  # transactions it commits (renewals, lapses, reminders), or nurses it rolls
    nurses: tuple[int, ...] = ()


def month_pieces(members: int, args, rng: random.Random, fanout: int) -> list[Piece]:
    """The dispatcher's messages on the 1st, as domain/jobs.daily_messages builds them (shard-major per step), before
    services/jobs.dispatch_daily shuffles them."""
    due = members * paying_fraction()  # profiles under <this month>#<shard>: coverage ends this month
    lapsing = due * args.lapse_share  # last month's key holds only who did not pay: all still active lapse
    pieces = []
    for step, mean_reads, renewing in (("renew", due, args.auto_renew), ("lapse", lapsing, 1.0)):
        per_piece = mean_reads / (args.coverage_end_shards * fanout)
        for shard in range(args.coverage_end_shards):
            for _ in range(fanout):
                reads = max(0, round(rng.gauss(per_piece, math.sqrt(per_piece))))
                txs = round(reads * renewing + rng.gauss(0, math.sqrt(reads * renewing * (1 - renewing) + 1e-9)))
                pieces.append(Piece(step, shard, reads, max(0, min(reads, txs))))
    # Deadline reminders: on the 1st none is due in 3 days (deadlines fall on the 15th): empty Queries.
    pieces += [Piece("remind", shard, 0, 0) for shard in range(args.open_shards) for _ in range(min(fanout, 100))]
    nurses = max(1, math.ceil(members / args.members_per_nurse))
    for start in range(0, nurses, NURSES_PER_MESSAGE):
        group = tuple(range(start, min(start + NURSES_PER_MESSAGE, nurses)))
        pieces.append(Piece("roll", 0, 0, len(group), group))
    return pieces


def piece_seconds(piece: Piece, args) -> float:
    """A consumer's time on one message: its paged Query (1 MB pages) read as it goes, one transaction per member."""
    page_s = QUERY_PAGE / (args.query_mb_s * 1024 * 1024)
    size = SIZE["reference"] if piece.step == "remind" else SIZE["profile"]
    pages = max(1, math.ceil(piece.reads * size / QUERY_PAGE))
    if piece.step == "roll":  # per nurse: 2 GetItems, then her day of slots in BatchWriteItem calls of 25
        return piece.txs * (2 * args.get_ms + math.ceil(SLOTS_PER_ROLL / 25) * args.batch_write_ms) / 1000
    return pages * page_s + piece.txs * args.job_tx_ms / 1000


def meter_piece(meter: Meter, piece: Piece, t0: float, t1: float, args, series: dict) -> None:
    """A message's reads and writes, spread over its run."""
    page_rcu = QUERY_PAGE / 4096 * 0.5
    month, last_month = "2027-01", "2026-12"
    pages = max(1, math.ceil(piece.reads * SIZE["profile"] / QUERY_PAGE))
    if piece.step == "renew":
        # put reference (payments), update profile (members: its by_coverage_end entry is rewritten, same key),
        # put outbox message; the reference's `waiting` and by_member entries.
        spread(meter, "members.by_coverage_end · <this month>#<shard> (renew)", f"{month}#{piece.shard:02d}", t0, t1,
               rcu=pages * page_rcu, wcu=piece.txs * wu(SIZE["profile"]), ops=piece.txs, table="members")
        meter_tables(meter, t0, t1, members=piece.txs * 2 * wu(SIZE["profile"]),
                     payments=piece.txs * (2 * wu(SIZE["reference"]) + wu(SIZE["reference"])),  # + by_member
                     outbox=piece.txs * 2 * wu(SIZE["outbox"]))
        add_series(series["references"], t0, t1, piece.txs)
        add_series(series["inserts"], t0, t1, piece.txs)
    elif piece.step == "lapse":
        # update profile (status; its entry under last month's key rewritten), 3 counter shards (all-time, the
        # month and the day: stats.status_moved), put outbox message.
        spread(meter, "members.by_coverage_end · <last month>#<shard> (lapse)", f"{last_month}#{piece.shard:02d}",
               t0, t1, rcu=pages * page_rcu, wcu=piece.txs * wu(SIZE["profile"]), ops=piece.txs, table="members")
        meter_tables(meter, t0, t1, members=piece.txs * 2 * wu(SIZE["profile"]),
                     outbox=piece.txs * 2 * wu(SIZE["outbox"]))  # the counters: spread_keys below
        add_series(series["lapses"], t0, t1, piece.txs)
        add_series(series["inserts"], t0, t1, piece.txs)
    elif piece.step == "remind":
        spread(meter, "payments.waiting · OPEN#<due date>#<shard> (remind)", f"OPEN#2027-01-04#{piece.shard:02d}",
               t0, t1, rcu=0.5, ops=1, table="payments")
    else:  # roll: one more day of slots per nurse, each indexed under "<day>#<crc32(nurse) % N>"
        per_nurse = (t1 - t0) / max(1, len(piece.nurses))
        for i, nurse in enumerate(piece.nurses):
            a = t0 + i * per_nurse
            key = f"2027-01-31#{crc_shard(f'nurse-{nurse}', args.free_slot_shards)}"
            spread(meter, "teleconsult.free_slots · <new day>#<shard> (roll)", key, a, a + per_nurse,
                   wcu=SLOTS_PER_ROLL * wu(SIZE["slot"]), ops=SLOTS_PER_ROLL, table="teleconsult")
            meter_tables(meter, a, a + per_nurse, teleconsult=SLOTS_PER_ROLL * wu(SIZE["slot"]))
            spread(meter, "teleconsult · NURSE#<sub> (roll)", f"NURSE#{nurse}", a, a + per_nurse,
                   rcu=ru(SIZE["nurse"]) + ru(SIZE["availability"]), wcu=SLOTS_PER_ROLL * wu(SIZE["slot"]), ops=38)


def meter_tables(meter: Meter, t0: float, t1: float, **wcu: float) -> None:
    span = max(t1 - t0, 1e-9)
    second = int(t0)
    while second < t1:
        share = (min(t1, second + 1) - max(t0, second)) / span
        for table, units in wcu.items():
            meter.table(table, second, wcu=units * share)
        second += 1


def add_series(series: dict, t0: float, t1: float, count: float) -> None:
    span = max(t1 - t0, 1e-9)
    second = int(t0)
    while second < t1:
        series[second] += count * (min(t1, second + 1) - max(t0, second)) / span
        second += 1


def spread_keys(meter: Meter, group: str, prefix: str, per_second: dict, keys: int, units: float, table: str,
                rng: random.Random) -> None:
    """Writes that land on one of `keys` keys at random: each second's count split among them (Poisson noise),
    metered per key in the ten busiest seconds (where the peak is), per table in every second."""
    for second, count in per_second.items():
        meter.table(table, second, wcu=count * units)
    for second, count in sorted(per_second.items(), key=lambda item: -item[1])[:10]:
        for key in range(keys):
            n = poisson(count / keys, rng)
            if n:
                meter.add(group, f"{prefix}#{key:03d}", second, wcu=n * units, ops=n)


def scene_jobs(members: int, args, rng: random.Random, concurrency: int | None = None, fanout: int | None = None,
               order: str | None = None, batch: int | None = None) -> dict:
    concurrency = concurrency or args.job_concurrency
    fanout = fanout or args.job_fanout
    batch = batch or args.job_batch
    order = order or args.job_order
    pieces = month_pieces(members, args, rng, fanout)
    if order == "random":  # dispatch_daily shuffles them; SQS standard queues then hand them out in no set order
        rng.shuffle(pieces)
    elif order == "interleaved":  # sent range by range, each range's shards in turn, and delivered in that order
        steps = {"renew": 0, "lapse": 1, "remind": 2, "roll": 3}
        pieces = [piece for _, piece in sorted(enumerate(pieces), key=lambda item: (
            steps[item[1].step], item[0] % fanout if item[1].step != "roll" else 0, item[0]))]
    meter = Meter()
    series = {"references": defaultdict(float), "lapses": defaultdict(float), "inserts": defaultdict(float)}
    # Lambda adds SQS consumers at up to ~1,250 a minute: the cap is reached within seconds.
    workers = [(i * 60 / 1250, i) for i in range(concurrency)]
    heapq.heapify(workers)
    queue = deque(pieces)
    longest = finished = timeouts = 0.0
    invocations = 0
    step_done: dict[str, float] = defaultdict(float)
    while queue:
        t, worker = heapq.heappop(workers)
        taken = [queue.popleft() for _ in range(min(batch, len(queue)))]
        invocations += 1
        t0 = t + args.invoke_ms / 1000
        durations = [piece_seconds(piece, args) for piece in taken]
        if sum(durations) + args.invoke_ms / 1000 > JOB_TIMEOUT_S:  # the whole batch comes back after the
            timeouts += 1  # visibility timeout (a redelivery changes nothing, but it costs 90 minutes)
            heapq.heappush(workers, (t + JOB_TIMEOUT_S, worker))
            for piece in taken:
                queue.append(piece)
            if timeouts > 50:
                break
            continue
        for piece, seconds in zip(taken, durations):
            meter_piece(meter, piece, t0, t0 + seconds, args, series)
            meter.invoke(t0, seconds)
            longest = max(longest, seconds)
            t0 += seconds
            step_done[piece.step] = max(step_done[piece.step], t0)
        finished = max(finished, t0)
        heapq.heappush(workers, (t0, worker))
    # The keys written at random: the new references' OPEN#<deadline>#<shard>, the lapses' counter shards.
    spread_keys(meter, "payments.waiting · OPEN#<deadline>#<shard> (renew)", "OPEN#2027-01-15",
                series["references"], args.open_shards, wu(SIZE["reference"]), "payments", rng)
    lapse_scopes = {"all": "all", "2027-01": "<month>", "2027-01-01": "<day>"}  # stats.status_moved's three
    for scope, label in lapse_scopes.items():
        spread_keys(meter, f"stats · {label}#<shard> (lapse)", scope,
                    series["lapses"], args.counter_shards, 2 * wu(SIZE["counter"]), "stats", rng)
    renewals = sum(p.txs for p in pieces if p.step == "renew")
    lapses = sum(p.txs for p in pieces if p.step == "lapse")
    lapse_rate = max(series["lapses"].values(), default=0.0)
    per_item = lapse_rate / args.counter_shards  # transactions per second on one counter shard of one scope
    # A lapse meets another on one of its k = 3 counter items with probability ≈ 1 − e^(−k × per_item × window).
    return {"pieces": len(pieces), "renew_pieces": sum(p.step == "renew" for p in pieces), "renewals": renewals,
            "lapses": lapses, "profiles_read": sum(p.reads for p in pieces if p.step == "renew"),
            "finished": finished, "renew_done": step_done["renew"], "longest": longest, "timeouts": timeouts,
            "invocations": invocations, "meter": meter, "concurrency": concurrency, "fanout": fanout,
            "peak_renewals": max(series["references"].values(), default=0.0), "lapse_rate": lapse_rate,
            "lapse_cancelled": 1 - math.exp(-len(lapse_scopes) * per_item * args.tx_window_ms / 1000),
            "inserts": [series["inserts"].get(s, 0.0) for s in range(int(finished) + 2)], "order": order,
            "batch": batch, "nurses": max(1, math.ceil(members / args.members_per_nurse))}


# --- Scene 4: the outbox relay on the stream ------------------------------------------------------------------------

def relay_batch_seconds(n: int, args) -> float:
    """One relay invocation on n INSERT records: BatchGetItem (already sent?), PublishBatch per 10, one UpdateItem
    per message (mark sent), in turn."""
    if not n:
        return 0.0
    return (args.invoke_ms + args.get_ms + math.ceil(n / 10) * args.publish_ms + n * args.update_ms) / 1000


def scene_relay(inserts: list[float], args, rng: random.Random, parallelization: int | None = None) -> dict:
    """The outbox stream: one shard per outbox-table partition (the table warmed to its peak: puts 2 WCU in the
    writers' transactions, the relay's marks 1 WCU each, so ~3 WCU per message); per shard, `parallelization`
    concurrent batches of ≤ 100 records taken in order at each poll."""
    parallelization = parallelization or args.relay_parallelization
    peak = max(inserts, default=0.0)
    outbox_wcu = peak * (2 * wu(SIZE["outbox"]) + wu(SIZE["outbox"]))
    shards = max(4, math.ceil(outbox_wcu / PARTITION_WCU))
    max_lag = 0.0
    lags: list[float] = []
    backlog_peak = 0
    drained = 0.0
    busy: dict[int, float] = defaultdict(float)
    for _ in range(shards):
        fifo: deque[list[float]] = deque()  # [arrival time, records]
        lanes = [0.0] * parallelization
        t, waiting = 0.0, 0
        horizon = len(inserts)
        while t < horizon or waiting:
            second = int(t)
            if second < horizon:
                n = poisson(inserts[second] / shards * STREAM_POLL_S, rng)
                if n:
                    fifo.append([t, n])
                    waiting += n
            for lane in range(parallelization):
                if lanes[lane] > t or not waiting:
                    continue
                take, oldest = 0, fifo[0][0]
                while fifo and take < args.relay_batch:
                    head = fifo[0]
                    got = min(head[1], args.relay_batch - take)
                    take += got
                    head[1] -= got
                    if not head[1]:
                        fifo.popleft()
                waiting -= take
                seconds = relay_batch_seconds(take, args)
                lanes[lane] = t + seconds
                busy[int(t)] += seconds
                lag = t + seconds - oldest
                lags.append(lag)
                max_lag = max(max_lag, lag)
            backlog_peak = max(backlog_peak, waiting)
            t += STREAM_POLL_S
            if t > horizon + 36_000:
                break  # never drains: report what it reached
        drained = max(drained, max(lanes), t)
    lags.sort()
    per_lane = args.relay_batch / relay_batch_seconds(args.relay_batch, args)
    return {"shards": shards, "parallelization": parallelization, "peak": peak, "max_lag": max_lag,
            "p99_lag": lags[int(len(lags) * 0.99)] if lags else 0.0, "backlog_peak": backlog_peak,
            "drained": drained, "capacity": shards * parallelization * per_lane,
            "per_shard_records": 2 * peak / shards, "concurrency": shards * parallelization,
            "outbox_wcu": outbox_wcu}


# --- Report ---------------------------------------------------------------------------------------------------------

def fmt(n: float) -> str:
    return f"{n:,.0f}" if n >= 100 else f"{n:,.1f}"


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def print_peaks(meter: Meter, title: str, concurrency_line: bool = True) -> list[tuple[str, float]]:
    print(f"  {title}")
    print(f"    {'key (table · index · key)':<56} {'keys':>5} {'ops/s':>7} {'WCU/s':>7} {'RCU/s':>7} "
          f"{'headroom':>9}  verdict")
    found = []
    for peak in sorted(meter.peaks(), key=headroom):
        room = headroom(peak)
        print(f"    {peak.group:<56} {peak.keys:>5} {fmt(peak.ops):>7} {fmt(peak.wcu):>7} {fmt(peak.rcu):>7} "
              f"{'x' + fmt(room) if room != math.inf else '-':>9}  {verdict(room)}")
        found.append((peak.group, room))
    tables = meter.table_peaks()
    print("    tables, whole (peak second): " + "; ".join(
        f"{t} {fmt(w)} WCU {fmt(r)} RCU" for t, (r, w) in sorted(tables.items())) +
        f"  (quota {TABLE_QUOTA:,} each; a new on-demand table starts at {NEW_TABLE_WCU:,} WCU / {NEW_TABLE_RCU:,} RCU)")
    over = [t for t, (r, w) in tables.items() if w > TABLE_QUOTA or r > TABLE_QUOTA]
    if over:
        print(f"    OVER the table quota: {', '.join(over)}")
    if concurrency_line:
        concurrency = meter.concurrency_peak()
        print(f"    Lambda concurrency at the peak second ≈ {fmt(concurrency)} of {LAMBDA_CONCURRENCY:,} "
              f"(headroom x{fmt(LAMBDA_CONCURRENCY / concurrency) if concurrency else '-'})")
    return found


def contention_line(label: str, c: Contention, shards: int, window_ms: float) -> str:
    return (f"  {label}: {shards} shards per scope, busiest shard {c.busiest} attempts in a second; "
            f"{c.cancelled:.1%} of attempts cancelled (another held a shard within {window_ms:g} ms), "
            f"{c.retried:.1%} of transactions retried, {c.failed:.2%} failed all 3 attempts (503, the sender retries)")


def print_jobs(jobs: dict, args) -> list[tuple[str, float]]:
    print(f"the 1st's jobs on SQS: {jobs['pieces']:,} messages ({jobs['renew_pieces']:,} renewal messages = "
          f"{args.coverage_end_shards} shards × JOB_FANOUT {jobs['fanout']}; lapses alike; reminders "
          f"{args.open_shards} × {min(jobs['fanout'], 100)}; horizon rolls "
          f"{math.ceil(jobs['nurses'] / NURSES_PER_MESSAGE)} × {NURSES_PER_MESSAGE} "
          f"nurses), taken in {jobs['order']} order, batch size {jobs['batch']}, MaximumConcurrency "
          f"{jobs['concurrency']}; {args.job_tx_ms:g} ms a transaction, {args.query_mb_s:g} MB/s of Query pages")
    print(f"  renewals: {jobs['renewals']:,} references issued ({fmt(jobs['profiles_read'])} profiles read); "
          f"all issued {duration(jobs['renew_done'])} after 01:00; lapses {jobs['lapses']:,}; every step done in "
          f"{duration(jobs['finished'])} (the dispatcher runs at 01:00: the 1st has 23 h left)")
    print(f"  longest message {jobs['longest']:.0f} s (timeout {JOB_TIMEOUT_S} s: "
          f"x{JOB_TIMEOUT_S / jobs['longest']:.1f}); "
          f"{jobs['timeouts']:.0f} invocations timed out; {jobs['invocations']:,} invocations; peak "
          f"{fmt(jobs['peak_renewals'])} renewals/s")
    print(f"  lapses: peak {fmt(jobs['lapse_rate'])}/s on {args.counter_shards} counter shards per scope → "
          f"{jobs['lapse_cancelled']:.1%} of lapse transactions meet another on a counter shard "
          f"({args.tx_window_ms:g} ms)")
    return print_peaks(jobs["meter"], "per key at the jobs' busiest second:")


def print_relay(relay: dict, title: str) -> None:
    print(f"  {title}: {relay['shards']} stream shards (outbox table warmed to {fmt(relay['outbox_wcu'])} WCU) × "
          f"ParallelizationFactor {relay['parallelization']} = {relay['concurrency']} concurrent relays; capacity "
          f"≈{fmt(relay['capacity'])} messages/s against a peak of {fmt(relay['peak'])}/s "
          f"(x{relay['capacity'] / max(relay['peak'], 1e-9):.1f}); lag max {duration(relay['max_lag'])}, p99 "
          f"{duration(relay['p99_lag'])}; backlog per shard ≤ {relay['backlog_peak']:,}; stream shards written at "
          f"{fmt(relay['per_shard_records'])} records/s of ~{STREAM_SHARD_RECORDS:,} (inserts + the relay's marks); "
          f"SNS {fmt(relay['peak'])}/s of {SNS_PUBLISH:,}/s (us-east-1)")


def sweeps(args) -> None:
    """The same scenes across candidate settings: why the code uses the values it does, and what others would do."""
    members = POPULATION
    print()
    print("=== sweeps behind the code's settings (100 % unless stated; other settings at the code's values) ===")
    print("jobs consumer MaximumConcurrency (renewal fan-out on the 1st, shuffled order):")
    print("  (max conc. (by_coverage_end shards × JOB_FANOUT); the tightest key of the worst of 5 seeds)")
    print(f"  {'max conc.':>9} {'renewals done':>14} {'peak renewals/s':>16} {'tightest key':<52} {'headroom':>9} "
          f"{'members WCU':>12} {'outbox WCU':>11}")
    for shards, fanout, concurrency in ((16, args.job_fanout, 8), (16, args.job_fanout, 16), (16, args.job_fanout, 24),
                                        (16, args.job_fanout, 32), (16, args.job_fanout, 48), (64, 16, 32),
                                        (64, 16, 48), (64, 16, 64)):
        sub = argparse.Namespace(**{**vars(args), "coverage_end_shards": shards})
        rooms = []
        for seed in range(5):  # the worst of 5 seeds: random order makes clusters
            jobs = scene_jobs(members, sub, random.Random(args.seed + seed), concurrency=concurrency, fanout=fanout)
            peak = min(jobs["meter"].peaks(), key=headroom)
            rooms.append((headroom(peak), peak.group, jobs))
        room, group, jobs = min(rooms, key=lambda r: r[0])
        tables = jobs["meter"].table_peaks()
        label = f"{concurrency} ({shards}×{fanout})"
        print(f"  {label:>9} {duration(jobs['renew_done']):>14} {fmt(jobs['peak_renewals']):>16} "
              f"{group:<52} {'x' + fmt(room):>9} {fmt(tables['members'][1]):>12} {fmt(tables['outbox'][1]):>11}")
    for order, label in (("sent", "unshuffled (daily_messages' shard-by-shard order)"),
                         ("interleaved", "unshuffled but range by range")):
        jobs = scene_jobs(members, args, random.Random(args.seed), order=order)
        peak = min(jobs["meter"].peaks(), key=headroom)
        print(f"  {args.job_concurrency}, {label} and delivered in that order: tightest {peak.group} "
              f"x{fmt(headroom(peak))} {verdict(headroom(peak))}")
    print("JOB_FANOUT (member-id ranges per shard) and batch size:")
    for fanout, batch in ((16, 1), (32, 1), (64, 1), (64, 2), (64, 10), (128, 1), (256, 1)):
        jobs = scene_jobs(members, args, random.Random(args.seed), fanout=fanout, batch=batch)
        print(f"  fanout {fanout:>3}, batch {batch:>2}: {jobs['renew_pieces']:>5,} renewal messages, longest "
              f"message {jobs['longest']:>4.0f} s, {jobs['timeouts']:.0f} timed-out invocations, renewals done "
              f"{duration(jobs['renew_done'])}, every step {duration(jobs['finished'])}")
    jobs = scene_jobs(members, args, random.Random(args.seed))
    replay = scene_replay(0, args, random.Random(args.seed))
    print("relay ParallelizationFactor (the 1st's renewals at 100 % | the 1,000/s replay):")
    for parallelization in (1, 2, 3, 4, 6, 10):
        a = scene_relay(jobs["inserts"], args, random.Random(args.seed), parallelization)
        b = scene_relay(replay["replay_inserts"], args, random.Random(args.seed), parallelization)
        print(f"  {parallelization:>2}: {a['shards']} shards, capacity x{a['capacity'] / a['peak']:.1f}, lag max "
              f"{duration(a['max_lag']):>8}, concurrency {a['concurrency']:>3} | {b['shards']} shards, capacity "
              f"x{b['capacity'] / b['peak']:.1f}, lag max {duration(b['max_lag']):>8}, concurrency {b['concurrency']}")
    print(f"counter shards per scope (the {args.replay_rate:g}/s replay; {args.tx_window_ms:g} ms window):")
    for shards in (16, 64, 128, 256, 512):
        sub = argparse.Namespace(**{**vars(args), "counter_shards": shards})
        c = scene_replay(0, sub, random.Random(args.seed))["replay_contention"]
        # GET /v1/operators/stats: all-time + month; /stats/daily (domain/figures.scopes_to_read): all-time + the
        # days + the months after the first day's, 33 scopes for the 31 days up to today, at most 1 + 122 + 13.
        reads = {scopes: scopes * shards for scopes in (2, 33, 136)}
        calls = {scopes: math.ceil(keys / BATCH_KEYS) for scopes, keys in reads.items()}
        print(f"  {shards:>3}: {c.cancelled:5.1%} of attempts cancelled, {c.retried:5.1%} retried, {c.failed:.2%} "
              f"failed all 3; figures read {reads[2]:,} items ({calls[2]} BatchGetItem), daily figures of the last "
              f"31 days {reads[33]:,} ({calls[33]}), at most {reads[136]:,} ({calls[136]})")
    print("free_slots shards per day (the 25 % rush):")
    for shards, page in ((1, 0), (4, 0), (8, 0), (16, 0), (4, -1), (8, -1), (16, -1), (8, 8)):
        rush = scene_rush(POPULATION // 4, args, random.Random(args.seed), shards=shards, page_size=page)
        peak = next(p for p in rush["meter"].peaks() if p.group.startswith("teleconsult.free_slots"))
        if shards == 1:
            sizing = "unsharded, one Query of the listing"
        elif page == 0:
            sizing = "first page as nurses.py sizes it (≤ FREE_PAGE_MAX)"
        elif page < 0:
            sizing = "first page as nurses.py sized it before (2 × share, ≥ 10)"
        else:
            sizing = f"first page of {page}"
        print(f"  {shards:>2}, {sizing}: {rush['page']} slots, {rush['page_rcu']:.2f} RCU a key a listing; busiest key "
              f"{fmt(peak.rcu)} RCU {fmt(peak.wcu)} WCU → x{fmt(headroom(peak))} {verdict(headroom(peak))}; "
              f"a listing is {shards} {'Query' if shards == 1 else 'parallel Queries'}")
    jobs_peak = scene_jobs(members, args, random.Random(args.seed))["peak_renewals"]
    print(f"OPEN shards: the 1st's peak {fmt(jobs_peak)} new references/s over {args.open_shards} "
          f"OPEN#<deadline>#<shard> keys at {wu(SIZE['reference'])} WCU each = {fmt(jobs_peak / args.open_shards)} "
          f"WCU a key (x{PARTITION_WCU * args.open_shards / max(jobs_peak, 1e-9):.1f}); {args.open_shards} keys take "
          f"up to {args.open_shards * PARTITION_WCU:,} references/s, the by_coverage_end keys (2 WCU each) cap "
          f"renewals at {args.coverage_end_shards * PARTITION_WCU // 2:,}/s first")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shares", default="25,50,100", help="percent of the 12 million who join (default 25,50,100)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--sweeps", action="store_true", help="also run the sweeps behind the code's settings")
    # The code's settings (defaults read from app.py, .chalice/config.json, infra/template.json and chalicelib/).
    parser.add_argument("--job-fanout", type=int, default=JOB_FANOUT, help="JOB_FANOUT: member-id ranges per shard")
    parser.add_argument("--job-batch", type=int, default=JOB_BATCH, help="SQS batch size of the jobs consumer")
    parser.add_argument("--job-concurrency", type=int, default=JOB_CONCURRENCY,
                        help="the jobs event source's MaximumConcurrency")
    parser.add_argument("--job-order", choices=("random", "sent", "interleaved"), default="random",
                        help="the order consumers get messages: shuffled by the dispatcher (services/jobs."
                             "dispatch_daily) and handed out by SQS in no set order (random), or, without the "
                             "shuffle, kept as sent: shard by shard (domain/jobs.daily_messages' order) or "
                             "interleaved (range by range)")
    parser.add_argument("--relay-parallelization", type=int, default=RELAY_PARALLELIZATION,
                        help="the outbox stream's ParallelizationFactor")
    parser.add_argument("--free-slot-shards", type=int, default=FREE_SLOT_SHARDS)
    parser.add_argument("--shard-page", type=int, default=0,
                        help="slots in a free_slots shard's first page of a listing (0: as nurses.py sizes it, "
                             "at most FREE_PAGE_MAX; -1: as it did before, twice the shard's share, at least 10)")
    parser.add_argument("--counter-shards", type=int, default=COUNTER_SHARDS, help="stats shards per scope")
    parser.add_argument("--coverage-end-shards", type=int, default=COVERAGE_END_SHARDS,
                        help="by_coverage_end keys per month (store/members.py's COVERAGE_END_SHARDS)")
    parser.add_argument("--open-shards", type=int, default=OPEN_SHARDS, help="`waiting` keys per deadline")
    # Costs and behaviours (assumptions).
    parser.add_argument("--tx-window-ms", type=float, default=10,
                        help="how long a transaction holds an item against another (default 10 ms; an assumption)")
    parser.add_argument("--unmatched", type=float, default=0.03, help="share of payments kept unmatched")
    parser.add_argument("--duplicates", type=float, default=0.5,
                        help="duplicate deliveries per payment (0.5: a third of deliveries are duplicates)")
    parser.add_argument("--spei", type=float, default=0.2, help="share paid by SPEI with the NSS (3 reads, not 1)")
    parser.add_argument("--joining-share", type=float, default=0.03, help="members paying for the first time, of all")
    parser.add_argument("--batch-share", type=float, default=0.25,
                        help="share of payments from a partner that sends each minute's settlements at once")
    parser.add_argument("--batch-every", type=float, default=60)
    parser.add_argument("--batch-spread", type=float, default=5, help="seconds a batch takes to send")
    parser.add_argument("--peak-minutes", type=float, default=10,
                        help="minutes of the busiest hour simulated delivery by delivery")
    parser.add_argument("--partner-share", type=float, default=0.6, help="the failing partner's share (outage scene)")
    parser.add_argument("--outage-minutes", type=float, default=60)
    parser.add_argument("--replay-rate", type=float, default=1000, help="deliveries/s the partner replays at")
    parser.add_argument("--webhook-ms", type=float, default=60, help="webhook Lambda duration (by reference)")
    parser.add_argument("--members-per-nurse", type=int, default=4000)
    parser.add_argument("--slots-per-nurse", type=int, default=SLOTS_PER_ROLL, help="20-minute slots, 08:00-20:00")
    parser.add_argument("--rush-share", type=float, default=0.02, help="members who want that day, of all")
    parser.add_argument("--rush-tau", type=float, default=120, help="seconds: arrivals decay exp(-t/tau)")
    parser.add_argument("--rush-seconds", type=float, default=1800)
    parser.add_argument("--pick-first", type=float, default=0.6, help="who takes the first slot listed")
    parser.add_argument("--popular-share", type=float, default=0.1, help="who insists on one popular nurse")
    parser.add_argument("--max-tries", type=int, default=3)
    parser.add_argument("--list-ms", type=float, default=80)
    parser.add_argument("--book-ms", type=float, default=90)
    parser.add_argument("--record-reads", type=float, default=3, help="record reads per consult")
    parser.add_argument("--record-peak", type=float, default=3, help="busiest hour ÷ mean hour of record reads")
    parser.add_argument("--auto-renew", type=float, default=0.8, help="members with auto-renewal on")
    parser.add_argument("--lapse-share", type=float, default=0.1,
                        help="of members whose coverage ended last month, those who did not pay (lapse on the 1st)")
    parser.add_argument("--job-tx-ms", type=float, default=15, help="one renewal/lapse TransactWriteItems")
    parser.add_argument("--query-mb-s", type=float, default=20, help="Query read speed, MB/s (1 MB page: 50 ms)")
    parser.add_argument("--invoke-ms", type=float, default=20, help="Lambda's overhead per invocation")
    parser.add_argument("--get-ms", type=float, default=8, help="a GetItem or BatchGetItem")
    parser.add_argument("--batch-write-ms", type=float, default=25, help="a BatchWriteItem of 25")
    parser.add_argument("--publish-ms", type=float, default=30, help="an SNS PublishBatch of 10")
    parser.add_argument("--update-ms", type=float, default=8, help="the relay's UpdateItem marking a message sent")
    parser.add_argument("--relay-batch", type=int, default=RELAY_BATCH, help="stream records per relay invocation")
    args = parser.parse_args()
    args.think_s = (2.0, 10.0)
    args.retry_think_s = (1.0, 4.0)
    shares = [float(s) for s in args.shares.split(",")]
    print(f"population {POPULATION:,}; seed {args.seed}; transaction conflict window {args.tx_window_ms:g} ms")
    print(f"settings: JOB_FANOUT {args.job_fanout}, jobs batch size {args.job_batch}, MaximumConcurrency "
          f"{args.job_concurrency}, relay ParallelizationFactor {args.relay_parallelization}, FREE_SLOT_SHARDS "
          f"{args.free_slot_shards} (a shard's first page {shard_page(50, args.free_slot_shards, args.shard_page)} "
          f"slots of a listing of 50), counter shards {args.counter_shards} per scope, OPEN shards {args.open_shards}, "
          f"by_coverage_end shards {args.coverage_end_shards}")
    print(f"limits: {PARTITION_WCU:,} WCU / {PARTITION_RCU:,} RCU per partition per second; items ≤ 400 KB; "
          f"transactions ≤ {TX_MAX_ITEMS} items and 4 MB; tables {TABLE_QUOTA:,} WCU/RCU; Lambda "
          f"{LAMBDA_CONCURRENCY:,} concurrent per Region; API {LAMBDA_TIMEOUT_S} s, jobs {JOB_TIMEOUT_S} s "
          f"(visibility {VISIBILITY_S:,} s); a stream shard ~{STREAM_SHARD_RECORDS:,} records/s written; SNS "
          f"{SNS_PUBLISH:,} messages/s (us-east-1)")
    # The payment transaction at its largest: delivery, payment, reference, profile, outbox message and 5 counter
    # shards (a status change on a payment paid in an earlier month: all-time, today's month and day, the paid
    # month and day; chalicelib/store/stats.py), each ≤ 1 KB but the delivery, which holds a ≤ 64 KiB body.
    tx_items = 10
    largest_tx = tx_items * 1024 + 64 * 1024
    print(f"item and transaction sizes: profile ≈{SIZE['profile']:,} B (x{ITEM_MAX // SIZE['profile']} under "
          f"400 KB; +~10 B per paid month), webhook delivery ≤ 64 KiB (the body cap); the payment transaction has "
          f"≤ {tx_items} items and ≤ {largest_tx // 1024} KB (x{TX_MAX_ITEMS // tx_items} / "
          f"x{TX_MAX_BYTES // largest_tx} under the 100-item / 4 MB limits)")
    summary = []
    for share in shares:
        rng = random.Random(args.seed)
        members = int(POPULATION * share / 100)
        print()
        print(f"=== {share:g}% of {POPULATION:,} = {members:,} members ===")
        pay = scene_payments(members, args, rng)
        print(f"month-start payment window: {fmt(pay['payers'])} payments in days 1–15 "
              f"({paying_fraction():.0%} of members renew this month + {args.joining_share:.0%} first payments); "
              f"{args.duplicates / (1 + args.duplicates):.0%} of deliveries duplicates")
        print(f"  busiest hour: day {pay['day']} {pay['hour']:02d}:00–{pay['hour'] + 1:02d}:00 Mexico City, "
              f"{fmt(pay['expected'])} payments expected ({pay['expected'] / 3600:.1f}/s mean); simulated "
              f"{args.peak_minutes:g} minutes of it, {pay['count']:,} payments: peak second "
              f"{pay['peak_payments']} payments / {pay['peak_deliveries']} deliveries "
              f"(x{pay['peak_payments'] / max(pay['expected'] / 3600, 1e-9):.1f} the hour's mean)")
        print(contention_line("counter shards", pay["contention"], args.counter_shards, args.tx_window_ms))
        found = print_peaks(pay["meter"], "per key at the busiest second of the busiest hour:")
        summary += [(share, "payments (organic peak)", group, room) for group, room in found]
        print(f"partner replay: an outage of {args.outage_minutes:g} min at that hour ({args.partner_share:.0%} of "
              f"payments), backlog {pay['backlog']:,} (at least a minute's) replayed at {args.replay_rate:g}/s in "
              f"{pay['replay_seconds']:.0f} s, its first minute simulated (webhook route limit {WEBHOOK_RPS:,}/s)")
        print(contention_line("counter shards", pay["replay_contention"], args.counter_shards, args.tx_window_ms))
        found = print_peaks(pay["replay_meter"], "per key during the replay:")
        summary += [(share, f"partner replay {args.replay_rate:g}/s", group, room) for group, room in found]
        relay_replay = scene_relay(pay["replay_inserts"], args, rng)
        print_relay(relay_replay, "relay during the replay")

        rush = scene_rush(members, args, rng)
        print(f"booking rush: {rush['nurses']:,} nurses ({args.members_per_nurse:,} members each), "
              f"{rush['slots']:,} slots that day in {rush['shards']} free_slots keys (a listing reads "
              f"{rush['page']} slots of each first, {rush['page_rcu']:.2f} RCU a key); {rush['arrivals']:,} members "
              f"({args.rush_share:.0%}) want it, arriving exp(-t/{args.rush_tau:g} s)")
        print("  outcomes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(rush["outcomes"].items())) +
              f"; {rush['left_free']:,} slots still free; {rush['attempts']:,} booking attempts; busiest slot "
              f"{rush['busiest_slot']} attempts in a second, {rush['slot_conflicts']:.0%} of attempts met another on "
              f"the same slot within {args.tx_window_ms:g} ms; peak {rush['peak_requests']:,} requests/s (stage "
              f"limit {STAGE_RPS:,}/s)")
        found = print_peaks(rush["meter"], "per key at the rush's busiest second:")
        summary += [(share, "booking rush", group, room) for group, room in found]
        consults = rush["slots"]  # every slot of a full day
        per_second = consults * args.record_reads / (12 * 3600) * args.record_peak
        print(f"record reads: {consults:,} consults a day × {args.record_reads:g} reads, x{args.record_peak:g} at the "
              f"busiest hour ≈ {per_second:.1f}/s: KMS Decrypt x{KMS_SYMMETRIC / per_second:,.0f} under "
              f"{KMS_SYMMETRIC:,}/s")

        jobs = scene_jobs(members, args, rng)
        found = print_jobs(jobs, args)
        summary += [(share, "jobs on the 1st", group, room) for group, room in found]
        relay = scene_relay(jobs["inserts"], args, rng)
        print_relay(relay, "relay of the 1st's notifications")
        timing = (f"renewals done {duration(jobs['renew_done'])} after 01:00; relay lag max "
                  f"{duration(relay['max_lag'])} (the 1st), {duration(relay_replay['max_lag'])} (the replay); "
                  f"jobs + relay concurrency {jobs['concurrency'] + relay['concurrency']}")
        summary.append((share, "timings", timing, None))

    print()
    print("=== summary: the tightest key of each scene (headroom = limit ÷ peak; the share where it reaches 1, "
          "scaling linearly) ===")
    best: dict[tuple[float, str], tuple[str, float]] = {}
    timings = {}
    for share, scene, group, room in summary:
        if room is None:
            timings[share] = group
            continue
        if (share, scene) not in best or room < best[(share, scene)][1]:
            best[(share, scene)] = (group, room)
    for share in shares:
        for (s, scene), (group, room) in sorted(best.items(), key=lambda item: item[0][1]):
            if s != share:
                continue
            if scene.startswith("partner replay"):  # its rate is the partner's, whatever the share
                reach = f"at a replay of ~{args.replay_rate * room:,.0f} deliveries/s"
            elif scene.startswith("jobs"):  # its rate is the consumers', whatever the share
                reach = f"set by MaximumConcurrency {args.job_concurrency}, not by the share"
            else:
                reach = f"at ~{share * room:,.0f}% of {POPULATION / 1e6:g} M"
            print(f"  {share:>5g}%  {scene:<24} {group:<56} x{fmt(room):<6} {verdict(room):<10} {reach}")
        print(f"  {share:>5g}%  {timings[share]}")
    if args.sweeps:
        sweeps(args)


if __name__ == "__main__":
    main()
