"""The PostConfirmation trigger (`app.post_confirmation`) against the in-process user pool, and the local bridge that
builds the event moto never sends."""

import copy

import pytest

from chalicelib.services import signup
from local.moto_server import PostConfirmationBridge
from local.users import LOCAL_PASSWORD

CONFIRM_SIGN_UP = "AWSCognitoIdentityProviderService.ConfirmSignUp"
ADMIN_CONFIRM_SIGN_UP = "AWSCognitoIdentityProviderService.AdminConfirmSignUp"


@pytest.fixture
def trigger(aws):
    """The Lambda entry point, its Cognito client built on first use inside the in-process AWS."""
    from app import post_confirmation

    signup._cognito.cache_clear()
    yield post_confirmation
    signup._cognito.cache_clear()


def _signed_up(aws, email: str, confirm: bool = True) -> str:
    """A user who signed up through the public API (and confirmed the code); returns their `sub`."""
    aws.cognito.sign_up(ClientId=aws.client_id, Username=email, Password=LOCAL_PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": email}])
    if confirm:
        aws.cognito.confirm_sign_up(ClientId=aws.client_id, Username=email, ConfirmationCode="000000")
    user = aws.cognito.admin_get_user(UserPoolId=aws.pool_id, Username=email)
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


def _event(aws, username: str, sub: str, source: str = "PostConfirmation_ConfirmSignUp") -> dict:
    """The event as Cognito documents it for this trigger."""
    return {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": aws.pool_id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": aws.client_id},
        "triggerSource": source,
        "request": {"userAttributes": {"sub": sub, "email": username, "email_verified": "true",
                                       "cognito:user_status": "CONFIRMED"}},
        "response": {},
    }


def _groups(aws, username: str) -> list[str]:
    return [g["GroupName"] for g in aws.cognito.admin_list_groups_for_user(UserPoolId=aws.pool_id,
                                                                           Username=username)["Groups"]]


def test_a_confirmed_sign_up_joins_members_and_reaches_member_routes(aws, api, trigger):
    sub = _signed_up(aws, "ana.signup@example.com")
    event = _event(aws, "ana.signup@example.com", sub)
    returned = trigger(event, None)
    assert returned == event  # Cognito fails the confirmation unless it gets its event back
    assert _groups(aws, "ana.signup@example.com") == ["members"]
    token = aws.cognito.initiate_auth(ClientId=aws.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "ana.signup@example.com", "PASSWORD": LOCAL_PASSWORD})["AuthenticationResult"]["AccessToken"]
    session = api.http.get("/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert session.status_code == 200
    assert session.json_body["roles"] == ["member"] and session.json_body["user_id"] == sub


def test_a_forgotten_password_being_reset_changes_no_group(aws, trigger):
    sub = _signed_up(aws, "bea.signup@example.com")
    event = _event(aws, "bea.signup@example.com", sub, source="PostConfirmation_ConfirmForgotPassword")
    assert trigger(copy.deepcopy(event), None) == event
    assert _groups(aws, "bea.signup@example.com") == []


def test_the_trigger_is_idempotent(aws, trigger):
    """Cognito retries a trigger that failed or timed out; a repeated confirmation changes nothing."""
    sub = _signed_up(aws, "cata.signup@example.com")
    event = _event(aws, "cata.signup@example.com", sub)
    for _ in range(3):
        assert trigger(copy.deepcopy(event), None) == event
    assert _groups(aws, "cata.signup@example.com") == ["members"]
    members = aws.cognito.list_users_in_group(UserPoolId=aws.pool_id, GroupName="members")["Users"]
    assert [u["Username"] for u in members].count("cata.signup@example.com") == 1


def test_other_trigger_sources_are_returned_untouched(aws, trigger):
    sub = _signed_up(aws, "dora.signup@example.com")
    event = _event(aws, "dora.signup@example.com", sub, source="PreSignUp_SignUp")
    assert trigger(copy.deepcopy(event), None) == event
    assert _groups(aws, "dora.signup@example.com") == []


def test_the_trigger_logs_the_sub_and_never_the_address(aws, trigger, service_logs):
    sub = _signed_up(aws, "eva.signup@example.com")
    trigger(_event(aws, "eva.signup@example.com", sub), None)
    (entry,) = [e for e in service_logs.entries() if e.get("event") == "member-signed-up"]
    assert entry["user_id"] == sub
    assert not any("eva.signup" in line for line in service_logs.lines)


def test_a_failure_to_add_the_group_fails_the_trigger(aws, trigger):
    """Cognito then answers the confirmation with an error (and retries): never a silent member without a role."""
    event = _event(aws, "nobody@example.com", "00000000-0000-0000-0000-000000000000")
    with pytest.raises(aws.cognito.exceptions.UserNotFoundException):
        trigger(event, None)


def test_the_local_bridge_sends_the_event_cognito_sends(aws, trigger):
    """What local/moto_server.py hands the trigger after a ConfirmSignUp succeeded: Cognito's event, with the user's
    attributes, its status and the e-mail verified (the code went to that address)."""
    bridge = PostConfirmationBridge("pti-migrante", handler=trigger)
    sub = _signed_up(aws, "flor.signup@example.com")
    event = bridge.event(CONFIRM_SIGN_UP, {"ClientId": aws.client_id, "Username": "flor.signup@example.com",
                                           "ConfirmationCode": "000000", "ClientMetadata": {"app": "1"}})
    assert event == {
        "version": "1", "region": "us-east-1", "userPoolId": aws.pool_id, "userName": "flor.signup@example.com",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": aws.client_id},
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "request": {"userAttributes": {"sub": sub, "email": "flor.signup@example.com", "email_verified": "true",
                                       "cognito:user_status": "CONFIRMED"},
                    "clientMetadata": {"app": "1"}},
        "response": {},
    }
    bridge.invoke(event)
    assert _groups(aws, "flor.signup@example.com") == ["members"]
    verified = aws.cognito.admin_get_user(UserPoolId=aws.pool_id, Username="flor.signup@example.com")
    assert {"Name": "email_verified", "Value": "true"} in verified["UserAttributes"]


def test_the_local_bridge_for_an_administrator_confirming(aws, trigger):
    bridge = PostConfirmationBridge("pti-migrante", handler=trigger)
    _signed_up(aws, "gala.signup@example.com", confirm=False)
    aws.cognito.admin_confirm_sign_up(UserPoolId=aws.pool_id, Username="gala.signup@example.com")
    event = bridge.event(ADMIN_CONFIRM_SIGN_UP, {"UserPoolId": aws.pool_id, "Username": "gala.signup@example.com"})
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert "email_verified" not in event["request"]["userAttributes"]  # no code went to the address


def test_the_local_bridge_leaves_other_pools_and_unknown_users_alone(aws):
    assert PostConfirmationBridge("another-pool").event(CONFIRM_SIGN_UP, {"ClientId": aws.client_id,
                                                                          "Username": "x"}) is None
    assert PostConfirmationBridge("pti-migrante").event(CONFIRM_SIGN_UP, {"ClientId": aws.client_id,
                                                                          "Username": "nobody"}) is None


def test_the_template_declares_the_trigger_the_bridge_stands_in_for():
    bridge = PostConfirmationBridge.from_template()
    assert bridge is not None and bridge.pool_name == "pti-migrante"
