"""What reaches a member's phone and mailbox: devices, the opt-outs (LFPDPPP opposition), and the neutral texts.

A notification (store/outbox.py) is delivered by the relay as a push to each of the member's devices, in the device's
language; a member without a device gets an e-mail for the kinds that matter (`email` in notices.json). Reminders
(`reminder`: the payment deadline and the consult reminders) respect the member's opt-out per channel; the other
kinds are notices of something that happened (a payment applied, a reference issued, a consult cancelled) and are
always sent. Nothing is sent to a member whose account is closing or closed.

The texts (notices.json) say no name, CURP, NSS, amount, reason or clinical word; a push carries ids and times only in
its data, and a deep link into the app.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictBool

from chalicelib.domain.model import Model

Platform = Literal["fcm", "apns"]
Language = Literal["es", "en"]
Channel = Literal["push", "email"]
MAX_DEVICES = 10  # per member: more is a misbehaving app, not a household
DEVICE_ID = r"^[A-Za-z0-9_-]{1,64}$"  # the app's own id for an install (a UUID, say)
# FCM registration tokens (up to a few hundred characters of [A-Za-z0-9_:-]) and APNs device tokens (64 hex digits);
# SNS takes up to 4 KiB.
PUSH_TOKEN = r"^[A-Za-z0-9_:.-]{32,4096}$"
# Statuses after which nothing is delivered (account closure). Strings, so this module needs no other's enum.
SILENT_STATUSES = frozenset({"closing", "closed"})
# What a push's data may carry from a notification's parameters: ids and times, nothing else.
_PUSH_DATA = ("appointment_id", "slot_id", "start", "deadline", "offered_until")

with open(Path(__file__).with_name("notices.json"), encoding="utf-8") as _file:
    _KINDS: dict[str, dict[str, Any]] = json.load(_file)["kinds"]


class _Strict(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DeviceRequest(_Strict):
    """PUT /v1/me/devices/{device_id}: the app's push token on its platform, and the language to write in."""

    platform: Platform
    token: Annotated[str, Field(pattern=PUSH_TOKEN)]
    language: Language = "es"


@dataclass(frozen=True)
class Device:
    """A registered install: its SNS platform endpoint stands for its token (the endpoint ARN is never shown)."""

    device_id: str
    platform: str
    language: str
    token: str
    endpoint_arn: str
    registered_at: datetime


class ChannelChoice(_Strict):
    push: StrictBool = True
    email: StrictBool = True


class Preferences(_Strict):
    """Which channels may carry reminders (opposition: a member opts out per channel). Other notices always go."""

    reminders: ChannelChoice = ChannelChoice()


@dataclass(frozen=True)
class Push:
    title: str
    body: str
    link: str
    data: dict[str, str]


@dataclass(frozen=True)
class Email:
    subject: str
    text: str


def is_reminder(kind: str) -> bool:
    return bool(_KINDS.get(kind, {}).get("reminder"))


def deliverable(status: str | None) -> bool:
    """Whether anything may reach a member whose profile has `status` (None: no profile any more)."""
    return status is not None and str(status) not in SILENT_STATUSES


def wants(kind: str, channel: Channel, preferences: Preferences) -> bool:
    """Whether the member's choices let `kind` through `channel`."""
    return not is_reminder(kind) or getattr(preferences.reminders, channel)


def _link(kind: str, params: dict[str, Any]) -> str:
    spec = _KINDS[kind]
    ident = str(params.get(spec["link_param"], "")) if spec["link_param"] else ""
    return spec["link"].format(id=ident)


def push_for(kind: str, params: dict[str, Any], language: str) -> Push | None:
    """The push for a notification in `language` (Spanish if unknown); None for a kind the app has no words for."""
    spec = _KINDS.get(kind)
    if spec is None:
        return None
    words = spec.get(language) or spec["es"]
    link = _link(kind, params)
    # No kind either: some name who acted (appointment-cancelled-by-nurse); the link says where to go.
    data = {"link": link, **{name: str(params[name]) for name in _PUSH_DATA if params.get(name) is not None}}
    return Push(words["title"], words["body"], link, data)


def email_for(kind: str, params: dict[str, Any], language: str = "es") -> Email | None:
    """The e-mail for a notification, for the kinds that go by e-mail to a member with no device; else None."""
    spec = _KINDS.get(kind)
    if spec is None or not spec.get("email"):
        return None
    words = spec.get(language) or spec["es"]
    return Email(words["subject"], f"{words['email']}\n\n{_link(kind, params)}")


def platform_message(push: Push, platform: str) -> str:
    """SNS's per-platform JSON message (MessageStructure=json): FCM's HTTP v1 fields under GCM, APNs' under APNS."""
    if platform == "fcm":
        payload = {"fcmV1Message": {"message": {"notification": {"title": push.title, "body": push.body},
                                                "data": push.data}}}
        key = "GCM"
    else:
        payload = {"aps": {"alert": {"title": push.title, "body": push.body}}, **push.data}
        key = "APNS"
    encoded = json.dumps(payload, ensure_ascii=False)
    # An APNs application is APNS or APNS_SANDBOX (development builds); SNS picks the key of the endpoint's own.
    keys = {key: encoded, **({"APNS_SANDBOX": encoded} if key == "APNS" else {})}
    return json.dumps({"default": push.body, **keys}, ensure_ascii=False)
