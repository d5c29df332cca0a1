"""Teleconsultation routes: operators add nurses; nurses publish availability and read their agenda; members find
a time, consent and book."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.model import Model
from chalicelib.domain.scheduling import Availability
from chalicelib.domain.teleconsult import (
    Appointment, AppointmentFields, BookingRequest, ConsentRequest, FollowUpRequest, Nurse, NurseCancellation,
    NurseDeactivationRequest, NurseRequest, Meeting, RescheduleRequest, Slot, SlotQuery, WaitlistEntry,
    WaitlistRequest, join_opens_at, noshow_from, patient_age,
)
from chalicelib.http.api import Idempotency, Reply, Router
from chalicelib.auth import Caller, Role

if TYPE_CHECKING:
    from chalicelib.services.teleconsult import SlotTaken

router = Router(__name__, tag="teleconsult")
MEMBER, NURSE, OPERATOR = {Role.MEMBER}, {Role.NURSE}, {Role.OPERATOR}
WAITLIST_PATH = "/v1/teleconsult/waitlist"


def service():
    """The use cases, imported with the first request that needs them rather than at cold start."""
    from chalicelib.services import teleconsult

    return teleconsult


class PublishResult(Model):
    slots_added: int
    slots_removed: int = Field(description="Free slots the new pattern no longer gives; booked ones are never removed")
    slots_changed: int = Field(description="Free slots kept with a new end or lead time")
    through: date = Field(description="Last Mexico City day with slots")


class NurseBrief(Model):
    nurse_id: str
    full_name: str
    languages: list[str]


class SlotOut(Model):
    slot_id: str
    start: datetime
    end: datetime
    start_local: str = Field(description="In the member's time zone, with its offset that day")
    start_mexico_city: str
    time_zone: str
    nurse: NurseBrief
    held_for_you_until: datetime | None = Field(
        None, description="Set when this freed slot is held for you because you were on the waitlist")


class SlotPage(Model):
    items: list[SlotOut]
    next: str | None
    waitlist: str | None = Field(None, description="When nothing is free: join the waitlist there (POST)")


class ConsentOut(Model):
    patient_id: str
    version: str
    text_sha256: str
    accepted_at: datetime


class AppointmentOut(AppointmentFields):
    start_mexico_city: str
    join_opens_at: datetime = Field(description="From when the patient and the nurse may join (until `end`)")
    noshow_from: datetime = Field(description="From when either party may report the other absent")
    patient_age: int | None = Field(description="The patient's age on the consult's day")


class AppointmentWithReason(AppointmentOut):
    reason: str = Field(description="The member's reason for booking: shown only in the member's and the nurse's lists")


class AppointmentList(Model):
    items: list[AppointmentWithReason]


class NurseQuery(Model):
    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=100)] = 50
    after: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:@-]{1,128}$")] | None = None


class NursePage(Model):
    items: list[Nurse]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last")


class NurseDeactivation(Model):
    nurse: Nurse
    consults_cancelled: int = Field(description="Her booked consults this call cancelled (members notified)")
    slots_removed: int = Field(description="Her future free slots this call removed")


class FollowUpSlotQuery(SlotQuery):
    """GET /v1/nurse/appointments/{id}/follow-up/slots?from=&to=&nurse=&cursor=&limit="""

    nurse: Literal["me", "any"] = Field("any", description="`me`: only my slots; `any`: every nurse's")


class AgendaQuery(Model):
    date: date


def _out(appointment: Appointment) -> AppointmentOut:
    """Answers to a change (book, cancel, start...) leave the reason out: the client has it, and the booking's answer
    is kept in clear as its idempotency record."""
    return AppointmentOut(**appointment.model_dump(exclude={"reason"}),
                          start_mexico_city=appointment.start.astimezone(MEXICO_CITY).isoformat(),
                          join_opens_at=join_opens_at(appointment), noshow_from=noshow_from(appointment),
                          patient_age=patient_age(appointment))


def _with_reason(appointment: Appointment, reason: str) -> AppointmentWithReason:
    return AppointmentWithReason(**_out(appointment).model_dump(), reason=reason)


def _listed(appointments: list[tuple[Appointment, str]]) -> AppointmentList:
    return AppointmentList(items=[_with_reason(a, reason) for a, reason in appointments])


@router.route("/v1/operators/nurses", "POST", roles=OPERATOR, body=NurseRequest, response=Nurse, status=201,
              extra_statuses=[409], summary="Add a nurse: a Cognito user in the nurses group and her profile")
def create_nurse(caller: Caller, body: NurseRequest, now: datetime) -> Reply:
    return Reply(service().add_nurse(body, Role.NURSE.group, caller.user_id, now), 201)


@router.route("/v1/operators/nurses", "GET", roles=OPERATOR, query=NurseQuery, response=NursePage,
              summary="The nurses, active and inactive, a page at a time")
def list_nurses(query: NurseQuery) -> NursePage:
    found, after = service().nurses(query.limit, query.after)
    return NursePage(items=found, next=after)


@router.route("/v1/operators/nurses/{nurse_id}/deactivate", "POST", roles=OPERATOR, body=NurseDeactivationRequest,
              response=NurseDeactivation, extra_statuses=[404],
              summary="Deactivate a nurse: no more sign-in, slots or bookings; her booked consults cancelled")
def deactivate_nurse(caller: Caller, nurse_id: str, body: NurseDeactivationRequest, now: datetime) -> NurseDeactivation:
    done = service().deactivate_nurse(nurse_id, body.reason, caller.user_id, now)
    return NurseDeactivation(nurse=done.nurse, consults_cancelled=done.consults_cancelled,
                             slots_removed=done.slots_removed)


@router.route("/v1/nurse/availability", "PUT", roles=NURSE, body=Availability, response=PublishResult,
              extra_statuses=[404], summary="Publish my weekly availability (Mexico City time); creates the slots")
def publish_availability(caller: Caller, body: Availability, now: datetime) -> PublishResult:
    published = service().publish(caller.user_id, body, now)
    return PublishResult(slots_added=published.added, slots_removed=published.removed,
                         slots_changed=published.changed, through=published.through)


@router.route("/v1/nurse/availability", "GET", roles=NURSE, response=Availability, extra_statuses=[404],
              summary="My published availability")
def my_availability(caller: Caller) -> Availability:
    return service().availability_of(caller.user_id)


@router.route("/v1/nurse/agenda", "GET", roles=NURSE, query=AgendaQuery, response=AppointmentList,
              summary="My appointments on a Mexico City day")
def agenda(caller: Caller, query: AgendaQuery) -> AppointmentList:
    return _listed(service().agenda(caller.user_id, query.date))


def _slot_out(slot: Slot, zone: ZoneInfo, member_id: str, now: datetime) -> SlotOut:
    return SlotOut(slot_id=slot.slot_id, start=slot.start, end=slot.end,
                   start_local=slot.start.astimezone(zone).isoformat(),
                   start_mexico_city=slot.start.astimezone(MEXICO_CITY).isoformat(), time_zone=zone.key,
                   nurse=NurseBrief(nurse_id=slot.nurse_id, full_name=slot.nurse_name, languages=slot.nurse_languages),
                   held_for_you_until=slot.held_for_until(member_id, now))


@router.route("/v1/teleconsult/slots", "GET", roles=MEMBER, query=SlotQuery, response=SlotPage, extra_statuses=[404, 409],
              summary="Free slots across nurses, by Mexico City day, shown in my time zone too")
def list_slots(caller: Caller, query: SlotQuery, now: datetime) -> SlotPage:
    day, after = query.resume()
    found = service().find_slots(caller.user_id, day, after, query.last, query.limit, now)
    zone = ZoneInfo(found.member.residence.time_zone)
    cursor = f"{found.resume_at[0].isoformat()}|{found.resume_at[1] or ''}" if found.resume_at else None
    return SlotPage(items=[_slot_out(slot, zone, caller.user_id, now) for slot in found.slots], next=cursor,
                    waitlist=WAITLIST_PATH if found.suggest_waitlist else None)


@router.route("/v1/me/consents/teleconsultation", "POST", roles=MEMBER, body=ConsentRequest, response=ConsentOut,
              status=201, extra_statuses=[404, 409],
              summary="Accept the teleconsultation informed consent for me or one of my beneficiaries")
def accept_consent(caller: Caller, body: ConsentRequest, now: datetime) -> Reply:
    patient_id, consent = service().accept_consent(caller.user_id, body.patient_id, now)
    return Reply(ConsentOut(patient_id=patient_id, version=consent.version, text_sha256=consent.text_sha256,
                            accepted_at=consent.accepted_at), 201)


@router.route("/v1/teleconsult/appointments", "POST", roles=MEMBER, body=BookingRequest, response=AppointmentOut,
              status=201, extra_statuses=[404, 409], idempotent=True,
              summary="Book a slot for me or a beneficiary; 409 with fresh alternatives when it was just taken")
def book(caller: Caller, body: BookingRequest, idempotency: Idempotency, now: datetime) -> Reply:
    try:
        appointment = service().book(caller.user_id, body.slot_id, body.patient_id, body.reason, now,
                                   answer=lambda booked: idempotency.writes(201, _out(booked), now))
    except service().SlotTaken as taken:
        _with_alternatives(taken, caller.user_id, now)
        raise
    return Reply(_out(appointment), 201)


def _with_alternatives(taken: "SlotTaken", member_id: str, now: datetime) -> None:
    """The 409's `alternatives`: free slots that day the member could book instead, in the member's time zone."""
    zone = ZoneInfo(taken.member.residence.time_zone)
    taken.extensions["alternatives"] = [_slot_out(s, zone, member_id, now).model_dump(mode="json")
                                        for s in taken.alternatives]


@router.route("/v1/me/appointments", "GET", roles=MEMBER, response=AppointmentList,
              summary="My and my beneficiaries' teleconsultations")
def my_appointments(caller: Caller) -> AppointmentList:
    return _listed(service().appointments_of_member(caller.user_id))


@router.route("/v1/me/appointments/{appointment_id}/cancel", "POST", roles=MEMBER, response=AppointmentOut,
              extra_statuses=[404, 409], summary="Cancel my booked consult, up to 2 hours before it starts")
def cancel_appointment(caller: Caller, appointment_id: str, now: datetime) -> AppointmentOut:
    return _out(service().cancel_by_member(caller.user_id, appointment_id, now))


@router.route("/v1/me/appointments/{appointment_id}/reschedule", "POST", roles=MEMBER, body=RescheduleRequest,
              response=AppointmentOut, extra_statuses=[404, 409],
              summary="Move my booked consult to another free slot (both changes or neither), up to the cut-off")
def reschedule_appointment(caller: Caller, appointment_id: str, body: RescheduleRequest, now: datetime) -> AppointmentOut:
    return _out(service().reschedule(caller.user_id, appointment_id, body.slot_id, now))


@router.route("/v1/nurse/appointments/{appointment_id}", "GET", roles=NURSE, response=AppointmentWithReason,
              extra_statuses=[404], summary="One of my consults, with the member's reason (another's is a 404)")
def my_consult(caller: Caller, appointment_id: str) -> AppointmentWithReason:
    return _with_reason(*service().nurse_consult(caller.user_id, appointment_id))


@router.route("/v1/nurse/appointments/{appointment_id}/follow-up/slots", "GET", roles=NURSE,
              query=FollowUpSlotQuery, response=SlotPage, extra_statuses=[404, 409],
              summary="Free slots for my consult's patient's follow-up: mine or any nurse's, by Mexico City day")
def follow_up_slots(caller: Caller, appointment_id: str, query: FollowUpSlotQuery, now: datetime) -> SlotPage:
    day, after = query.resume()
    found = service().follow_up_slots(caller.user_id, appointment_id, query.nurse == "me", day, after, query.last,
                                    query.limit, now)
    zone = ZoneInfo(found.member.residence.time_zone)
    cursor = f"{found.resume_at[0].isoformat()}|{found.resume_at[1] or ''}" if found.resume_at else None
    # Whether a slot is held for the member (who waits on the waitlist) is the member's to see, not the nurse's.
    return SlotPage(items=[_slot_out(slot, zone, "", now) for slot in found.slots], next=cursor)


@router.route("/v1/nurse/appointments/{appointment_id}/follow-up", "POST", roles=NURSE, body=FollowUpRequest,
              response=AppointmentOut, status=201, extra_statuses=[404, 409], idempotent=True,
              summary="Book my consult's patient's next consult (the member is notified and may change it)")
def book_follow_up(caller: Caller, appointment_id: str, body: FollowUpRequest, idempotency: Idempotency,
                   now: datetime) -> Reply:
    try:
        booked = service().book_follow_up(caller.user_id, appointment_id, body.slot_id, body.reason, now,
                                        answer=lambda appointment: idempotency.writes(201, _out(appointment), now))
    except service().SlotTaken as taken:
        _with_alternatives(taken, taken.member.member_id, now)
        raise
    return Reply(_out(booked), 201)


@router.route("/v1/nurse/appointments/{appointment_id}/start", "POST", roles=NURSE, response=AppointmentOut,
              extra_statuses=[404, 409], summary="Start my consult (arrived), from 10 minutes before until its end")
def start_appointment(caller: Caller, appointment_id: str, now: datetime) -> AppointmentOut:
    return _out(service().start(caller.user_id, appointment_id, now))


@router.route("/v1/nurse/appointments/{appointment_id}/cancel", "POST", roles=NURSE, body=NurseCancellation,
              response=AppointmentOut, extra_statuses=[404, 409],
              summary="Cancel my booked consult with a reason; the member is notified and offered other times")
def nurse_cancel(caller: Caller, appointment_id: str, body: NurseCancellation, now: datetime) -> AppointmentOut:
    return _out(service().cancel_by_nurse(caller.user_id, appointment_id, body.reason, now))


@router.route("/v1/nurse/appointments/{appointment_id}/noshow", "POST", roles=NURSE, response=AppointmentOut,
              extra_statuses=[404, 409], summary="The patient did not come (from 10 minutes after the start)")
def nurse_reports_patient_absent(caller: Caller, appointment_id: str, now: datetime) -> AppointmentOut:
    return _out(service().patient_missed(caller.user_id, appointment_id, now))


@router.route("/v1/me/appointments/{appointment_id}/noshow", "POST", roles=MEMBER, response=AppointmentOut,
              extra_statuses=[404, 409], summary="The nurse did not come (from 10 minutes after the start)")
def member_reports_nurse_absent(caller: Caller, appointment_id: str, now: datetime) -> AppointmentOut:
    return _out(service().nurse_missed(caller.user_id, appointment_id, now))


class JoinOut(Model):
    appointment_id: str
    provider: str = Field(description="local (development) or chime (Amazon Chime SDK meetings)")
    meeting_id: str
    attendee_id: str
    join_token: str
    meeting: Meeting = Field(description=(
        "What the provider's client SDK needs to connect: with chime, Amazon Chime SDK's Meeting object field for "
        "field in snake_case (meeting_id is MeetingId, media_placement.audio_host_url is MediaPlacement.AudioHostUrl; "
        "null where Chime gave nothing). amazon-chime-sdk-js wants Chime's PascalCase: map each key back (words "
        "capitalised, underscores dropped) and drop the nulls"))
    expires_at: datetime = Field(description="The consult's end: joining is refused after it")


@router.route("/v1/teleconsult/appointments/{appointment_id}/join", "POST", roles={Role.MEMBER, Role.NURSE},
              response=JoinOut, extra_statuses=[404, 409],
              summary="Join the video room: the patient's member or the assigned nurse, from 10 minutes before the end")
def join(caller: Caller, appointment_id: str, now: datetime) -> JoinOut:
    appointment, room = service().join(caller.user_id, appointment_id, now)
    return JoinOut(appointment_id=appointment.appointment_id, provider=room.provider, meeting_id=room.meeting_id,
                   attendee_id=room.attendee_id, join_token=room.join_token, meeting=room.meeting,
                   expires_at=appointment.end)


class WaitlistList(Model):
    items: list[WaitlistEntry]


@router.route(WAITLIST_PATH, "POST", roles=MEMBER, body=WaitlistRequest, response=WaitlistEntry, status=201,
              extra_statuses=[404, 409],
              summary="Wait for a slot on some days (up to 14): a slot freed on one of them is held for me first")
def join_waitlist(caller: Caller, body: WaitlistRequest, now: datetime) -> Reply:
    return Reply(service().wait(caller.user_id, body, now), 201)


@router.route(WAITLIST_PATH, "GET", roles=MEMBER, response=WaitlistList,
              summary="Who of mine is on the waitlist, for which days")
def my_waitlist(caller: Caller) -> WaitlistList:
    return WaitlistList(items=service().waiting(caller.user_id))


@router.route(WAITLIST_PATH + "/{patient_id}", "DELETE", roles=MEMBER, response=WaitlistEntry, extra_statuses=[404],
              summary="Take me or a beneficiary off the waitlist")
def leave_waitlist(caller: Caller, patient_id: str) -> WaitlistEntry:
    return service().stop_waiting(caller.user_id, patient_id)
