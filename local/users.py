"""Local sign-in: create a user in a role's group on first use and return its access token; sign in existing users
(self-signed-up members, nurses an operator invited) as they are."""

from chalicelib.auth import Role

LOCAL_PASSWORD = "Pti-Local-2026"  # local moto users only; meets the pool's password policy
# Stands in for the temporary password Cognito e-mails to a user an operator invited (moto sends no e-mail).
LOCAL_TEMPORARY_PASSWORD = "Pti-Invited-2026"
DEMO_USERS = {Role.MEMBER: "maria.demo", Role.NURSE: "enfermera.demo", Role.OPERATOR: "operador.demo"}


def ensure_user(cognito, pool_id: str, username: str, role: Role) -> None:
    try:
        cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
        cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=LOCAL_PASSWORD, Permanent=True)
    except cognito.exceptions.UsernameExistsException:
        pass
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=role.group)


def access_token(cognito, pool_id: str, client_id: str, username: str, role: Role) -> str:
    ensure_user(cognito, pool_id, username, role)
    result = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": LOCAL_PASSWORD},
    )
    return result["AuthenticationResult"]["AccessToken"]


def user_status(cognito, pool_id: str, username: str) -> str | None:
    """`CONFIRMED`, `UNCONFIRMED` (signed up, code not confirmed), `FORCE_CHANGE_PASSWORD` (invited), ...; None if
    there is no such user."""
    try:
        return cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"]
    except cognito.exceptions.UserNotFoundException:
        return None


def sign_in(cognito, client_id: str, username: str, password: str, new_password: str | None = None) -> str:
    """The public sign-in (InitiateAuth, USER_PASSWORD_AUTH: the local client allows it; the production client allows
    SRP only) and, for an invited user, the NEW_PASSWORD_REQUIRED challenge answered with `new_password`."""
    result = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": password})
    if result.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
        if not new_password:
            raise ValueError(f"{username} must choose a new password (NEW_PASSWORD_REQUIRED)")
        result = cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=result["Session"],
            ChallengeResponses={"USERNAME": result["ChallengeParameters"].get("USERNAME", username),
                                "NEW_PASSWORD": new_password})
    if "AuthenticationResult" not in result:
        raise ValueError(f"sign-in for {username} stopped at challenge {result.get('ChallengeName')}")
    return result["AuthenticationResult"]["AccessToken"]


def accept_invitation(cognito, pool_id: str, client_id: str, username: str, new_password: str) -> str:
    """An invited user (FORCE_CHANGE_PASSWORD) signs in with the temporary password and chooses `new_password`.

    Cognito e-mails the temporary password; moto does not, so the local one is set first (still temporary)."""
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=LOCAL_TEMPORARY_PASSWORD,
                                    Permanent=False)
    return sign_in(cognito, client_id, username, LOCAL_TEMPORARY_PASSWORD, new_password=new_password)


def self_sign_up(cognito, client_id: str, email: str, password: str, code: str = "000000") -> str:
    """A member's own sign-up through the public API: SignUp, ConfirmSignUp (the local moto server runs the
    PostConfirmation trigger, which puts the user into `members`), then sign-in. The username is the e-mail.

    In AWS the code arrives by e-mail; moto sends none and accepts any code."""
    cognito.sign_up(ClientId=client_id, Username=email, Password=password,
                    UserAttributes=[{"Name": "email", "Value": email}])
    cognito.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=code)
    return sign_in(cognito, client_id, email, password)
