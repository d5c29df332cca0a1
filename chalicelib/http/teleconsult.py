"""Teleconsultation routes: operators add nurses; nurses publish availability and read their agenda; members find
a time, consent and book."""

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.domain.beneficiaries import eligibility
from chalicelib.domain.clock import MEXICO_CITY, mexico_city_today
from chalicelib.domain.members import Member
from chalicelib.domain.scheduling import Availability, parse_slot_id, slots_between
from chalicelib.domain.teleconsult import (
    CANCEL_CUTOFF, CONSENT_SHA256, CONSENT_VERSION, Appointment, AppointmentFields, BookingRequest, ConsentRequest,
    Nurse, NurseRequest, NOSHOW_AFTER, NurseCancellation, RescheduleRequest, Slot, SlotQuery, WaitlistEntry,
    WaitlistRequest, can_move, may_start,
)
from chalicelib.errors import Conflict, FieldError, InvalidInput, NotFound
from chalicelib.http.api import Idempotency, Reply, Router
from chalicelib.http.auth import Caller, Role
from chalicelib.store import identities, outbox
from chalicelib.store import members as member_store
from chalicelib.store import teleconsult as store
from chalicelib.store.outbox import Notification

router = Router(__name__, tag="teleconsult")
MEMBER, NURSE, OPERATOR = {Role.MEMBER}, {Role.NURSE}, {Role.OPERATOR}
WAITLIST_PATH = "/v1/teleconsult/waitlist"


class PublishResult(BaseModel):
    slots_added: int
    slots_removed: int = Field(description="Free slots the new pattern no longer gives; booked ones are never removed")
    slots_changed: int = Field(description="Free slots kept with a new end or lead time")
    through: date = Field(description="Last Mexico City day with slots")


class NurseBrief(BaseModel):
    nurse_id: str
    full_name: str
    languages: list[str]


class SlotOut(BaseModel):
    slot_id: str
    start: datetime
    end: datetime
    start_local: str = Field(description="In the member's time zone, with its offset that day")
    start_mexico_city: str
    time_zone: str
    nurse: NurseBrief
    held_for_you_until: datetime | None = Field(
        None, description="Set when this freed slot is held for you because you were on the waitlist")


class SlotPage(BaseModel):
    items: list[SlotOut]
    next: str | None
    waitlist: str | None = Field(None, description="When nothing is free: join the waitlist there (POST)")


class ConsentOut(BaseModel):
    patient_id: str
    version: str
    text_sha256: str
    accepted_at: datetime


class AppointmentOut(AppointmentFields):
    start_mexico_city: str


class AppointmentWithReason(AppointmentOut):
    reason: str = Field(description="The member's reason for booking: shown only in the member's and the nurse's lists")


class AppointmentList(BaseModel):
    items: list[AppointmentWithReason]


class AgendaQuery(BaseModel):
    date: date


def _out(appointment: Appointment) -> AppointmentOut:
    """Answers to a change (book, cancel, start...) leave the reason out: the client has it, and the booking's answer
    is kept in clear as its idempotency record."""
    return AppointmentOut(**appointment.model_dump(exclude={"reason"}),
                          start_mexico_city=appointment.start.astimezone(MEXICO_CITY).isoformat())


def _listed(appointments: list[Appointment]) -> AppointmentList:
    reasons = wiring.booking_reasons()
    return AppointmentList(items=[
        AppointmentWithReason(**_out(a).model_dump(), reason=reasons.open(a.reason, a.appointment_id))
        for a in appointments])


def nurse_profile(nurse_id: str) -> Nurse:
    nurse = store.get_nurse(nurse_id)
    if nurse is None:
        raise NotFound("nurse-not-found")
    return nurse


@router.route("/v1/operators/nurses", "POST", roles=OPERATOR, body=NurseRequest, response=Nurse, status=201,
              extra_statuses=[409], summary="Add a nurse: a Cognito user in the nurses group and her profile")
def create_nurse(caller: Caller, body: NurseRequest, now: datetime) -> Reply:
    settings = wiring.settings()
    nurse_id = identities.create_user(wiring.cognito(), settings.cognito_user_pool_id, body.username, body.email,
                                      Role.NURSE.group)
    nurse = Nurse(nurse_id=nurse_id, username=body.username, full_name=body.full_name,
                  cedula_profesional=body.cedula_profesional, languages=body.languages, created_by=caller.user_id,
                  created_at=now)
    store.create_nurse(nurse)
    return Reply(nurse, 201)


@router.route("/v1/nurse/availability", "PUT", roles=NURSE, body=Availability, response=PublishResult,
              extra_statuses=[404], summary="Publish my weekly availability (Mexico City time); creates the slots")
def publish_availability(caller: Caller, body: Availability, now: datetime) -> PublishResult:
    nurse = nurse_profile(caller.user_id)
    today = mexico_city_today(now)
    through = today + timedelta(weeks=body.horizon_weeks)
    added, removed, changed = store.publish(nurse, body, slots_between(body, today, through), now)
    return PublishResult(slots_added=added, slots_removed=removed, slots_changed=changed, through=through)


@router.route("/v1/nurse/availability", "GET", roles=NURSE, response=Availability, extra_statuses=[404],
              summary="My published availability")
def my_availability(caller: Caller) -> Availability:
    availability = store.get_availability(caller.user_id)
    if availability is None:
        raise NotFound("availability-not-found")
    return availability


@router.route("/v1/nurse/agenda", "GET", roles=NURSE, query=AgendaQuery, response=AppointmentList,
              summary="My appointments on a Mexico City day")
def agenda(caller: Caller, query: AgendaQuery) -> AppointmentList:
    return _listed(store.nurse_agenda(caller.user_id, query.date))


def _slot_out(slot: Slot, zone: ZoneInfo, member_id: str, now: datetime) -> SlotOut:
    held = slot.offered_until if slot.offered_to == member_id and slot.offered_until > now else None
    return SlotOut(slot_id=slot.slot_id, start=slot.start, end=slot.end,
                   start_local=slot.start.astimezone(zone).isoformat(),
                   start_mexico_city=slot.start.astimezone(MEXICO_CITY).isoformat(), time_zone=zone.key,
                   nurse=NurseBrief(nurse_id=slot.nurse_id, full_name=slot.nurse_name, languages=slot.nurse_languages),
                   held_for_you_until=held)


def _bookable(slot: Slot, member_id: str, now: datetime) -> bool:
    return slot.start >= now + timedelta(minutes=slot.lead_minutes) and slot.open_to(member_id, now)


@router.route("/v1/teleconsult/slots", "GET", roles=MEMBER, query=SlotQuery, response=SlotPage, extra_statuses=[404],
              summary="Free slots across nurses, by Mexico City day, shown in my time zone too")
def list_slots(caller: Caller, query: SlotQuery, now: datetime) -> SlotPage:
    day, after = query.resume()
    member = member_store.registered_member(caller.user_id)
    zone = ZoneInfo(member.residence.time_zone)
    items: list[SlotOut] = []
    while day <= query.last and len(items) < query.limit:
        slots, after = store.free_slots(day, after, query.limit - len(items))
        items += [_slot_out(slot, zone, caller.user_id, now) for slot in slots if _bookable(slot, caller.user_id, now)]
        if after is None:
            day += timedelta(days=1)
    cursor = f"{day.isoformat()}|{after or ''}" if day <= query.last and len(items) >= query.limit else None
    return SlotPage(items=items, next=cursor, waitlist=None if items or cursor else WAITLIST_PATH)


def _patient_of(member_id: str, patient_id: str | None, now: datetime) -> tuple[Member, str]:
    """The member and the patient (a person id): the member themself, or one of their active beneficiaries eligible
    today."""
    member, beneficiaries = member_store.registered_partition(member_id)
    if patient_id is None or patient_id == member.person_id:
        return member, member.person_id
    for beneficiary in beneficiaries:
        if beneficiary.person_id == patient_id and beneficiary.status == "active":
            if not eligibility(beneficiary, mexico_city_today(now)).eligible:
                raise Conflict("patient-not-eligible")
            return member, patient_id
    raise NotFound("patient-not-found")


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


@router.route("/v1/me/consents/teleconsultation", "POST", roles=MEMBER, body=ConsentRequest, response=ConsentOut,
              status=201, extra_statuses=[404, 409],
              summary="Accept the teleconsultation informed consent for me or one of my beneficiaries")
def accept_consent(caller: Caller, body: ConsentRequest, now: datetime) -> Reply:
    _, patient_id = _patient_of(caller.user_id, body.patient_id, now)
    store.record_consent(patient_id, CONSENT_VERSION, CONSENT_SHA256, caller.user_id, now)
    return Reply(ConsentOut(patient_id=patient_id, version=CONSENT_VERSION, text_sha256=CONSENT_SHA256,
                            accepted_at=now), 201)


@router.route("/v1/teleconsult/appointments", "POST", roles=MEMBER, body=BookingRequest, response=AppointmentOut,
              status=201, extra_statuses=[404, 409], idempotent=True,
              summary="Book a slot for me or a beneficiary; 409 with fresh alternatives when it was just taken")
def book(caller: Caller, body: BookingRequest, idempotency: Idempotency, now: datetime) -> Reply:
    member, patient_id = _patient_of(caller.user_id, body.patient_id, now)
    slot = _bookable_slot(body.slot_id, now)
    appointment_id = str(uuid.uuid4())
    appointment = Appointment(
        appointment_id=appointment_id, slot_id=slot.slot_id, nurse_id=slot.nurse_id, nurse_name=slot.nurse_name,
        member_id=caller.user_id, patient_id=patient_id, status="booked", start=slot.start, end=slot.end,
        created_at=now, reason=wiring.booking_reasons().seal(body.reason, appointment_id))
    out = _out(appointment)
    try:
        store.book(appointment, CONSENT_VERSION, idempotency.writes(201, out, now))
    except Conflict as conflict:
        if conflict.detail_key == "slot-taken":
            alternatives, _ = store.free_slots(slot.day, None, 10)
            zone = ZoneInfo(member.residence.time_zone)
            conflict.extensions["alternatives"] = [_slot_out(s, zone, caller.user_id, now).model_dump(mode="json")
                                                   for s in alternatives if _bookable(s, caller.user_id, now)][:5]
        raise
    return Reply(out, 201)


@router.route("/v1/me/appointments", "GET", roles=MEMBER, response=AppointmentList,
              summary="My and my beneficiaries' teleconsultations")
def my_appointments(caller: Caller) -> AppointmentList:
    return _listed(store.member_appointments(caller.user_id))


def appointment_of(appointment_id: str, owner: str, field: str) -> Appointment:
    """The appointment if `owner` is its member (field member_id) or its nurse (nurse_id); 404 for anyone else, so
    that other people's consults do not even appear to exist."""
    appointment = store.get_appointment(appointment_id)
    if appointment is None or getattr(appointment, field) != owner:
        raise NotFound("appointment-not-found")
    return appointment


def _before_cutoff(appointment: Appointment, now: datetime) -> None:
    """Members change a consult only up to CANCEL_CUTOFF before it starts."""
    if now > appointment.start - CANCEL_CUTOFF:
        raise Conflict("cancel-too-late", hours=int(CANCEL_CUTOFF.total_seconds() // 3600))


def require_step(appointment: Appointment, to: str) -> None:
    if not can_move(appointment.status, to):
        raise Conflict("appointment-status", current=appointment.status, to=to)


@router.route("/v1/me/appointments/{appointment_id}/cancel", "POST", roles=MEMBER, response=AppointmentOut,
              extra_statuses=[404, 409], summary="Cancel my booked consult, up to 2 hours before it starts")
def cancel_appointment(caller: Caller, appointment_id: str, now: datetime) -> AppointmentOut:
    appointment = appointment_of(appointment_id, caller.user_id, "member_id")
    require_step(appointment, "cancelled")
    _before_cutoff(appointment, now)
    cancelled = appointment.model_copy(update={"status": "cancelled", "cancelled_by": "member"})
    store.cancel(appointment, cancelled, reoffer=True, now=now)
    return _out(cancelled)


@router.route("/v1/me/appointments/{appointment_id}/reschedule", "POST", roles=MEMBER, body=RescheduleRequest,
              response=AppointmentOut, extra_statuses=[404, 409],
              summary="Move my booked consult to another free slot (both changes or neither), up to the cut-off")
def reschedule_appointment(caller: Caller, appointment_id: str, body: RescheduleRequest, now: datetime) -> AppointmentOut:
    appointment = appointment_of(appointment_id, caller.user_id, "member_id")
    if appointment.status != "booked":
        raise Conflict("appointment-status", current=appointment.status, to="booked")
    _before_cutoff(appointment, now)
    return _out(store.reschedule(appointment, _bookable_slot(body.slot_id, now), now))


@router.route("/v1/nurse/appointments/{appointment_id}/start", "POST", roles=NURSE, response=AppointmentOut,
              extra_statuses=[404, 409], summary="Start my consult (arrived), from 10 minutes before until its end")
def start_appointment(caller: Caller, appointment_id: str, now: datetime) -> AppointmentOut:
    appointment = appointment_of(appointment_id, caller.user_id, "nurse_id")
    require_step(appointment, "arrived")
    if not may_start(appointment, now):
        raise Conflict("outside-consult-window")
    arrived = appointment.model_copy(update={"status": "arrived"})
    store.move(appointment, arrived)
    return _out(arrived)


@router.route("/v1/nurse/appointments/{appointment_id}/cancel", "POST", roles=NURSE, body=NurseCancellation,
              response=AppointmentOut, extra_statuses=[404, 409],
              summary="Cancel my booked consult with a reason; the member is notified and offered other times")
def nurse_cancel(caller: Caller, appointment_id: str, body: NurseCancellation, now: datetime) -> AppointmentOut:
    appointment = appointment_of(appointment_id, caller.user_id, "nurse_id")
    require_step(appointment, "cancelled")
    cancelled = appointment.model_copy(update={"status": "cancelled", "cancelled_by": "nurse",
                                               "cancel_reason": body.reason})
    day = appointment.start.astimezone(MEXICO_CITY).date()
    offered, _ = store.free_slots(day, None, 10)
    notice = Notification("appointment-cancelled-by-nurse", appointment.member_id, appointment.appointment_id, {
        "appointment_id": appointment.appointment_id, "start": appointment.start.isoformat(),
        "offered_slots": [slot.slot_id for slot in offered if _bookable(slot, appointment.member_id, now)][:3]})
    store.cancel(appointment, cancelled, reoffer=False, now=now, extra=[outbox.enqueue(notice, now)])
    return _out(cancelled)


def _noshow(appointment: Appointment, party: str, now: datetime) -> AppointmentOut:
    require_step(appointment, "noshow")
    if now < appointment.start + NOSHOW_AFTER:
        raise Conflict("noshow-too-early", minutes=int(NOSHOW_AFTER.total_seconds() // 60))
    missed = appointment.model_copy(update={"status": "noshow", "noshow_party": party})
    store.move(appointment, missed)
    return _out(missed)


@router.route("/v1/nurse/appointments/{appointment_id}/noshow", "POST", roles=NURSE, response=AppointmentOut,
              extra_statuses=[404, 409], summary="The patient did not come (from 10 minutes after the start)")
def patient_noshow(caller: Caller, appointment_id: str, now: datetime) -> AppointmentOut:
    return _noshow(appointment_of(appointment_id, caller.user_id, "nurse_id"), "patient", now)


@router.route("/v1/me/appointments/{appointment_id}/noshow", "POST", roles=MEMBER, response=AppointmentOut,
              extra_statuses=[404, 409], summary="The nurse did not come (from 10 minutes after the start)")
def nurse_noshow(caller: Caller, appointment_id: str, now: datetime) -> AppointmentOut:
    return _noshow(appointment_of(appointment_id, caller.user_id, "member_id"), "nurse", now)


class JoinOut(BaseModel):
    appointment_id: str
    provider: str = Field(description="local (development) or chime (Amazon Chime SDK meetings)")
    meeting_id: str
    attendee_id: str
    join_token: str
    meeting: dict = Field(description="What the provider's client SDK needs to connect")
    expires_at: datetime = Field(description="The consult's end: joining is refused after it")


@router.route("/v1/teleconsult/appointments/{appointment_id}/join", "POST", roles={Role.MEMBER, Role.NURSE},
              response=JoinOut, extra_statuses=[404, 409],
              summary="Join the video room: the patient's member or the assigned nurse, from 10 minutes before the end")
def join(caller: Caller, appointment_id: str, now: datetime) -> JoinOut:
    appointment = store.get_appointment(appointment_id)
    if appointment is None or caller.user_id not in (appointment.member_id, appointment.nurse_id):
        raise NotFound("appointment-not-found")
    if appointment.status not in ("booked", "arrived"):
        raise Conflict("appointment-status", current=appointment.status, to="arrived")
    if not may_start(appointment, now):
        raise Conflict("outside-consult-window")
    participant = appointment.nurse_id if caller.user_id == appointment.nurse_id else appointment.patient_id
    room = wiring.video_rooms().join(appointment.appointment_id, participant, appointment.end)
    return JoinOut(appointment_id=appointment.appointment_id, provider=room.provider, meeting_id=room.meeting_id,
                   attendee_id=room.attendee_id, join_token=room.join_token, meeting=room.meeting,
                   expires_at=appointment.end)


class WaitlistList(BaseModel):
    items: list[WaitlistEntry]


@router.route(WAITLIST_PATH, "POST", roles=MEMBER, body=WaitlistRequest, response=WaitlistEntry, status=201,
              extra_statuses=[404, 409],
              summary="Wait for a slot on some days (up to 14): a slot freed on one of them is held for me first")
def join_waitlist(caller: Caller, body: WaitlistRequest, now: datetime) -> Reply:
    if body.first < mexico_city_today(now):
        raise InvalidInput([FieldError("from", "date_in_past")])
    member, patient_id = _patient_of(caller.user_id, body.patient_id, now)
    for month in sorted({day.strftime("%Y-%m") for day in body.days()}):
        if month not in member.covered_months:
            raise Conflict("not-covered-that-month", month=month)
    consent = store.consent_of(patient_id)
    if consent is None or consent.version != CONSENT_VERSION:
        raise Conflict("consent-required")
    entry = WaitlistEntry(member_id=caller.user_id, patient_id=patient_id, days=body.days(), joined_at=now)
    store.join_waitlist(entry)
    return Reply(entry, 201)


@router.route(WAITLIST_PATH, "GET", roles=MEMBER, response=WaitlistList,
              summary="Who of mine is on the waitlist, for which days")
def my_waitlist(caller: Caller) -> WaitlistList:
    return WaitlistList(items=store.waitlist_of(caller.user_id))


@router.route(WAITLIST_PATH + "/{patient_id}", "DELETE", roles=MEMBER, response=WaitlistEntry, extra_statuses=[404],
              summary="Take me or a beneficiary off the waitlist")
def leave_waitlist(caller: Caller, patient_id: str) -> WaitlistEntry:
    entry = store.leave_waitlist(caller.user_id, patient_id)
    if entry is None:
        raise NotFound("not-waiting")
    return entry
