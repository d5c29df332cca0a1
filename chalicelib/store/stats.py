"""Program figures kept as sharded counters, updated inside the same transactions as the facts they count.

| item                 | key (table `stats`)         |
|----------------------|-----------------------------|
| all-time counters    | all#<shard 00-255>          |
| one month's counters | <YYYY-MM>#<shard 00-255>    |
| one day's counters   | <YYYY-MM-DD>#<shard 00-255> |

Each write adds to one shard of its scope picked at random, so a burst of payments spreads over SHARDS items instead of
serialising on one: DynamoDB cancels a transaction that touches an item another transaction is writing (and the
service retries it, up to three times). How many shards, from the partner replay at 1,000 deliveries/s:

- every payment's transaction adds to its month's and its paid day's counters (a replayed backlog shares the paid
  day): 2 hot scopes per transaction (3–4 when the member's status changes: all-time and today too, and this
  month, merged with the paid day's and month's items when the same; 5 when a payment of an earlier month does it);
- with shards picked at random, each shard item of a hot scope takes 1,000 / SHARDS transactions a second;
- one item takes ~100 transactions a second (a ~10 ms conflict window), so a transaction meets another on one of its
  k items with probability ≈ 1 − e^(−k × 1,000/SHARDS × 0.010), about k × 10 / SHARDS;
- 16 shards: 62.5/s per item, 71 % of the replay's transactions conflict (31 % at 300/s: issue 17's figure);
  64: 15.6/s, 27 %; 128: 7.8/s, 14.5 %; 256: 3.9/s per item, 7.5 % (k = 3: 11 %) — under the ~10 % target.

So SHARDS = 256 (one constant; bench/hot_partition.py's `--counter-shards` simulates others). Reading sums every shard with
BatchGetItem, 100 keys per call, the calls of one read side by side (READERS threads): the all-time and month figures
are 512 keys, 6 calls at once; the daily figures read SHARDS × (1 + days + months) keys, the scopes of
domain/figures.py's `scopes_to_read`, ⌈SHARDS × (1 + days + months) / 100⌉ calls, READERS at a time (a week up to
today: 21 calls, 24 when it began last month; the most, 1 + 122 days + 13 months = 136 scopes: 349 calls, ~17,400
read units, where reading every day up to today took 368 scopes, 943 calls, ~47,100 units). Eventually consistent
reads: a key costs half a read unit, present or not.

Days and months are Mexico City's calendar. A day's `members_<status>` are net deltas (+1 into, −1 out of the
status, on the day the status changed), and a month's are the same deltas over the month (`status_moved` counts a
change in both), so the members by status at the end of a day are the all-time totals minus the deltas of the later
days of its month and of every later month (domain/figures.py). Month status deltas began with this layout
(pre-production: no migration; counters kept before it are not rewritten, so a day before it is derived from
incomplete months). Payments count on the day (and month) they were paid, status changes on the day (and month) they
happen, consults booked on the day of the booking, attended and no-shows on the consult's day.
"""

import contextvars
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.coverage import this_month
from chalicelib.domain.members import MemberStatus
from chalicelib.store.transactions import Write

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

SHARDS = 256
ALL_TIME = "all"
BATCH_KEYS = 100  # BatchGetItem's most keys per call
READERS = 8  # BatchGetItem calls of one read at a time (under botocore's 10 pooled connections per client)


class CounterShard(Model):
    class Meta:
        table_name = "unbound"  # set from Settings by store.tables.bind()

    key = UnicodeAttribute(hash_key=True)
    # all-time (the state now); per day and per month, the net deltas of the status changes made in it
    members_pending_payment = NumberAttribute(null=True)
    members_active = NumberAttribute(null=True)
    members_lapsed = NumberAttribute(null=True)
    members_cancelled = NumberAttribute(null=True)
    members_closing = NumberAttribute(null=True)
    members_closed = NumberAttribute(null=True)
    beneficiaries = NumberAttribute(null=True)
    # per month (Mexico City calendar of the payment)
    payments_received = NumberAttribute(null=True)
    received_centavos = NumberAttribute(null=True)
    payments_applied = NumberAttribute(null=True)
    applied_centavos = NumberAttribute(null=True)
    payments_unmatched = NumberAttribute(null=True)
    unmatched_centavos = NumberAttribute(null=True)
    payments_reversed = NumberAttribute(null=True)
    reversed_centavos = NumberAttribute(null=True)
    # per day (Mexico City calendar): consults booked (the booking's day), attended and no-shows (the consult's day)
    consults_booked = NumberAttribute(null=True)
    consults_attended = NumberAttribute(null=True)
    consults_noshow = NumberAttribute(null=True)

    @classmethod
    def names(cls) -> list[str]:
        return [name for name, attribute in cls.get_attributes().items() if isinstance(attribute, NumberAttribute)]


def centavos(amount: Decimal) -> int:
    return int(amount * 100)


def status_counter(status: MemberStatus) -> str:
    return f"members_{status.value}"


def status_change(before: MemberStatus | None, after: MemberStatus) -> dict[str, int]:
    if before == after:
        return {}
    return {status_counter(after): 1, **({status_counter(before): -1} if before else {})}


def day_of(moment: datetime) -> str:
    """The day scope of `moment`: its Mexico City date, YYYY-MM-DD."""
    return mexico_city_today(moment).isoformat()


def month_and_day(moment: datetime, deltas: Mapping[str, int]) -> list[tuple[str, Mapping[str, int]]]:
    """`deltas` for `moment`'s Mexico City month and day, as (scope, deltas) for `add_merged`."""
    return [(this_month(moment), deltas), (day_of(moment), deltas)]


def status_moved(before: MemberStatus | None, after: MemberStatus,
                 now: datetime) -> list[tuple[str, Mapping[str, int]]]:
    """A member's status change, all-time and as the net delta of `now`'s Mexico City day and month (the month's lets
    the daily figures subtract a whole month at once), as (scope, deltas) for `add_merged`: merged with a payment's
    month and day counters when they share the scope, so the month costs no transaction item of its own then."""
    change = status_change(before, after)
    return [(ALL_TIME, change), *month_and_day(now, change)]


def _key(scope: str, shard: int) -> str:
    """`<scope>#<shard>`, two digits at least: shards 00–15 keep the keys they had when there were 16, so what was
    counted then is among the shards every read sums."""
    return f"{scope}#{shard:02d}"


def add_merged(changes: Iterable[tuple[str, Mapping[str, int]]]) -> list[Write]:
    """`add` for several (scope, deltas) of one transaction, merged per scope first: two items for one scope could pick
    the same shard, and DynamoDB refuses two operations on one item in a transaction."""
    merged: dict[str, Counter] = {}
    for scope, deltas in changes:
        merged.setdefault(scope, Counter()).update(deltas)
    return [write for scope, deltas in merged.items() for write in add(scope, deltas)]


def add(scope: str, deltas: Mapping[str, int]) -> list[Write]:
    """The transaction item that adds `deltas` to one random shard of `scope` (no item when nothing changes). One per
    scope and transaction: several changes to one scope go through `add_merged`."""
    deltas = {name: delta for name, delta in deltas.items() if delta}
    if not deltas:
        return []
    shard = CounterShard(_key(scope, random.randrange(SHARDS)))
    actions = [getattr(CounterShard, name).add(delta) for name, delta in deltas.items()]
    return [Write(f"stats-{scope}", "update", lambda tx: tx.update(shard, actions=actions))]


@dataclass(frozen=True)
class Figures:
    all_time: dict[str, int]
    month: dict[str, int]


_batch_readers: "ThreadPoolExecutor | None" = None


def _readers() -> "ThreadPoolExecutor":
    """The threads one read's BatchGetItem calls run on, made once per container (botocore clients are thread-safe;
    PynamoDB gives each thread its own session)."""
    global _batch_readers
    if _batch_readers is None:
        from concurrent.futures import ThreadPoolExecutor  # on the first read, not at import (cold start)

        _batch_readers = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="stats")
    return _batch_readers


def _get(keys: list[str]) -> list[CounterShard]:
    """One BatchGetItem of at most 100 keys (PynamoDB asks again for any the table left unprocessed)."""
    return list(CounterShard.batch_get(keys))


def _sums(scopes: list[str]) -> dict[str, Counter]:
    """Every counter of each scope, summed over its SHARDS shards: ⌈SHARDS × scopes / 100⌉ BatchGetItems, side by
    side (one call in this thread when one suffices)."""
    keys = [_key(scope, shard) for scope in scopes for shard in range(SHARDS)]
    calls = [keys[at:at + BATCH_KEYS] for at in range(0, len(keys), BATCH_KEYS)]
    if len(calls) == 1:
        pages = [_get(calls[0])]
    else:
        pages = list(_readers().map(lambda chunk: contextvars.copy_context().run(_get, chunk), calls))
    totals: dict[str, Counter] = {scope: Counter() for scope in scopes}
    for page in pages:
        for item in page:
            scope = item.key.rpartition("#")[0]
            for name in CounterShard.names():
                totals[scope][name] += int(getattr(item, name) or 0)
    return totals


def figures(month: str) -> Figures:
    """Sum every shard of the all-time and `month` scopes: 2 × SHARDS keys, ⌈2 × SHARDS / 100⌉ BatchGetItems at once."""
    totals = _sums([ALL_TIME, month])
    return Figures(dict(totals[ALL_TIME]), dict(totals[month]))


@dataclass(frozen=True)
class Daily:
    all_time: dict[str, int]
    days: dict[date, dict[str, int]]
    months: dict[str, dict[str, int]]


def daily(days: list[date], months: list[str]) -> Daily:
    """The all-time totals and each of `days`' and `months`' (YYYY-MM) counters, summed over their shards:
    SHARDS × (1 + days + months) keys, ⌈SHARDS × (1 + days + months) / 100⌉ BatchGetItems, READERS at a time."""
    totals = _sums([ALL_TIME, *(day.isoformat() for day in days), *months])
    return Daily(dict(totals[ALL_TIME]), {day: dict(totals[day.isoformat()]) for day in days},
                 {month: dict(totals[month]) for month in months})
