"""`make token ROLE=<member|nurse|operator> [USER=<name>] [PASSWORD=…] [NEW_PASSWORD=…]`: print only an access token.

- A user that does not exist yet is created in the role's group with the local password (the demo shortcut).
- A user an operator invited (`POST /v1/operators/nurses`: FORCE_CHANGE_PASSWORD) completes the NEW_PASSWORD_REQUIRED
  challenge, choosing NEW_PASSWORD (default: the local password); from then on it signs in with that password.
- Any other existing user (e.g. a member who signed up with `make signup`) signs in as it is, with PASSWORD (default:
  the local password); its groups are never changed here.
Notes go to stderr, so `T=$(make -s token ...)` captures only the token.
"""

import argparse
import sys

from chalicelib.auth import Role
from local.aws import StackState
from local.users import DEMO_USERS, LOCAL_PASSWORD, accept_invitation, access_token, sign_in, user_status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--user", default="", help="username; defaults to the role's demo user")
    parser.add_argument("--password", default=LOCAL_PASSWORD, help="an existing user's password")
    parser.add_argument("--new-password", default=LOCAL_PASSWORD, help="the password an invited user chooses")
    args = parser.parse_args()
    role = Role(args.role)
    username = args.user or DEMO_USERS[role]
    state = StackState.load()
    cognito = state.endpoints.client("cognito-idp")
    status = user_status(cognito, state.user_pool_id, username)
    if status is None:
        token = access_token(cognito, state.user_pool_id, state.app_client_id, username, role)
    elif status == "FORCE_CHANGE_PASSWORD":
        token = accept_invitation(cognito, state.user_pool_id, state.app_client_id, username, args.new_password)
        print(f"{username} accepted the invitation (NEW_PASSWORD_REQUIRED) and chose the password "
              f"{args.new_password}", file=sys.stderr)
    elif status == "UNCONFIRMED":
        sys.exit(f"{username} signed up but has not confirmed the code yet: confirm it (ConfirmSignUp) first.")
    else:
        try:
            token = sign_in(cognito, state.app_client_id, username, args.password)
        except cognito.exceptions.NotAuthorizedException:
            sys.exit(f"Wrong password for {username}: pass PASSWORD=… (make) or --password.")
        groups = {g["GroupName"] for g in cognito.admin_list_groups_for_user(
            UserPoolId=state.user_pool_id, Username=username)["Groups"]}
        if role.group not in groups:
            print(f"note: {username} is not in the group {role.group}; the token carries its own groups "
                  f"({', '.join(sorted(groups)) or 'none'})", file=sys.stderr)
    print(token)


if __name__ == "__main__":
    main()
