"""Teleconsultation: nurses and their availability, finding a time, consent, booking and every later step of a
consult, the video room and the waitlist."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chalicelib import wiring
from chalicelib.domain.beneficiaries import Beneficiary, eligibility
from chalicelib.domain.clock import MEXICO_CITY, mexico_city_today
from chalicelib.domain.members import NOT_PROCESSED, Member
from chalicelib.domain.scheduling import MAX_SLOT, Availability, parse_slot_id, reconcile, slots_between
from chalicelib.domain.teleconsult import (
    CANCEL_CUTOFF, CONSENT_SHA256, CONSENT_VERSION, FOLLOW_UP_FROM, FOLLOW_UP_WITHIN, NOSHOW_AFTER, NURSE_LEFT_REASON, SLOT_OFFERED,
    Appointment, ConsentRecord, Nurse, NurseRequest, Slot, WaitlistEntry, WaitlistRequest, can_move, may_start,
    moved_to, noshow_from, offers, patient_facts,
)
from chalicelib.errors import Conflict, FieldError, InvalidInput, NotFound
from chalicelib.adapters import identities
from chalicelib.store import outbox
from chalicelib.store import members as member_store
from chalicelib.store import teleconsult as store
from chalicelib.store.outbox import Notification
from chalicelib.store.transactions import ConditionFailed, Write
from chalicelib.adapters.video_rooms import JoinData

ALTERNATIVES = 5  # free slots offered with a 409 when the chosen one was just taken
NURSE_CANCEL_OFFERS = 3  # other slots that day offered to a member whose nurse cancelled


# --- Nurses and availability -------------------------------------------------------------------------------------

def add_nurse(request: NurseRequest, group: str, created_by: str, now: datetime) -> Nurse:
    """A Cognito user in the nurses' `group` (invited by e-mail) and her profile."""
    settings = wiring.settings()
    nurse_id = identities.create_user(wiring.cognito(), settings.cognito_user_pool_id, request.username,
                                      request.email, group)
    nurse = Nurse(nurse_id=nurse_id, username=request.username, full_name=request.full_name,
                  cedula_profesional=request.cedula_profesional, languages=request.languages, created_by=created_by,
                  created_at=now)
    store.create_nurse(nurse)
    return nurse


def nurse(nurse_id: str) -> Nurse:
    found = store.get_nurse(nurse_id)
    if found is None:
        raise NotFound("nurse-not-found")
    return found


def active_nurse(nurse_id: str) -> Nurse:
    """The nurse, if an operator has not deactivated her (her token lives on for up to an hour after that)."""
    found = nurse(nurse_id)
    if found.status == "inactive":
        raise Conflict("nurse-inactive")
    return found


def nurses(limit: int, after: str | None) -> tuple[list[Nurse], str | None]:
    return store.nurse_page(limit, after)


@dataclass(frozen=True)
class Deactivation:
    nurse: Nurse
    consults_cancelled: int
    slots_removed: int


def deactivate_nurse(nurse_id: str, reason: str, by: str, now: datetime) -> Deactivation:
    """She can no longer sign in (her Cognito user disabled, refresh tokens revoked), publish or be booked: her weekly
    pattern and future free slots go, and each consult booked with her is cancelled as by a nurse (the member told and
    offered other times). Every step is idempotent, so a retry after a failure finishes the job; a booking that wins
    the race for a slot being removed is found by the removal's failed condition and cancelled too."""
    found = store.get_nurse(nurse_id)
    if found is None:
        raise NotFound("nurse-unknown")
    settings = wiring.settings()
    identities.disable_user(wiring.cognito(), settings.cognito_user_pool_id, found.username)
    if store.deactivate_nurse(nurse_id, by, reason, now):
        found = found.model_copy(update={"status": "inactive", "deactivated_at": now, "deactivated_by": by,
                                         "deactivation_reason": reason})
    elif found.status == "active":  # another operator's deactivation won meanwhile: answer what it wrote
        found = store.get_nurse(nurse_id)
    return Deactivation(found, *_clear_schedule(nurse_id, now))


def _clear_schedule(nurse_id: str, now: datetime) -> tuple[int, int]:
    """Her future free slots removed and the consults booked with her cancelled: (consults cancelled, slots removed).
    Read from the longest slot back, so a consult that began a moment ago unopened is cancelled too."""
    removed, booked = 0, []
    for slot in store.slots_from(nurse_id, now - MAX_SLOT):
        if slot.end <= now or (slot.status == "free" and slot.start < now):
            continue  # over, or begun: nobody can book it
        if slot.status == "free":
            if store.remove_free_slot(nurse_id, slot.start):
                removed += 1
                continue
            slot = store.get_slot(nurse_id, slot.start)  # booked since it was read
        if slot and slot.status == "booked":
            booked.append(slot)
    cancelled = 0
    for slot in booked:
        appointment = store.get_appointment(slot.appointment_id)
        if appointment and appointment.status == "booked":
            try:
                _nurse_cancels(appointment, NURSE_LEFT_REASON, now)
                cancelled += 1
            except Conflict:  # the member cancelled or moved it meanwhile
                pass
    return cancelled, removed


@dataclass(frozen=True)
class Published:
    added: int
    removed: int
    changed: int
    through: date


def publish(nurse_id: str, availability: Availability, now: datetime) -> Published:
    """Her weekly pattern becomes slots up to the horizon; booked slots are never touched."""
    return publish_pattern(active_nurse(nurse_id), availability, now)


def publish_pattern(nurse: Nurse, availability: Availability, now: datetime, through: date | None = None) -> Published:
    """Save the pattern and make her future slots match what it gives through the horizon (or `through`: the demo
    seed's), by domain.scheduling.reconcile: new ones added, free ones it no longer gives removed, free ones it keeps
    updated, booked ones untouched. Also the daily roll of every nurse's horizon (services/jobs.py)."""
    today = mexico_city_today(now)
    through = through or today + timedelta(weeks=availability.horizon_weeks)
    store.save_availability(nurse.nurse_id, availability, now)
    changes = reconcile(store.slots_from(nurse.nurse_id, now), slots_between(availability, today, through),
                        availability.lead_minutes, now)
    added, removed, changed = store.apply_slots(nurse, changes, availability.lead_minutes)
    return Published(added, removed, changed, through)


def availability_of(nurse_id: str) -> Availability:
    availability = store.get_availability(nurse_id)
    if availability is None:
        raise NotFound("availability-not-found")
    return availability


# --- Finding a time ------------------------------------------------------------------------------------------------

def bookable(slot: Slot, member_id: str, now: datetime) -> bool:
    """Far enough ahead for its lead time, and free for this member (not held for someone else)."""
    return slot.start >= now + timedelta(minutes=slot.lead_minutes) and slot.open_to(member_id, now)


@dataclass(frozen=True)
class SlotsFound:
    member: Member
    slots: list[Slot]
    resume_at: tuple[date, str | None] | None  # where the next page starts

    @property
    def suggest_waitlist(self) -> bool:
        """Nothing free through the last day asked for: the member may wait for a slot instead."""
        return not self.slots and self.resume_at is None


def find_slots(member_id: str, first: date, after: str | None, last: date, limit: int, now: datetime) -> SlotsFound:
    """Free slots the member may book, day by day from `first` (after the slot key `after`) through `last`."""
    member = member_store.registered_member(member_id)
    _require_processed(member)
    day, found = first, []
    while day <= last and len(found) < limit:
        slots, after = store.free_slots(day, after, limit - len(found))
        found += [slot for slot in slots if bookable(slot, member_id, now)]
        if after is None:
            day += timedelta(days=1)
    return SlotsFound(member, found, (day, after) if day <= last and len(found) >= limit else None)


def _patient_of(member_id: str, patient_id: str | None, now: datetime) -> tuple[Member, str]:
    """The member and the patient (a person id): the member themself, or one of their active beneficiaries eligible
    today."""
    member, beneficiary = _member_and_beneficiary(member_id, patient_id, now)
    return member, beneficiary.person_id if beneficiary else member.person_id


def _member_and_beneficiary(member_id: str, patient_id: str | None,
                            now: datetime) -> tuple[Member, Beneficiary | None]:
    """The member and, when the patient is one of their active beneficiaries eligible today, that beneficiary."""
    member, beneficiaries = member_store.registered_partition(member_id)
    _require_processed(member)
    if patient_id is None or patient_id == member.person_id:
        return member, None
    for beneficiary in beneficiaries:
        if beneficiary.person_id == patient_id and beneficiary.status == "active":
            if not eligibility(beneficiary, mexico_city_today(now)).eligible:
                raise Conflict("patient-not-eligible")
            return member, beneficiary
    raise NotFound("patient-not-found")


def _require_processed(member: Member) -> None:
    """No slots, bookings, consents or waiting for a member whose account is closing or closed (docs/privacy.md); the
    booking transaction checks the status too."""
    if member.status in NOT_PROCESSED:
        raise Conflict("account-closing")


def _bookable_slot(slot_id: str, now: datetime) -> Slot:
    """The slot, if it exists and is not too soon; whether it is free (or held for someone) is the booking
    transaction's condition."""
    nurse_id, start = parse_slot_id(slot_id)
    slot = store.get_slot(nurse_id, start)
    if slot is None:
        raise NotFound("slot-not-found")
    if slot.start < now + timedelta(minutes=slot.lead_minutes):
        raise Conflict("slot-too-soon", minutes=slot.lead_minutes)
    return slot


# --- Consent and booking -------------------------------------------------------------------------------------------

def accept_consent(member_id: str, patient_id: str | None, now: datetime) -> tuple[str, ConsentRecord]:
    """The current consent text accepted for the member or a beneficiary: (the patient, the acceptance)."""
    _, patient = _patient_of(member_id, patient_id, now)
    store.record_consent(patient, CONSENT_VERSION, CONSENT_SHA256, member_id, now)
    return patient, ConsentRecord(version=CONSENT_VERSION, text_sha256=CONSENT_SHA256, accepted_by=member_id,
                                  accepted_at=now)


class SlotTaken(Conflict):
    """The slot was booked first by someone else; `alternatives` are free ones the same day."""

    def __init__(self, member: Member, alternatives: list[Slot]) -> None:
        super().__init__("slot-taken")
        self.member = member
        self.alternatives = alternatives


def book(member_id: str, slot_id: str, patient_id: str | None, reason: str, now: datetime,
         answer: Callable[[Appointment], list[Write]] = lambda appointment: [],
         follow_up_of: str | None = None) -> Appointment:
    """The slot taken for the patient, with coverage, consent and the patient's free time checked by the one
    transaction (`answer`'s writes join it: the idempotency record). The reason is sealed before it is stored."""
    member, beneficiary = _member_and_beneficiary(member_id, patient_id, now)
    slot = _bookable_slot(slot_id, now)
    appointment_id = str(uuid.uuid4())
    appointment = Appointment(
        appointment_id=appointment_id, slot_id=slot.slot_id, nurse_id=slot.nurse_id, nurse_name=slot.nurse_name,
        member_id=member_id, status="booked", start=slot.start, end=slot.end, created_at=now,
        follow_up_of=follow_up_of, **patient_facts(member, beneficiary),
        reason=wiring.booking_reasons().seal(reason, appointment_id))
    try:
        store.book(appointment, CONSENT_VERSION, answer(appointment))
    except Conflict as conflict:
        if conflict.detail_key != "slot-taken":
            raise
        alternatives, _ = store.free_slots(slot.day, None, 10)
        raise SlotTaken(member, [s for s in alternatives if bookable(s, member_id, now)][:ALTERNATIVES]) from None
    return appointment


# --- Follow-ups: the nurse books the patient's next consult at the end of one -------------------------------------

def _follow_up_source(nurse_id: str, appointment_id: str, now: datetime) -> Appointment:
    """Her consult that took place (opened) and ended less than FOLLOW_UP_WITHIN ago, the one a follow-up continues."""
    appointment = appointment_of(appointment_id, nurse_id, "nurse_id")
    if appointment.status not in FOLLOW_UP_FROM:
        raise Conflict("follow-up-not-started", current=appointment.status)
    if now > appointment.end + FOLLOW_UP_WITHIN:
        raise Conflict("follow-up-too-late", hours=int(FOLLOW_UP_WITHIN.total_seconds() // 3600))
    return appointment


def follow_up_slots(nurse_id: str, appointment_id: str, mine: bool, first: date, after: str | None, last: date,
                    limit: int, now: datetime) -> SlotsFound:
    """Free slots the consult's patient may be booked into: any nurse's (the members' search, for the consult's
    member) or only hers (one Query of her partition), from `first` (after the slot key `after`) through `last`."""
    source = _follow_up_source(nurse_id, appointment_id, now)
    if not mine:
        return find_slots(source.member_id, first, after, last, limit, now)
    member = member_store.registered_member(source.member_id)
    _require_processed(member)
    begin = datetime.combine(first, datetime.min.time(), MEXICO_CITY)
    if after:
        begin = max(begin, datetime.fromisoformat(after.rpartition("#")[0]) + timedelta(minutes=1))
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), MEXICO_CITY)
    slots = [slot for slot in store.free_slots_of(nurse_id, begin, end) if bookable(slot, source.member_id, now)]
    page = slots[:limit]
    resume = (page[-1].day, f"{page[-1].start.isoformat()}#{nurse_id}") if len(slots) > limit else None
    return SlotsFound(member, page, resume)


FOLLOW_UP_BOOKED = "follow-up-booked"  # the member's notice of a consult their patient's nurse booked


def book_follow_up(nurse_id: str, appointment_id: str, slot_id: str, reason: str, now: datetime,
                   answer: Callable[[Appointment], list[Write]]) -> Appointment:
    """The consult's patient booked into the slot by its nurse, under the members' booking rules in the same one
    transaction (coverage of that month, consent, the patient's free time, MAX_UPCOMING), with the member's notice
    in it; the member may then cancel or reschedule it like any other."""
    active_nurse(nurse_id)
    source = _follow_up_source(nurse_id, appointment_id, now)

    def answer_and_notice(booked: Appointment) -> list[Write]:
        notice = Notification(FOLLOW_UP_BOOKED, booked.member_id, booked.appointment_id, {
            "appointment_id": booked.appointment_id, "start": booked.start.isoformat(),
            "follow_up_of": source.appointment_id})
        return [*answer(booked), outbox.enqueue(notice, now)]

    try:
        return book(source.member_id, slot_id, source.patient_id, reason, now, answer_and_notice,
                    follow_up_of=source.appointment_id)
    except SlotTaken:
        raise
    except Conflict as conflict:  # the booking's refusals, told to the nurse rather than to the member
        if conflict.detail_key in _FOLLOW_UP_REFUSALS:
            raise Conflict(_FOLLOW_UP_REFUSALS[conflict.detail_key], **conflict.params) from None
        raise


_FOLLOW_UP_REFUSALS = {"not-covered-that-month": "follow-up-not-covered", "consent-required": "follow-up-no-consent",
                       "patient-busy": "follow-up-patient-busy", "too-many-upcoming": "follow-up-too-many"}


def with_reasons(appointments: list[Appointment]) -> list[tuple[Appointment, str]]:
    """Each appointment with its booking reason opened (for the member's list and the nurse's agenda only)."""
    reasons = wiring.booking_reasons()
    return [(a, reasons.open(a.reason, a.appointment_id)) for a in appointments]


def appointments_of_member(member_id: str) -> list[tuple[Appointment, str]]:
    return with_reasons(store.member_appointments(member_id))


def agenda(nurse_id: str, day: date) -> list[tuple[Appointment, str]]:
    return with_reasons(store.nurse_agenda(nurse_id, day))


def nurse_consult(nurse_id: str, appointment_id: str) -> tuple[Appointment, str]:
    """One of the nurse's consults with its reason opened; any other's is a 404."""
    (consult,) = with_reasons([appointment_of(appointment_id, nurse_id, "nurse_id")])
    return consult


# --- After booking --------------------------------------------------------------------------------------------------

def appointment_of(appointment_id: str, owner: str, field: str) -> Appointment:
    """The appointment if `owner` is its member (field member_id) or its nurse (nurse_id); 404 for anyone else, so
    that other people's consults do not even appear to exist."""
    appointment = store.get_appointment(appointment_id)
    if appointment is None or getattr(appointment, field) != owner:
        raise NotFound("appointment-not-found")
    return appointment


def require_step(appointment: Appointment, to: str) -> None:
    if not can_move(appointment.status, to):
        raise Conflict("appointment-status", current=appointment.status, to=to)


def _before_cutoff(appointment: Appointment, now: datetime) -> None:
    """Members change a consult only up to CANCEL_CUTOFF before it starts."""
    if now > appointment.start - CANCEL_CUTOFF:
        raise Conflict("cancel-too-late", hours=int(CANCEL_CUTOFF.total_seconds() // 3600))


def cancel_by_member(member_id: str, appointment_id: str, now: datetime) -> Appointment:
    """Up to the cut-off; the slot is free again, offered first to whoever waits for its day."""
    appointment = appointment_of(appointment_id, member_id, "member_id")
    require_step(appointment, "cancelled")
    _before_cutoff(appointment, now)
    cancelled = appointment.model_copy(update={"status": "cancelled", "cancelled_by": "member"})
    _free_and_offer(appointment, "slot", now, lambda slot: store.cancel(appointment, cancelled, slot))
    return cancelled


def withdraw_member(member_id: str, now: datetime) -> int:
    """The member's account is closing (docs/privacy.md): every consult booked to start later is cancelled as by the
    member, the cut-off aside (the slot offered to whoever waits), and their patients leave the waitlist. Each
    cancellation is its own transaction and skips what moved on meanwhile, so a retry finishes the job. Returns the
    consults cancelled."""
    cancelled_count = 0
    for appointment in store.member_appointments(member_id):
        if appointment.status != "booked" or appointment.start <= now:  # a begun one ends as it ends
            continue
        cancelled = appointment.model_copy(update={"status": "cancelled", "cancelled_by": "member"})
        try:
            _free_and_offer(appointment, "slot", now,
                            lambda slot, booked=appointment, done=cancelled: store.cancel(booked, done, slot))
        except Conflict:  # started, ended or cancelled meanwhile
            continue
        cancelled_count += 1
    for entry in store.waitlist_of(member_id):
        store.leave_waitlist(member_id, entry.patient_id)
    return cancelled_count


def reschedule(member_id: str, appointment_id: str, slot_id: str, now: datetime) -> Appointment:
    """Both changes or neither: the new slot taken and the old one freed (offered to whoever waits for its day)."""
    appointment = appointment_of(appointment_id, member_id, "member_id")
    if appointment.status != "booked":
        raise Conflict("appointment-status", current=appointment.status, to="booked")
    _before_cutoff(appointment, now)
    moved = moved_to(appointment, _bookable_slot(slot_id, now))
    _free_and_offer(appointment, "old-slot", now, lambda slot: store.reschedule(appointment, moved, slot, now))
    return moved


def _free_and_offer(freed: Appointment, label: str, now: datetime,
                    commit_with: Callable[[list[Write]], None]) -> WaitlistEntry | None:
    """`commit_with` the freed appointment's slot back in the free index (its write labelled `label`), held for
    OFFER_HOLD for the first patient waiting for its day: their waitlist items removed and a `slot-offered` notice
    queued in the same transaction. A waiting entry gone meanwhile (booked, left, offered another slot) is dropped from
    that day and the next one tried. Returns whom it was offered to."""
    day = freed.start.astimezone(MEXICO_CITY).date()
    for offer in offers(freed, store.waiting_on(day), now):
        notice = Notification(SLOT_OFFERED, offer.entry.member_id, offer.subject, offer.params)
        try:
            commit_with([store.reoffer_slot(freed, label, held_for=(offer.entry.member_id, offer.until)),
                         *store.remove_waiting(offer.entry), outbox.enqueue(notice, now)])
            return offer.entry
        except ConditionFailed:  # only the waiting patient's items failed: they are no longer waiting
            store.forget_day(offer.entry, day)
    commit_with([store.reoffer_slot(freed, label)])
    return None


def start(nurse_id: str, appointment_id: str, now: datetime) -> Appointment:
    """The nurse opens her consult (arrived), from JOIN_EARLY before its start until its end."""
    appointment = appointment_of(appointment_id, nurse_id, "nurse_id")
    require_step(appointment, "arrived")
    if not may_start(appointment, now):
        raise Conflict("outside-consult-window")
    arrived = appointment.model_copy(update={"status": "arrived", "started_at": now})
    store.move(appointment, arrived)
    return arrived


def cancel_by_nurse(nurse_id: str, appointment_id: str, reason: str, now: datetime) -> Appointment:
    return _nurse_cancels(appointment_of(appointment_id, nurse_id, "nurse_id"), reason, now)


def _nurse_cancels(appointment: Appointment, reason: str, now: datetime) -> Appointment:
    """The slot is withdrawn and the member told (no reason text in the notice), with other times that day."""
    require_step(appointment, "cancelled")
    cancelled = appointment.model_copy(update={"status": "cancelled", "cancelled_by": "nurse", "cancel_reason": reason})
    offered, _ = store.free_slots(appointment.start.astimezone(MEXICO_CITY).date(), None, 10)
    notice = Notification("appointment-cancelled-by-nurse", appointment.member_id, appointment.appointment_id, {
        "appointment_id": appointment.appointment_id, "start": appointment.start.isoformat(),
        "offered_slots": [s.slot_id for s in offered if bookable(s, appointment.member_id, now)][:NURSE_CANCEL_OFFERS]})
    store.cancel(appointment, cancelled, [store.withdraw_slot(appointment)], extra=[outbox.enqueue(notice, now)])
    return cancelled


def _noshow(appointment: Appointment, party: str, now: datetime) -> Appointment:
    require_step(appointment, "noshow")
    if now < noshow_from(appointment):
        raise Conflict("noshow-too-early", minutes=int(NOSHOW_AFTER.total_seconds() // 60))
    missed = appointment.model_copy(update={"status": "noshow", "noshow_party": party})
    store.move(appointment, missed)
    return missed


def patient_missed(nurse_id: str, appointment_id: str, now: datetime) -> Appointment:
    """The nurse records that the patient did not come."""
    return _noshow(appointment_of(appointment_id, nurse_id, "nurse_id"), "patient", now)


def nurse_missed(member_id: str, appointment_id: str, now: datetime) -> Appointment:
    """The member records that the nurse did not come."""
    return _noshow(appointment_of(appointment_id, member_id, "member_id"), "nurse", now)


def join(user_id: str, appointment_id: str, now: datetime) -> tuple[Appointment, JoinData]:
    """The video room for the patient's member or the consult's nurse, inside the consult's window."""
    appointment = store.get_appointment(appointment_id)
    if appointment is None or user_id not in (appointment.member_id, appointment.nurse_id):
        raise NotFound("appointment-not-found")
    if appointment.status not in ("booked", "arrived"):
        raise Conflict("appointment-status", current=appointment.status, to="arrived")
    if not may_start(appointment, now):
        raise Conflict("outside-consult-window")
    participant = appointment.nurse_id if user_id == appointment.nurse_id else appointment.patient_id
    return appointment, wiring.video_rooms().join(appointment.appointment_id, participant, appointment.end)


# --- The waitlist ----------------------------------------------------------------------------------------------------

def wait(member_id: str, request: WaitlistRequest, now: datetime) -> WaitlistEntry:
    """The patient waits for those days, if every month is covered and the consent accepted."""
    if request.first < mexico_city_today(now):
        raise InvalidInput([FieldError("from", "date_in_past")])
    member, patient = _patient_of(member_id, request.patient_id, now)
    for month in sorted({day.strftime("%Y-%m") for day in request.days()}):
        if month not in member.covered_months:
            raise Conflict("not-covered-that-month", month=month)
    consent = store.consent_of(patient)
    if consent is None or consent.version != CONSENT_VERSION:
        raise Conflict("consent-required")
    entry = WaitlistEntry(member_id=member_id, patient_id=patient, days=request.days(), joined_at=now)
    store.join_waitlist(entry)
    return entry


def waiting(member_id: str) -> list[WaitlistEntry]:
    return store.waitlist_of(member_id)


def stop_waiting(member_id: str, patient_id: str) -> WaitlistEntry:
    entry = store.leave_waitlist(member_id, patient_id)
    if entry is None:
        raise NotFound("not-waiting")
    return entry
