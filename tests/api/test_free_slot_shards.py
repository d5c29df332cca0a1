"""The write-sharded `free_slots` index (store/teleconsult): a day's free slots live under FREE_SLOT_SHARDS keys
`<day>#<shard>` (shard = crc32 of the nurse's sub) and a listing queries them side by side and merges them by
`free_sk` (start, then nurse), with the unsharded listing's paging: `limit`, the `after` cursor, None at the end."""

import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from urllib.parse import quote

import pytest

from chalicelib import wiring
from chalicelib.domain.scheduling import SlotChanges, SlotTime
from chalicelib.domain.teleconsult import Nurse
from chalicelib.store import teleconsult as store
from chalicelib.store.teleconsult.items import (
    FREE_SLOT_SHARDS, SlotItem, TeleconsultItem, free_day_key, free_index, free_shard, nurse_key, slot_sk,
)
from chalicelib.store.teleconsult.nurses import FREE_PAGE_MAX, _shard_page
from tests.api.conftest import issue, paid
from tests.costs import aws_requests

MX = timezone(timedelta(hours=-6))
DAY = date(2026, 12, 1)


def _nurse_ids(count: int) -> list[str]:
    """Nurse subs that cover at least three shards, several nurses sharing one."""
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(count)]
    assert len({free_shard(nurse_id) for nurse_id in ids}) >= 3
    return ids


def _publish(nurse_id: str, starts: list[datetime]) -> None:
    nurse = Nurse(nurse_id=nurse_id, username=nurse_id[-4:], full_name=f"Enf. {nurse_id[-4:]}",
                  cedula_profesional="12345678", languages=["es"], created_by="op", created_at=datetime.now(timezone.utc))
    added = [SlotTime(start=start.astimezone(timezone.utc), end=(start + timedelta(minutes=20)).astimezone(timezone.utc),
                      day=start.date()) for start in starts]
    store.apply_slots(nurse, SlotChanges(added=added, removed=[], changed=[]), 60)


@pytest.fixture
def spread_day(aws):
    """Twelve nurses' slots on DAY: each starts at 09:00, 09:20 or 09:40 and then every hour until 13:xx, so many
    slots share a start and a shard holds several nurses'. Returns every slot's (start, nurse) in listing order."""
    wiring.settings()  # binds the models to the in-process tables
    expected = []
    for n, nurse_id in enumerate(_nurse_ids(12)):
        starts = [datetime(2026, 12, 1, 9, 20 * (n % 3), tzinfo=MX) + timedelta(hours=h) for h in range(5)]
        _publish(nurse_id, starts)
        expected += [(start.astimezone(timezone.utc), nurse_id) for start in starts]
    # One slot the next day, in a shard key of its own: never listed on DAY.
    _publish(_nurse_ids(12)[0], [datetime(2026, 12, 2, 9, tzinfo=MX)])
    return sorted(expected, key=lambda slot: f"{slot[0].isoformat()}#{slot[1]}")


def _pages(limit: int) -> list[list[tuple[datetime, str]]]:
    pages, after = [], None
    while True:
        slots, after = store.free_slots(DAY, after, limit)
        pages.append([(slot.start, slot.nurse_id) for slot in slots])
        if after is None:
            return pages
        assert len(pages) < 100


def test_a_slot_is_keyed_under_its_day_and_its_nurses_shard():
    start = datetime(2026, 12, 1, 23, 40, tzinfo=MX)  # 05:40 UTC on 2 December: the Mexico City day counts
    nurse_id = "7b1c1f0e-1111-4222-8333-444455556666"
    day, sort = free_index(start, nurse_id)
    assert day == f"2026-12-01#{free_shard(nurse_id):02d}" == free_day_key(DAY, free_shard(nurse_id))
    assert sort == f"{start.isoformat()}#{nurse_id}"
    assert free_shard(nurse_id) == free_shard(nurse_id) and 0 <= free_shard(nurse_id) < FREE_SLOT_SHARDS
    # Many nurses land on every shard (crc32: the same in every process, unlike hash()).
    assert {free_shard(f"nurse-{n}") for n in range(200)} == set(range(FREE_SLOT_SHARDS))


def test_a_shards_first_page_fits_one_read_unit_and_is_never_more_than_asked():
    """9 slots of ~430 B: 3.9 KB, one 4 KB read unit (the former 14 of a listing of 50, ~6 KB, took two)."""
    assert FREE_PAGE_MAX * 430 <= 4096 < (FREE_PAGE_MAX + 1) * 430
    assert _shard_page(50) == _shard_page(100) == FREE_PAGE_MAX == 9
    assert _shard_page(9) == 9 and _shard_page(3) == 3 and _shard_page(1) == 1


def test_the_days_slots_are_in_several_shards_and_listed_merged_in_time_then_nurse_order(spread_day):
    used = {shard for shard in range(FREE_SLOT_SHARDS)
            if list(TeleconsultItem.free_slots.query(free_day_key(DAY, shard), limit=1))}
    assert len(used) >= 3
    slots, after = store.free_slots(DAY, None, 100)
    assert [(slot.start, slot.nurse_id) for slot in slots] == spread_day and after is None
    assert all(slot.day == DAY for slot in slots)


def test_paging_through_the_shards_gives_every_slot_once_in_order(spread_day):
    for limit in (1, 2, 5, 7, 12, 59, 60, 61):
        pages = _pages(limit)
        assert [slot for page in pages for slot in page] == spread_day, limit
        assert all(len(page) == limit for page in pages[:-1]) and len(pages[-1]) <= limit, limit
        # A cursor only while slots may remain: the last page is empty only when the day ended on a full page.
        assert pages[-1] or len(spread_day) % limit == 0, limit


def test_a_cursor_resumes_after_its_slot_in_every_shard(spread_day):
    first, after = store.free_slots(DAY, None, 13)
    assert after == f"{first[-1].start.isoformat()}#{first[-1].nurse_id}"
    rest, _ = store.free_slots(DAY, after, 100)
    assert [(slot.start, slot.nurse_id) for slot in first + rest] == spread_day


def test_a_booked_slot_leaves_its_shard_and_the_listing(spread_day):
    start, nurse_id = spread_day[3]
    SlotItem(nurse_key(nurse_id), slot_sk(start)).update(actions=[
        SlotItem.status.set("booked"), SlotItem.free_day.remove(), SlotItem.free_sk.remove()])
    slots, _ = store.free_slots(DAY, None, 100)
    assert [(slot.start, slot.nurse_id) for slot in slots] == spread_day[:3] + spread_day[4:]


def test_a_listing_is_one_query_per_shard_when_their_first_pages_suffice(spread_day):
    # The fixture's property (checked, not assumed): no shard gives all of its first page to the 49 slots merged
    # before the 50th (the merge reads a shard on when it takes the page's last slot and the page is not yet full).
    # Its 60 slots put 10 in some shards: more than a page, but the listing of 50 takes at most 9 from one.
    assert max(Counter(free_shard(nurse_id) for _, nurse_id in spread_day[:49]).values()) < _shard_page(50)
    with aws_requests() as requests:
        slots, after = store.free_slots(DAY, None, 50)
    assert [(slot.start, slot.nurse_id) for slot in slots] == spread_day[:50] and after
    assert requests.dynamodb() == {"Query": FREE_SLOT_SHARDS}


def test_a_shard_holding_more_than_its_first_page_is_read_on(aws):
    """One nurse holds the whole day: her shard is read page after page, the others answer empty at once."""
    wiring.settings()
    nurse_id = _nurse_ids(12)[5]
    starts = [datetime(2026, 12, 1, 7, 0, tzinfo=MX) + timedelta(minutes=20 * n) for n in range(30)]
    _publish(nurse_id, starts)
    with aws_requests() as requests:
        slots, after = store.free_slots(DAY, None, 25)
    assert [slot.start for slot in slots] == [start.astimezone(timezone.utc) for start in starts[:25]]
    assert after == f"{slots[-1].start.isoformat()}#{nurse_id}"
    pages = -(-25 // _shard_page(25))
    assert requests.dynamodb() == {"Query": FREE_SLOT_SHARDS - 1 + pages}
    rest, after = store.free_slots(DAY, after, 25)
    assert [slot.start for slot in rest] == [start.astimezone(timezone.utc) for start in starts[25:]] and after is None


def test_a_page_filled_from_a_shard_with_slots_left_in_hand_says_there_is_more(aws):
    """Nurse A's whole day comes in one short page (no LastEvaluatedKey); B's two slots interleave, so the listing
    fills on A's second slot with her third still unread by the merge."""
    wiring.settings()
    ids = _nurse_ids(12)
    first = ids[0]
    other = next(nurse_id for nurse_id in ids if free_shard(nurse_id) != free_shard(first))
    at = [datetime(2026, 12, 1, 9, minute, tzinfo=MX) for minute in (0, 20, 40)]
    _publish(first, [at[0], at[0] + timedelta(hours=1), at[0] + timedelta(hours=3)])
    _publish(other, [at[1], at[2]])
    slots, after = store.free_slots(DAY, None, 4)
    assert [slot.nurse_id for slot in slots] == [first, other, other, first] and after
    rest, after = store.free_slots(DAY, after, 4)
    assert [(slot.nurse_id, slot.start) for slot in rest] == [(first, (at[0] + timedelta(hours=3)).astimezone(timezone.utc))]
    assert after is None


def test_members_page_through_a_day_spread_over_shards_with_the_apis_cursor(api, spread_day, member, partner,
                                                                             clock):
    clock(datetime(2026, 11, 5, 9, tzinfo=MX).astimezone(timezone.utc))
    headers, _ = member()
    reference = issue(api, headers)
    partner.send(paid(reference["reference"], reference["amount_mxn"], tx="shards", paid_at=clock.now()))
    seen, cursor = [], None
    while True:
        query = f"from={DAY}&to={DAY}&limit=7" + (f"&cursor={quote(cursor)}" if cursor else "")
        response = api.http.get(f"/v1/teleconsult/slots?{query}", headers=headers)
        assert response.status_code == 200, response.body
        page = json.loads(response.body)
        seen += [(datetime.fromisoformat(slot["start"]), slot["nurse"]["nurse_id"]) for slot in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == spread_day
