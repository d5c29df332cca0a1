"""A member's phones (SNS platform endpoints) and notification preferences.

Registering follows AWS's advice for platform endpoints: create one for a new device; for a known one, read the
endpoint back and set its token and Enabled=true when they drifted (the app re-registers on every start), and create
a new one if AWS deleted it. The item is written with a condition on what was read, so two registrations racing end
with one answer (the loser reads again).
"""

import re
from datetime import datetime

from chalicelib import wiring
from chalicelib.domain.notices import DEVICE_ID, Device, DeviceRequest, Preferences
from chalicelib.domain.members import NOT_PROCESSED
from chalicelib.errors import Conflict, NotFound, ServiceUnavailable
from chalicelib.store import devices as store
from chalicelib.store import members as member_store
from chalicelib.store.transactions import ConditionFailed

_DEVICE_ID = re.compile(DEVICE_ID)
_ATTEMPTS = 3


def _checked(device_id: str) -> str:
    if not _DEVICE_ID.fullmatch(device_id):
        raise NotFound("device-not-found")
    return device_id


def register_device(member_id: str, device_id: str, request: DeviceRequest, now: datetime) -> Device:
    """PUT: the device as asked, idempotently (the same body twice is one device and one endpoint)."""
    _checked(device_id)
    if member_store.registered_member(member_id).status in NOT_PROCESSED:
        raise Conflict("account-closing")  # the closure forgot her devices; add_device's transaction guards a race
    endpoints = wiring.push_endpoints()
    for _ in range(_ATTEMPTS):
        current = store.get_device(member_id, device_id)
        try:
            if current is None:
                arn = endpoints.create(request.platform, request.token, member_id)
                device = Device(device_id, request.platform, request.language, request.token, arn, now)
                try:
                    store.add_device(member_id, device, now)
                except ConditionFailed:
                    continue  # registered meanwhile (the same token gets the same endpoint back): read again
                except Exception:
                    endpoints.delete(arn)  # at the bound: leave no endpoint behind
                    raise
                return device
            if current.platform != request.platform:  # the same install moved platform: a new endpoint
                arn = endpoints.create(request.platform, request.token, member_id)
            elif endpoints.refresh(current.endpoint_arn, request.token):
                arn = current.endpoint_arn
            else:  # AWS deleted the endpoint
                arn = endpoints.create(request.platform, request.token, member_id)
            device = Device(device_id, request.platform, request.language, request.token, arn, current.registered_at)
            if device != current:
                store.replace_device(member_id, current, device)
                if arn != current.endpoint_arn:
                    endpoints.delete(current.endpoint_arn)
            return device
        except ConditionFailed:
            continue
    raise ServiceUnavailable()


def remove_device(member_id: str, device_id: str) -> Device:
    """DELETE: the endpoint, then the item (a crash between leaves an item whose endpoint is gone, which the relay
    prunes on its first push)."""
    device = store.get_device(member_id, _checked(device_id))
    if device is None:
        raise NotFound("device-not-found")
    wiring.push_endpoints().delete(device.endpoint_arn)
    store.remove_device(member_id, device)
    return device


def devices(member_id: str) -> list[Device]:
    return store.devices_of(member_id)


def preferences(member_id: str) -> Preferences:
    member_store.registered_member(member_id)
    return store.preferences_of(member_id)


def change_preferences(member_id: str, chosen: Preferences, now: datetime) -> Preferences:
    member_store.registered_member(member_id)
    store.save_preferences(member_id, chosen, now)
    return chosen
