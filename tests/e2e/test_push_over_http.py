"""Push notifications over HTTP on `make run`'s own stack: a member registers her phone (in English), books a consult,
`make jobs` standing 24 hours before it queues the reminder, `make run`'s event sources relay it from the outbox
stream to her SNS platform endpoint on the moto server, and `make inbox` shows it in her language with no personal
data. A member without a phone gets the payment notice by e-mail (SES on the moto server)."""

import json
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta

import pytest

from chalicelib.domain.teleconsult import CONSENT_VERSION
from local.aws import PROJECT
from tests.e2e.conftest import start_stack
from tests.e2e.test_payments_over_http import _issue, _post_webhook, _secrets, _succeeded
from tests.e2e.test_teleconsult_over_http import _nurse_with_slots
from tests.people import registration

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory):
    """A stack of its own: `make jobs` at a chosen instant runs the whole day's work for every member on it."""
    running = start_stack(tmp_path_factory.mktemp("push") / "state")
    yield running
    running.stop()


def _covered(stack, user: str, phone: dict | None = None) -> tuple[dict, dict, list[str]]:
    """A member with an address of her own (the inbox finds her e-mail by it), her phone registered first if given,
    who paid for two months."""
    headers = stack.signed_in("member", user)
    body = registration(email=f"{user}@example.com")
    assert stack.request("POST", "/v1/registrations", headers=headers, json_body=body).status == 201
    if phone:
        registered = stack.request("PUT", "/v1/me/devices/her-phone", headers=headers, json_body=phone)
        assert registered.status == 200, registered.body
    reference = _issue(stack, headers, 2)
    event = _succeeded(reference=reference["reference"], amount=reference["amount_mxn"], tx=f"push-{user}",
                       channel="finabien")
    paid = _post_webhook(stack, "finabien", event, _secrets(stack)["finabien"], f"msg-push-{user}")
    assert paid.json()["status"] == "applied", paid.body
    return headers, body, reference["months"]


def _inbox(stack, user: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "local.inbox", "--user", user, "--json"], cwd=PROJECT,
                            env=stack.environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout[result.stdout.index("{\n"):])


def _eventually(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(0.5)
    return result


def test_a_registered_phone_gets_the_consult_reminder_in_her_language_and_make_inbox_shows_it(own_stack):
    run = uuid.uuid4().hex[:6]
    user = f"push-{run}"
    headers, body, months = _covered(own_stack, user, {"platform": "apns", "token": uuid.uuid4().hex * 2,
                                                       "language": "en"})
    _, nurse_id = _nurse_with_slots(own_stack, run)
    consent = own_stack.request("POST", "/v1/me/consents/teleconsultation", headers=headers,
                                json_body={"version": CONSENT_VERSION})
    assert consent.status == 201, consent.body
    day = f"{months[0]}-05"
    slots = own_stack.request("GET", f"/v1/teleconsult/slots?from={day}&to={day}&limit=100", headers=headers).json()
    slot = next(s for s in slots["items"] if s["nurse"]["nurse_id"] == nurse_id)
    booked = own_stack.request("POST", "/v1/teleconsult/appointments", headers=headers,
                               json_body={"slot_id": slot["slot_id"], "reason": "Dolor de garganta"})
    assert booked.status == 201, booked.body
    consult = booked.json()
    at = (datetime.fromisoformat(consult["start"]) - timedelta(hours=23, minutes=50)).isoformat()
    jobs = subprocess.run([sys.executable, "-m", "local.jobs", "--at", at], cwd=PROJECT, env=own_stack.environment,
                          capture_output=True, text=True, timeout=300)
    assert jobs.returncode == 0, jobs.stderr
    assert json.loads(jobs.stdout[jobs.stdout.index("{\n"):])["consult_reminders"] >= 1

    def reminded():
        inbox = _inbox(own_stack, user)
        return inbox if any(len(p["pushes"]) == 2 for p in inbox["phones"]) else None

    inbox = _eventually(reminded)
    assert inbox, "no reminder reached the endpoint"
    ((paid, push),) = [phone["pushes"] for phone in inbox["phones"]]
    assert paid["body"] == "We received your payment." and push["body"] == "You have an appointment tomorrow."
    assert push["data"]["link"] == f"ptimigrante://appointments/{consult['appointment_id']}"
    assert datetime.fromisoformat(push["data"]["start"]) == datetime.fromisoformat(consult["start"])
    text = json.dumps(push, ensure_ascii=False)
    for personal in (body["curp"], body["nss"], body["email"], body["phone"], "Dolor", "garganta",
                     body["relative_in_mexico"]["name"], "Enf."):
        assert personal not in text
    assert inbox["mailbox"]["messages"] == []  # she has a phone: nothing by e-mail
    printed = subprocess.run([sys.executable, "-m", "local.inbox", "--user", user], cwd=PROJECT,
                             env=own_stack.environment, capture_output=True, text=True, timeout=120)
    assert "You have an appointment tomorrow." in printed.stdout and "her-phone [en]" in printed.stdout


def test_a_member_without_a_phone_gets_the_payment_notice_by_email(own_stack):
    user = f"mail-{uuid.uuid4().hex[:6]}"
    _, body, _ = _covered(own_stack, user)
    inbox = _eventually(lambda: (found := _inbox(own_stack, user))["mailbox"]["messages"] and found)
    assert inbox, "no e-mail was sent"
    assert inbox["phones"] == []
    subjects = [mail["subject"] for mail in inbox["mailbox"]["messages"]]
    assert "Recibimos tu pago" in subjects
    for mail in inbox["mailbox"]["messages"]:
        assert body["curp"] not in mail["body"] and body["nss"] not in mail["body"]
