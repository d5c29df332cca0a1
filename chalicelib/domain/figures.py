"""Daily program figures: the members by status at the end of each day, derived from the day counters.

A day's `members_<status>` counters (store/stats.py) are net deltas: +1 for each member who entered the status that
day, −1 for each who left it. The all-time totals are the state now, so the state at the end of day d is the totals
minus the deltas of every day after d (up to today). Exact from the day per-day counting began; a day before it
shows the state as it stood when counting began (the deltas in between were never kept), and no payments or
consults.
"""

from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta

DAILY_MAX_DAYS = 92  # one range request: at most 92 days (about a quarter)
DAILY_LOOKBACK_DAYS = 366  # `from` at most this many days before today: the derivation reads every day since `from`


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def members_at_end_of_days(totals: Mapping[str, int], deltas: Mapping[date, Mapping[str, int]],
                           days: list[date], statuses: list[str]) -> dict[date, dict[str, int]]:
    """For each of `days`, the members by status (`statuses`, without the `members_` prefix) at the end of that day:
    `totals` (all-time, now) minus the net deltas of every later day in `deltas`, which must hold every day from
    the first of `days` up to today."""
    later = Counter()  # the deltas of the days after the one being derived
    ends: dict[date, dict[str, int]] = {}
    wanted = set(days)
    for day in sorted(deltas, reverse=True):
        if day in wanted:
            ends[day] = {status: totals.get(f"members_{status}", 0) - later[f"members_{status}"]
                         for status in statuses}
        later.update({name: value for name, value in deltas[day].items() if name.startswith("members_")})
    return {day: ends[day] for day in days}
