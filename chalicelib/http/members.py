"""Member routes: registration, profile, beneficiaries, and the operators' lookup (the export: http/privacy.py)."""

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Mapping

from pydantic import ConfigDict, RootModel

from chalicelib.domain.beneficiaries import Beneficiary, BeneficiaryRequest, Standing
from chalicelib.domain.members import Member, MemberLookup, ProfileChanges, RegistrationRequest
from chalicelib.domain.model import Model
from chalicelib.errors import PreconditionFailed, PreconditionRequired
from chalicelib.http.api import Idempotency, Reply, Router
from chalicelib.auth import Caller, Role
from chalicelib.http.problems import field_messages
from chalicelib.http.views import NextStep, next_step
from chalicelib.i18n import Language

if TYPE_CHECKING:
    from chalicelib.services.members import Profile

router = Router(__name__, tag="members")
MEMBER = {Role.MEMBER}


def service():
    """The use cases, imported with the first request that needs them rather than at cold start."""
    from chalicelib.services import members

    return members


class FieldMessage(Model):
    field: str
    message: str


class MemberProfile(Member):
    next_step: NextStep
    warnings: list[FieldMessage] = []


class DraftReview(Model):
    errors: list[FieldMessage]
    warnings: list[FieldMessage]


class RegistrationDraft(RootModel[dict[str, Any]]):
    """Any subset of the registration fields."""

    model_config = ConfigDict(defer_build=True)  # as Model's: built with the first validation


class Eligibility(Model):
    eligible: bool
    until: date | None
    reason: str


class BeneficiaryView(Beneficiary):
    eligibility: Eligibility


class BeneficiaryList(Model):
    beneficiaries: list[BeneficiaryView]


def _profile(found: "Profile", language: Language) -> MemberProfile:
    return MemberProfile(**found.member.model_dump(), next_step=next_step(found.next_step, language),
                         warnings=field_messages(found.warnings, language))


def _with_etag(profile: MemberProfile, status: int = 200) -> Reply:
    return Reply(profile, status, {"ETag": f'"{profile.version}"'})


def _view(found: Standing) -> BeneficiaryView:
    return BeneficiaryView(**found.beneficiary.model_dump(), eligibility=Eligibility(**found.eligibility.__dict__))


@router.route("/v1/registrations", "POST", roles=MEMBER, body=RegistrationRequest, response=MemberProfile, status=201,
              summary="Register the signed-in user as a PTI member (once per account; the same answer whether or not "
                      "the CURP or NSS is already someone's)",
              extra_statuses=[409], idempotent=True)
def register(caller: Caller, body: RegistrationRequest, idempotency: Idempotency, language: Language,
             now: datetime) -> Reply:
    registered = service().register(caller.user_id, body, now,
                                  answer=lambda r: idempotency.writes(201, _profile(r, language), now))
    return _with_etag(_profile(registered, language), 201)


@router.route("/v1/registrations/validation", "POST", roles=MEMBER, body=RegistrationDraft, response=DraftReview,
              summary="Check a whole or partial registration without saving it or revealing existing registrations")
def validate_registration(body: RegistrationDraft, language: Language, now: datetime) -> DraftReview:
    errors, warnings = service().review(body.root, now)
    return DraftReview(errors=field_messages(errors, language), warnings=field_messages(warnings, language))


@router.route("/v1/me", "GET", roles=MEMBER, response=MemberProfile, extra_statuses=[404],
              summary="My profile, status and next step; the ETag header is the version for PATCH")
def my_profile(caller: Caller, language: Language) -> Reply:
    return _with_etag(_profile(service().profile(caller.user_id), language))


@router.route("/v1/me", "PATCH", roles=MEMBER, body=ProfileChanges, response=MemberProfile, headers=["If-Match"],
              extra_statuses=[404, 409, 412, 428],
              summary="Change contact data, relative, income, zone or auto-renewal (If-Match: the ETag from GET)")
def change_profile(caller: Caller, body: ProfileChanges, headers: Mapping[str, str], language: Language,
                   now: datetime) -> Reply:
    version = _if_match_version(headers.get("if-match"))
    return _with_etag(_profile(service().change_profile(caller.user_id, version, body, now), language))


_STRONG_VERSION_TAG = re.compile(r'"([0-9]{1,12})"')


def _if_match_version(header: str | None) -> int:
    """The version an If-Match names. RFC 9110 compares If-Match strongly, so a weak tag (W/"1") never matches; nor
    does anything but our own tag shape (ASCII digits, bounded: a version is a DynamoDB number)."""
    if not header:
        raise PreconditionRequired()
    tag = _STRONG_VERSION_TAG.fullmatch(header.strip())
    if tag is None:
        raise PreconditionFailed("profile-changed")
    return int(tag.group(1))


@router.route("/v1/me/beneficiaries", "POST", roles=MEMBER, body=BeneficiaryRequest, response=BeneficiaryView,
              status=201, extra_statuses=[404, 409], idempotent=True,
              summary="Add a spouse or partner, child, parent or minor in custody")
def add_beneficiary(caller: Caller, body: BeneficiaryRequest, idempotency: Idempotency,
                    now: datetime) -> BeneficiaryView:
    added = service().add_beneficiary(caller.user_id, body, now,
                                      answer=lambda b: idempotency.writes(201, _view(b), now))
    return _view(added)


@router.route("/v1/me/beneficiaries", "GET", roles=MEMBER, response=BeneficiaryList, extra_statuses=[404],
              summary="My beneficiaries, removed ones included, each with whether and until when it is eligible")
def list_beneficiaries(caller: Caller, now: datetime) -> BeneficiaryList:
    return BeneficiaryList(beneficiaries=[_view(b) for b in service().beneficiaries(caller.user_id, now)])


@router.route("/v1/me/beneficiaries/{beneficiary_id}", "DELETE", roles=MEMBER, response=BeneficiaryView,
              extra_statuses=[404], summary="Remove a beneficiary (kept in history)")
def remove_beneficiary(caller: Caller, beneficiary_id: str, now: datetime) -> BeneficiaryView:
    return _view(service().remove_beneficiary(caller.user_id, beneficiary_id, now))


@router.route("/v1/operators/members/lookup", "POST", roles={Role.OPERATOR}, body=MemberLookup, response=MemberProfile,
              extra_statuses=[404], summary="Find a member by CURP or NSS, sent in the body (never in a URL)")
def find_member(caller: Caller, body: MemberLookup, language: Language) -> MemberProfile:
    return _profile(service().find_member(caller.user_id, body), language)
