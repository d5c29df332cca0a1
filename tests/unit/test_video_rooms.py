"""The Chime SDK provider against botocore's Stubber (moto has no Chime), and the local provider's room sharing."""

import re
from datetime import datetime, timezone

import boto3
from botocore.stub import Stubber

from chalicelib.adapters.video_rooms import ChimeRooms, LocalRooms, from_chime, to_chime

UNTIL = datetime(2026, 12, 1, 15, 20, tzinfo=timezone.utc)
MEETING = {"MeetingId": "11111111-2222-3333-4444-555555555555", "ExternalMeetingId": "appt-1", "MediaRegion": "us-east-1",
           "MediaPlacement": {"AudioHostUrl": "audio.example", "SignalingUrl": "wss://signal.example"}}


def test_chime_creates_one_meeting_per_appointment_and_an_attendee_per_participant():
    client = boto3.client("chime-sdk-meetings", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response("create_meeting", {"Meeting": MEETING},
                          {"ClientRequestToken": "appt-1", "ExternalMeetingId": "appt-1", "MediaRegion": "us-east-1"})
        stub.add_response("create_attendee", {"Attendee": {"ExternalUserId": "patient-9", "AttendeeId": "att-1",
                                                           "JoinToken": "token-1"}},
                          {"MeetingId": MEETING["MeetingId"], "ExternalUserId": "patient-9"})
        room = ChimeRooms(client, "us-east-1").join("appt-1", "patient-9", UNTIL)
        stub.assert_no_pending_responses()
    assert (room.provider, room.meeting_id, room.attendee_id, room.join_token) == (
        "chime", MEETING["MeetingId"], "att-1", "token-1")
    assert room.meeting.media_placement.signaling_url.startswith("wss://")
    assert to_chime(room.meeting) == MEETING  # what the browser hands amazon-chime-sdk-js: Chime's own shape


def _every_member(shape) -> dict:
    """A value for each member of a botocore shape, nested structures included."""
    values = {}
    for name, member in shape.members.items():
        if member.type_name == "structure":
            values[name] = _every_member(member)
        elif member.type_name == "list":
            values[name] = [f"{name}-1", f"{name}-2"]
        else:
            values[name] = 7 if member.type_name == "integer" else f"{name}-value"
    return values


def test_the_meeting_keeps_every_member_of_chimes_meeting_in_snake_case():
    """The mapping is lossless: every member botocore knows comes back out of the snake_case model unchanged (a newer
    botocore with a member the model lacks fails here, not in a browser)."""
    shape = boto3.client("chime-sdk-meetings", region_name="us-east-1", aws_access_key_id="x",
                         aws_secret_access_key="x").meta.service_model.shape_for("Meeting")
    chime = _every_member(shape)
    meeting = from_chime(chime)
    assert meeting.media_placement.audio_host_url == "AudioHostUrl-value"
    assert meeting.meeting_features.attendee.max_count == 7
    assert to_chime(meeting) == chime
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", key) for key in _keys(meeting.model_dump()))


def _keys(value) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(key for item in value.values() for key in _keys(item))]
    return []


def test_local_rooms_put_both_participants_in_one_room_with_distinct_tokens():
    rooms = LocalRooms(b"k" * 32)
    patient, nurse = rooms.join("appt-1", "patient-9", UNTIL), rooms.join("appt-1", "nurse-3", UNTIL)
    assert patient.meeting_id == nurse.meeting_id and patient.join_token != nurse.join_token
    assert rooms.join("appt-2", "patient-9", UNTIL).meeting_id != patient.meeting_id
