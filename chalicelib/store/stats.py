"""Program figures kept as sharded counters, updated inside the same transactions as the facts they count.

| item                 | key (table `stats`)      |
|----------------------|--------------------------|
| all-time counters    | all#<shard 00-15>        |
| one month's counters | <YYYY-MM>#<shard 00-15>  |

Each write adds to one shard picked at random, so the month-start burst of payments spreads over 16 items instead of
serialising on one (DynamoDB cancels transactions that touch an item another transaction is writing). Reading sums
all shards: one BatchGetItem of 32 keys.
"""

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

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
