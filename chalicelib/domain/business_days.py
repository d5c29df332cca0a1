"""Business days on Mexico's calendars: Monday to Friday, less the year's rest days.

Two calendars, because two laws count differently:

- `LABOUR`: the obligatory rest days of the Ley Federal del Trabajo, art. 74 (1 January; first Monday of February;
  third Monday of March; 1 May; 16 September; 1 October each sixth year from 2024, the presidential inauguration;
  third Monday of November; 25 December). Legal deadlines we owe (an ARCO answer's 20 business days) count on it:
  it has the fewest holidays, so the deadline is never later than the strictest reading.
- `BANKING`: the days the CNBV's calendar closes banks, on which Banco de México publishes no FIX rate: the labour
  rest days plus Holy Thursday, Good Friday, 2 November and 12 December.
"""

from datetime import date, timedelta
from enum import Enum
from functools import cache


class Calendar(Enum):
    LABOUR = "labour"
    BANKING = "banking"


def _nth_monday(year: int, month: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7 + 7 * (nth - 1))


def _easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's own names)
    m = (a + 11 * h + 19 * l) // 433
    month = (h + l - 7 * m + 90) // 25
    return date(year, month, (h + l - 7 * m + 33 * month + 19) % 32)


@cache
def holidays(year: int, calendar: Calendar) -> frozenset[date]:
    days = {date(year, 1, 1), _nth_monday(year, 2, 1), _nth_monday(year, 3, 3), date(year, 5, 1), date(year, 9, 16),
            _nth_monday(year, 11, 3), date(year, 12, 25)}
    if (year - 2024) % 6 == 0:
        days.add(date(year, 10, 1))
    if calendar is Calendar.BANKING:
        easter = _easter(year)
        days |= {easter - timedelta(days=3), easter - timedelta(days=2), date(year, 11, 2), date(year, 12, 12)}
    return frozenset(days)


def is_business_day(day: date, calendar: Calendar) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year, calendar)


def add_business_days(day: date, count: int, calendar: Calendar) -> date:
    """The `count`-th business day after `day` (`day` itself does not count, as a legal term starts the next day)."""
    while count > 0:
        day += timedelta(days=1)
        count -= is_business_day(day, calendar)
    return day


def business_days_between(earlier: date, later: date, calendar: Calendar) -> int:
    """Business days after `earlier` up to and including `later` (0 when `later` is not after `earlier`)."""
    count, day = 0, earlier
    while day < later:
        day += timedelta(days=1)
        count += is_business_day(day, calendar)
    return count
