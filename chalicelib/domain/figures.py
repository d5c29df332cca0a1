"""Daily program figures: the members by status at the end of each day, derived from the day and month counters.

A day's `members_<status>` counters (store/stats.py) are net deltas: +1 for each member who entered the status that
day, −1 for each who left it; a month's `members_<status>` are the same deltas summed over the month (every status
change counts in both its day and its month). The all-time totals are the state now, so the state at the end of day d
is the totals minus every delta after d, taken as the deltas of the later days of d's month plus those of every later
month up to this one: a read needs the range's days, the rest of its last month's days and the months after its first
one, not every day up to today. Exact from the deploy that began counting status deltas per month; an earlier day
shows the state as it stood when counting began (the deltas in between were never kept), and no payments or
consults (pre-production: nothing was migrated).
"""

from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta

from chalicelib.domain.coverage import month_of

DAILY_MAX_DAYS = 92  # one range request: at most 92 days (about a quarter)
DAILY_LOOKBACK_DAYS = 366  # `from` at most this many days before today: the months since `from` are read


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def months_after(first: date, last: date) -> list[str]:
    """The months after `first`'s, through `last`'s (none when `last` is in `first`'s month or before), as YYYY-MM."""
    months, day = [], _month_end(first) + timedelta(days=1)
    while day <= last:
        months.append(month_of(day))
        day = _month_end(day) + timedelta(days=1)
    return months


def scopes_to_read(first: date, last: date, today: date) -> tuple[list[date], list[str]]:
    """What `members_at_end_of_days` needs for the days `first`..`last`, today being `today`: the day scopes from
    `first` through the later of `last` and the end of `last`'s month (today when that is earlier), and the month
    scopes after `first`'s through today's. At most 92 + 30 days and 13 months (`first` up to 366 days back)."""
    days = days_between(first, max(last, min(_month_end(last), today)))
    return days, months_after(first, today)


def members_at_end_of_days(totals: Mapping[str, int], day_deltas: Mapping[date, Mapping[str, int]],
                           month_deltas: Mapping[str, Mapping[str, int]], days: list[date],
                           statuses: list[str]) -> dict[date, dict[str, int]]:
    """For each of `days`, the members by status (`statuses`, without the `members_` prefix) at the end of that day:
    `totals` (all-time, now) minus the net deltas of the later days of its month in `day_deltas` and of the later
    months in `month_deltas`. `day_deltas` must hold every day from the first of `days` to the end of the last one's
    month (or today) and `month_deltas` every month after the first day's up to this one: `scopes_to_read`."""
    names = [f"members_{status}" for status in statuses]

    def members(deltas: Mapping[str, int]) -> Counter:
        return Counter({name: deltas.get(name, 0) for name in names})

    later_months: dict[str, Counter] = {}  # month -> the deltas of every month after it that was read
    running = Counter()
    for month in sorted({*month_deltas, *(month_of(day) for day in days)}, reverse=True):
        later_months[month] = Counter(running)
        running.update(members(month_deltas.get(month, {})))
    ends: dict[date, dict[str, int]] = {}
    wanted = set(days)
    later_in_month, month = Counter(), None  # the deltas of the days after the one being derived, in its month
    for day in sorted(day_deltas, reverse=True):
        if month_of(day) != month:
            later_in_month, month = Counter(), month_of(day)
        if day in wanted:
            ends[day] = {status: totals.get(name, 0) - later_in_month[name] - later_months[month][name]
                         for status, name in zip(statuses, names)}
        later_in_month.update(members(day_deltas[day]))
    return {day: ends[day] for day in days}
