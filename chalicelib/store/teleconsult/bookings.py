"""Consents, bookings and every later step of an appointment, each one transaction with its patient guards; the
writes that put a freed slot back (held for a waiting patient, services/teleconsult.py decides whom) join it."""

from datetime import date, datetime, timezone

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.members import MemberStatus
from chalicelib.domain.scheduling import buckets
from chalicelib.domain.teleconsult import (
    ENDED, MAX_UPCOMING, Appointment, AppointmentFields, ConsentRecord, SealedText,
)
from chalicelib.errors import Conflict
from chalicelib.store import stats
from chalicelib.store.idempotency import AlreadyAnswered
from chalicelib.store.members import ProfileItem, member_key
from chalicelib.store.transactions import ConditionFailed, Write, commit
from chalicelib.store.teleconsult.items import (
    CONSENT_SK, AppointmentItem, ConsentItem, GuardItem, NurseItem, SlotItem, TeleconsultItem, free_index, nurse_key,
    slot_sk, upcoming,
)
from chalicelib.store.teleconsult.waitlist import stop_waiting


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


def _take_slot(nurse_id: str, start: datetime, appointment_id: str, member_id: str, now: datetime) -> Write:
    """The slot booked for the appointment and out of the free index, only if it is free and not held for another
    waiting member (Slot.open_to, as a condition) (label "slot")."""
    slot = SlotItem(nurse_key(nurse_id), slot_sk(start))
    actions = [SlotItem.status.set("booked"), SlotItem.appointment_id.set(appointment_id), SlotItem.free_day.remove(),
               SlotItem.free_sk.remove(), SlotItem.offered_to.remove(), SlotItem.offered_until.remove()]
    open_to_member = (SlotItem.offered_to.does_not_exist() | (SlotItem.offered_to == member_id)
                      | (SlotItem.offered_until <= now))
    return Write("slot", "update", lambda tx: tx.update(
        slot, actions=actions, condition=(SlotItem.status == "free") & open_to_member))


def reoffer_slot(appointment: Appointment, label: str = "slot", held_for: tuple[str, datetime] | None = None) -> Write:
    """The appointment's slot back in the free index (`held_for` a waiting member until a time), only if it still
    holds the appointment."""
    day, sort = free_index(appointment.start, appointment.nurse_id)
    actions = [SlotItem.status.set("free"), SlotItem.free_day.set(day), SlotItem.free_sk.set(sort)]
    if held_for:
        actions += [SlotItem.offered_to.set(held_for[0]), SlotItem.offered_until.set(held_for[1])]
    return _slot_leaves(appointment, actions, label)


def withdraw_slot(appointment: Appointment) -> Write:
    """The appointment's slot marked unavailable (its nurse cancelled), only if it still holds the appointment."""
    return _slot_leaves(appointment, [SlotItem.status.set("unavailable")], "slot")


def _slot_leaves(appointment: Appointment, actions: list, label: str) -> Write:
    slot = SlotItem(nurse_key(appointment.nurse_id), slot_sk(appointment.start))
    actions = [*actions, SlotItem.appointment_id.remove()]
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
    """Covered that month, and the account not closing or closed (docs/privacy.md)."""
    condition = (ProfileItem.covered_months.contains(month) & (ProfileItem.status != MemberStatus.CLOSING.value)
                 & (ProfileItem.status != MemberStatus.CLOSED.value))
    return Write("covered", "condition_check", lambda tx: tx.condition_check(
        ProfileItem, member_key(member_id), "PROFILE", condition=condition))


def _nurse_active(nurse_id: str) -> Write:
    """Nobody is booked with a nurse an operator deactivated, even into a slot freed again after her slots were
    removed (a member's cancel racing the deactivation) or published by a request that raced it (label "nurse")."""
    return Write("nurse", "condition_check", lambda tx: tx.condition_check(
        NurseItem, nurse_key(nurse_id), "PROFILE",
        condition=NurseItem.status.does_not_exist() | (NurseItem.status != "inactive")))


# Booking and rescheduling: which refused condition means what, checked in this order.
_BOOKING_CONFLICTS = (("nurse", "nurse-inactive"), ("slot", "slot-taken"), ("covered", "not-covered-that-month"), ("consent", "consent-required"),
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
        _nurse_active(appointment.nurse_id),
        stop_waiting(appointment.member_id, appointment.patient_id),
        Write("appointment", "save", lambda tx: tx.save(_appointment_item(appointment),
                                                        condition=TeleconsultItem.pk.does_not_exist())),
        _covered(appointment.member_id, month),
        Write("consent", "condition_check", lambda tx: tx.condition_check(
            ConsentItem, f"PATIENT#{appointment.patient_id}", CONSENT_SK, condition=ConsentItem.version == consent_version)),
        upcoming(appointment.member_id, +1),
        *_hold_time(appointment, buckets(appointment.start, appointment.end)),
        *stats.add(stats.day_of(appointment.created_at), {"consults_booked": 1}),
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


# The day counter (store/stats.py) a step adds to, on the consult's Mexico City day.
_STEP_COUNTERS = {"fulfilled": "consults_attended", "noshow": "consults_noshow"}


def step(appointment: Appointment, changed: Appointment) -> list[Write]:
    """The writes of one forward step (e.g. booked → arrived), conditional on the status read (label
    "appointment"); an ending step also frees a place among the member's upcoming consults, and fulfilled and
    no-show count on the consult's day."""
    ended = [upcoming(appointment.member_id, -1)] if changed.status in ENDED else []
    counter = _STEP_COUNTERS.get(changed.status)
    counted = stats.add(stats.day_of(appointment.start), {counter: 1}) if counter else []
    return [_status_write(appointment, changed), *ended, *counted]


def move(appointment: Appointment, changed: Appointment) -> None:
    """One forward step of the appointment on its own."""
    try:
        commit(step(appointment, changed))
    except ConditionFailed:
        raise Conflict("appointment-changed") from None


def cancel(appointment: Appointment, changed: Appointment, slot: list[Write], extra: list[Write] = ()) -> None:
    """booked → cancelled, the patient's guards released and `slot`'s writes (the slot reoffered, with its waiting
    patient's items and notice, or withdrawn): one transaction. 409 appointment-changed when the appointment moved
    on meanwhile; ConditionFailed only when all that failed is the waiting patient's items (no longer waiting)."""
    writes = [
        _status_write(appointment, changed),
        upcoming(appointment.member_id, -1),
        *_free_time(appointment, buckets(appointment.start, appointment.end)),
        *extra,
        *slot,
    ]
    try:
        commit(writes)
    except ConditionFailed as failed:
        if failed.labels == {"waiting"}:
            raise
        raise Conflict("appointment-changed") from None


def reschedule(appointment: Appointment, moved: Appointment, old_slot: list[Write], now: datetime) -> None:
    """A booked consult `moved` to another free slot in one transaction: the new slot taken (only if free), the old
    one's `old_slot` writes (reoffered, label "old-slot", maybe held for a waiting patient), the appointment
    re-pointed and the patient's guards moved; if any part fails nothing changes. 409 with the booking's reasons;
    ConditionFailed only when all that failed is the waiting patient's items (no longer waiting)."""
    item = _appointment_item(moved)
    month = moved.start.astimezone(MEXICO_CITY).strftime("%Y-%m")
    old, fresh = set(buckets(appointment.start, appointment.end)), set(buckets(moved.start, moved.end))
    writes = [
        _take_slot(moved.nurse_id, moved.start, appointment.appointment_id, appointment.member_id, now),
        _nurse_active(moved.nurse_id),
        Write("appointment", "save", lambda tx: tx.save(item, condition=(AppointmentItem.status == "booked") & (
            AppointmentItem.slot_id == appointment.slot_id))),
        _covered(appointment.member_id, month),
        # Buckets in both stay as they are: one transaction may touch an item only once.
        *_free_time(appointment, sorted(old - fresh)),
        *_hold_time(appointment, sorted(fresh - old)),
        *old_slot,
    ]
    try:
        commit(writes)
    except ConditionFailed as failed:
        if failed.labels == {"waiting"}:
            raise
        raise (_booking_conflict(failed, month) or Conflict("appointment-changed")) from None
