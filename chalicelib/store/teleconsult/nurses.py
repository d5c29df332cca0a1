"""Nurses, their weekly availability and the slots it gives; free slots by Mexico City day, read from the
FREE_SLOT_SHARDS shards of the day's `free_slots` key side by side and merged in time order."""

import contextvars
import heapq
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.domain.scheduling import Availability, SlotChanges, SlotTime, slot_id
from chalicelib.domain.teleconsult import (
    Nurse, Slot,
)
from chalicelib.errors import Conflict
from chalicelib.store.transactions import ConditionFailed, Write, commit
from chalicelib.store.teleconsult.items import (
    FREE_SLOT_SHARDS, NURSES, AvailabilityItem, NurseItem, SlotItem, TeleconsultItem, free_day_key, free_index,
    nurse_key, slot_sk,
)

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor


# --- Nurses ----------------------------------------------------------------------------------------------------------

def create_nurse(nurse: Nurse) -> None:
    """The profile and its entry in the nurses' directory (what daily jobs iterate), together."""
    item = NurseItem(nurse_key(nurse.nurse_id), "PROFILE", **nurse.model_dump())
    entry = NurseItem(NURSES, nurse.nurse_id, **nurse.model_dump())
    try:
        commit([Write("nurse", "save", lambda tx: tx.save(item, condition=TeleconsultItem.pk.does_not_exist())),
                Write("directory", "save", lambda tx: tx.save(entry, condition=TeleconsultItem.pk.does_not_exist()))])
    except ConditionFailed:
        raise Conflict("nurse-exists") from None


def _nurse(item: NurseItem) -> Nurse:
    return Nurse.model_validate({**item.attribute_values, "status": item.status or "active"})


def all_nurses() -> list[Nurse]:
    """Every nurse: one Query of the directory partition (a few thousand small items at most)."""
    return [_nurse(item) for item in NurseItem.query(NURSES) if isinstance(item, NurseItem)]


def nurse_page(limit: int, after: str | None) -> tuple[list[Nurse], str | None]:
    """A page of the directory in nurse id order: one Query. Returns the nurses and the id to continue after."""
    result = NurseItem.query(NURSES, NurseItem.sk > after if after else None, limit=limit)
    nurses = [_nurse(item) for item in result if isinstance(item, NurseItem)]
    last = result.last_evaluated_key
    return nurses, last["sk"]["S"] if last else None


def get_nurse(nurse_id: str) -> Nurse | None:
    try:
        item = NurseItem.get(nurse_key(nurse_id), "PROFILE", consistent_read=True)
    except NurseItem.DoesNotExist:
        return None
    return _nurse(item)


def deactivate_nurse(nurse_id: str, by: str, reason: str, now: datetime) -> bool:
    """Her profile and directory entry marked inactive and her weekly pattern removed (so the daily roll makes no more
    slots), in one transaction, once: False when she was inactive already."""
    actions = [NurseItem.status.set("inactive"), NurseItem.deactivated_at.set(now), NurseItem.deactivated_by.set(by),
               NurseItem.deactivation_reason.set(reason)]
    active = NurseItem.status.does_not_exist() | (NurseItem.status != "inactive")
    profile, entry = NurseItem(nurse_key(nurse_id), "PROFILE"), NurseItem(NURSES, nurse_id)
    try:
        commit([Write("nurse", "update", lambda tx: tx.update(profile, actions=actions, condition=active)),
                Write("directory", "update", lambda tx: tx.update(entry, actions=actions,
                                                                  condition=TeleconsultItem.pk.exists())),
                Write("availability", "delete", lambda tx: tx.delete(AvailabilityItem(nurse_key(nurse_id),
                                                                                      "AVAILABILITY")))])
    except ConditionFailed:
        return False
    return True


# --- Availability and slots ------------------------------------------------------------------------------------------

def _slot_item(nurse: Nurse, slot: SlotTime, lead_minutes: int) -> SlotItem:
    free_day, free_sk = free_index(slot.start, nurse.nurse_id)
    return SlotItem(
        nurse_key(nurse.nurse_id), slot_sk(slot.start), slot_id=slot_id(nurse.nurse_id, slot.start),
        nurse_id=nurse.nurse_id, nurse_name=nurse.full_name, nurse_languages=nurse.languages, start=slot.start,
        end=slot.end, day=slot.day.isoformat(), lead_minutes=lead_minutes, status="free",
        free_day=free_day, free_sk=free_sk,
    )


def save_availability(nurse_id: str, availability: Availability, now: datetime) -> None:
    """The nurse's weekly pattern, replacing the previous one: one PutItem."""
    AvailabilityItem(nurse_key(nurse_id), "AVAILABILITY", pattern=availability.model_dump_json(), updated_at=now).save()


def slots_from(nurse_id: str, now: datetime) -> list[Slot]:
    """The nurse's slots from `now`'s minute on, booked or not, in time order: one Query of her partition."""
    return [_slot(item) for item in SlotItem.query(
        nurse_key(nurse_id), SlotItem.sk.between(slot_sk(now), "SLOT#~"), consistent_read=True)]


def apply_slots(nurse: Nurse, changes: SlotChanges, lead_minutes: int) -> tuple[int, int, int]:
    """New slots written in batches of 25; each removal and change one conditional write, only while the slot is
    still free (one booked meanwhile stays as booked, uncounted). Returns (added, removed, changed)."""
    with SlotItem.batch_write() as batch:
        for slot in changes.added:
            batch.save(_slot_item(nurse, slot, lead_minutes))
    free = SlotItem.status == "free"
    removed = sum(remove_free_slot(nurse.nurse_id, start) for start in changes.removed)
    changed = sum(_while_free(SlotItem(nurse_key(nurse.nurse_id), slot_sk(slot.start)).update, condition=free,
                              actions=[SlotItem.end.set(slot.end), SlotItem.lead_minutes.set(lead_minutes)])
                  for slot in changes.changed)
    return len(changes.added), removed, changed


def remove_free_slot(nurse_id: str, start: datetime) -> bool:
    """The slot deleted only while it is free: False when it was booked first."""
    return _while_free(SlotItem(nurse_key(nurse_id), slot_sk(start)).delete, condition=SlotItem.status == "free")


def free_slots_of(nurse_id: str, first: datetime, before: datetime) -> list[Slot]:
    """The nurse's free slots starting from `first` until `before`, in time order: one Query of her partition."""
    return [_slot(item) for item in SlotItem.query(
        nurse_key(nurse_id), SlotItem.sk.between(slot_sk(first), slot_sk(before - timedelta(minutes=1))),
        filter_condition=SlotItem.status == "free")]


def _while_free(write, **arguments) -> bool:
    """Whether the slot's conditional delete or update went through (False: it was booked meanwhile)."""
    try:
        write(**arguments)
    except (DeleteError, UpdateError) as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def get_availability(nurse_id: str) -> Availability | None:
    try:
        item = AvailabilityItem.get(nurse_key(nurse_id), "AVAILABILITY")
    except AvailabilityItem.DoesNotExist:
        return None
    return Availability.model_validate(json.loads(item.pattern))


def _slot(item: SlotItem) -> Slot:
    return Slot(slot_id=item.slot_id, nurse_id=item.nurse_id, nurse_name=item.nurse_name,
                nurse_languages=list(item.nurse_languages), start=item.start, end=item.end,
                day=date.fromisoformat(item.day), lead_minutes=int(item.lead_minutes), status=item.status,
                appointment_id=item.appointment_id, offered_to=item.offered_to, offered_until=item.offered_until)


def get_slot(nurse_id: str, start: datetime) -> Slot | None:
    try:
        return _slot(SlotItem.get(nurse_key(nurse_id), slot_sk(start), consistent_read=True))
    except SlotItem.DoesNotExist:
        return None


# A shard's first page (and each page read on): at most FREE_PAGE_MAX slots, fewer only when the listing asks fewer.
# A Query is charged for the bytes it reads, rounded up to 4 KB blocks, half a read unit each eventually consistent:
# 9 slots of ~430 B (3.9 KB) are one block, where the former first page of twice the shard's share (14 slots of a
# listing of 50, ~6 KB) took two, a whole unit, on every one of the 8 shard keys: half the booking rush's headroom on
# them. Nurses spread evenly over the shards, so a shard seldom holds more than 9 of a listing's first 50 slots
# (50 / 8 ≈ 6); when it does, the merge reads that shard on (one more Query of it) while the page still needs them.
FREE_PAGE_MAX = 9
_shard_readers: "ThreadPoolExecutor | None" = None


def _readers() -> "ThreadPoolExecutor":
    """The threads that query a day's shards side by side: one per shard, made once per container (botocore's client
    is thread-safe; PynamoDB gives each thread its own session)."""
    global _shard_readers
    if _shard_readers is None:
        from concurrent.futures import ThreadPoolExecutor  # on the first listing, not at import (cold start)

        _shard_readers = ThreadPoolExecutor(max_workers=FREE_SLOT_SHARDS, thread_name_prefix="free-slots")
    return _shard_readers


def _shard_page(limit: int) -> int:
    return min(limit, FREE_PAGE_MAX)


def _first_of_shard(day: date, shard: int, after: str | None, limit: int) -> tuple[TeleconsultItem | None, Iterator]:
    """One shard's slots after `after`, at most `limit`, with the first page read: (its first item, the rest)."""
    condition = TeleconsultItem.free_sk > after if after else None
    rest = TeleconsultItem.free_slots.query(free_day_key(day, shard), condition, limit=limit,
                                            page_size=_shard_page(limit))
    return next(rest, None), rest


def free_slots(day: date, after: str | None, limit: int) -> tuple[list[Slot], str | None]:
    """Free slots of one Mexico City day, in time order (`free_sk`: start, then nurse), after the `free_sk` `after`:
    one Query per shard of the sparse index, all FREE_SLOT_SHARDS at once, merged by `free_sk` (a shard read on only
    when its first page runs out before the page is full). Returns at most `limit` slots and the `free_sk` to
    continue after: None when the day is exhausted, as an unsharded Query's LastEvaluatedKey would say."""
    context = contextvars.copy_context
    started = [_readers().submit(context().run, _first_of_shard, day, shard, after, limit)
               for shard in range(FREE_SLOT_SHARDS)]
    heads, streams = [], []
    for n, future in enumerate(started):
        head, rest = future.result()
        streams.append(rest)
        if head is not None:
            heads.append((head.free_sk, n, head))
    heapq.heapify(heads)
    page: list[TeleconsultItem] = []
    more = False
    while heads:
        _, n, item = heapq.heappop(heads)
        page.append(item)
        if len(page) == limit:  # full: more if another shard has a slot waiting, or this one may have (a next
            # page, or the rest of the page it has read: its last page has no LastEvaluatedKey)
            more = bool(heads) or streams[n].last_evaluated_key is not None or next(streams[n], None) is not None
            break
        following = next(streams[n], None)
        if following is not None:
            heapq.heappush(heads, (following.free_sk, n, following))
    slots = [_slot(item) for item in page if isinstance(item, SlotItem)]
    return slots, page[-1].free_sk if more else None
