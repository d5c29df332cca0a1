"""A member's phones (push notifications) and their notification preferences (opposition to reminders, per channel)."""

from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.auth import Caller, Role
from chalicelib.domain.model import Model
from chalicelib.domain.notices import DeviceRequest, Language, Platform, Preferences
from chalicelib.http.api import Router

if TYPE_CHECKING:
    from chalicelib.domain.notices import Device

router = Router(__name__, tag="notifications")
MEMBER = {Role.MEMBER}


def service():
    """The use cases, imported with the first request that needs them rather than at cold start."""
    from chalicelib.services import devices

    return devices


class DeviceView(Model):
    device_id: str
    platform: Platform
    language: Language
    registered_at: datetime


def _view(device: "Device") -> DeviceView:
    return DeviceView(device_id=device.device_id, platform=device.platform, language=device.language,
                      registered_at=device.registered_at)


@router.route("/v1/me/devices/{device_id}", "PUT", roles=MEMBER, body=DeviceRequest, response=DeviceView,
              extra_statuses=[404, 409],
              summary="Register this phone for push notifications (its FCM or APNs token and language); repeating it "
                      "is harmless, and a new token replaces the old one")
def register_device(caller: Caller, device_id: str, body: DeviceRequest, now: datetime) -> DeviceView:
    return _view(service().register_device(caller.user_id, device_id, body, now))


@router.route("/v1/me/devices/{device_id}", "DELETE", roles=MEMBER, response=DeviceView, extra_statuses=[404],
              summary="Stop push notifications to this phone (signing out, say)")
def remove_device(caller: Caller, device_id: str) -> DeviceView:
    return _view(service().remove_device(caller.user_id, device_id))


@router.route("/v1/me/notification-preferences", "GET", roles=MEMBER, response=Preferences, extra_statuses=[404],
              summary="Which channels may carry reminders (payment deadline, consult reminders)")
def notification_preferences(caller: Caller) -> Preferences:
    return service().preferences(caller.user_id)


@router.route("/v1/me/notification-preferences", "PUT", roles=MEMBER, body=Preferences, response=Preferences,
              extra_statuses=[404],
              summary="Opt out of (or back into) reminders per channel, push and e-mail; notices of what happened "
                      "(a payment applied, a reference issued) still go")
def change_notification_preferences(caller: Caller, body: Preferences, now: datetime) -> Preferences:
    return service().change_preferences(caller.user_id, body, now)
