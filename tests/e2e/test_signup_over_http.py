"""The real sign-up path over HTTP: SignUp → ConfirmSignUp against the local moto server (whose bridge runs the
PostConfirmation trigger as Cognito would) → InitiateAuth → our API; and an invited nurse's first sign-in."""

import json
import uuid
from datetime import date

import pytest

from local.aws import PROJECT, StackState
from local.users import LOCAL_PASSWORD
from tests.people import make_nss, unique_curp

REGISTRATION = json.loads((PROJECT / "docs" / "examples" / "registration.json").read_text())


@pytest.fixture
def cognito(stack):
    state = StackState.load(stack.state_dir / "stack.json")
    return state.endpoints.client("cognito-idp"), state


def _email() -> str:
    return f"signup-{uuid.uuid4().hex[:10]}@example.com"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _sign_in(client, state, username: str, password: str = LOCAL_PASSWORD) -> dict:
    # The local app client allows USER_PASSWORD_AUTH (local/bootstrap.py); the production one allows SRP only.
    return client.initiate_auth(ClientId=state.app_client_id, AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": username, "PASSWORD": password})


def test_a_new_member_signs_up_confirms_signs_in_and_registers(stack, cognito):
    client, state = cognito
    email = _email()
    signed_up = client.sign_up(ClientId=state.app_client_id, Username=email, Password=LOCAL_PASSWORD,
                               UserAttributes=[{"Name": "email", "Value": email}])
    assert signed_up["UserConfirmed"] is False
    client.confirm_sign_up(ClientId=state.app_client_id, Username=email, ConfirmationCode="123456")

    user = client.admin_get_user(UserPoolId=state.user_pool_id, Username=email)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert user["UserStatus"] == "CONFIRMED" and attributes["email_verified"] == "true"
    groups = client.admin_list_groups_for_user(UserPoolId=state.user_pool_id, Username=email)["Groups"]
    assert [g["GroupName"] for g in groups] == ["members"]  # put there by the PostConfirmation trigger

    token = _sign_in(client, state, email)["AuthenticationResult"]["AccessToken"]
    session = stack.request("GET", "/v1/session", headers=_bearer(token))
    assert session.status == 200, session.body
    assert session.json() == {"user_id": attributes["sub"], "username": email, "roles": ["member"]}

    body = {**REGISTRATION, "curp": unique_curp(birth=date(1991, 3, 9), sex="H"),
            "nss": make_nss(uuid.uuid4().int % 10**10), "email": email}
    registered = stack.request("POST", "/v1/registrations", headers=_bearer(token), json_body=body)
    assert registered.status == 201, registered.body


def test_before_confirming_there_is_no_sign_in_and_without_the_group_no_member_route(stack, cognito):
    client, state = cognito
    email = _email()
    client.sign_up(ClientId=state.app_client_id, Username=email, Password=LOCAL_PASSWORD,
                   UserAttributes=[{"Name": "email", "Value": email}])
    assert client.admin_list_groups_for_user(UserPoolId=state.user_pool_id, Username=email)["Groups"] == []
    with pytest.raises(client.exceptions.UserNotConfirmedException):
        _sign_in(client, state, email)

    # Confirmed, but taken out of `members` (as an operator would): signed in, yet no member route.
    client.confirm_sign_up(ClientId=state.app_client_id, Username=email, ConfirmationCode="123456")
    client.admin_remove_user_from_group(UserPoolId=state.user_pool_id, Username=email, GroupName="members")
    token = _sign_in(client, state, email)["AuthenticationResult"]["AccessToken"]
    assert stack.request("GET", "/v1/session", headers=_bearer(token)).json()["roles"] == []
    body = {**REGISTRATION, "curp": unique_curp(birth=date(1992, 4, 10)), "nss": make_nss(uuid.uuid4().int % 10**10)}
    refused = stack.request("POST", "/v1/registrations", headers=_bearer(token), json_body=body)
    assert refused.status == 403, refused.body


def test_an_invited_nurse_chooses_her_password_and_reaches_nurse_routes(stack, cognito):
    client, state = cognito
    username = f"enf-{uuid.uuid4().hex[:8]}"
    operator = _bearer(stack.token("operator"))
    invited = stack.request("POST", "/v1/operators/nurses", headers=operator, json_body={
        "username": username, "email": f"{username}@example.com", "full_name": "Enf. Irma Invitada",
        "cedula_profesional": "7654321", "languages": ["es"]})
    assert invited.status == 201, invited.body
    assert client.admin_get_user(UserPoolId=state.user_pool_id, Username=username)["UserStatus"] == \
        "FORCE_CHANGE_PASSWORD"

    token = stack.token("nurse", username)  # `make token ROLE=nurse USER=<invited>`: answers NEW_PASSWORD_REQUIRED
    assert client.admin_get_user(UserPoolId=state.user_pool_id, Username=username)["UserStatus"] == "CONFIRMED"
    agenda = stack.request("GET", f"/v1/nurse/agenda?date={date.today()}", headers=_bearer(token))
    assert agenda.status == 200, agenda.body
    assert stack.request("GET", "/v1/session", headers=_bearer(token)).json()["roles"] == ["nurse"]

    # From then on she signs in with the password she chose; no challenge, no group added by signing in.
    again = _sign_in(client, state, username)
    assert "AuthenticationResult" in again
    assert stack.token("nurse", username)
    groups = client.admin_list_groups_for_user(UserPoolId=state.user_pool_id, Username=username)["Groups"]
    assert [g["GroupName"] for g in groups] == ["nurses"]


def test_make_signup_prints_a_member_token(stack):
    import subprocess
    import sys

    email = _email()
    result = subprocess.run([sys.executable, "-m", "local.signup", "--email", email], cwd=PROJECT,
                            env=stack.environment, capture_output=True, text=True, check=True)
    token = result.stdout.strip()
    assert email not in result.stdout
    assert stack.request("GET", "/v1/session", headers=_bearer(token)).json()["roles"] == ["member"]
