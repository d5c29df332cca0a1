"""Program figures kept as sharded counters, updated inside the same transactions as the facts they count.

| item                 | key (table `stats`)      |
|----------------------|--------------------------|
| all-time counters    | all#<shard 00-15>        |
| one month's counters | <YYYY-MM>#<shard 00-15>  |
| one day's counters   | <YYYY-MM-DD>#<shard 00-15> |

Each write adds to one shard picked at random, so the month-start burst of payments spreads over 16 items instead of
serialising on one (DynamoDB cancels transactions that touch an item another transaction is writing). Reading sums
all shards: one BatchGetItem of 32 keys for the all-time and month figures; for a range of days, one BatchGetItem
per 100 keys (16 per day, 16 all-time).

Days and months are Mexico City's calendar. A day's `members_<status>` are net deltas (+1 into, −1 out of the
status, on the day the status changed), so the members by status at the end of a day are the all-time totals minus
the deltas of every later day (domain/figures.py). Payments count on the day (and month) they were paid, status
changes on the day they happen, consults booked on the day of the booking, attended and no-shows on the consult's
day.
"""

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.coverage import this_month
from chalicelib.domain.members import MemberStatus
from chalicelib.store.transactions import Write

SHARDS = 16
ALL_TIME = "all"


class CounterShard(Model):
    class Meta:
        table_name = "unbound"  # set from Settings by store.tables.bind()

    key = UnicodeAttribute(hash_key=True)
    # all-time
    members_pending_payment = NumberAttribute(null=True)
    members_active = NumberAttribute(null=True)
    members_lapsed = NumberAttribute(null=True)
    members_cancelled = NumberAttribute(null=True)
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
    """A member's status change, all-time and as today's net delta, as (scope, deltas) for `add_merged`."""
    change = status_change(before, after)
    return [(ALL_TIME, change), (day_of(now), change)]


def _key(scope: str, shard: int) -> str:
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


def figures(month: str) -> Figures:
    """Sum every shard of the all-time and `month` scopes: one BatchGetItem."""
    keys = [_key(scope, shard) for scope in (ALL_TIME, month) for shard in range(SHARDS)]
    totals = {ALL_TIME: Counter(), month: Counter()}
    for item in CounterShard.batch_get(keys):
        scope = item.key.split("#")[0]
        for name in CounterShard.names():
            totals[scope][name] += int(getattr(item, name) or 0)
    return Figures(dict(totals[ALL_TIME]), dict(totals[month]))


def daily(days: list[date]) -> tuple[dict[str, int], dict[date, dict[str, int]]]:
    """The all-time totals and each of `days`' counters, summed over their shards: one BatchGetItem per 100 keys
    (PynamoDB pages the keys), 16 × (days + 1) keys."""
    scopes = [ALL_TIME, *(day.isoformat() for day in days)]
    totals: dict[str, Counter] = {scope: Counter() for scope in scopes}
    keys = [_key(scope, shard) for scope in scopes for shard in range(SHARDS)]
    for item in CounterShard.batch_get(keys):
        scope = item.key.split("#")[0]
        for name in CounterShard.names():
            totals[scope][name] += int(getattr(item, name) or 0)
    return dict(totals[ALL_TIME]), {day: dict(totals[day.isoformat()]) for day in days}
