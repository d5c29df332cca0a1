"""The teleconsult rules that moved out of the store and the routes: reconciling published slots, offering a freed
slot to the waitlist, and a slot's hold."""

from datetime import date, datetime, timedelta, timezone

from chalicelib.domain.scheduling import SlotTime, reconcile
from chalicelib.domain.teleconsult import (
    OFFER_HOLD, Appointment, SealedText, Slot, WaitlistEntry, moved_to, offers,
)

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)
DAY = date(2026, 11, 26)


def _at(hours: int, minutes: int = 20) -> SlotTime:
    start = NOW + timedelta(hours=hours)
    return SlotTime(start=start, end=start + timedelta(minutes=minutes), day=DAY)


def _slot(hours: int, status: str = "free", minutes: int = 20, lead: int = 60, **hold) -> Slot:
    at = _at(hours, minutes)
    return Slot(slot_id=f"n_{at.start:%Y%m%dT%H%M}", nurse_id="n", nurse_name="Laura", nurse_languages=["es"],
                start=at.start, end=at.end, day=DAY, lead_minutes=lead, status=status, **hold)


def test_reconcile_adds_removes_and_changes_free_future_slots_only():
    existing = [_slot(1), _slot(2, "booked"), _slot(3, "unavailable"), _slot(4, minutes=30), _slot(5, lead=30),
                _slot(6)]
    wanted = [_at(-1), _at(0), _at(1), _at(3), _at(4), _at(5), _at(7)]
    changes = reconcile(existing, wanted, 60, NOW)
    assert changes.added == [_at(7)]  # past and current slots are never given; booked or withdrawn never again
    assert changes.removed == [_at(6).start]  # free and no longer given; the booked one at +2 h stays
    assert changes.changed == [_at(4), _at(5)]  # a new end, a new lead time


def test_a_freed_slot_is_offered_in_line_order_skipping_the_freeing_member():
    freed = Appointment(appointment_id="a", slot_id="n_20261126T1600", nurse_id="n", nurse_name="Laura",
                        member_id="m1", patient_id="p1", status="booked", start=_at(25).start, end=_at(25).end,
                        created_at=NOW, reason=SealedText(ciphertext=b"x", wrapped_key=b"k"))
    waiting = [WaitlistEntry(member_id=member, patient_id=f"p-{member}", days=[DAY], joined_at=NOW)
               for member in ("m1", "m2", "m3")]
    offered = offers(freed, waiting, NOW)
    assert [o.entry.member_id for o in offered] == ["m2", "m3"]
    assert offered[0].until == NOW + OFFER_HOLD
    assert offered[0].subject == f"n_20261126T1600#{NOW + OFFER_HOLD:%Y%m%dT%H%M}"
    assert offered[0].params == {"slot_id": "n_20261126T1600", "start": freed.start.isoformat(),
                                 "patient_id": "p-m2", "offered_until": (NOW + OFFER_HOLD).isoformat()}
    later = _slot(30)
    assert moved_to(freed, later).model_dump(include={"slot_id", "start", "end"}) == later.model_dump(
        include={"slot_id", "start", "end"})


def test_a_hold_shows_to_its_member_and_keeps_others_out_until_it_lapses():
    held = _slot(1, offered_to="m2", offered_until=NOW + OFFER_HOLD)
    assert held.held_for(NOW) == "m2" and held.held_for_until("m2", NOW) == NOW + OFFER_HOLD
    assert held.open_to("m2", NOW) and not held.open_to("m3", NOW) and held.held_for_until("m3", NOW) is None
    lapsed = NOW + OFFER_HOLD
    assert held.held_for(lapsed) is None and held.open_to("m3", lapsed) and held.held_for_until("m2", lapsed) is None
    assert _slot(1).open_to("m3", NOW) and _slot(1).held_for_until("m3", NOW) is None
