"""The Chime SDK provider against botocore's Stubber (moto has no Chime), and the local provider's room sharing."""

from datetime import datetime, timezone

import boto3
from botocore.stub import Stubber

from chalicelib.store.video_rooms import ChimeRooms, LocalRooms

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
    assert room.meeting["MediaPlacement"]["SignalingUrl"].startswith("wss://")


def test_local_rooms_put_both_participants_in_one_room_with_distinct_tokens():
    rooms = LocalRooms(b"k" * 32)
    patient, nurse = rooms.join("appt-1", "patient-9", UNTIL), rooms.join("appt-1", "nurse-3", UNTIL)
    assert patient.meeting_id == nurse.meeting_id and patient.join_token != nurse.join_token
    assert rooms.join("appt-2", "patient-9", UNTIL).meeting_id != patient.meeting_id
