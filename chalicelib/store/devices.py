"""A member's devices, notification preferences and the log of what was delivered, in the member's partition.

| item        | pk               | sk                                          | notes                                |
|-------------|------------------|---------------------------------------------|--------------------------------------|
| preferences | MEMBER#<user id> | PREFERENCES                                 | reminder opt-outs; device_ids (≤ 10) |
| device      | MEMBER#<user id> | PUSH#<device id>                            | platform, language, token, endpoint  |
| delivery    | MEMBER#<user id> | SENT#<created_at>#<kind>#<subject>#<target> | channel, kind, message id; TTL 1 y   |

The relay reads what it needs of a member (profile, preferences, devices: sk from PREFERENCES to PUSH$, in key
order, so the delivery log is not read) in one Query. The number of devices is bounded by a condition on the
preferences item's `device_ids` in the transaction that adds one. A delivery item is put, with `attribute_not_exists`,
before its push or e-mail is sent: a relay retrying a notification skips the targets already done (a crash between
the put and the send loses that one delivery rather than sending it twice).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute

from pynamodb.expressions.condition import size

from chalicelib.domain.notices import MAX_DEVICES, ChannelChoice, Device, Preferences
from chalicelib.errors import Conflict
from chalicelib.store.members import MemberItem, ProfileItem, member_key, still_processed
from chalicelib.store.transactions import ConditionFailed, Write, commit

PREFERENCES = "PREFERENCES"
KEEP_DELIVERIES = timedelta(days=366)  # the access right's "notifications sent": a year of them


def device_sk(device_id: str) -> str:
    return f"PUSH#{device_id}"


class PreferencesItem(MemberItem, discriminator="notice-preferences"):
    reminders_push = BooleanAttribute(null=True)
    reminders_email = BooleanAttribute(null=True)
    device_ids = UnicodeSetAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)


class DeviceItem(MemberItem, discriminator="device"):
    device_id = UnicodeAttribute()
    platform = UnicodeAttribute()
    language = UnicodeAttribute()
    token = UnicodeAttribute()
    endpoint_arn = UnicodeAttribute()
    registered_at = UTCDateTimeAttribute()


class DeliveryItem(MemberItem, discriminator="delivery"):
    channel = UnicodeAttribute()  # push, email
    target = UnicodeAttribute()  # the device id, or "email"
    notice_kind = UnicodeAttribute()
    message_id = UnicodeAttribute()  # the outbox key: the notification's id everywhere
    sent_at = UTCDateTimeAttribute()  # expires_at (MemberItem's TTL) a year later


@dataclass(frozen=True)
class Delivery:
    channel: str
    target: str
    kind: str
    message_id: str
    sent_at: datetime


@dataclass(frozen=True)
class Reach:
    """What the relay needs to deliver to a member: None status means no profile (nothing is delivered)."""

    status: str | None
    email: str | None
    preferences: Preferences
    devices: list[Device]


def _typed(now: datetime) -> list:
    """An UpdateItem may create the preferences item: it names its kind itself (PynamoDB sets it only on a put)."""
    return [PreferencesItem.kind.set(PreferencesItem), PreferencesItem.updated_at.set(now)]


def _device(item: DeviceItem) -> Device:
    return Device(item.device_id, item.platform, item.language, item.token, item.endpoint_arn, item.registered_at)


def _preferences(item: PreferencesItem | None) -> Preferences:
    if item is None:
        return Preferences()
    return Preferences(reminders=ChannelChoice(push=item.reminders_push is not False,
                                               email=item.reminders_email is not False))


# --- Devices ------------------------------------------------------------------------------------------------------

def get_device(member_id: str, device_id: str) -> Device | None:
    try:
        return _device(DeviceItem.get(member_key(member_id), device_sk(device_id), consistent_read=True))
    except DeviceItem.DoesNotExist:
        return None


def devices_of(member_id: str) -> list[Device]:
    """The member's registered devices: one Query."""
    items = MemberItem.query(member_key(member_id), MemberItem.sk.startswith("PUSH#"), consistent_read=True)
    return [_device(item) for item in items if isinstance(item, DeviceItem)]


def _device_item(member_id: str, device: Device) -> DeviceItem:
    return DeviceItem(member_key(member_id), device_sk(device.device_id), device_id=device.device_id,
                      platform=device.platform, language=device.language, token=device.token,
                      endpoint_arn=device.endpoint_arn, registered_at=device.registered_at)


def add_device(member_id: str, device: Device, now: datetime) -> None:
    """The device saved if it is new and the member has fewer than MAX_DEVICES, all at once. Raises Conflict
    (too-many-devices) at the bound, ConditionFailed({"device"}) when the id was registered meanwhile."""
    preferences = PreferencesItem(member_key(member_id), PREFERENCES)
    bounded = (PreferencesItem.device_ids.does_not_exist()
               | (size(PreferencesItem.device_ids) < MAX_DEVICES))
    item = _device_item(member_id, device)
    try:
        commit([
            Write("device-bound", "update", lambda tx: tx.update(
                preferences, actions=[PreferencesItem.device_ids.add({device.device_id}), *_typed(now)],
                condition=bounded)),
            Write("device", "save", lambda tx: tx.save(item, condition=DeviceItem.sk.does_not_exist())),
            still_processed(member_id),
        ])
    except ConditionFailed as failed:
        if "device" in failed.labels:
            raise
        if "member" in failed.labels:
            raise Conflict("account-closing") from None
        raise Conflict("too-many-devices", limit=MAX_DEVICES) from None


def replace_device(member_id: str, read: Device, device: Device) -> None:
    """The device's token, endpoint or language changed, only if it is still as `read`; ConditionFailed otherwise."""
    commit([Write("device", "save", lambda tx: tx.save(
        _device_item(member_id, device),
        condition=(DeviceItem.endpoint_arn == read.endpoint_arn) & (DeviceItem.token == read.token)))])


def remove_device(member_id: str, device: Device) -> None:
    """The device item deleted (only if it still names the endpoint read) and its id freed from the bound."""
    item = DeviceItem(member_key(member_id), device_sk(device.device_id))
    preferences = PreferencesItem(member_key(member_id), PREFERENCES)
    try:
        commit([
            Write("device", "delete", lambda tx: tx.delete(
                item, condition=DeviceItem.endpoint_arn == device.endpoint_arn)),
            Write("device-bound", "update", lambda tx: tx.update(
                preferences, actions=[PreferencesItem.device_ids.delete({device.device_id})])),
        ])
    except ConditionFailed:
        pass  # removed or re-registered meanwhile: that write decides


def forget_devices(member_id: str) -> int:
    """Every device of the member forgotten: its SNS endpoint deleted, then its item (account closure). Returns how
    many. Idempotent: a second run finds none."""
    from chalicelib import wiring  # the SNS client loads only when an account is closed

    forgotten = 0
    for device in devices_of(member_id):
        wiring.push_endpoints().delete(device.endpoint_arn)
        remove_device(member_id, device)
        forgotten += 1
    return forgotten


# --- Preferences ----------------------------------------------------------------------------------------------------

def preferences_of(member_id: str) -> Preferences:
    try:
        return _preferences(PreferencesItem.get(member_key(member_id), PREFERENCES, consistent_read=True))
    except PreferencesItem.DoesNotExist:
        return _preferences(None)


def save_preferences(member_id: str, preferences: Preferences, now: datetime) -> None:
    """One UpdateItem (the device ids on the same item are left alone)."""
    PreferencesItem(member_key(member_id), PREFERENCES).update(actions=[
        PreferencesItem.reminders_push.set(preferences.reminders.push),
        PreferencesItem.reminders_email.set(preferences.reminders.email), *_typed(now)])


# --- The relay's reads and the delivery log ------------------------------------------------------------------------

def reach(member_id: str) -> Reach:
    """Profile status and e-mail, preferences and devices: one Query of the sort keys PREFERENCES … PUSH$ (the
    delivery log and beneficiaries sort outside it)."""
    status = email = preferences = None
    devices = []
    for item in MemberItem.query(member_key(member_id), MemberItem.sk.between(PREFERENCES, "PUSH$"),
                                 consistent_read=True):
        if isinstance(item, ProfileItem):
            status, email = item.status, item.email
        elif isinstance(item, PreferencesItem):
            preferences = item
        elif isinstance(item, DeviceItem):
            devices.append(_device(item))
    return Reach(status, email, _preferences(preferences), devices)


def _delivery_sk(created_at: str, message_key: str, member_id: str, target: str) -> str:
    kind, _, subject = message_key.partition(f"#{member_id}#")
    return f"SENT#{created_at}#{kind}#{subject}#{target}"


def claim_delivery(member_id: str, message_key: str, kind: str, created_at: str, channel: str, target: str,
                   now: datetime) -> bool:
    """Log that `message_key` goes to `target` now, unless it already went (False): one conditional PutItem."""
    item = DeliveryItem(member_key(member_id), _delivery_sk(created_at, message_key, member_id, target),
                        channel=channel, target=target, notice_kind=kind, message_id=message_key, sent_at=now,
                        expires_at=now + KEEP_DELIVERIES)
    try:
        commit([Write("delivery", "save", lambda tx: tx.save(item, condition=DeliveryItem.sk.does_not_exist()))])
        return True
    except ConditionFailed:
        return False


def release_delivery(member_id: str, message_key: str, created_at: str, target: str) -> None:
    """The claim withdrawn: the send failed, and a retry will claim it again."""
    DeliveryItem(member_key(member_id), _delivery_sk(created_at, message_key, member_id, target)).delete()


def deliveries_of(member_id: str) -> list[Delivery]:
    """What was delivered to the member in the last year, oldest first (the access right's "notifications sent"):
    one Query."""
    items = MemberItem.query(member_key(member_id), MemberItem.sk.startswith("SENT#"), consistent_read=True)
    return [Delivery(item.channel, item.target, item.notice_kind, item.message_id, item.sent_at)
            for item in items if isinstance(item, DeliveryItem)]
