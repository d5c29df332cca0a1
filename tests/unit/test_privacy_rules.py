"""Data-rights rules (domain/privacy.py): the ARCO answer's deadline, what a closure keeps and until when, what it
erases."""

from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.members import Member, MemberStatus
from chalicelib.domain.privacy import (
    ERASED, ERASED_PROFILE_FIELDS, answer_deadline, business_days_left, change_record, closure_request_id, completed,
    kept, new_closure_request,
)

MX = timezone(timedelta(hours=-6))


@pytest.mark.parametrize("asked, due", [
    # Monday 30 November 2026: 25 December (LFT art. 74) is skipped.
    (datetime(2026, 11, 30, 10, tzinfo=MX), date(2026, 12, 29)),
    # 16 November 2026 is the third Monday of November: a request the Friday before starts counting on the 17th.
    (datetime(2026, 11, 13, 10, tzinfo=MX), date(2026, 12, 14)),
    # Across the new year: 25 December and 1 January both skipped.
    (datetime(2026, 12, 18, 10, tzinfo=MX), date(2027, 1, 19)),
    # Holy week is a banking holiday, not a labour one: it counts.
    (datetime(2027, 3, 22, 10, tzinfo=MX), date(2027, 4, 19)),
])
def test_the_answer_is_due_on_the_20th_business_day_of_the_labour_calendar(asked, due):
    assert answer_deadline(asked.astimezone(timezone.utc)) == due


def test_the_deadline_counts_from_the_mexico_city_day_the_request_arrived():
    # 05:30 UTC on 1 December is still 30 November in Mexico City.
    assert answer_deadline(datetime(2026, 12, 1, 5, 30, tzinfo=timezone.utc)) == date(2026, 12, 29)
    assert answer_deadline(datetime(2026, 12, 1, 6, 30, tzinfo=timezone.utc)) == date(2026, 12, 30)


def test_business_days_left_go_negative_once_the_deadline_passed():
    deadline = date(2026, 12, 29)
    assert business_days_left(deadline, datetime(2026, 12, 28, 12, tzinfo=MX)) == 1
    assert business_days_left(deadline, datetime(2026, 12, 29, 12, tzinfo=MX)) == 0
    assert business_days_left(deadline, datetime(2027, 1, 4, 12, tzinfo=MX)) == -3  # 30, 31 Dec; 1 Jan off; 4 Jan


def test_kept_classes_end_five_years_after_their_own_clock():
    act = datetime(2026, 12, 1, 17, tzinfo=timezone.utc)
    access = datetime(2027, 3, 1, 17, tzinfo=timezone.utc)
    paid = datetime(2026, 11, 5, 15, tzinfo=timezone.utc)
    answered = datetime(2026, 12, 20, 18, tzinfo=timezone.utc)
    ends = {k.data: k.ends_on for k in kept(act, access, paid, answered)}
    assert ends == {"health_record": date(2031, 12, 1), "record_access_log": date(2032, 3, 1),
                    "payment_evidence": date(2031, 11, 5), "identity_and_consents": date(2032, 3, 1),
                    "arco_request": date(2032, 3, 1)}


def test_the_access_log_lasts_as_long_as_the_record_and_a_leap_day_ends_on_1_march():
    act = datetime(2028, 2, 29, 17, tzinfo=timezone.utc)
    ends = {k.data: k.ends_on for k in kept(act, None, None, act)}
    assert ends["health_record"] == ends["record_access_log"] == date(2033, 3, 1)


def test_what_is_not_held_is_not_listed_but_the_identity_and_request_always_are():
    answered = datetime(2026, 12, 20, 18, tzinfo=timezone.utc)
    classes = kept(None, None, None, answered)
    assert [(k.data, k.ends_on) for k in classes] == [("identity_and_consents", date(2031, 12, 20)),
                                                      ("arco_request", date(2031, 12, 20))]
    assert all(k.law and k.retention for k in classes)


def test_a_closure_erases_contact_data_and_the_profile_allows_it(member_fields):
    assert set(ERASED_PROFILE_FIELDS) <= set(ERASED)
    erased = Member.model_validate({**member_fields, **dict.fromkeys(ERASED_PROFILE_FIELDS)})
    assert erased.email is None and erased.curp == member_fields["curp"]


def test_one_closure_per_account_and_a_completed_one_names_who_answered():
    assert closure_request_id("a") == closure_request_id("a") != closure_request_id("b")
    now = datetime(2026, 11, 30, 16, tzinfo=timezone.utc)
    request = new_closure_request("a", MemberStatus.ACTIVE, now)
    done = completed(request, "op", kept(None, None, None, now), now)
    assert (done.status, done.completed_by, done.erased) == ("completed", "op", list(ERASED))
    assert request.status == "open"


def test_a_rectification_records_field_names_only():
    change = change_record("member-1", ["phone", "email"], datetime(2026, 11, 30, tzinfo=timezone.utc))
    assert change.fields == ["email", "phone"] and set(change.model_dump()) == {"change_id", "at", "by", "fields"}


@pytest.fixture
def member_fields():
    now = datetime(2026, 11, 30, tzinfo=timezone.utc)
    return {"member_id": "m", "person_id": "p", "linked_at": now, "curp": "GOMC150301HJCCHL09", "nss": "12345678901",
            "rfc": None, "email": "a@example.com", "phone": "+13105550123", "monthly_income_mxn": "9000.00",
            "zone": "general", "residence": None, "relative_in_mexico": None, "auto_renewal": False,
            "occupation": "x", "status": "closed", "consents": [], "registered_at": now, "updated_at": now,
            "version": 3}
