"""Data rights (ARCO, docs/privacy.md): the right-of-access export of everything held; the account's closure
(cancellation) asked by the member, run to its end by an operator; the operators' queue of open requests."""

import re
from dataclasses import dataclass
from datetime import datetime

from chalicelib import wiring
from chalicelib.adapters import identities
from chalicelib.domain.beneficiaries import Beneficiary
from chalicelib.domain.health_record import AuditEvent
from chalicelib.domain.identity import Person
from chalicelib.domain.members import NOT_PROCESSED, Member
from chalicelib.domain.notices import Device
from chalicelib.domain.payment_events import Payment
from chalicelib.domain.payments import PaymentReference
from chalicelib.domain.privacy import (
    ArcoRequest, ProfileChange, business_days_left, closure_request_id, completed, kept, new_closure_request,
)
from chalicelib.domain.teleconsult import Appointment, ConsentRecord
from chalicelib.errors import NotFound, ServiceUnavailable
from chalicelib.logs import service_logger
from chalicelib.services import records, teleconsult
from chalicelib.store import devices
from chalicelib.store import members as member_store
from chalicelib.store import payments as payment_store
from chalicelib.store import persons
from chalicelib.store import privacy as store
from chalicelib.store import teleconsult as teleconsult_store
from chalicelib.store.devices import Delivery
from chalicelib.store.transactions import ConditionFailed

_log = service_logger()
_ATTEMPTS = 3  # the profile changed (a payment, a PATCH) between our read and the closure's transaction: read again
_LOG_PAGE = 100
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# --- Access ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Export:
    member: Member
    beneficiaries: list[Beneficiary]
    person: Person
    profile_changes: list[ProfileChange]
    teleconsult_consents: dict[str, ConsentRecord]  # by patient (person) id
    references: list[PaymentReference]
    payments: list[Payment]
    appointments: list[tuple[Appointment, str]]
    record_access_log: list[AuditEvent]
    devices: list[Device]
    notifications_sent: list[Delivery]
    closure: ArcoRequest | None


def export(member_id: str, now: datetime) -> Export:
    """Everything held about the member and their beneficiaries (docs/data-model.md, round trips)."""
    member, beneficiaries = member_store.registered_partition(member_id)
    patients = [member.person_id, *dict.fromkeys(b.person_id for b in beneficiaries)]
    # A beneficiary's person may be shared with another account (a child both parents list, a spouse who is a member
    # herself): the consent that account gave is its own data, not this member's.
    consents = {patient: consent for patient in patients
                if (consent := teleconsult_store.consent_of(patient)) is not None
                and (patient == member.person_id or consent.accepted_by == member_id)}
    closure = store.get_request(closure_request_id(member_id))
    return Export(
        member=member, beneficiaries=beneficiaries, person=persons.golden(member.person_id),
        profile_changes=member_store.profile_changes(member_id), teleconsult_consents=consents,
        references=payment_store.member_references(member_id), payments=payment_store.member_payments(member_id),
        appointments=teleconsult.appointments_of_member(member_id), record_access_log=_whole_access_log(member_id, now),
        devices=devices.devices_of(member_id), notifications_sent=devices.deliveries_of(member_id),
        closure=closure[0] if closure else None)


def _whole_access_log(member_id: str, now: datetime) -> list[AuditEvent]:
    """Who read or wrote the member's own health record, every page, newest first."""
    events, before = records.members_access_log(member_id, None, _LOG_PAGE, None, now)
    while before:
        page, before = records.members_access_log(member_id, None, _LOG_PAGE, before, now)
        events += page
    return events


# --- Cancellation: the account's closure ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Closure:
    request: ArcoRequest
    business_days_left: int  # to the deadline (negative once passed); 0 once answered


def _closure(request: ArcoRequest, now: datetime) -> Closure:
    return Closure(request, 0 if request.status == "completed" else business_days_left(request.deadline, now))


def request_closure(member_id: str, username: str, now: datetime) -> tuple[Closure, bool]:
    """The member asks to close the account: (the request, whether this call made it). Step 1, one transaction: the
    request with its deadline, the member `closing`, the open reference withdrawn. Step 2: their booked consults
    cancelled and the waitlist left, each its own transaction. Asking again answers the same request and runs step 2
    again while closing, so a failure between the steps is finished by a retry."""
    for _ in range(_ATTEMPTS):
        member = member_store.registered_member(member_id)
        if member.status in NOT_PROCESSED:
            request = _request(closure_request_id(member_id))[0]
            created = False
            break
        request = new_closure_request(member_id, member.status, now)
        try:
            store.open_closure(request, member, username, now)
        except ConditionFailed:  # asked meanwhile, or the profile or its reference changed: read again
            continue
        created = True
        break
    else:
        raise ServiceUnavailable()
    if request.status == "open":
        teleconsult.withdraw_member(member_id, now)
    if created:
        _log.info("closure requested", extra={"member_id": member_id, "request_id": request.request_id})
    return _closure(request, now), created


def my_closure(member_id: str, now: datetime) -> Closure:
    found = store.get_request(closure_request_id(member_id))
    if found is None:
        raise NotFound("closure-not-requested")
    return _closure(found[0], now)


def _request(request_id: str) -> tuple[ArcoRequest, str | None]:
    found = store.get_request(request_id) if _UUID.fullmatch(request_id) else None
    if found is None:
        raise NotFound("arco-request-not-found")
    return found


def arco_request(request_id: str, now: datetime) -> Closure:
    return _closure(_request(request_id)[0], now)


def open_requests(limit: int, after: str | None, now: datetime) -> tuple[list[Closure], str | None]:
    """The operators' queue: open requests, earliest deadline first, with the business days left."""
    requests, cursor = store.open_requests(limit, after)
    return [_closure(request, now) for request in requests], cursor


def complete(operator_id: str, request_id: str, now: datetime) -> Closure:
    """An operator answers the request: the sign-in disabled and the devices forgotten (both idempotent), then one
    transaction erases the personal data no law keeps, names what is kept with its law and end date, and closes the
    account. A completed request is answered as it is (a retry after the transaction changes nothing)."""
    request, username = _request(request_id)
    if request.status == "completed":
        return _closure(request, now)
    member, beneficiaries = member_store.member_partition(request.member_id)
    if member is None:  # a request is only ever made for a registered member, whose profile is never deleted
        raise NotFound("arco-request-not-found")
    teleconsult.withdraw_member(member.member_id, now)  # anything left by a failure after step 1
    last_act = max((a.end for a in teleconsult_store.member_appointments(member.member_id)
                    if a.status == "fulfilled"), default=None)
    newest_access, _ = records.members_access_log(member.member_id, None, 1, None, now)
    last_payment = max((p.paid_at or p.received_at for p in payment_store.member_payments(member.member_id)),
                       default=None)
    done = completed(request, operator_id,
                     kept(last_act, newest_access[0].at if newest_access else None, last_payment, now), now)
    if username:
        cognito = wiring.cognito()
        try:
            identities.disable_user(cognito, wiring.settings().cognito_user_pool_id, username)
        except cognito.exceptions.UserNotFoundException:  # the member deleted it herself: nothing left to disable
            pass
    devices.forget_devices(member.member_id)
    for _ in range(_ATTEMPTS):
        try:
            store.complete_closure(done, member, beneficiaries, now)
            break
        except ConditionFailed:
            current = _request(request_id)[0]
            if current.status == "completed":  # another operator completed it meanwhile: answer what they wrote
                return _closure(current, now)
            # the member removed a beneficiary meanwhile (already counted out): read them again
            member, beneficiaries = member_store.member_partition(member.member_id)
    else:
        raise ServiceUnavailable()
    _log.info("closure completed", extra={"operator_id": operator_id, "member_id": member.member_id,
                                          "request_id": request_id})
    return _closure(done, now)
