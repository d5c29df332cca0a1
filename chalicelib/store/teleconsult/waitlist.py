"""Patients waiting for a slot on some days: their items, and the `waitlist` index of who waits for a day."""

from datetime import date, datetime, time, timedelta

from pynamodb.exceptions import DeleteError

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.teleconsult import WaitlistEntry
from chalicelib.errors import Conflict
from chalicelib.store.members import member_key, still_processed
from chalicelib.store.transactions import ConditionFailed, Write, commit
from chalicelib.store.teleconsult.items import TeleconsultItem, WaitingDayItem, WaitingItem


# --- Waitlist --------------------------------------------------------------------------------------------------------

def _waiting_sk(patient_id: str) -> str:
    return f"WAITING#{patient_id}"


def _waiting_items(entry: WaitlistEntry) -> list[WaitingItem]:
    """The patient's head item and one `waitlist` index entry per day; all expire the day after the last day."""
    expires = datetime.combine(max(entry.days) + timedelta(days=2), time(), MEXICO_CITY)
    fields = {"member_id": entry.member_id, "patient_id": entry.patient_id,
              "days": [day.isoformat() for day in entry.days], "joined_at": entry.joined_at, "expires_at": expires}
    head = WaitingItem(member_key(entry.member_id), _waiting_sk(entry.patient_id), **fields)
    order = f"{entry.joined_at.isoformat()}#{entry.member_id}#{entry.patient_id}"
    return [head, *(WaitingDayItem(member_key(entry.member_id), f"WAITDAY#{entry.patient_id}#{day.isoformat()}",
                                   wait_day=day.isoformat(), wait_sk=order, **fields) for day in entry.days)]


def _entry(item: WaitingItem) -> WaitlistEntry:
    return WaitlistEntry(member_id=item.member_id, patient_id=item.patient_id,
                         days=[date.fromisoformat(day) for day in item.days], joined_at=item.joined_at)


def join_waitlist(entry: WaitlistEntry) -> None:
    """The patient on the waitlist for those days: one transaction, only while the member's account is not closing
    (the service's check read it before a closure could land); 409 if they are already waiting."""
    head, *days = _waiting_items(entry)
    try:
        commit([still_processed(entry.member_id),
                Write("waiting", "save", lambda tx: tx.save(head, condition=TeleconsultItem.pk.does_not_exist())),
                *(Write("waiting-day", "save", lambda tx, item=item: tx.save(item)) for item in days)])
    except ConditionFailed as failed:
        if "member" in failed.labels:
            raise Conflict("account-closing") from None
        raise Conflict("already-waiting") from None


def waitlist_of(member_id: str) -> list[WaitlistEntry]:
    """The member's patients on the waitlist: one Query of their partition."""
    return [_entry(item) for item in WaitingItem.query(
        member_key(member_id), WaitingItem.sk.startswith("WAITING#"), consistent_read=True)
        if isinstance(item, WaitingItem)]


def remove_waiting(entry: WaitlistEntry) -> list[Write]:
    """The patient's waitlist items, only if they still hold this entry (label "waiting")."""
    head, *days = _waiting_items(entry)
    return [Write("waiting", "delete", lambda tx: tx.delete(head, condition=WaitingItem.joined_at == entry.joined_at)),
            *(Write("waiting-day", "delete", lambda tx, item=item: tx.delete(item)) for item in days)]


def leave_waitlist(member_id: str, patient_id: str) -> WaitlistEntry | None:
    """Take the patient off the waitlist; None when they were not on it (or were offered a slot meanwhile)."""
    entry = next((e for e in waitlist_of(member_id) if e.patient_id == patient_id), None)
    if entry is None:
        return None
    try:
        commit(remove_waiting(entry))
    except ConditionFailed:
        return None
    return entry


def stop_waiting(member_id: str, patient_id: str) -> Write:
    """A booking ends the patient's wait: the head goes (delete of a missing item is a no-op)."""
    head = WaitingItem(member_key(member_id), _waiting_sk(patient_id))
    return Write("waiting", "delete", lambda tx: tx.delete(head))


def waiting_on(day: date, limit: int = 10) -> list[WaitlistEntry]:
    """The first patients waiting for a Mexico City day, oldest first: one Query of the `waitlist` index."""
    return [_entry(item) for item in TeleconsultItem.waitlist.query(day.isoformat(), limit=limit)
            if isinstance(item, WaitingItem)]



def forget_day(entry: WaitlistEntry, day: date) -> None:
    """Drop a waiting day whose patient booked or re-joined meanwhile, so the next freed slot skips it at once."""
    stale = WaitingDayItem(member_key(entry.member_id), f"WAITDAY#{entry.patient_id}#{day.isoformat()}")
    try:
        stale.delete(condition=WaitingDayItem.joined_at == entry.joined_at)
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
