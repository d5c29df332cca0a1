"""Slots cut from weekly Mexico City windows: programme hours, steps, days off, DST-proof instants, guards."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.scheduling import Availability, buckets, parse_slot_id, slot_id, slots_between

WEEKDAYS = Availability(windows=[{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(5)])


def test_a_weekday_gives_36_twenty_minute_slots_and_weekends_none():
    monday = date(2026, 11, 23)
    assert len(slots_between(WEEKDAYS, monday, monday)) == 36
    assert slots_between(WEEKDAYS, date(2026, 11, 28), date(2026, 11, 29)) == []


def test_buffers_days_off_and_local_days():
    pattern = Availability(windows=[{"weekday": 0, "start": "09:00", "end": "10:00"}], buffer_minutes=10,
                           days_off=[date(2026, 11, 30)])
    slots = slots_between(pattern, date(2026, 11, 23), date(2026, 11, 30))
    assert [s.start.astimezone(MEXICO_CITY).time() for s in slots] == [time(9, 0), time(9, 30)]
    assert {s.day for s in slots} == {date(2026, 11, 23)}


@pytest.mark.parametrize("window, error", [
    ({"weekday": 0, "start": "07:30", "end": "09:00"}, "window_outside_program_hours"),
    ({"weekday": 5, "start": "07:30", "end": "20:35"}, "window_outside_program_hours"),
    ({"weekday": 2, "start": "09:02", "end": "10:00"}, "time_not_on_5_minutes"),
    ({"weekday": 7, "start": "09:00", "end": "10:00"}, "less_than_equal"),
    ({"weekday": 0, "start": "09:00:00Z", "end": "10:00"}, "time_with_offset"),  # found by contract fuzzing (was a 500)
])
def test_windows_stay_inside_the_programme_hours_on_five_minute_steps(window, error):
    with pytest.raises(ValidationError) as raised:
        Availability(windows=[window])
    assert raised.value.errors()[0]["type"] == error


def test_overlapping_windows_are_refused():
    with pytest.raises(ValidationError) as raised:
        Availability(windows=[{"weekday": 1, "start": "09:00", "end": "11:00"},
                              {"weekday": 1, "start": "10:00", "end": "12:00"}])
    assert [(e["type"], e["loc"]) for e in raised.value.errors()] == [("windows_overlap", ("windows",))]


@given(st.dates(date(2026, 1, 1), date(2028, 12, 31)))
def test_slots_are_at_the_same_mexico_city_time_every_day_whatever_us_clocks_do(day):
    slots = slots_between(WEEKDAYS, day, day)
    if day.weekday() >= 5:
        assert slots == []
        return
    assert slots[0].start.astimezone(MEXICO_CITY).time() == time(8, 0)
    assert slots[0].start.utcoffset() == timedelta(0)
    los_angeles = slots[0].start.astimezone(ZoneInfo("America/Los_Angeles"))
    assert los_angeles.hour in (6, 7)  # 08:00 CDMX is 07:00 PDT or 06:00 PST


def test_slot_ids_round_trip_and_buckets_catch_overlaps():
    start = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
    assert parse_slot_id(slot_id("abc-123", start)) == ("abc-123", start)
    assert parse_slot_id("nonsense") is None
    first = set(buckets(start, start + timedelta(minutes=20)))
    overlapping = set(buckets(start + timedelta(minutes=10), start + timedelta(minutes=30)))
    adjacent = set(buckets(start + timedelta(minutes=20), start + timedelta(minutes=40)))
    assert first & overlapping and not first & adjacent
