"""Data-rights routes (docs/privacy.md): the export of everything held (access), the account's closure
(cancellation) and the operators' queue of ARCO requests."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from pydantic import ConfigDict, Field

from chalicelib.auth import Caller, Role
from chalicelib.domain.beneficiaries import Beneficiary
from chalicelib.domain.health_record import AuditEvent
from chalicelib.domain.identity import Assurance
from chalicelib.domain.members import Member
from chalicelib.domain.model import Model
from chalicelib.domain.payments import PaymentReference
from chalicelib.domain.privacy import ArcoRequest, KeptClass, ProfileChange
from chalicelib.domain.teleconsult import AppointmentFields, ConsentRecord
from chalicelib.http.api import Reply, Router
from chalicelib.http.views import PaymentOut, payment_out
from chalicelib.i18n import Language, text

if TYPE_CHECKING:
    from chalicelib.services.privacy import Closure

router = Router(__name__, tag="privacy")
MEMBER = {Role.MEMBER}
OPERATOR = {Role.OPERATOR}


def service():
    """The use cases, imported with the first request that needs them rather than at cold start."""
    from chalicelib.services import privacy

    return privacy


class ExportedAppointment(AppointmentFields):
    reason: str = Field(description="The reason given when booking")


class ExportedConsent(ConsentRecord):
    patient_id: str


class ExportedIdentity(Model):
    """As GET /v1/me/identity shows it: nothing of the patient index's claims (docs/identity.md)."""

    person_id: str
    assurance: Assurance
    linked_at: datetime


class ExportedDevice(Model):
    device_id: str
    platform: str
    language: str
    registered_at: datetime


class ExportedDelivery(Model):
    channel: str = Field(description="push or email")
    target: str = Field(description="The device id, or `email`")
    kind: str = Field(description="What the notification was about, e.g. reference-issued")
    message_id: str
    sent_at: datetime


class MemberExport(Model):
    exported_at: datetime
    member: Member = Field(description="The profile (contact data, address and relative are null once closed)")
    beneficiaries: list[Beneficiary]
    identity: ExportedIdentity = Field(description="Who I am in the patient index, and how sure we are of it")
    profile_changes: list[ProfileChange] = Field(description="Each rectification: which fields, by whom, when")
    teleconsult_consents: list[ExportedConsent]
    payment_references: list[PaymentReference]
    payments: list[PaymentOut]
    appointments: list[ExportedAppointment]
    record_access_log: list[AuditEvent] = Field(description="Who read or wrote my health record, newest first")
    devices: list[ExportedDevice]
    notifications_sent: list[ExportedDelivery] = Field(description="What was delivered to me in the last year")
    closure: ArcoRequest | None = Field(description="My account-closure request, if I made one")


class KeptOut(KeptClass):
    explanation: str = Field(description="The law and how long, in the caller's language (`law` and `retention` "
                                         "are the request's record, as written when it was answered)")


class ClosureOut(ArcoRequest):
    kept: list[KeptOut] = []
    business_days_left: int = Field(description="To the deadline (negative once passed); 0 once answered")


class ArcoQuery(Model):
    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=100)] = 50
    after: Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}#[0-9T:.+-]{19,40}#[0-9a-f-]{36}$")] | None = None


class ArcoPage(Model):
    items: list[ClosureOut] = Field(description="Open requests, earliest deadline first")
    next: str | None = Field(description="Pass as `after` for the next page; null on the last")


def _out(closure: "Closure", language: Language) -> ClosureOut:
    kept = [KeptOut(**item.model_dump(), explanation=text(f"kept.{item.data}", language))
            for item in closure.request.kept]
    return ClosureOut(**closure.request.model_dump(exclude={"kept"}), kept=kept,
                      business_days_left=closure.business_days_left)


@router.route("/v1/me/export", "GET", roles=MEMBER, response=MemberExport, extra_statuses=[404],
              summary="Everything held about me and my beneficiaries (right of access)")
def export_my_data(caller: Caller, now: datetime) -> MemberExport:
    found = service().export(caller.user_id, now)
    return MemberExport(
        exported_at=now, member=found.member, beneficiaries=found.beneficiaries,
        identity=ExportedIdentity(person_id=found.person.person_id, assurance=found.person.assurance,
                                  linked_at=found.member.linked_at),
        profile_changes=found.profile_changes,
        teleconsult_consents=[ExportedConsent(**consent.model_dump(), patient_id=patient)
                              for patient, consent in found.teleconsult_consents.items()],
        payment_references=found.references, payments=[payment_out(p) for p in found.payments],
        appointments=[ExportedAppointment(**a.model_dump(exclude={"reason"}), reason=reason)
                      for a, reason in found.appointments],
        record_access_log=found.record_access_log,
        devices=[ExportedDevice(device_id=d.device_id, platform=d.platform, language=d.language,
                                registered_at=d.registered_at) for d in found.devices],
        notifications_sent=[ExportedDelivery(**vars(d)) for d in found.notifications_sent],
        closure=found.closure)


@router.route("/v1/me/closure", "POST", roles=MEMBER, response=ClosureOut, status=201, extra_statuses=[200, 404],
              reply_statuses=[200],  # asking again: the same request, not a problem
              summary="Ask to close my account (right of cancellation): processing stops now, the answer is due in "
                      "20 business days; asking again answers the same request (200)")
def request_closure(caller: Caller, language: Language, now: datetime) -> Reply:
    closure, created = service().request_closure(caller.user_id, caller.username, now)
    return Reply(_out(closure, language), 201 if created else 200)


@router.route("/v1/me/closure", "GET", roles=MEMBER, response=ClosureOut, extra_statuses=[404],
              summary="My account-closure request: its state, deadline, and what was erased and kept (law, end date)")
def my_closure(caller: Caller, language: Language, now: datetime) -> ClosureOut:
    return _out(service().my_closure(caller.user_id, now), language)


@router.route("/v1/operators/arco-requests", "GET", roles=OPERATOR, query=ArcoQuery, response=ArcoPage,
              summary="Open ARCO requests, earliest deadline first, with the business days left")
def open_requests(query: ArcoQuery, language: Language, now: datetime) -> ArcoPage:
    closures, after = service().open_requests(query.limit, query.after, now)
    return ArcoPage(items=[_out(closure, language) for closure in closures], next=after)


@router.route("/v1/operators/arco-requests/{request_id}", "GET", roles=OPERATOR, response=ClosureOut,
              extra_statuses=[404], summary="One ARCO request: state, deadline, what was erased and kept")
def arco_request(request_id: str, language: Language, now: datetime) -> ClosureOut:
    return _out(service().arco_request(request_id, now), language)


@router.route("/v1/operators/arco-requests/{request_id}/complete", "POST", roles=OPERATOR, response=ClosureOut,
              extra_statuses=[404], summary="Answer a closure: erase what no law keeps, name what is kept and until "
                                            "when, disable the sign-in, close the account (a repeat changes nothing)")
def complete_request(caller: Caller, request_id: str, language: Language, now: datetime) -> ClosureOut:
    return _out(service().complete(caller.user_id, request_id, now), language)

