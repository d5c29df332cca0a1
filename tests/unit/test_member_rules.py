"""Registration and beneficiary rules as pure functions: no I/O, a fixed clock."""

from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.domain.beneficiaries import (
    AGE_RULES, Beneficiary, BeneficiaryRequest, Relationship, eligibility, new_beneficiary,
)
from chalicelib.domain.identifiers import age_on, birthday
from chalicelib.domain.members import (
    MIN_WORKING_AGE, MemberStatus, ProfileChanges, RegistrationRequest, new_member, review_draft,
)
from tests.people import make_curp, make_rfc, registration

NOW = datetime(2026, 11, 21, 18, 0, tzinfo=timezone.utc)  # 12:00 in Mexico City


def _errors(model, data, now=NOW) -> list[tuple[str, str]]:
    try:
        model.model_validate(data, context={"now": now})
    except ValidationError as exc:
        return [(".".join(map(str, e["loc"])), e["type"]) for e in exc.errors()]
    return []


def test_a_valid_registration_becomes_a_pending_member_with_consent_evidence():
    request = RegistrationRequest.model_validate(registration(), context={"now": NOW})
    member = new_member("user-1", "person-1", request, NOW)
    assert member.status == MemberStatus.PENDING_PAYMENT and member.version == 1
    assert [c.kind for c in member.consents] == ["terms", "sensitive_data"]
    assert all(c.accepted_at == NOW for c in member.consents)


def test_working_age_is_judged_on_mexico_city_calendar():
    born = date(2011, 11, 22)  # turns 15 on 2026-11-22 in Mexico City
    curp = make_curp(birth=born, consonants="WRK")
    late_on_21st_utc = datetime(2026, 11, 22, 5, 0, tzinfo=timezone.utc)  # still the 21st in Mexico City
    assert ("curp", "under_working_age") in _errors(RegistrationRequest, registration(curp=curp), late_on_21st_utc)
    noon_22nd = datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc)
    assert ("curp", "under_working_age") not in _errors(RegistrationRequest, registration(curp=curp), noon_22nd)
    assert MIN_WORKING_AGE == 15


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"residence": {"country": "US", "time_zone": "America/Chicago"}}, ("residence", "us_state_required")),
        ({"residence": {"country": "US", "state": "ZZ", "time_zone": "America/Chicago"}}, ("residence", "us_state_unknown")),
        ({"residence": {"country": "CA", "state": "Ontario", "time_zone": "America/Toronto"}}, None),
        ({"residence": {"country": "MX", "time_zone": "America/Mexico_City"}}, ("residence.country", "residence_in_mexico")),
        ({"monthly_income_mxn": "9000.001"}, ("monthly_income_mxn", "decimal_string")),
        ({"monthly_income_mxn": "0"}, ("monthly_income_mxn", "greater_than")),
        ({"monthly_income_mxn": 9000}, ("monthly_income_mxn", "decimal_string")),  # money only as decimal strings
        ({"monthly_income_mxn": "9000"}, None),
        ({"accepted_terms_version": "0"}, ("accepted_terms_version", "terms_version_outdated")),
        ({"sensitive_data_consent": False}, ("sensitive_data_consent", "sensitive_consent_required")),
        ({"unexpected": 1}, ("unexpected", "extra_forbidden")),
    ],
)
def test_registration_rules(change, expected):
    errors = _errors(RegistrationRequest, registration(**change))
    assert errors == ([expected] if expected else [])


def test_draft_review_ignores_missing_fields_and_warns_on_rfc():
    curp = make_curp(consonants="DRF")
    rfc = make_rfc(curp)
    errors, warnings = review_draft({"curp": curp, "rfc": rfc[:-1] + ("1" if rfc[-1] != "1" else "2")}, NOW)
    assert errors == [] and [w.key for w in warnings] == ["rfc_check_digit"]
    errors, _ = review_draft({"curp": curp, "rfc": "GOMA850616AB1"}, NOW)
    assert [(e.field, e.key) for e in errors] == [("rfc", "rfc_curp_mismatch")]
    assert review_draft({}, NOW) == ([], [])


def test_profile_changes_take_only_what_is_sent():
    changes = ProfileChanges.model_validate({"zone": "zlfn"})
    assert changes.changes() == {"zone": "zlfn"}
    assert _errors(ProfileChanges, {}) == [("", "empty_patch")]
    assert _errors(ProfileChanges, {"nss": "12345678903"}) == [("nss", "extra_forbidden")]


def _beneficiary(relationship: Relationship, born: date, student: bool = False) -> Beneficiary:
    request = BeneficiaryRequest.model_construct(
        relationship=relationship, first_name="A", last_name="B", second_last_name=None, student=student,
        lives_with_member=None, economically_dependent=None, custody_resolution=None,
        curp=make_curp("GOMC", born, "H", "JC", "ELG"),
    )
    return new_beneficiary("b-1", "person-b1", request, NOW)


@given(born=st.dates(min_value=date(1990, 1, 1), max_value=date(2026, 11, 21)),
       today=st.dates(min_value=date(2026, 1, 1), max_value=date(2060, 12, 31)),
       relationship=st.sampled_from([Relationship.CHILD, Relationship.MINOR_IN_CUSTODY]),
       student=st.booleans())
def test_eligibility_is_exactly_being_younger_than_the_limit(born, today, relationship, student):
    student = student and relationship == Relationship.CHILD
    beneficiary = _beneficiary(relationship, born, student)
    rule = AGE_RULES[relationship]
    limit = rule.student_until_age if student else rule.until_age
    verdict = eligibility(beneficiary, today)
    assert verdict.eligible == (age_on(born, today) < limit)
    assert verdict.until == date.fromordinal(birthday(born, limit).toordinal() - 1)


def test_removed_beneficiaries_are_never_eligible():
    removed = _beneficiary(Relationship.SPOUSE, date(1986, 1, 1)).model_copy(update={"status": "removed"})
    assert eligibility(removed, date(2026, 11, 21)).eligible is False
