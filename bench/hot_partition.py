"""Scale on paper: per-partition load of the hottest paths if a share of the ~12 million Mexicans in the US joined,
simulated discretely and compared with DynamoDB's and Lambda's documented limits. Pure Python, no AWS. Prints peak
per-key rates and headroom; asserts nothing (docs/capacity.md reads these figures).

    .venv/bin/python bench/hot_partition.py                     # 1 %, 5 %, 10 %
    .venv/bin/python bench/hot_partition.py --shares 0.1,1,10,25 --seed 7 --tx-window-ms 20

Three scenes, each share in turn:

1. The month-start payment window (days 1–15, Mexico City; paying by the 15th covers next month). Payments arrive
   by a day curve (the 1st, when renewal references go out, and the deadline rush), an hour curve (evenings in US
   time zones) and, for a share of them, a partner that sends each minute's settlements at once. Every payment of
   the busiest hour is simulated: each webhook is 1 GetItem + 1 TransactWriteItems (delivery, payment, reference,
   profile, 1–2 of the 16 counter shards, outbox) plus the index writes those items cause; duplicates read and
   cancel. Then a partner outage whose backlog is replayed at the partner's sending rate.
2. A booking rush: members of a day's demand arrive within minutes (e.g. the 1st, when a month's coverage starts),
   list that Mexico City day (one Query of the unsharded `free_slots` key), most take the first slot listed, the
   losers get a 409 with alternatives (another Query) and try again, the last join the waitlist for that day.
3. The scheduled jobs that the month start leans on (renewals, deadline reminders, the outbox relay), against the
   15-second Lambda timeout they run under.

Capacity units follow DynamoDB's rules: a write is 1 unit per KB, a transactional write 2; a strongly consistent
read 1 unit per 4 KB, eventually consistent (every index Query) half; an index write costs the projected item's
size (every index here projects all attributes), and moving an item to another index key is a delete plus a put.
Failed conditions and cancelled transactions are counted as if they consumed their writes (conservative). Item
sizes are those measured in DynamoDB Local after bench/load.py. One partition key value is served by one partition:
1,000 write units and 3,000 read units per second; a single item also serialises transactions (two transactions
touching it within the window of one are in conflict, and one is cancelled).
"""

import argparse
import heapq
import math
import random
from collections import defaultdict
from dataclasses import dataclass

POPULATION = 12_000_000  # Mexicans living in the US (order of magnitude used by IMSS/SRE communications)

# --- Limits (AWS documentation) -------------------------------------------------------------------------------------
PARTITION_WCU = 1_000  # write units per second per partition (table or index)
PARTITION_RCU = 3_000  # read units per second per partition
TABLE_QUOTA = 40_000  # default per-table on-demand throughput quota, read and write units per second (adjustable)
NEW_TABLE_WCU, NEW_TABLE_RCU = 4_000, 12_000  # a new on-demand table, before it has seen a higher peak
ITEM_MAX = 400 * 1024
TX_MAX_ITEMS, TX_MAX_BYTES = 100, 4 * 1024 * 1024
LAMBDA_CONCURRENCY = 1_000  # default per account per Region (adjustable); new accounts may start lower
LAMBDA_SCALING = 1_000  # new execution environments per function per 10 seconds
LAMBDA_TIMEOUT_S = 15  # .chalice/config.json prod lambda_timeout (the API)
JOB_TIMEOUT_S = 900  # .chalice/config.json prod lambda_functions.daily_jobs.lambda_timeout
RELAY_BUDGET_S = 240  # services.jobs.relay_notifications' default budget per run (under the 5-minute schedule)
KMS_SYMMETRIC = 5_500  # cryptographic operations (symmetric) per second, shared, default in the smallest Regions

# --- Item sizes in bytes (measured in DynamoDB Local after bench/load.py; the profile grows ~10 B per paid month) ----
SIZE = {"profile": 1300, "reference": 610, "payment": 760, "delivery": 610, "counter": 140, "outbox": 340,
        "guard": 90, "slot": 430, "appointment": 960, "patient-guard": 140, "waitday": 330, "consent": 260}


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
    ops: int
    second: int


class Meter:
    """Read/write units and operations per (group, key) per second; groups are the shared keys of one kind."""

    def __init__(self) -> None:
        self.units: dict[str, dict[str, dict[int, list[float]]]] = defaultdict(lambda: defaultdict(dict))
        self.tables: dict[str, dict[int, list[float]]] = defaultdict(dict)
        self.lambda_seconds: dict[int, float] = defaultdict(float)

    def add(self, group: str, key: str, t: float, rcu: float = 0.0, wcu: float = 0.0, table: str | None = None) -> None:
        second = int(t)
        cell = self.units[group][key].setdefault(second, [0.0, 0.0, 0])
        cell[0] += rcu
        cell[1] += wcu
        cell[2] += 1
        if table:
            self.table(table, t, rcu, wcu)

    def table(self, table: str, t: float, rcu: float = 0.0, wcu: float = 0.0) -> None:
        cell = self.tables[table].setdefault(int(t), [0.0, 0.0])
        cell[0] += rcu
        cell[1] += wcu

    def invoke(self, t: float, seconds: float) -> None:
        """A Lambda invocation of `seconds` starting at t: per second, concurrency ≈ sum of busy seconds."""
        self.lambda_seconds[int(t)] += seconds

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


def headroom(peak: Peak) -> float:
    used = max(peak.wcu / PARTITION_WCU, peak.rcu / PARTITION_RCU)
    return 1 / used if used else math.inf


def conflicts(times: dict[str, list[float]], window: float) -> tuple[float, float]:
    """Of transactions touching the same item, the share that had another one within `window` seconds (so one of
    the two is cancelled and retried), and the busiest item's transactions per second."""
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


def poisson(lam: float, rng: random.Random) -> int:
    if lam < 50:
        threshold, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p < threshold:
                return k
            k += 1
    return max(0, round(rng.gauss(lam, math.sqrt(lam))))


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


def meter_payments(events: list[PaymentEvent], meter: Meter, counter_times: dict, args, rng: random.Random,
                   month: str = "2026-12", next_month: str = "2027-01") -> None:
    """Every read, transactional write and index write of each delivery, on the key it lands on."""
    deadline = f"OPEN#{month}-15"
    for e in events:
        # Reads: the reference by code (1 GetItem, consistent); by NSS: guard + profile + reference.
        reads = [("payments", ru(SIZE["reference"]))]
        if e.spei:
            reads += [("members", ru(SIZE["guard"])), ("members", ru(SIZE["profile"]))]
        for table, units in reads:
            meter.table(table, e.t, rcu=units)
        meter.invoke(e.t, args.webhook_ms / 1000 * (1.6 if e.spei else 1.0))
        # The transaction: unique items (delivery, payment, reference, profile, outbox) and a random counter shard.
        shard = f"{month}#{rng.randrange(args.shards):02d}"
        counter_times[shard].append(e.t)
        meter.add("stats · <month>#<shard>", shard, e.t, wcu=2 * wu(SIZE["counter"]), table="stats")
        if e.new_member and not e.unmatched:
            all_shard = f"all#{rng.randrange(args.shards):02d}"
            counter_times[all_shard].append(e.t)
            meter.add("stats · all#<shard>", all_shard, e.t, wcu=2 * wu(SIZE["counter"]), table="stats")
        meter.table("payments", e.t, wcu=2 * (wu(SIZE["delivery"]) + wu(SIZE["payment"])))
        if not e.unknown:
            meter.table("outbox", e.t, wcu=2 * wu(SIZE["outbox"]))
        if not e.unmatched:
            meter.table("payments", e.t, wcu=2 * wu(SIZE["reference"]))
            meter.table("members", e.t, wcu=2 * wu(SIZE["profile"]))
        if e.duplicate:
            continue  # cancelled by the delivery or payment guard: nothing reaches an index
        # Index writes of the committed transaction.
        if not e.unknown:
            meter.add("outbox.pending · PENDING", "PENDING", e.t, wcu=wu(SIZE["outbox"]), table="outbox")
            meter.table("payments", e.t, wcu=wu(SIZE["payment"]))  # by_member, MEMBER#<sub>: spread
        if e.unmatched:
            meter.add("payments.waiting · UNMATCHED", "UNMATCHED", e.t, wcu=wu(SIZE["payment"]), table="payments")
            continue
        code_shard = f"{deadline}#{rng.randrange(16):02d}"
        meter.add("payments.waiting · OPEN#<deadline>#<shard>", code_shard, e.t, wcu=wu(SIZE["reference"]),
                  table="payments")  # the reference leaves the open-references index
        meter.table("payments", e.t, wcu=wu(SIZE["reference"]))  # its by_member entry is rewritten
        coverage_shard = e.member % 16  # crc32(sub) % 16
        meter.add("members.by_coverage_end · <new month>#<shard>", f"{next_month}#{coverage_shard:02d}", e.t,
                  wcu=wu(SIZE["profile"]), table="members")
        if not e.new_member:  # the profile leaves last month's key
            meter.add("members.by_coverage_end · <old month>#<shard>", f"{month}#{coverage_shard:02d}", e.t,
                      wcu=wu(SIZE["profile"]), table="members")


def scene_payments(members: int, args, rng: random.Random) -> dict:
    payers = members * (paying_fraction() + args.joining_share)
    cells = hourly_expectation(payers)
    day, hour, expected = max(cells, key=lambda cell: cell[2])
    count = poisson(expected, rng)
    events = payment_arrivals(count, 3600, args.batch_share, args.batch_every, args.batch_spread, args.duplicates,
                              args, rng)
    meter, counter_times = Meter(), defaultdict(list)
    meter_payments(events, meter, counter_times, args, rng)
    per_second = defaultdict(int)
    for e in events:
        if not e.duplicate:
            per_second[int(e.t)] += 1
    deliveries = defaultdict(int)
    for e in events:
        deliveries[int(e.t)] += 1

    # A partner outage at the peak: its share of `outage` minutes' payments, replayed at its sending rate (one
    # delivery per payment: what it retries is what never got a 2xx).
    backlog = poisson(expected * args.outage_minutes / 60 * args.partner_share, rng)
    replay_seconds = backlog / args.replay_rate
    replay = payment_arrivals(backlog, replay_seconds, 0.0, 1, 1, 0.0, args, rng, start_member=10**9)
    replay_meter, replay_times = Meter(), defaultdict(list)
    meter_payments(replay, replay_meter, replay_times, args, rng)
    return {
        "payers": payers, "day": day, "hour": hour, "expected": expected, "count": count, "meter": meter,
        "peak_payments": max(per_second.values(), default=0), "peak_deliveries": max(deliveries.values(), default=0),
        "conflicts": conflicts(counter_times, args.tx_window_ms / 1000), "backlog": backlog,
        "replay_seconds": replay_seconds, "replay_meter": replay_meter,
        "replay_conflicts": conflicts(replay_times, args.tx_window_ms / 1000),
    }


# --- Scene 2: the booking rush --------------------------------------------------------------------------------------

def scene_rush(members: int, args, rng: random.Random) -> dict:
    """One Mexico City day D, opened to a rush: `rush_share` of members want a consult that day."""
    nurses = max(1, math.ceil(members / args.members_per_nurse))
    # free_slots order: start, then nurse id. Slot i starts (i // nurses) * 20 min after 08:00, nurse i % nurses.
    total = nurses * args.slots_per_nurse
    taken = bytearray(total)
    first_free = 0
    popular_slots = list(range(0, total, nurses))  # nurse 0: the one many ask for by name
    meter = Meter()
    slot_times: dict[str, list[float]] = defaultdict(list)
    page_rcu = ru(50 * SIZE["slot"]) * 0.5  # a page of 50 slots from the index, eventually consistent
    alternatives_rcu = ru(10 * SIZE["slot"]) * 0.5  # the 409's alternatives: a Query with limit 10
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
        while first_free < total and taken[first_free]:
            first_free += 1
        page, i = [], first_free
        while i < total and len(page) < limit:
            if not taken[i]:
                page.append(i)
            i += 1
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
        if slot < 0:  # GET /v1/teleconsult/slots for the day
            meter.add("teleconsult.free_slots · <day>", day_key, t, rcu=page_rcu, table="teleconsult")
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
        meter.add("teleconsult · NURSE#<sub> (her slots)", f"NURSE#{slot % nurses}", t, rcu=ru(SIZE["slot"]),
                  wcu=2 * wu(SIZE["slot"]), table="teleconsult")
        slot_times[f"slot-{slot}"].append(t)
        if not taken[slot]:
            taken[slot] = 1
            outcomes["booked"] += 1
            meter.add("teleconsult.free_slots · <day>", day_key, t, wcu=wu(SIZE["slot"]), table="teleconsult")
            hour = 14 + (slot // nurses) // 3  # UTC hour of the start (08:00 Mexico City = 14:00 UTC)
            meter.add("teleconsult.by_start_hour · <UTC hour>", f"20270101T{hour:02d}", t,
                      wcu=wu(SIZE["appointment"]), table="teleconsult")
            # appointment, 4 patient guards, upcoming count (transactional); by_member/by_nurse_day/by_patient entries
            meter.table("teleconsult", t, wcu=2 * (wu(SIZE["appointment"]) + 4 * wu(SIZE["patient-guard"]) + 1)
                        + 3 * wu(SIZE["appointment"]))
            continue
        # 409 slot-taken: the answer carries alternatives (one more Query of the day).
        meter.add("teleconsult.free_slots · <day>", day_key, t, rcu=alternatives_rcu, table="teleconsult")
        if attempts[member] >= args.max_tries:
            wait(t, "gave up after 409s, joined the waitlist")
            continue
        alternative = pick(free_page(10), member)
        if alternative is None:
            wait(t, "got 409 on a full day, joined the waitlist")
            continue
        sequence += 1
        heapq.heappush(heap, (t + rng.uniform(*args.retry_think_s), member, alternative, sequence))
    share, busiest_slot = conflicts(slot_times, args.tx_window_ms / 1000)
    return {"nurses": nurses, "slots": total, "arrivals": arrivals, "meter": meter, "outcomes": dict(outcomes),
            "slot_conflicts": share, "busiest_slot": busiest_slot,
            "attempts": sum(attempts.values()), "left_free": total - sum(taken)}


# --- Scene 3: the scheduled jobs ------------------------------------------------------------------------------------

def scene_jobs(members: int, args) -> dict:
    renewals = members * paying_fraction() * args.auto_renew  # coverage ends this month, auto-renewal on
    profiles_read = members * paying_fraction()  # every profile whose coverage ends this month is loaded
    read_s = profiles_read * SIZE["profile"] / (args.query_mb_s * 1024 * 1024)
    per_run = max(0, int((JOB_TIMEOUT_S - read_s) * 1000 / args.job_tx_ms))
    # Notifications of the window: one per reference issued, per payment, per deadline reminder (unpaid on the 12th).
    payments = members * (paying_fraction() + args.joining_share)
    reminders = renewals * (1 - sum(DAY_WEIGHTS[:12]))
    # Pages until nothing is pending or RELAY_BUDGET_S is spent: every 5 minutes, and after the consult reminders
    # every 15 minutes.
    relay_per_hour = int((12 + 4) * RELAY_BUDGET_S * 1000 / args.relay_ms)
    relay_run_s = RELAY_BUDGET_S
    # Up to how many members each keeps up: renewals all issued by the 1st's run / within the 15 runs of the window
    # (every run reads all the month's profiles again), the 1st's messages sent within an hour.
    a = paying_fraction() * args.auto_renew
    b = paying_fraction() * SIZE["profile"] / (args.query_mb_s * 1024 * 1024)
    per_tx = args.job_tx_ms / 1000

    def renewals_fit(runs: int) -> float:
        return runs * JOB_TIMEOUT_S / (a * per_tx + runs * b)

    day1_per_member = a + (paying_fraction() + args.joining_share) * DAY_WEIGHTS[0]
    return {"renewals": renewals, "profiles_read": profiles_read, "read_s": read_s, "per_run": per_run,
            "notifications": renewals + payments + reminders, "day1_notifications": renewals + payments * DAY_WEIGHTS[0],
            "relay_per_hour": relay_per_hour, "relay_run_s": relay_run_s, "reminders": reminders,
            "fit_one_run": renewals_fit(1), "fit_window": renewals_fit(15),
            "relay_fit": relay_per_hour / day1_per_member}


# --- Report ---------------------------------------------------------------------------------------------------------

def fmt(n: float) -> str:
    return f"{n:,.0f}" if n >= 100 else f"{n:,.1f}"


def print_peaks(meter: Meter, title: str) -> list[tuple[str, float]]:
    print(f"  {title}")
    print(f"    {'key (table · index · key)':<50} {'keys':>5} {'peak ops/s':>10} {'WCU/s':>8} {'RCU/s':>8} {'headroom':>9}")
    found = []
    for peak in sorted(meter.peaks(), key=headroom):
        room = headroom(peak)
        print(f"    {peak.group:<50} {peak.keys:>5} {peak.ops:>10,} {fmt(peak.wcu):>8} {fmt(peak.rcu):>8} "
              f"{'x' + fmt(room) if room != math.inf else '-':>9}")
        found.append((peak.group, room))
    tables = meter.table_peaks()
    print("    tables, whole (peak second): " + "; ".join(
        f"{t} {fmt(w)} WCU {fmt(r)} RCU" for t, (r, w) in sorted(tables.items())) +
        f"  (quota {TABLE_QUOTA:,} each; a new on-demand table starts at {NEW_TABLE_WCU:,} WCU / {NEW_TABLE_RCU:,} RCU)")
    concurrency = meter.concurrency_peak()
    print(f"    Lambda concurrency of these requests at the peak second ≈ {fmt(concurrency)} of {LAMBDA_CONCURRENCY:,} "
          f"(headroom x{fmt(LAMBDA_CONCURRENCY / concurrency) if concurrency else '-'})")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shares", default="1,5,10", help="percent of the 12 million who join (default 1,5,10)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--shards", type=int, default=16, help="counter shards (chalicelib/store/stats.py: 16)")
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
    parser.add_argument("--partner-share", type=float, default=0.6, help="the failing partner's share (outage scene)")
    parser.add_argument("--outage-minutes", type=float, default=60)
    parser.add_argument("--replay-rate", type=float, default=300, help="deliveries/s the partner replays at")
    parser.add_argument("--webhook-ms", type=float, default=60, help="webhook Lambda duration (by reference)")
    parser.add_argument("--members-per-nurse", type=int, default=4000)
    parser.add_argument("--slots-per-nurse", type=int, default=36, help="a day of 20-minute slots, 08:00-20:00")
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
    parser.add_argument("--job-tx-ms", type=float, default=20, help="one renewal transaction, sequential")
    parser.add_argument("--query-mb-s", type=float, default=20, help="sequential Query read speed, MB/s")
    parser.add_argument("--relay-batch", type=int, default=500, help="messages per relay run (relay_notifications' page)")
    parser.add_argument("--relay-ms", type=float, default=25, help="one SNS Publish + UpdateItem")
    args = parser.parse_args()
    args.think_s = (2.0, 10.0)
    args.retry_think_s = (1.0, 4.0)
    shares = [float(s) for s in args.shares.split(",")]
    print(f"population {POPULATION:,}; seed {args.seed}; counter shards {args.shards}; transaction conflict window "
          f"{args.tx_window_ms:g} ms")
    print(f"limits: {PARTITION_WCU:,} WCU / {PARTITION_RCU:,} RCU per partition per second; items ≤ 400 KB; "
          f"transactions ≤ {TX_MAX_ITEMS} items and 4 MB; Lambda {LAMBDA_CONCURRENCY:,} concurrent per Region, "
          f"+{LAMBDA_SCALING:,} per function per 10 s; functions time out at {LAMBDA_TIMEOUT_S} s")
    largest_tx = 8 * 1024 + 64 * 1024  # the payment transaction's items, the delivery holding a ≤64 KiB body
    print(f"item and transaction sizes: profile ≈{SIZE['profile']:,} B (x{ITEM_MAX // SIZE['profile']} under "
          f"400 KB; +~10 B per paid month), webhook delivery ≤ 64 KiB (the body cap); the payment transaction has "
          f"≤ 8 items and ≤ {largest_tx // 1024} KB (x{TX_MAX_ITEMS // 8} / x{TX_MAX_BYTES // largest_tx} under the "
          f"100-item / 4 MB limits)")
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
              f"{pay['count']:,}: peak second {pay['peak_payments']} payments / {pay['peak_deliveries']} deliveries "
              f"(x{pay['peak_payments'] / max(pay['expected'] / 3600, 1e-9):.1f} the hour's mean)")
        share_conflict, busiest = pay["conflicts"]
        print(f"  counter shards: busiest shard {busiest} transactions in a second; {share_conflict:.1%} of "
              f"transactions met another on their shard within {args.tx_window_ms:g} ms (retried up to 3 times)")
        found = print_peaks(pay["meter"], "per key at the busiest second of the busiest hour:")
        summary += [(share, "payments (organic peak)", group, room) for group, room in found]
        print(f"  partner outage of {args.outage_minutes:g} min at that hour ({args.partner_share:.0%} of payments): "
              f"backlog {pay['backlog']:,} replayed at {args.replay_rate:g}/s in {pay['replay_seconds']:.0f} s")
        share_conflict, busiest = pay["replay_conflicts"]
        print(f"  counter shards during the replay: busiest {busiest}/s; {share_conflict:.1%} of transactions in "
              f"conflict on their shard")
        found = print_peaks(pay["replay_meter"], "per key during the replay:")
        summary += [(share, "payments (partner replay)", group, room) for group, room in found]

        rush = scene_rush(members, args, rng)
        print(f"booking rush: {rush['nurses']:,} nurses ({args.members_per_nurse:,} members each), "
              f"{rush['slots']:,} slots that day; {rush['arrivals']:,} members ({args.rush_share:.0%}) want it, "
              f"arriving exp(-t/{args.rush_tau:g} s)")
        print("  outcomes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(rush["outcomes"].items())) +
              f"; {rush['left_free']:,} slots still free; {rush['attempts']:,} booking attempts; busiest slot "
              f"{rush['busiest_slot']} attempts in a second, {rush['slot_conflicts']:.0%} of attempts met another on "
              f"the same slot within {args.tx_window_ms:g} ms")
        found = print_peaks(rush["meter"], "per key at the rush's busiest second:")
        summary += [(share, "booking rush", group, room) for group, room in found]
        # Record reads: each consult's record is read by its nurse before and by the member after (about 3 reads,
        # each a KMS Decrypt, an audit PutItem on AUDIT#<CURP> and its by_actor entry ACTOR#<reader>).
        consults = rush["slots"]  # every slot of a full day
        per_second = consults * args.record_reads / (12 * 3600) * args.record_peak
        print(f"record reads: {consults:,} consults a day × {args.record_reads:g} reads, x{args.record_peak:g} at the "
              f"busiest hour ≈ {per_second:.1f}/s: KMS Decrypt x{KMS_SYMMETRIC / per_second:,.0f} under "
              f"{KMS_SYMMETRIC:,}/s; a nurse's ACTOR#<sub> key ≈ {args.slots_per_nurse * args.record_reads / 12:.0f} "
              f"audit writes an hour")

        jobs = scene_jobs(members, args)
        print(f"scheduled jobs (daily run {JOB_TIMEOUT_S} s timeout, profiles streamed shard by shard):")
        print(f"  renewals on the 1st: {fmt(jobs['renewals'])} references to issue; the run first loads "
              f"{fmt(jobs['profiles_read'])} profiles (~{jobs['read_s']:.0f} s at {args.query_mb_s:g} MB/s), then one "
              f"transaction at a time ({args.job_tx_ms:g} ms): ≈{jobs['per_run']:,} per run"
              + (f" → {jobs['renewals'] / jobs['per_run']:,.0f} daily runs needed; the window has 15"
                 if jobs["per_run"] else " → none: it times out while reading"))
        print(f"  deadline reminders on the 12th: {fmt(jobs['reminders'])} PutItems one at a time (same limit)")
        print(f"  outbox relay: pages of {args.relay_batch} for up to {RELAY_BUDGET_S} s per run, 16 runs/h "
              f"({args.relay_ms:g} ms a message) = {jobs['relay_per_hour']:,}/h; the window queues {fmt(jobs['notifications'])} "
              f"messages, the 1st alone {fmt(jobs['day1_notifications'])} → "
              f"{jobs['day1_notifications'] / jobs['relay_per_hour']:,.1f} h to send the 1st's")
        print(f"  these jobs keep up to about: renewals all on the 1st {fmt(jobs['fit_one_run'])} members "
              f"({jobs['fit_one_run'] / POPULATION:.3%}), within the 15 days {fmt(jobs['fit_window'])} "
              f"({jobs['fit_window'] / POPULATION:.2%}); the 1st's messages relayed within an hour "
              f"{fmt(jobs['relay_fit'])} ({jobs['relay_fit'] / POPULATION:.2%})")

    print()
    print("=== summary: the tightest key of each scene (headroom = limit ÷ peak; the share where it reaches 1, "
          "scaling linearly) ===")
    best: dict[tuple[float, str], tuple[str, float]] = {}
    for share, scene, group, room in summary:
        if (share, scene) not in best or room < best[(share, scene)][1]:
            best[(share, scene)] = (group, room)
    for (share, scene), (group, room) in sorted(best.items(), key=lambda item: (item[0][1], item[0][0])):
        if scene == "payments (partner replay)":  # its rate is the partner's, whatever the share
            reach = f"at a replay of ~{args.replay_rate * room:,.0f} deliveries/s"
        else:
            reach = f"at ~{share * room:,.0f}% of {POPULATION / 1e6:g} M"
        print(f"  {share:>5g}%  {scene:<27} {group:<50} x{fmt(room):<8} {reach}")


if __name__ == "__main__":
    main()
