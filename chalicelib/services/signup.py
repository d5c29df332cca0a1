"""Self sign-up: Cognito's PostConfirmation trigger puts a user who confirmed their e-mail into the `members` group.

Members sign themselves up (SignUp, then ConfirmSignUp with the code Cognito e-mailed them). Nurses and operators
never do: they are created by an administrator (AdminCreateUser with a temporary password), and Cognito does not
run PostConfirmation for such accounts, so no staff account passes through here. `app.post_confirmation` is the
Lambda function the user pool invokes (`infra/template.json`); locally `local/moto_server.py` invokes it the same
way, because moto does not run triggers.
"""

from functools import cache
from typing import Any

from chalicelib.auth import Role
from chalicelib.logs import service_logger

CONFIRM_SIGN_UP = "PostConfirmation_ConfirmSignUp"  # ConfirmSignUp and AdminConfirmSignUp
CONFIRM_FORGOT_PASSWORD = "PostConfirmation_ConfirmForgotPassword"  # an existing user reset a password: no change

_log = service_logger()


@cache
def _cognito(region: str):
    import boto3  # loaded on the trigger's first invocation only

    return boto3.client("cognito-idp", region_name=region)


def on_post_confirmation(event: dict[str, Any], cognito=None) -> dict[str, Any]:
    """Handle one PostConfirmation event and return it unchanged (Cognito fails the confirmation otherwise).

    Adding a user to a group they are already in changes nothing, so Cognito's retries (of a trigger that timed out
    or met a Lambda service error) and a repeated confirmation are harmless. An error propagates: Cognito then answers
    the confirmation with an error, and the user, confirmed all the same, has no role until someone adds the group.
    Logs the user's `sub` only, never the e-mail or the username (which may be the e-mail address)."""
    if event.get("triggerSource") != CONFIRM_SIGN_UP:
        return event
    client = cognito if cognito is not None else _cognito(event["region"])
    client.admin_add_user_to_group(UserPoolId=event["userPoolId"], Username=event["userName"],
                                   GroupName=Role.MEMBER.group)
    _log.info("member signed up", extra={"event": "member-signed-up",
                                         "user_id": event.get("request", {}).get("userAttributes", {}).get("sub")})
    return event
