"""Nurse availability and slots, anchored in Mexico City time (no daylight saving since 2022).

Nurses publish weekly windows in Mexico City time; slots are concrete instants (stored in UTC) cut from those windows
day by day, so a US patient's local time is computed per slot and is right on both sides of a US daylight-saving
change. Slot starts are multiples of 5 minutes, which lets a patient's consults be kept from overlapping by guarding
5-minute buckets.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Protocol

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.model import Model

BUCKET = timedelta(minutes=5)
# The programme's hours, central Mexico time (practices.md §C3): Mon–Fri 08:00–20:00, Sat–Sun 07:30–20:30.
PROGRAM_HOURS = {**{day: (time(8, 0), time(20, 0)) for day in range(5)}, 5: (time(7, 30), time(20, 30)),
                 6: (time(7, 30), time(20, 30))}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")  # for the Spanish messages
MAX_HORIZON_WEEKS = 12


def _on_five_minutes(value: time) -> time:
    if value.tzinfo is not None:  # windows are Mexico City wall-clock times; an offset would mean another zone
        raise PydanticCustomError("time_with_offset", "Times are Mexico City clock times (HH:MM), without an offset.")
    if value.minute % 5 or value.second or value.microsecond:
        raise PydanticCustomError("time_not_on_5_minutes", "Times go in steps of 5 minutes (e.g. 08:00, 08:05).")
    return value


class Window(Model):
    model_config = ConfigDict(extra="forbid")

    weekday: Annotated[int, Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")]
    start: time
    end: time

    _five = field_validator("start", "end")(_on_five_minutes)

    @model_validator(mode="after")
    def _inside_program_hours(self) -> "Window":
        opens, closes = PROGRAM_HOURS[self.weekday]
        if not opens <= self.start < self.end <= closes:
            raise PydanticCustomError(
                "window_outside_program_hours", "On {weekday} the programme's hours are {opens}–{closes}, Mexico City.",
                {"weekday": WEEKDAYS[self.weekday], "dia": DIAS[self.weekday], "opens": opens.strftime("%H:%M"), "closes": closes.strftime("%H:%M")})
        return self


MAX_SLOT_MINUTES = 60
MAX_SLOT = timedelta(minutes=MAX_SLOT_MINUTES)  # the longest slot a nurse may publish


class Availability(Model):
    """PUT /v1/nurse/availability: the nurse's whole weekly pattern (replaces the previous one)."""

    model_config = ConfigDict(extra="forbid")

    windows: Annotated[list[Window], Field(min_length=1, max_length=28)]
    slot_minutes: Annotated[int, Field(ge=10, le=MAX_SLOT_MINUTES, multiple_of=5)] = 20
    buffer_minutes: Annotated[int, Field(ge=0, le=30, multiple_of=5)] = 0
    lead_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] = 60
    days_off: Annotated[list[date], Field(max_length=100)] = []
    horizon_weeks: Annotated[int, Field(ge=1, le=MAX_HORIZON_WEEKS)] = 8

    @field_validator("windows")
    @classmethod
    def _windows_do_not_overlap(cls, windows: list[Window]) -> list[Window]:
        """Named on `windows`, so a form shows it beside them."""
        for day in range(7):
            spans = sorted((w.start, w.end) for w in windows if w.weekday == day)
            if any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:])):
                raise PydanticCustomError("windows_overlap", "Two windows overlap on {weekday}.",
                                          {"weekday": WEEKDAYS[day], "dia": DIAS[day]})
        return windows


class SlotTime(Model):
    start: datetime  # UTC
    end: datetime  # UTC
    day: date  # the Mexico City day it belongs to


def slots_between(availability: Availability, first: date, last: date) -> list[SlotTime]:
    """Every slot the pattern gives on Mexico City days first..last (inclusive), days off skipped, in order."""
    length, step = timedelta(minutes=availability.slot_minutes), timedelta(
        minutes=availability.slot_minutes + availability.buffer_minutes)
    off = set(availability.days_off)
    slots = []
    day = first
    while day <= last:
        if day not in off:
            for window in sorted((w for w in availability.windows if w.weekday == day.weekday()), key=lambda w: w.start):
                start, close = (datetime.combine(day, window.start, MEXICO_CITY),
                                datetime.combine(day, window.end, MEXICO_CITY))
                while start + length <= close:
                    slots.append(SlotTime(start=start.astimezone(timezone.utc),
                                          end=(start + length).astimezone(timezone.utc), day=day))
                    start += step
        day += timedelta(days=1)
    return slots


def slot_id(nurse_id: str, start: datetime) -> str:
    """'<nurse id>_<UTC start as YYYYMMDDTHHMM>': the slot's key, readable, and unique per nurse and instant."""
    return f"{nurse_id}_{start.astimezone(timezone.utc):%Y%m%dT%H%M}"


def parse_slot_id(value: str) -> tuple[str, datetime] | None:
    nurse_id, _, stamp = value.rpartition("_")
    try:
        start = datetime.strptime(stamp, "%Y%m%dT%H%M").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return (nurse_id, start) if nurse_id else None


def buckets(start: datetime, end: datetime) -> list[str]:
    """The 5-minute buckets a consult occupies; two consults overlap exactly when they share one."""
    out, at = [], start.astimezone(timezone.utc)
    while at < end:
        out.append(f"{at:%Y%m%dT%H%M}")
        at += BUCKET
    return out


class PublishedSlot(Protocol):
    """What reconciling needs of a slot already published (domain.teleconsult.Slot is one)."""

    start: datetime
    end: datetime
    lead_minutes: int
    status: str


@dataclass(frozen=True)
class SlotChanges:
    """What publishing a pattern changes among a nurse's future slots."""

    added: list[SlotTime]  # new slots, free
    removed: list[datetime]  # starts of free slots the pattern no longer gives
    changed: list[SlotTime]  # free slots kept, to take this end (and the pattern's lead time)


def reconcile(existing: list[PublishedSlot], wanted: list[SlotTime], lead_minutes: int, now: datetime) -> SlotChanges:
    """Make the published slots match the pattern's `wanted` ones after `now`: slots missing are added, free slots it
    no longer gives are removed, free slots it keeps take its end and lead time; a booked (or withdrawn) slot is never
    touched, nor given again."""
    want = {slot.start: slot for slot in wanted if slot.start > now}
    have = {slot.start: slot for slot in existing}
    added = [slot for start, slot in want.items() if start not in have]
    removed, changed = [], []
    for start, slot in have.items():
        if slot.status != "free":
            continue
        if start not in want:
            removed.append(start)
        elif (slot.end, slot.lead_minutes) != (want[start].end, lead_minutes):
            changed.append(want[start])
    return SlotChanges(added, removed, changed)
