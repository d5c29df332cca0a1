"""Push notifications and e-mail against the in-process AWS: a member's devices become SNS platform endpoints, the
relay delivers each notification to them in the device's language (or by e-mail when there is none), respects the
opt-outs, prunes what AWS disabled, never reaches a closing or closed account and never carries personal data."""

import json
from datetime import datetime, timezone

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.auth import Role
from chalicelib.domain.notices import MAX_DEVICES
from chalicelib.services import relay
from chalicelib.store import devices as device_store
from chalicelib.store import outbox
from chalicelib.store.members import ProfileItem, member_key
from chalicelib.store.outbox import Notification
from chalicelib.store.transactions import commit
from local.aws import REGION, stage_environment
from tests.api.conftest import issue, paid

FCM_TOKEN = "fcm-" + "a1B2c3D4" * 20
APNS_TOKEN = "0123456789abcdef" * 4
ENVIRONMENT = stage_environment("local")


def _sns():
    return sns_backends[DEFAULT_ACCOUNT_ID][REGION]


def _sent_mail() -> list:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def _pushes(arn: str) -> list[dict]:
    return [json.loads(message) for message in _sns().platform_endpoints[arn].messages.values()]


def _put(api, headers, device_id, platform="fcm", token=FCM_TOKEN, language="es"):
    return api.http.put(f"/v1/me/devices/{device_id}", headers=headers,
                        body=json.dumps({"platform": platform, "token": token, "language": language}))


def _member_id(api, headers) -> str:
    return json.loads(api.http.get("/v1/me", headers=headers).body)["member_id"]


def _endpoint(member_id, device_id) -> str:
    return device_store.get_device(member_id, device_id).endpoint_arn


def _notify(member_id, kind, subject, params, now=None):
    commit([outbox.enqueue(Notification(kind, member_id, subject, params), now or datetime.now(timezone.utc))])


def _app_message(push: dict, platform: str) -> dict:
    return json.loads(push["GCM" if platform == "fcm" else "APNS"])


@pytest.fixture
def registered(api, member):
    headers, body = member()
    return headers, body, _member_id(api, headers)


def test_a_device_becomes_an_endpoint_idempotently_and_a_new_token_updates_it(api, registered):
    headers, _, member_id = registered
    first = _put(api, headers, "phone-1")
    assert first.status_code == 200, first.body
    assert json.loads(first.body)["platform"] == "fcm" and "token" not in json.loads(first.body)
    arn = _endpoint(member_id, "phone-1")
    endpoint = _sns().platform_endpoints[arn]
    assert endpoint.token == FCM_TOKEN and endpoint.custom_user_data == member_id
    assert arn.split(":")[5].startswith("endpoint/GCM/")
    assert _put(api, headers, "phone-1").status_code == 200  # the same body again: one endpoint
    assert [e.arn for e in _sns().platform_endpoints.values()] == [arn]
    _sns().set_endpoint_attributes(arn, {"Enabled": False})  # e.g. the token expired, and the app got a new one
    assert _put(api, headers, "phone-1", token=FCM_TOKEN[::-1], language="en").status_code == 200
    assert _endpoint(member_id, "phone-1") == arn
    assert _sns().platform_endpoints[arn].attributes["Token"] == FCM_TOKEN[::-1]
    assert _sns().platform_endpoints[arn].enabled
    assert device_store.get_device(member_id, "phone-1").language == "en"
    moved = _put(api, headers, "phone-1", platform="apns", token=APNS_TOKEN)  # same install id, other platform
    assert moved.status_code == 200
    assert "/APNS/" in _endpoint(member_id, "phone-1") and arn not in _sns().platform_endpoints
    removed = api.http.delete("/v1/me/devices/phone-1", headers=headers)
    assert removed.status_code == 200 and not _sns().platform_endpoints
    assert device_store.devices_of(member_id) == []
    assert api.http.delete("/v1/me/devices/phone-1", headers=headers).status_code == 404


def test_devices_are_bounded_per_member_and_another_account_takes_over_a_shared_phone(api, member, registered):
    headers, _, member_id = registered
    for n in range(MAX_DEVICES):
        assert _put(api, headers, f"d{n}", token=f"{FCM_TOKEN}{n}").status_code == 200
    over = _put(api, headers, "one-more", token=FCM_TOKEN + "x")
    assert over.status_code == 409 and "10" in json.loads(over.body)["detail"]
    assert len(_sns().platform_endpoints) == MAX_DEVICES  # the refused one left no endpoint behind
    assert api.http.delete("/v1/me/devices/d0", headers=headers).status_code == 200
    assert _put(api, headers, "one-more", token=FCM_TOKEN + "x").status_code == 200
    # Another account signs in on the phone of d1: its endpoint is replaced, so d1's member gets nothing there.
    other, _ = member()
    old = _endpoint(member_id, "d1")
    assert _put(api, other, "shared", token=f"{FCM_TOKEN}1").status_code == 200
    assert old not in _sns().platform_endpoints


@pytest.mark.parametrize("path, body", [
    ("/v1/me/devices/phone-1", {"platform": "sms", "token": FCM_TOKEN}),
    ("/v1/me/devices/phone-1", {"platform": "fcm", "token": "short"}),
    ("/v1/me/devices/phone-1", {"platform": "fcm", "token": "x" * 4097}),
    ("/v1/me/devices/phone-1", {"platform": "fcm", "token": FCM_TOKEN + " <script>"}),
    ("/v1/me/devices/phone-1", {"platform": "fcm", "token": FCM_TOKEN, "language": "fr"}),
    ("/v1/me/devices/phone-1", {"platform": "fcm", "token": FCM_TOKEN, "owner": "someone"}),
    ("/v1/me/devices/phone-1", {"platform": "fcm", "token": 12345}),
    ("/v1/me/notification-preferences", {"reminders": {"push": "no"}}),
    ("/v1/me/notification-preferences", {"reminders": {"sms": False}}),
])
def test_hostile_bodies_are_422_with_field_paths(api, registered, path, body):
    headers, _, _ = registered
    response = api.http.put(path, headers=headers, body=json.dumps(body))
    assert response.status_code == 422, response.body
    assert all(error["field"] for error in json.loads(response.body)["errors"])


def test_a_device_id_outside_its_pattern_is_404_and_an_unregistered_account_has_no_devices(api, aws, registered):
    headers, _, _ = registered
    assert _put(api, headers, "a.b").status_code == 404  # the router's pattern lets dots through, ours does not
    assert _put(api, headers, "x" * 65).status_code == 404
    stranger = {"Authorization": f"Bearer {aws.token(Role.MEMBER, 'unregistered')}", "Content-Type": "application/json"}
    assert _put(api, stranger, "phone-1").status_code == 404
    assert api.http.get("/v1/me/notification-preferences", headers=stranger).status_code == 404


def test_preferences_default_to_everything_and_are_kept(api, registered):
    headers, _, _ = registered
    assert json.loads(api.http.get("/v1/me/notification-preferences", headers=headers).body) == {
        "reminders": {"push": True, "email": True}}
    changed = api.http.put("/v1/me/notification-preferences", headers=headers,
                           body=json.dumps({"reminders": {"push": False, "email": True}}))
    assert changed.status_code == 200
    assert json.loads(api.http.get("/v1/me/notification-preferences", headers=headers).body) == {
        "reminders": {"push": False, "email": True}}


def test_the_relay_pushes_in_each_devices_language_with_ids_times_and_a_link_only(api, registered, event_sources):
    headers, _, member_id = registered
    _put(api, headers, "es-phone")
    _put(api, headers, "en-tablet", platform="apns", token=APNS_TOKEN, language="en")
    start = "2026-12-01T16:00:00+00:00"
    _notify(member_id, "consult-reminder-1h", "appt-1", {"appointment_id": "appt-1", "start": start,
                                                          "hours_before": 1})
    event_sources.relay()
    (es,) = _pushes(_endpoint(member_id, "es-phone"))
    (en,) = _pushes(_endpoint(member_id, "en-tablet"))
    fcm = _app_message(es, "fcm")["fcmV1Message"]["message"]
    assert fcm["notification"]["body"] == "Tu cita empieza en una hora."
    assert fcm["data"] == {"link": "ptimigrante://appointments/appt-1",
                           "appointment_id": "appt-1", "start": start}
    apns = _app_message(en, "apns")
    assert apns["aps"]["alert"]["body"] == "Your appointment starts in one hour."
    assert apns["link"] == "ptimigrante://appointments/appt-1"
    logged = device_store.deliveries_of(member_id)
    assert sorted((d.channel, d.target, d.kind) for d in logged) == [
        ("push", "en-tablet", "consult-reminder-1h"), ("push", "es-phone", "consult-reminder-1h")]
    assert _sent_mail() == []  # a member with devices is not e-mailed
    event_sources.relay()  # nothing new: nothing pushed twice
    assert len(_pushes(_endpoint(member_id, "es-phone"))) == 1


def test_a_member_without_a_device_gets_email_for_what_matters_and_no_personal_data_anywhere(
        api, registered, partner, clock, event_sources):
    headers, body, member_id = registered
    reference = issue(api, headers)
    assert json.loads(partner.send(paid(reference["reference"], reference["amount_mxn"], tx="mail-1",
                                        paid_at=clock.now())).body)["status"] == "applied"
    event_sources.relay()
    (mail,) = _sent_mail()
    assert mail.destinations["ToAddresses"] == [body["email"]]
    assert mail.source == ENVIRONMENT["NOTIFICATIONS_SENDER"]
    assert mail.subject == "Recibimos tu pago" and "ptimigrante://coverage" in mail.body
    _notify(member_id, "payment-unmatched", "p-2", {"amount_mxn": "10.00"})  # not one of the kinds e-mailed
    event_sources.relay()
    assert len(_sent_mail()) == 1
    assert [(d.channel, d.kind) for d in device_store.deliveries_of(member_id)] == [("email", "payment-applied")]
    profile = ProfileItem.get(member_key(member_id), "PROFILE")
    personal = [profile.curp, profile.nss, body["email"].split("@")[0], body["relative_in_mexico"]["name"],
                reference["amount_mxn"], reference["reference"]]
    for text in [mail.subject, mail.body]:
        assert not [value for value in personal if value and value in text]


def test_no_push_or_email_ever_carries_a_name_curp_nss_email_or_health_word(api, registered, event_sources):
    headers, _, member_id = registered
    _put(api, headers, "phone")
    profile = ProfileItem.get(member_key(member_id), "PROFILE")
    params = {"appointment_id": "a-9", "start": "2026-12-01T16:00:00+00:00", "slot_id": "s-9",
              "offered_until": "2026-12-01T15:00:00+00:00", "deadline": "2026-12-15T23:59:59-06:00",
              "reference": "1234 5678 9012", "amount_mxn": "1234.56", "months": ["2027-01"], "patient_id": "pat-1",
              "follow_up_of": "a-8", "first_name": "Xóchitl", "reason": "Dolor de garganta", "curp": profile.curp}
    kinds = ["reference-issued", "payment-deadline", "payment-applied", "payment-unmatched", "payment-reversed",
             "coverage-lapsed", "consult-reminder-24h", "consult-reminder-1h", "follow-up-booked",
             "appointment-cancelled-by-nurse", "slot-offered"]
    for kind in kinds:
        _notify(member_id, kind, "s", params)
    event_sources.relay()
    pushes = _pushes(_endpoint(member_id, "phone"))
    assert len(pushes) == len(kinds)
    banned = [profile.curp, profile.nss, profile.email, profile.phone, "Xóchitl", "Dolor", "garganta", "1234.56",
              "1234 5678", "pat-1", "enfermer", "nurse", "médic", "medic", "consult", "salud", "health", "doctor"]
    for push in pushes:
        text = json.dumps(push, ensure_ascii=False).lower()
        assert not [word for word in banned if word.lower() in text], push
    # The same for e-mail, once the device is gone.
    api.http.delete("/v1/me/devices/phone", headers=headers)
    for kind in kinds:
        _notify(member_id, kind, "mail", params)
    event_sources.relay()
    mails = _sent_mail()
    assert sorted(m.subject for m in mails) == sorted(
        ["Tu referencia de pago está lista", "Recibimos tu pago", "Recordatorio de tu cita", "Recordatorio de tu cita"])
    for mail in mails:
        text = (mail.subject + mail.body).lower()
        assert not [word for word in banned if word.lower() in text], mail.body


def test_opting_out_of_reminders_stops_them_per_channel_but_not_the_notices(api, registered, event_sources):
    headers, _, member_id = registered
    _put(api, headers, "phone")
    assert api.http.put("/v1/me/notification-preferences", headers=headers,
                        body=json.dumps({"reminders": {"push": False, "email": True}})).status_code == 200
    _notify(member_id, "consult-reminder-24h", "a-1", {"appointment_id": "a-1"})
    _notify(member_id, "payment-deadline", "r-1", {"deadline": "2026-12-15T23:59:59-06:00"})
    _notify(member_id, "payment-applied", "p-1", {"months": ["2027-01"]})
    event_sources.relay()
    assert [p["default"] for p in _pushes(_endpoint(member_id, "phone"))] == ["Recibimos tu pago."]
    assert _sent_mail() == []  # push opted out: a member with a device is not e-mailed instead
    api.http.delete("/v1/me/devices/phone", headers=headers)
    api.http.put("/v1/me/notification-preferences", headers=headers,
                 body=json.dumps({"reminders": {"push": True, "email": False}}))
    _notify(member_id, "consult-reminder-1h", "a-1", {"appointment_id": "a-1"})
    _notify(member_id, "reference-issued", "2027-02", {"months": ["2027-02"]})
    event_sources.relay()
    assert [m.subject for m in _sent_mail()] == ["Tu referencia de pago está lista"]


def test_an_endpoint_aws_disabled_is_pruned_and_the_member_falls_back_to_email(api, registered, event_sources):
    headers, body, member_id = registered
    _put(api, headers, "old-phone")
    arn = _endpoint(member_id, "old-phone")
    _sns().set_endpoint_attributes(arn, {"Enabled": False})  # the app was uninstalled
    _notify(member_id, "payment-applied", "p-1", {"months": ["2027-01"]})
    event_sources.relay()
    assert device_store.devices_of(member_id) == [] and arn not in _sns().platform_endpoints
    assert [m.destinations["ToAddresses"] for m in _sent_mail()] == [[body["email"]]]
    assert [(d.channel, d.target) for d in device_store.deliveries_of(member_id)] == [("email", "email")]


@pytest.mark.parametrize("status", ["closing", "closed"])
def test_nothing_reaches_a_closing_or_closed_account_nor_one_without_a_profile(api, registered, event_sources, status):
    headers, _, member_id = registered
    _put(api, headers, "phone")
    ProfileItem(member_key(member_id), "PROFILE").update(actions=[ProfileItem.status.set(status)],
                                                         add_version_condition=False)
    _notify(member_id, "payment-applied", "p-1", {"months": ["2027-01"]})
    _notify("gone-member", "payment-applied", "p-1", {"months": ["2027-01"]})
    event_sources.relay()
    assert _pushes(_endpoint(member_id, "phone")) == [] and _sent_mail() == []
    assert {item.sent_at is not None for item in outbox.OutboxItem.scan()} == {True}  # relayed, delivered to nobody


def test_a_throttled_push_fails_the_record_and_its_retry_skips_devices_already_served(api, registered, monkeypatch):
    from chalicelib import wiring
    from chalicelib.adapters.push import Transient

    headers, _, member_id = registered
    _put(api, headers, "a-phone")
    _put(api, headers, "b-phone", token=FCM_TOKEN + "b")
    now = datetime.now(timezone.utc)
    notice = Notification("consult-reminder-1h", member_id, "a-1", {"appointment_id": "a-1"})
    commit([outbox.enqueue(notice, now)])
    image = outbox.OutboxItem.get(notice.key)
    record = {"eventName": "INSERT", "dynamodb": {"SequenceNumber": "1", "NewImage": image.serialize()}}
    endpoints = wiring.push_endpoints()
    real = endpoints.publish
    b_arn = _endpoint(member_id, "b-phone")

    def throttled(arn, message, message_id):
        if arn == b_arn:
            raise Transient("Throttling")
        return real(arn, message, message_id)

    monkeypatch.setattr(endpoints, "publish", throttled)
    assert relay.relay_records([record], now) == {"batchItemFailures": [{"itemIdentifier": "1"}]}
    assert outbox.OutboxItem.get(notice.key).sent_at is None
    monkeypatch.setattr(endpoints, "publish", real)
    assert relay.relay_records([record], now) == {"batchItemFailures": []}
    assert len(_pushes(_endpoint(member_id, "a-phone"))) == 1  # not pushed twice
    assert len(_pushes(b_arn)) == 1
    assert outbox.OutboxItem.get(notice.key).sent_at is not None


def test_forget_devices_deletes_endpoints_and_items(api, registered):
    headers, _, member_id = registered
    _put(api, headers, "a")
    _put(api, headers, "b", platform="apns", token=APNS_TOKEN)
    assert device_store.forget_devices(member_id) == 2
    assert device_store.devices_of(member_id) == [] and not _sns().platform_endpoints
    assert device_store.forget_devices(member_id) == 0
    assert _put(api, headers, "c").status_code == 200  # the bound counts what is left


def test_the_local_bootstrap_creates_both_platform_applications_and_verifies_the_sender(aws):
    sns = boto3.client("sns", region_name=REGION)
    arns = {a["PlatformApplicationArn"] for a in sns.list_platform_applications()["PlatformApplications"]}
    assert {ENVIRONMENT["PUSH_FCM_APPLICATION_ARN"], ENVIRONMENT["PUSH_APNS_APPLICATION_ARN"]} <= arns
    ses = boto3.client("ses", region_name=REGION)
    assert ENVIRONMENT["NOTIFICATIONS_SENDER"] in ses.list_identities()["Identities"]
