"""Video rooms for teleconsultations behind one small interface: a local provider for development and tests, and
Amazon Chime SDK meetings in AWS (moto lacks Chime; its provider is tested with botocore's Stubber).

One meeting per appointment (the appointment id is the idempotency token, so the patient and the nurse land in the
same room however often they join), one attendee per participant. Only ids cross the boundary: no names, no reason
for consultation.

Chime's Meeting comes in PascalCase; the API answers snake_case, so `from_chime` maps it onto domain.teleconsult.Meeting
key by key (MeetingId → meeting_id, MediaPlacement.AudioHostUrl → media_placement.audio_host_url) and `to_chime` is
its inverse: what a browser does before handing the meeting to amazon-chime-sdk-js. Nothing is lost either way
(tests/unit/test_video_rooms.py checks every member of botocore's Meeting shape).
"""

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.teleconsult import Meeting


@dataclass(frozen=True)
class JoinData:
    provider: str
    meeting_id: str
    attendee_id: str
    join_token: str
    meeting: Meeting  # what the provider's client SDK needs to connect (Chime: its Meeting object, in snake_case)


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _pascal(key: str) -> str:
    return "".join(word.capitalize() for word in key.split("_"))


def _keys(value: Any, rename) -> Any:
    if isinstance(value, dict):
        return {rename(key): _keys(item, rename) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_keys(item, rename) for item in value]
    return value


def from_chime(meeting: dict[str, Any]) -> Meeting:
    """Chime's Meeting (CreateMeeting's answer) in snake_case; a member this model lacks (a newer botocore) is
    dropped, which the unit test of every shape member catches first."""
    return Meeting.model_validate(_keys(meeting, _snake))


def to_chime(meeting: Meeting) -> dict[str, Any]:
    """The inverse of from_chime: Chime's PascalCase Meeting, as amazon-chime-sdk-js takes it (nulls left out)."""
    return _keys(meeting.model_dump(), _pascal)


class VideoRooms(Protocol):
    def join(self, appointment_id: str, participant_id: str, until: datetime) -> JoinData: ...


class LocalRooms:
    """Deterministic rooms with tokens signed by a per-process key: enough to exercise the join flow locally."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def join(self, appointment_id: str, participant_id: str, until: datetime) -> JoinData:
        meeting_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"pti-migrante/meetings/{appointment_id}"))
        attendee_id = str(uuid.uuid5(uuid.UUID(meeting_id), participant_id))
        claim = f"{meeting_id}.{attendee_id}.{int(until.timestamp())}"
        token = claim + "." + hmac.new(self._key, claim.encode(), hashlib.sha256).hexdigest()
        return JoinData("local", meeting_id, attendee_id, token, Meeting(meeting_id=meeting_id, media_region="local"))


class ChimeRooms:
    def __init__(self, client, media_region: str) -> None:
        self._client = client
        self._region = media_region

    def join(self, appointment_id: str, participant_id: str, until: datetime) -> JoinData:
        meeting = self._client.create_meeting(
            ClientRequestToken=appointment_id, ExternalMeetingId=appointment_id, MediaRegion=self._region,
        )["Meeting"]
        attendee = self._client.create_attendee(MeetingId=meeting["MeetingId"], ExternalUserId=participant_id)["Attendee"]
        return JoinData("chime", meeting["MeetingId"], attendee["AttendeeId"], attendee["JoinToken"], from_chime(meeting))
