"""The daily jobs against the in-process AWS: renewals, lapses, reminders and the outbox relay to SNS."""

import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from chalicelib.services import jobs
from chalicelib.store.outbox import OutboxItem
from local.aws import REGION, stage_environment
from tests.api.conftest import issue, paid

MX = timezone(timedelta(hours=-6))


def _at(*args) -> datetime:
    return datetime(*args, 12, tzinfo=MX).astimezone(timezone.utc)


@pytest.fixture
def active_member(api, member, partner, clock):
    """A member who paid in early November for December (auto-renewal on)."""
    clock(_at(2026, 11, 5))
    headers, body = member()
    reference = issue(api, headers)
    assert json.loads(partner.send(paid(reference["reference"], reference["amount_mxn"], tx=f"job-{body['curp']}",
                                        paid_at=clock.now())).body)["status"] == "applied"
    return headers


def _coverage(api, headers):
    return json.loads(api.http.get("/v1/me/coverage", headers=headers).body)


def _references(api, headers):
    return json.loads(api.http.get("/v1/me/payment-references", headers=headers).body)["references"]


def _pending_kinds():
    return sorted(item.kind for item in OutboxItem.by_pending.query("PENDING"))


def test_auto_renewal_issues_next_months_reference_once_at_the_window_start(api, active_member, clock):
    now = clock(_at(2026, 12, 1))
    assert jobs.renew_references(now) == 1
    (renewal, _) = _references(api, active_member)
    assert renewal["months"] == ["2027-01"] and renewal["status"] == "open"
    assert jobs.renew_references(now) == 0  # the member now has an open reference
    assert "reference-issued" in _pending_kinds()
    assert jobs.renew_references(clock(_at(2026, 12, 16))) == 0  # after the deadline: nothing


def test_coverage_lapses_the_day_after_it_ends_unpaid(api, active_member, clock, operator):
    assert jobs.lapse_ended_coverage(clock(_at(2026, 12, 31))) == 0
    assert jobs.lapse_ended_coverage(clock(_at(2027, 1, 1))) == 1
    assert _coverage(api, active_member)["status"] == "lapsed"
    assert jobs.lapse_ended_coverage(clock.now()) == 0
    figures = json.loads(api.http.get("/v1/operators/stats", headers=operator).body)
    assert figures["members_by_status"]["lapsed"] == 1 and figures["members_by_status"]["active"] == 0
    assert "coverage-lapsed" in _pending_kinds()


def test_a_lapsed_member_who_pays_is_active_again(api, active_member, partner, clock):
    jobs.lapse_ended_coverage(clock(_at(2027, 1, 2)))
    clock(_at(2027, 1, 10))
    reference = issue(api, active_member)
    assert reference["months"] == ["2027-02"]
    partner.send(paid(reference["reference"], reference["amount_mxn"], tx="back-1", paid_at=clock.now()))
    assert _coverage(api, active_member)["status"] == "active"


def test_open_references_get_one_reminder_three_days_before_the_deadline(api, member, clock):
    clock(_at(2026, 11, 5))
    headers, _ = member()
    issue(api, headers)  # due 15 November
    assert jobs.remind_deadlines(clock(_at(2026, 11, 11))) == 0
    assert jobs.remind_deadlines(clock(_at(2026, 11, 12))) == 1
    assert jobs.remind_deadlines(clock.now()) == 0


def test_the_relay_publishes_to_sns_without_personal_data(api, active_member, clock):
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="notifications")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns", region_name=REGION).subscribe(
        TopicArn=stage_environment("local")["NOTIFICATIONS_TOPIC_ARN"], Protocol="sqs", Endpoint=arn,
        Attributes={"RawMessageDelivery": "true"})
    report = jobs.run_daily(clock(_at(2026, 12, 1)))
    assert report.references_issued == 1 and report.notifications_sent == 2  # payment applied + reference issued
    assert _pending_kinds() == []
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    bodies = [json.loads(m["Body"]) for m in messages]
    assert sorted(b["kind"] for b in bodies) == ["payment-applied", "reference-issued"]
    profile = json.loads(api.http.get("/v1/me", headers=active_member).body)
    for message in messages:
        for secret in (profile["curp"], profile["nss"], profile["email"], profile["phone"]):
            assert secret not in message["Body"]
    assert jobs.relay_notifications(clock.now()) == 0
