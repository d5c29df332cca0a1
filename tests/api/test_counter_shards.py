"""The program's counters (store/stats.py): SHARDS shards per scope, sized for a 1,000 deliveries/s replay, and
reads that sum every shard with BatchGetItems of 100 keys run side by side."""

import math
from datetime import date, datetime, timedelta, timezone
from math import ceil

from chalicelib import wiring
from chalicelib.domain.members import MemberStatus
from chalicelib.store import stats
from chalicelib.store.stats import ALL_TIME, SHARDS, CounterShard
from chalicelib.store.transactions import commit
from tests.costs import aws_requests


def test_the_shard_count_keeps_a_1000_per_second_replay_under_a_tenth_in_conflict():
    """The module docstring's arithmetic: month and paid-day scopes (k = 2) at 1,000 transactions a second, each
    shard item ~100 transactions a second (a 10 ms window)."""
    per_item = 1_000 / SHARDS
    assert 1 - math.exp(-2 * per_item * 0.010) < 0.10
    assert per_item < 100 / 10  # each shard item at under a tenth of what one item serialises


def test_reads_sum_every_shard_old_and_new(aws):
    wiring.settings()
    month, day = "2026-12", date(2026, 12, 1)
    shards = [0, 7, 15, 16, 99, 100, SHARDS - 1]  # 00–15 are the keys of the 16-shard days
    for n, shard in enumerate(shards, start=1):
        for scope in (ALL_TIME, month, day.isoformat()):
            CounterShard(f"{scope}#{shard:02d}").update(actions=[CounterShard.payments_applied.add(n),
                                                                 CounterShard.members_active.add(1)])
    with aws_requests() as requests:
        figures = stats.figures(month)
    assert figures.all_time["payments_applied"] == figures.month["payments_applied"] == sum(range(1, 8))
    assert figures.all_time["members_active"] == 7
    assert requests.dynamodb() == {"BatchGetItem": ceil(2 * SHARDS / 100)}

    days = [day - timedelta(days=n) for n in range(6, -1, -1)]  # a week up to the 1st
    with aws_requests() as requests:
        read = stats.daily(days, [month])
    assert read.all_time["payments_applied"] == 28 and read.days[day]["payments_applied"] == 28
    assert read.months[month]["payments_applied"] == 28 and read.months[month]["members_active"] == 7
    assert all(read.days[other] == {} for other in days[:-1])
    assert requests.dynamodb() == {"BatchGetItem": ceil(SHARDS * (1 + len(days) + 1) / 100)}


def test_a_status_change_counts_in_its_day_and_month_merged_with_the_payments_items():
    """`status_moved` counts all-time, today and this month; with a payment's month and day counters, one item per
    scope (add_merged): the month costs no item of its own when the payment is of this month."""
    now = datetime(2026, 12, 10, 12, tzinfo=timezone.utc)
    moved = stats.status_moved(MemberStatus.PENDING_PAYMENT, MemberStatus.ACTIVE, now)
    change = {"members_active": 1, "members_pending_payment": -1}
    assert moved == [(ALL_TIME, change), ("2026-12", change), ("2026-12-10", change)]

    def scopes(paid_at: datetime) -> list[str]:
        writes = stats.add_merged([*moved, *stats.month_and_day(paid_at, {"payments_applied": 1})])
        return sorted(write.label.removeprefix("stats-") for write in writes)

    assert scopes(now) == ["2026-12", "2026-12-10", ALL_TIME]
    assert scopes(now - timedelta(days=3)) == ["2026-12", "2026-12-07", "2026-12-10", ALL_TIME]
    assert scopes(now - timedelta(days=12)) == ["2026-11", "2026-11-28", "2026-12", "2026-12-10", ALL_TIME]


def test_writes_spread_over_the_shards_and_add_up(aws):
    wiring.settings()
    for _ in range(300):
        commit(stats.add_merged([("2026-12", {"payments_received": 1}), ("2026-12", {"received_centavos": 250})]))
    month = {name: value for name, value in stats.figures("2026-12").month.items() if value}
    assert month == {"payments_received": 300, "received_centavos": 75_000}
    used = {item.key for item in CounterShard.batch_get([f"2026-12#{shard:02d}" for shard in range(SHARDS)])}
    assert len(used) > 100  # 300 random picks of 256: ~177 distinct shards
