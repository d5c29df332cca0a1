"""Sign-in identities the service creates itself: operators add nurses as Cognito users in the `nurses` group."""

from chalicelib.errors import Conflict

_INVITED = "FORCE_CHANGE_PASSWORD"  # created by AdminCreateUser, temporary password not used yet


def create_user(cognito, pool_id: str, username: str, email: str, group: str) -> str:
    """Create the user (Cognito e-mails the invitation with a temporary password), add it to `group` and return its
    `sub`. An operator's retry after a failure further on (the group, the profile's write) finds the invitation its
    first attempt created and carries on, so the nurse is completed rather than stuck behind a 409; any other existing
    user (signed in already, another e-mail, in another group) is a 409."""
    try:
        created = cognito.admin_create_user(
            UserPoolId=pool_id, Username=username, DesiredDeliveryMediums=["EMAIL"],
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        )
        attributes = created["User"]["Attributes"]
    except cognito.exceptions.UsernameExistsException:
        existing = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
        attributes = existing["UserAttributes"]
        groups = {g["GroupName"] for g in cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)["Groups"]}
        if existing["UserStatus"] != _INVITED or _attribute(attributes, "email") != email or groups - {group}:
            raise Conflict("nurse-exists") from None
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    return _attribute(attributes, "sub")


def _attribute(attributes: list[dict], name: str) -> str | None:
    return next((a["Value"] for a in attributes if a["Name"] == name), None)


def disable_user(cognito, pool_id: str, username: str) -> None:
    """No more sign-ins or token renewals for the user, and every refresh token she holds revoked. An access token
    already issued stays valid until it expires (the pool's AccessTokenValidity, 60 minutes). Both calls are
    idempotent, so a retry is safe."""
    cognito.admin_disable_user(UserPoolId=pool_id, Username=username)
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username=username)
