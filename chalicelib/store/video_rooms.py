"""Video rooms for teleconsultations behind one small interface: a local provider for development and tests, and
Amazon Chime SDK meetings in AWS (moto lacks Chime; its provider is tested with botocore's Stubber).

One meeting per appointment (the appointment id is the idempotency token, so the patient and the nurse land in the
same room however often they join), one attendee per participant. Only ids cross the boundary: no names, no reason
for consultation.
"""

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class JoinData:
    provider: str
    meeting_id: str
    attendee_id: str
    join_token: str
    meeting: dict[str, Any]  # what the provider's client SDK needs to connect (Chime: the Meeting object)


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
        return JoinData("local", meeting_id, attendee_id, token, {"MeetingId": meeting_id, "MediaRegion": "local"})


class ChimeRooms:
    def __init__(self, client, media_region: str) -> None:
        self._client = client
        self._region = media_region

    def join(self, appointment_id: str, participant_id: str, until: datetime) -> JoinData:
        meeting = self._client.create_meeting(
            ClientRequestToken=appointment_id, ExternalMeetingId=appointment_id, MediaRegion=self._region,
        )["Meeting"]
        attendee = self._client.create_attendee(MeetingId=meeting["MeetingId"], ExternalUserId=participant_id)["Attendee"]
        return JoinData("chime", meeting["MeetingId"], attendee["AttendeeId"], attendee["JoinToken"], meeting)
