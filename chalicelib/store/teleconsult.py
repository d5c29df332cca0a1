"""The teleconsult table: nurses, their availability and slots, appointments, patient guards and consents.

| item          | pk                      | sk                         | sparse index keys                                     |
|---------------|-------------------------|----------------------------|-------------------------------------------------------|
| nurse         | NURSE#<sub>             | PROFILE                    | –                                                     |
| directory     | NURSES                  | <sub>                      | –  (a copy of each nurse profile, for jobs that visit every nurse) |
| availability  | NURSE#<sub>             | AVAILABILITY               | –                                                     |
| slot          | NURSE#<sub>             | SLOT#<UTC YYYYMMDDTHHMM>   | free_slots: free_day=<Mexico City day> / free_sk=<start>#<sub>, while free |
| appointment   | APPOINTMENT#<id>        | APPOINTMENT                | by_member: MEMBER#<sub> / <start>#<id>; by_nurse_day: <sub>#<day> / <start>#<id>; by_patient: <patient id> / <start>#<id>; by_start_hour: <UTC hour> / <start>#<id>, until it ends |
| patient guard | PATIENT#<patient id>    | BUSY#<UTC YYYYMMDDTHHMM>   | –  (one per 5-minute bucket of a booked consult)      |
| consent       | PATIENT#<patient id>    | CONSENT#teleconsultation   | –                                                     |
| upcoming      | MEMBER#<sub>            | UPCOMING                   | –  (consults not ended yet, at most MAX_UPCOMING)     |
| waiting       | MEMBER#<sub>            | WAITING#<patient id>       | –  (a patient on the waitlist: days, joined_at)       |
| waiting day   | MEMBER#<sub>            | WAITDAY#<patient id>#<day> | waitlist: wait_day=<Mexico City day> / wait_sk=<joined_at>#<sub>#<patient id> |

A nurse's slots share her partition, so publishing reads what exists with one Query and never touches a booked slot.
Listing free slots is one Query per Mexico City day of the sparse `free_slots` index: booking removes the slot from it.
A slot a member frees is offered to the first patient waiting for its day (one Query of `waitlist`): it stays in the
free index but is held for that member until `offered_until`, and their waitlist items go in the same transaction.
Waitlist items expire (TTL) the day after their last day.
"""

import json
from datetime import date, datetime, time, timedelta, timezone

from pynamodb.attributes import (
    BinaryAttribute, DiscriminatorAttribute, ListAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute,
)
from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.models import Model

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.scheduling import Availability, SlotTime, buckets, slot_id
from chalicelib.domain.teleconsult import (
    ENDED, MAX_UPCOMING, OFFER_HOLD, Appointment, AppointmentFields, ConsentRecord, Nurse, SealedText, Slot,
    WaitlistEntry,
)
from chalicelib.errors import Conflict
from chalicelib.store import outbox
from chalicelib.store.idempotency import AlreadyAnswered
from chalicelib.store.indexes import index
from chalicelib.store.members import ProfileItem, member_key
from chalicelib.store.outbox import Notification
from chalicelib.store.transactions import ConditionFailed, Write, commit

CONSENT_SK = "CONSENT#teleconsultation"
NURSES = "NURSES"  # the directory partition: one entry per nurse


FreeSlots = index("free_slots", "free_day", "free_sk")
ByMember = index("by_member", "member_pk", "member_sk")
ByNurseDay = index("by_nurse_day", "nurse_day", "nurse_sk")
# Consults not ended yet, by the UTC hour they start: the reminders job reads the hours 24 h and 1 h ahead.
ByStartHour = index("by_start_hour", "remind_hour", "remind_sk")
# A patient's consults: which nurse may read their health record, and until when.
ByPatient = index("by_patient", "patient_key", "patient_sk")
# Patients waiting for a Mexico City day, oldest first: who is offered a slot freed that day.
Waitlist = index("waitlist", "wait_day", "wait_sk")


class TeleconsultItem(Model):
    class Meta:
        table_name = "unbound"  # set from Settings by store.tables.bind()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    free_day = UnicodeAttribute(null=True)
    free_sk = UnicodeAttribute(null=True)
    member_pk = UnicodeAttribute(null=True)
    member_sk = UnicodeAttribute(null=True)
    nurse_day = UnicodeAttribute(null=True)
    nurse_sk = UnicodeAttribute(null=True)
    remind_hour = UnicodeAttribute(null=True)
    remind_sk = UnicodeAttribute(null=True)
    wait_day = UnicodeAttribute(null=True)
    wait_sk = UnicodeAttribute(null=True)
    patient_key = UnicodeAttribute(null=True)
    patient_sk = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)  # waitlist items only: consults, slots and consents never expire
    free_slots = FreeSlots()
    by_member = ByMember()
    by_nurse_day = ByNurseDay()
    by_start_hour = ByStartHour()
    by_patient = ByPatient()
    waitlist = Waitlist()


class NurseItem(TeleconsultItem, discriminator="nurse"):
    nurse_id = UnicodeAttribute()
    username = UnicodeAttribute()
    full_name = UnicodeAttribute()
    cedula_profesional = UnicodeAttribute()
    languages = ListAttribute(of=UnicodeAttribute)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class AvailabilityItem(TeleconsultItem, discriminator="availability"):
    pattern = UnicodeAttribute()  # the Availability as JSON
    updated_at = UTCDateTimeAttribute()


class SlotItem(TeleconsultItem, discriminator="slot"):
    slot_id = UnicodeAttribute()
    nurse_id = UnicodeAttribute()
    nurse_name = UnicodeAttribute()
    nurse_languages = ListAttribute(of=UnicodeAttribute)
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    day = UnicodeAttribute()
    lead_minutes = NumberAttribute()
    status = UnicodeAttribute()  # free | booked | unavailable (its nurse cancelled the consult)
    appointment_id = UnicodeAttribute(null=True)
    offered_to = UnicodeAttribute(null=True)  # a freed slot held for a waiting member …
    offered_until = UTCDateTimeAttribute(null=True)  # … until then


class AppointmentItem(TeleconsultItem, discriminator="appointment"):
    appointment_id = UnicodeAttribute()
    slot_id = UnicodeAttribute()
    nurse_id = UnicodeAttribute()
    nurse_name = UnicodeAttribute()
    member_id = UnicodeAttribute()
    patient_id = UnicodeAttribute()
    reason_sealed = BinaryAttribute(legacy_encoding=False)  # clinical free text: store/sealed_text.py
    reason_key = BinaryAttribute(legacy_encoding=False)  # the data key it was sealed under, wrapped by KMS
    status = UnicodeAttribute()
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    created_at = UTCDateTimeAttribute()
    cancelled_by = UnicodeAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    noshow_party = UnicodeAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)


class GuardItem(TeleconsultItem, discriminator="patient-guard"):
    appointment_id = UnicodeAttribute()


class UpcomingItem(TeleconsultItem, discriminator="upcoming"):
    """How many consults a member holds that have not ended yet (booked or arrived)."""

    upcoming = NumberAttribute(null=True)


class WaitingItem(TeleconsultItem, discriminator="waiting"):
    """A patient on the waitlist (one per patient); `waiting day` items are its entries in the `waitlist` index."""

    member_id = UnicodeAttribute()
    patient_id = UnicodeAttribute()
    days = ListAttribute(of=UnicodeAttribute)
    joined_at = UTCDateTimeAttribute()


class WaitingDayItem(WaitingItem, discriminator="waiting-day"):
    pass


class ConsentItem(TeleconsultItem, discriminator="consent"):
    version = UnicodeAttribute()
    text_sha256 = UnicodeAttribute()
    accepted_by = UnicodeAttribute()
    accepted_at = UTCDateTimeAttribute()


def _upcoming(member_id: str, delta: int) -> Write:
    """Count a consult in (+1, refused past MAX_UPCOMING) or out (-1) of the member's upcoming ones."""
    item = UpcomingItem(member_key(member_id), "UPCOMING")
    condition = (UpcomingItem.upcoming.does_not_exist() | (UpcomingItem.upcoming < MAX_UPCOMING)) if delta > 0 else None
    return Write("upcoming", "update", lambda tx: tx.update(item, actions=[UpcomingItem.upcoming.add(delta)],
                                                            condition=condition))


def nurse_key(nurse_id: str) -> str:
    return f"NURSE#{nurse_id}"


def _slot_sk(start: datetime) -> str:
    return f"SLOT#{start:%Y%m%dT%H%M}"


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


def all_nurses() -> list[Nurse]:
    """Every nurse: one Query of the directory partition (a few thousand small items at most)."""
    return [Nurse.model_validate(item, from_attributes=True)
            for item in NurseItem.query(NURSES) if isinstance(item, NurseItem)]


def get_nurse(nurse_id: str) -> Nurse | None:
    try:
        item = NurseItem.get(nurse_key(nurse_id), "PROFILE")
    except NurseItem.DoesNotExist:
        return None
    return Nurse.model_validate(item, from_attributes=True)


# --- Availability and slots ------------------------------------------------------------------------------------------

def _slot_item(nurse: Nurse, slot: SlotTime, lead_minutes: int) -> SlotItem:
    free_day, free_sk = _free_index(slot.start, nurse.nurse_id)
    return SlotItem(
        nurse_key(nurse.nurse_id), _slot_sk(slot.start), slot_id=slot_id(nurse.nurse_id, slot.start),
        nurse_id=nurse.nurse_id, nurse_name=nurse.full_name, nurse_languages=nurse.languages, start=slot.start,
        end=slot.end, day=slot.day.isoformat(), lead_minutes=lead_minutes, status="free",
        free_day=free_day, free_sk=free_sk,
    )


def publish(nurse: Nurse, availability: Availability, slots: list[SlotTime], now: datetime) -> tuple[int, int, int]:
    """Save the pattern and make the slot items match `slots` (future ones): new slots are added, free slots the
    pattern no longer gives are removed, free slots it keeps take its end and lead time, and a booked slot is never
    touched. Returns (added, removed, changed)."""
    AvailabilityItem(nurse_key(nurse.nurse_id), "AVAILABILITY", pattern=availability.model_dump_json(),
                     updated_at=now).save()
    wanted = {_slot_sk(slot.start): slot for slot in slots if slot.start > now}
    existing = {item.sk: item for item in SlotItem.query(
        nurse_key(nurse.nurse_id), SlotItem.sk.between(_slot_sk(now), "SLOT#~"), consistent_read=True)}
    added = [key for key in wanted if key not in existing]
    with SlotItem.batch_write() as batch:
        for key in added:
            batch.save(_slot_item(nurse, wanted[key], availability.lead_minutes))
    removed = changed = 0
    for key, item in existing.items():
        if item.status != "free":
            continue
        try:
            if key not in wanted:
                item.delete(condition=SlotItem.status == "free")
                removed += 1
            elif (item.end, int(item.lead_minutes)) != (wanted[key].end, availability.lead_minutes):
                item.update(actions=[SlotItem.end.set(wanted[key].end),
                                     SlotItem.lead_minutes.set(availability.lead_minutes)],
                            condition=SlotItem.status == "free")
                changed += 1
        except (DeleteError, UpdateError) as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise  # else it was booked meanwhile: keep it as booked
    return len(added), removed, changed


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
                offered_to=item.offered_to, offered_until=item.offered_until)


def get_slot(nurse_id: str, start: datetime) -> Slot | None:
    try:
        return _slot(SlotItem.get(nurse_key(nurse_id), _slot_sk(start), consistent_read=True))
    except SlotItem.DoesNotExist:
        return None


def free_slots(day: date, after: str | None, limit: int) -> tuple[list[Slot], str | None]:
    """Free slots of one Mexico City day, in time order: one Query of the sparse index. Returns the page and the
    free_sk to continue after (None when the day is exhausted)."""
    condition = TeleconsultItem.free_sk > after if after else None
    result = TeleconsultItem.free_slots.query(day.isoformat(), condition, limit=limit)
    slots = [_slot(item) for item in result if isinstance(item, SlotItem)]
    last = result.last_evaluated_key
    return slots, last["free_sk"]["S"] if last else None


# --- Consent and booking ---------------------------------------------------------------------------------------------

def consent_of(patient_id: str) -> ConsentRecord | None:
    try:
        item = ConsentItem.get(f"PATIENT#{patient_id}", CONSENT_SK, consistent_read=True)
    except ConsentItem.DoesNotExist:
        return None
    return ConsentRecord.model_validate(item, from_attributes=True)


def record_consent(patient_id: str, version: str, text_sha256: str, accepted_by: str, now: datetime) -> None:
    ConsentItem(f"PATIENT#{patient_id}", CONSENT_SK, version=version, text_sha256=text_sha256,
                accepted_by=accepted_by, accepted_at=now).save()


def _appointment_item(appointment: Appointment) -> AppointmentItem:
    sort = f"{appointment.start.isoformat()}#{appointment.appointment_id}"
    return AppointmentItem(
        f"APPOINTMENT#{appointment.appointment_id}", "APPOINTMENT", **appointment.model_dump(exclude={"reason"}),
        reason_sealed=appointment.reason.ciphertext, reason_key=appointment.reason.wrapped_key,
        member_pk=member_key(appointment.member_id), member_sk=sort,
        nurse_day=f"{appointment.nurse_id}#{appointment.start.astimezone(MEXICO_CITY).date().isoformat()}",
        nurse_sk=sort, remind_hour=start_hour(appointment.start), remind_sk=sort, patient_key=appointment.patient_id,
        patient_sk=sort,
    )


def start_hour(instant: datetime) -> str:
    return f"{instant.astimezone(timezone.utc):%Y%m%dT%H}"


def starting_in_hour(hour: datetime) -> list[Appointment]:
    """Consults not ended that start in this UTC hour: one Query of the sparse by_start_hour index."""
    return [_appointment(i) for i in TeleconsultItem.by_start_hour.query(start_hour(hour))
            if isinstance(i, AppointmentItem)]


def _free_index(start: datetime, nurse_id: str) -> tuple[str, str]:
    """(free_day, free_sk): a free slot's keys in the `free_slots` index."""
    return start.astimezone(MEXICO_CITY).date().isoformat(), f"{start.isoformat()}#{nurse_id}"


def _take_slot(nurse_id: str, start: datetime, appointment_id: str, member_id: str, now: datetime) -> Write:
    """The slot booked for the appointment and out of the free index, only if it is free and not held for another
    waiting member (Slot.open_to, as a condition) (label "slot")."""
    slot = SlotItem(nurse_key(nurse_id), _slot_sk(start))
    actions = [SlotItem.status.set("booked"), SlotItem.appointment_id.set(appointment_id), SlotItem.free_day.remove(),
               SlotItem.free_sk.remove(), SlotItem.offered_to.remove(), SlotItem.offered_until.remove()]
    open_to_member = (SlotItem.offered_to.does_not_exist() | (SlotItem.offered_to == member_id)
                      | (SlotItem.offered_until <= now))
    return Write("slot", "update", lambda tx: tx.update(
        slot, actions=actions, condition=(SlotItem.status == "free") & open_to_member))


def _release_slot(appointment: Appointment, reoffer: bool, label: str = "slot",
                  held_for: tuple[str, datetime] | None = None) -> Write:
    """The appointment's slot back in the free index (`reoffer`; `held_for` a waiting member until a time) or
    withdrawn, only if it still holds the appointment."""
    slot = SlotItem(nurse_key(appointment.nurse_id), _slot_sk(appointment.start))
    if reoffer:
        day, sort = _free_index(appointment.start, appointment.nurse_id)
        actions = [SlotItem.status.set("free"), SlotItem.free_day.set(day), SlotItem.free_sk.set(sort)]
        if held_for:
            actions += [SlotItem.offered_to.set(held_for[0]), SlotItem.offered_until.set(held_for[1])]
    else:
        actions = [SlotItem.status.set("unavailable")]
    actions.append(SlotItem.appointment_id.remove())
    return Write(label, "update", lambda tx: tx.update(
        slot, actions=actions, condition=SlotItem.appointment_id == appointment.appointment_id))


def _hold_time(appointment: Appointment, bucket_keys) -> list[Write]:
    """The patient's guards for these 5-minute buckets (label "patient-busy" when one is already held)."""
    writes = []
    for bucket in bucket_keys:
        guard = GuardItem(f"PATIENT#{appointment.patient_id}", f"BUSY#{bucket}", appointment_id=appointment.appointment_id)
        writes.append(Write("patient-busy", "save", lambda tx, guard=guard: tx.save(
            guard, condition=TeleconsultItem.pk.does_not_exist())))
    return writes


def _free_time(appointment: Appointment, bucket_keys) -> list[Write]:
    writes = []
    for bucket in bucket_keys:
        guard = GuardItem(f"PATIENT#{appointment.patient_id}", f"BUSY#{bucket}")
        writes.append(Write("guard", "delete", lambda tx, guard=guard: tx.delete(
            guard, condition=GuardItem.appointment_id == appointment.appointment_id)))
    return writes


def _covered(member_id: str, month: str) -> Write:
    return Write("covered", "condition_check", lambda tx: tx.condition_check(
        ProfileItem, member_key(member_id), "PROFILE", condition=ProfileItem.covered_months.contains(month)))


# Booking and rescheduling: which refused condition means what, checked in this order.
_BOOKING_CONFLICTS = (("slot", "slot-taken"), ("covered", "not-covered-that-month"), ("consent", "consent-required"),
                      ("patient-busy", "patient-busy"), ("upcoming", "too-many-upcoming"))


def _booking_conflict(failed: ConditionFailed, month: str) -> Conflict | None:
    for label, reason in _BOOKING_CONFLICTS:
        if label in failed.labels:
            return Conflict(reason, month=month, maximum=MAX_UPCOMING)
    return None


def book(appointment: Appointment, consent_version: str, extra: list[Write] = ()) -> None:
    """Slot free → booked, the appointment, the patient's 5-minute guards, and checks that the member is covered in
    the consult's month and the patient consented to the current text: all in one transaction. A patient on the
    waitlist leaves it (their day items are left to expire)."""
    month = appointment.start.astimezone(MEXICO_CITY).strftime("%Y-%m")
    writes = [
        _take_slot(appointment.nurse_id, appointment.start, appointment.appointment_id, appointment.member_id,
                   appointment.created_at),
        _stop_waiting(appointment.member_id, appointment.patient_id),
        Write("appointment", "save", lambda tx: tx.save(_appointment_item(appointment),
                                                        condition=TeleconsultItem.pk.does_not_exist())),
        _covered(appointment.member_id, month),
        Write("consent", "condition_check", lambda tx: tx.condition_check(
            ConsentItem, f"PATIENT#{appointment.patient_id}", CONSENT_SK, condition=ConsentItem.version == consent_version)),
        _upcoming(appointment.member_id, +1),
        *_hold_time(appointment, buckets(appointment.start, appointment.end)),
        *extra,
    ]
    try:
        commit(writes)
    except ConditionFailed as failed:
        if "idempotency" in failed.labels:
            raise AlreadyAnswered() from None
        conflict = _booking_conflict(failed, month)
        if conflict:
            raise conflict from None
        raise


def _appointment(item: AppointmentItem) -> Appointment:
    fields = AppointmentFields.model_validate(item, from_attributes=True)  # the reason is sealed in two attributes
    return Appointment(**dict(fields), reason=SealedText(ciphertext=item.reason_sealed, wrapped_key=item.reason_key))


def member_appointments(member_id: str) -> list[Appointment]:
    return [_appointment(i) for i in TeleconsultItem.by_member.query(member_key(member_id))
            if isinstance(i, AppointmentItem)]


def nurse_agenda(nurse_id: str, day: date) -> list[Appointment]:
    return [_appointment(i) for i in TeleconsultItem.by_nurse_day.query(f"{nurse_id}#{day.isoformat()}")
            if isinstance(i, AppointmentItem)]


def patient_appointments(patient_id: str) -> list[Appointment]:
    """Every consult of one patient: one Query of `by_patient`."""
    return [_appointment(i) for i in TeleconsultItem.by_patient.query(patient_id) if isinstance(i, AppointmentItem)]


def get_appointment(appointment_id: str) -> Appointment | None:
    try:
        return _appointment(AppointmentItem.get(f"APPOINTMENT#{appointment_id}", "APPOINTMENT", consistent_read=True))
    except AppointmentItem.DoesNotExist:
        return None


def _status_write(appointment: Appointment, changed: Appointment) -> Write:
    """The appointment's new status (and who/why fields), only from the status it was read in."""
    item = AppointmentItem(f"APPOINTMENT#{appointment.appointment_id}", "APPOINTMENT")
    actions = [getattr(AppointmentItem, name).set(getattr(changed, name))
               for name in ("status", "cancelled_by", "cancel_reason", "noshow_party", "started_at")
               if getattr(changed, name)]
    if changed.status in ENDED:  # nothing left to remind
        actions += [AppointmentItem.remind_hour.remove(), AppointmentItem.remind_sk.remove()]
    return Write("appointment", "update", lambda tx: tx.update(
        item, actions=actions, condition=AppointmentItem.status == appointment.status))


def step(appointment: Appointment, changed: Appointment) -> list[Write]:
    """The writes of one forward step (e.g. booked → arrived), conditional on the status read (label
    "appointment"); an ending step also frees a place among the member's upcoming consults."""
    ended = [_upcoming(appointment.member_id, -1)] if changed.status in ENDED else []
    return [_status_write(appointment, changed), *ended]


def move(appointment: Appointment, changed: Appointment) -> None:
    """One forward step of the appointment on its own."""
    try:
        commit(step(appointment, changed))
    except ConditionFailed:
        raise Conflict("appointment-changed") from None


def cancel(appointment: Appointment, changed: Appointment, reoffer: bool, now: datetime,
           extra: list[Write] = ()) -> WaitlistEntry | None:
    """booked → cancelled and the patient's guards released, at once. The slot goes back to the free index when
    `reoffer` (the member cancelled), held for the first patient waiting for its day; a nurse's cancellation marks it
    unavailable instead. Returns the waiting entry the slot was offered to, if any."""
    writes = [
        _status_write(appointment, changed),
        _upcoming(appointment.member_id, -1),
        *_free_time(appointment, buckets(appointment.start, appointment.end)),
        *extra,
    ]
    try:
        if reoffer:
            return _release_to_waitlist(appointment, writes, "slot", now)
        commit([*writes, _release_slot(appointment, reoffer=False)])
        return None
    except ConditionFailed:
        raise Conflict("appointment-changed") from None


def reschedule(appointment: Appointment, new: Slot, now: datetime) -> Appointment:
    """Move a booked consult to another free slot in one transaction: the new slot taken (only if free), the old one
    freed (and offered to the first patient waiting for its day), the appointment re-pointed and the patient's
    guards moved; if any part fails nothing changes."""
    moved = appointment.model_copy(update={"slot_id": new.slot_id, "nurse_id": new.nurse_id, "nurse_name": new.nurse_name,
                                           "start": new.start, "end": new.end})
    item = _appointment_item(moved)
    month = new.start.astimezone(MEXICO_CITY).strftime("%Y-%m")
    old, fresh = set(buckets(appointment.start, appointment.end)), set(buckets(new.start, new.end))
    writes = [
        _take_slot(new.nurse_id, new.start, appointment.appointment_id, appointment.member_id, now),
        Write("appointment", "save", lambda tx: tx.save(item, condition=(AppointmentItem.status == "booked") & (
            AppointmentItem.slot_id == appointment.slot_id))),
        _covered(appointment.member_id, month),
        # Buckets in both stay as they are: one transaction may touch an item only once.
        *_free_time(appointment, sorted(old - fresh)),
        *_hold_time(appointment, sorted(fresh - old)),
    ]
    try:
        _release_to_waitlist(appointment, writes, "old-slot", now)
    except ConditionFailed as failed:
        raise (_booking_conflict(failed, month) or Conflict("appointment-changed")) from None
    return moved


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
    """The patient on the waitlist for those days: one transaction; 409 if they are already waiting."""
    head, *days = _waiting_items(entry)
    try:
        commit([Write("waiting", "save", lambda tx: tx.save(head, condition=TeleconsultItem.pk.does_not_exist())),
                *(Write("waiting-day", "save", lambda tx, item=item: tx.save(item)) for item in days)])
    except ConditionFailed:
        raise Conflict("already-waiting") from None


def waitlist_of(member_id: str) -> list[WaitlistEntry]:
    """The member's patients on the waitlist: one Query of their partition."""
    return [_entry(item) for item in WaitingItem.query(
        member_key(member_id), WaitingItem.sk.startswith("WAITING#"), consistent_read=True)
        if isinstance(item, WaitingItem)]


def _remove_waiting(entry: WaitlistEntry) -> list[Write]:
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
        commit(_remove_waiting(entry))
    except ConditionFailed:
        return None
    return entry


def _stop_waiting(member_id: str, patient_id: str) -> Write:
    """A booking ends the patient's wait: the head goes (delete of a missing item is a no-op)."""
    head = WaitingItem(member_key(member_id), _waiting_sk(patient_id))
    return Write("waiting", "delete", lambda tx: tx.delete(head))


def waiting_on(day: date, limit: int = 10) -> list[WaitlistEntry]:
    """The first patients waiting for a Mexico City day, oldest first: one Query of the `waitlist` index."""
    return [_entry(item) for item in TeleconsultItem.waitlist.query(day.isoformat(), limit=limit)
            if isinstance(item, WaitingItem)]


def _release_to_waitlist(appointment: Appointment, writes: list[Write], label: str, now: datetime) -> WaitlistEntry | None:
    """Commit `writes` with the appointment's slot back in the free index, held for OFFER_HOLD for the first patient
    waiting for its day (their waitlist items removed and a notification queued, in the same transaction). A waiting
    entry that is gone meanwhile (booked, left, offered another slot) is skipped. Returns whom it was offered to."""
    day = appointment.start.astimezone(MEXICO_CITY).date()
    waiting = [entry for entry in waiting_on(day) if entry.member_id != appointment.member_id]
    for entry in [*waiting, None]:
        if entry is None:
            commit([*writes, _release_slot(appointment, reoffer=True, label=label)])
            return None
        until = now + OFFER_HOLD
        notice = Notification("slot-offered", entry.member_id, f"{appointment.slot_id}#{until:%Y%m%dT%H%M}", {
            "slot_id": appointment.slot_id, "start": appointment.start.isoformat(), "patient_id": entry.patient_id,
            "offered_until": until.isoformat()})
        try:
            commit([*writes, _release_slot(appointment, reoffer=True, label=label, held_for=(entry.member_id, until)),
                    *_remove_waiting(entry), outbox.enqueue(notice, now)])
            return entry
        except ConditionFailed as failed:
            if failed.labels != {"waiting"}:
                raise
            _forget_day(entry, day)
    return None


def _forget_day(entry: WaitlistEntry, day: date) -> None:
    """Drop a waiting day whose patient booked or re-joined meanwhile, so the next freed slot skips it at once."""
    stale = WaitingDayItem(member_key(entry.member_id), f"WAITDAY#{entry.patient_id}#{day.isoformat()}")
    try:
        stale.delete(condition=WaitingDayItem.joined_at == entry.joined_at)
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
