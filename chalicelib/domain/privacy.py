"""Data rights (ARCO, docs/privacy.md): the audit of rectifications, the cancellation request and its legal deadline,
what closing an account erases, and what it keeps, under which law and until when."""

import uuid
from datetime import date, datetime
from typing import Literal

from chalicelib.domain.business_days import Calendar, add_business_days, business_days_between
from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.identifiers import birthday
from chalicelib.domain.members import MemberStatus
from chalicelib.domain.model import Model

# LFPDPPP (DOF 2025-03-20), rights chapter: the controller answers an ARCO request within 20 days of receiving it;
# counted as business days on the labour calendar, the one with the fewest holidays (domain/business_days.py).
ANSWER_BUSINESS_DAYS = 20
RETENTION_YEARS = 5  # NOM-004-SSA3-2012 5.4; CFF art. 30; LFPA art. 79 (see KEPT)

# Profile fields a closure erases: contact data, where the member lives, and the relative in Mexico. No law asks us to
# keep them once nothing is processed for the member.
ERASED_PROFILE_FIELDS = ("email", "phone", "residence", "relative_in_mexico")
# Everything a closure erases, as named in the request's answer.
ERASED = (*ERASED_PROFILE_FIELDS, "beneficiaries", "devices", "waitlist", "sign_in")

KeptData = Literal["health_record", "record_access_log", "payment_evidence", "identity_and_consents", "arco_request"]

# What must be kept, why and for how long (the end date is computed per member by `kept`).
KEPT: dict[str, tuple[str, str]] = {
    "health_record": ("NOM-004-SSA3-2012, 5.4",
                      "5 years from the last medical act (the last consult that took place)"),
    "record_access_log": ("NOM-024-SSA3-2012, 6.6 (audit trail); NOM-004-SSA3-2012, 5.4",
                          "as long as the health record, or 5 years from the last access if that is later"),
    "payment_evidence": ("Código Fiscal de la Federación, art. 30",
                         "5 years from the last payment: payments, references, partners' signed deliveries, covered "
                         "months and the declared income they were computed from"),
    "identity_and_consents": ("NOM-004-SSA3-2012, 5.9; CFF art. 30; LFPDPPP (evidence of consent)",
                              "as long as the longest class they identify: CURP, NSS, RFC, the person in the patient "
                              "index and the consents given"),
    "arco_request": ("Ley Federal de Procedimiento Administrativo, art. 79 (sanctions prescribe in 5 years)",
                     "5 years from the answer, or as long as the longest kept class: this request, its answer and "
                     "the rectification audit"),
}

_NAMESPACE = uuid.UUID("6f1d3c2e-5b0a-4f63-9a55-2f0e8c1a7d41")


class ProfileChange(Model):
    """One rectification (PATCH /v1/me): who, when, which fields. Never the values: an old or new phone or address is
    personal data, and a hash of one is too (ten digits are guessed by brute force in seconds)."""

    change_id: str
    at: datetime
    by: str
    fields: list[str]


class KeptClass(Model):
    data: KeptData
    law: str
    retention: str
    ends_on: date


class ArcoRequest(Model):
    """A cancellation request (the account's closure): open until an operator completes it, then `completed` with
    what was erased and what was kept."""

    request_id: str
    member_id: str
    right: Literal["cancellation"] = "cancellation"
    status: Literal["open", "completed"]
    requested_at: datetime
    deadline: date  # Mexico City date by which the answer is due
    status_before: MemberStatus  # the member's status when they asked
    completed_at: datetime | None = None
    completed_by: str | None = None
    erased: list[str] = []
    kept: list[KeptClass] = []


def change_record(by: str, fields: list[str], now: datetime) -> ProfileChange:
    return ProfileChange(change_id=str(uuid.uuid4()), at=now, by=by, fields=sorted(fields))


def closure_request_id(member_id: str) -> str:
    """One closure per account, ever: its id derives from the account, so asking twice names the same request."""
    return str(uuid.uuid5(_NAMESPACE, f"cancellation:{member_id}"))


def answer_deadline(requested_at: datetime) -> date:
    """The 20th business day after the Mexico City day the request arrived (the day itself does not count)."""
    return add_business_days(mexico_city_today(requested_at), ANSWER_BUSINESS_DAYS, Calendar.LABOUR)


def business_days_left(deadline: date, now: datetime) -> int:
    """Business days from today (Mexico City) to the deadline; negative once it has passed."""
    today = mexico_city_today(now)
    if today <= deadline:
        return business_days_between(today, deadline, Calendar.LABOUR)
    return -business_days_between(deadline, today, Calendar.LABOUR)


def new_closure_request(member_id: str, status: MemberStatus, now: datetime) -> ArcoRequest:
    return ArcoRequest(request_id=closure_request_id(member_id), member_id=member_id, status="open",
                       requested_at=now, deadline=answer_deadline(now), status_before=status)


def _after(day: date) -> date:
    return birthday(day, RETENTION_YEARS)


def _kept(data: str, ends_on: date) -> KeptClass:
    law, retention = KEPT[data]
    return KeptClass(data=data, law=law, retention=retention, ends_on=ends_on)


def kept(last_medical_act: datetime | None, last_access: datetime | None, last_payment: datetime | None,
         answered_at: datetime) -> list[KeptClass]:
    """What a closure keeps and until when (Mexico City dates): only the classes that hold something, plus the
    identity that ties them together and the request itself."""
    classes: list[KeptClass] = []
    record_end = _after(mexico_city_today(last_medical_act)) if last_medical_act else None
    if record_end:
        classes.append(_kept("health_record", record_end))
    if last_access or record_end:
        access_end = _after(mexico_city_today(last_access)) if last_access else record_end
        classes.append(_kept("record_access_log", max(filter(None, [record_end, access_end]))))
    if last_payment:
        classes.append(_kept("payment_evidence", _after(mexico_city_today(last_payment))))
    answer_end = _after(mexico_city_today(answered_at))
    longest = max([answer_end, *(kept_class.ends_on for kept_class in classes)])
    return [*classes, _kept("identity_and_consents", longest), _kept("arco_request", longest)]


def completed(request: ArcoRequest, operator_id: str, kept_classes: list[KeptClass], now: datetime) -> ArcoRequest:
    return request.model_copy(update={"status": "completed", "completed_at": now, "completed_by": operator_id,
                                      "erased": list(ERASED), "kept": kept_classes})
