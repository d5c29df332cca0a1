"""Local sign-in: create a user in a role's group on first use and return its access token."""

from chalicelib.http.auth import Role

LOCAL_PASSWORD = "Pti-Local-2026"  # local moto users only; meets the pool's password policy
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
