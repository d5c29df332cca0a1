"""`make token ROLE=<member|nurse|operator> [USER=<name>]`: print only an access token for a local user."""

import argparse

from chalicelib.http.auth import Role
from local.aws import StackState
from local.users import DEMO_USERS, access_token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--user", default="", help="username; defaults to the role's demo user")
    args = parser.parse_args()
    role = Role(args.role)
    state = StackState.load()
    cognito = state.endpoints.client("cognito-idp")
    print(access_token(cognito, state.user_pool_id, state.app_client_id, args.user or DEMO_USERS[role], role))


if __name__ == "__main__":
    main()
