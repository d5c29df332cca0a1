"""Sign-in identities the service creates itself: operators add nurses as Cognito users in the `nurses` group."""

from chalicelib.errors import Conflict


def create_user(cognito, pool_id: str, username: str, email: str, group: str) -> str:
    """Create the user (Cognito e-mails the invitation with a temporary password) and return its `sub`."""
    try:
        created = cognito.admin_create_user(
            UserPoolId=pool_id, Username=username, DesiredDeliveryMediums=["EMAIL"],
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        )
    except cognito.exceptions.UsernameExistsException:
        raise Conflict("nurse-exists") from None
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    return next(a["Value"] for a in created["User"]["Attributes"] if a["Name"] == "sub")
