"""Health-record routes: the nurse ends a consult with a signed note and adds addenda; members read their own record
and their minor beneficiaries'; the assigned nurse reads her patient's history; everyone's reads are audited.
Operators see only the audit trail."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.health_record import Addendum, AuditEvent, ConsultNote, Entry
from chalicelib.domain.identifiers import Curp
from chalicelib.domain.model import Model
from chalicelib.http.api import Reply, Router
from chalicelib.auth import Caller, Role

router = Router(__name__, tag="records")
MEMBER, NURSE, OPERATOR = {Role.MEMBER}, {Role.NURSE}, {Role.OPERATOR}
PatientId = Annotated[str, Field(min_length=1, max_length=64)]


def service():
    """The use cases, imported with the first request that needs them rather than at cold start."""
    from chalicelib.services import records

    return records


class PageQuery(Model):
    model_config = ConfigDict(extra="forbid")

    before: Annotated[int, Field(ge=2, description="`next` of the previous page")] | None = None
    limit: Annotated[int, Field(ge=1, le=50)] = 20


class MyRecordQuery(PageQuery):
    patient_id: PatientId | None = Field(None, description="One of my beneficiaries under 18; omit for me")


class RecordPage(Model):
    items: list[Entry] = Field(description="Newest first")
    next: int | None = Field(description="Pass as `before` for older entries; null at the first entry")


class LogQuery(Model):
    model_config = ConfigDict(extra="forbid")

    patient_id: PatientId | None = None
    before: Annotated[str, Field(max_length=120)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50


class AuditQuery(Model):
    """Operators: by patient (CURP, in the body: never in a URL) or by actor (user id), one of them."""

    model_config = ConfigDict(extra="forbid")

    curp: Curp | None = None
    actor_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    before: Annotated[str, Field(max_length=120)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50

    @model_validator(mode="after")
    def _one_of(self) -> "AuditQuery":
        if (self.curp is None) == (self.actor_id is None):
            raise PydanticCustomError("curp_or_actor", "Give either curp or actor_id.")
        return self


class AuditPage(Model):
    items: list[AuditEvent] = Field(description="Newest first")
    next: str | None


class FhirBundle(Model):
    """A FHIR R4 Bundle (type collection); resources as FHIR defines them."""

    model_config = ConfigDict(extra="allow")

    resourceType: str
    id: str
    type: str
    timestamp: str = Field(description="FHIR instant the bundle was assembled")
    entry: list[dict[str, Any]]


@router.route("/v1/nurse/appointments/{appointment_id}/end", "POST", roles=NURSE, body=ConsultNote, response=Entry,
              status=201, extra_statuses=[404, 409],
              summary="End my started consult with its signed note: note, encounter closed and `fulfilled` at once")
def end_with_note(caller: Caller, appointment_id: str, body: ConsultNote, now: datetime) -> Reply:
    return Reply(service().end_consult(caller.user_id, appointment_id, body, now), 201)


@router.route("/v1/nurse/records/{patient_id}/entries/{entry_id}/addenda", "POST", roles=NURSE, body=Addendum,
              response=Entry, status=201, extra_statuses=[403, 404, 409],
              summary="Correct or complete an entry with a signed addendum (the entry itself never changes)")
def add_addendum(caller: Caller, patient_id: str, entry_id: str, body: Addendum, now: datetime) -> Reply:
    return Reply(service().add_addendum(caller.user_id, patient_id, entry_id, body, now), 201)


@router.route("/v1/me/record", "GET", roles=MEMBER, query=MyRecordQuery, response=RecordPage,
              extra_statuses=[403, 404], summary="My health record (or a minor beneficiary's), newest first")
def my_record(caller: Caller, query: MyRecordQuery, now: datetime) -> RecordPage:
    entries, before = service().members_record(caller.user_id, query.patient_id, query.limit, query.before, now)
    return RecordPage(items=entries, next=before)


@router.route("/v1/nurse/patients/{patient_id}/record", "GET", roles=NURSE, query=PageQuery, response=RecordPage,
              extra_statuses=[403], summary="My patient's history, from booking until 7 days after our consult")
def patient_record(caller: Caller, patient_id: str, query: PageQuery, now: datetime) -> RecordPage:
    entries, before = service().nurses_patient_record(caller.user_id, patient_id, query.limit, query.before, now)
    return RecordPage(items=entries, next=before)


@router.route("/v1/records/{patient_id}/fhir", "GET", roles={Role.MEMBER, Role.NURSE}, response=FhirBundle,
              extra_statuses=[403, 404], media_type="application/fhir+json",
              summary="The record as a FHIR R4 Bundle, for the same readers")
def fhir_export(caller: Caller, patient_id: str, now: datetime) -> FhirBundle:
    return FhirBundle.model_validate(service().fhir_export(caller.user_id, Role.NURSE in caller.roles, patient_id, now))


@router.route("/v1/me/record/access-log", "GET", roles=MEMBER, query=LogQuery, response=AuditPage,
              extra_statuses=[403, 404], summary="Who read or wrote my record (or a minor beneficiary's), newest first")
def my_access_log(caller: Caller, query: LogQuery, now: datetime) -> AuditPage:
    events, before = service().members_access_log(caller.user_id, query.patient_id, query.limit, query.before, now)
    return AuditPage(items=events, next=before)


@router.route("/v1/operators/record-audit/search", "POST", roles=OPERATOR, body=AuditQuery, response=AuditPage,
              summary="The health-record audit trail by patient (CURP in the body) or by actor; no clinical content")
def record_audit(caller: Caller, body: AuditQuery) -> AuditPage:
    events, before = service().audit_trail(body.curp, body.actor_id, body.limit, body.before)
    return AuditPage(items=events, next=before)
