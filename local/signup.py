"""`make signup EMAIL=<address> [PASSWORD=…]`: sign up as a new member the way the app does, and print only the
access token.

SignUp → ConfirmSignUp (in AWS with the code Cognito e-mails; moto sends none and accepts any) → the PostConfirmation
trigger puts the user into `members` (locally the moto server runs it, see local/moto_server.py) → InitiateAuth.
Afterwards `make token ROLE=member USER=<address> [PASSWORD=…]` signs in again.
"""

import argparse
import sys

from local.aws import StackState
from local.users import LOCAL_PASSWORD, self_sign_up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--email", required=True, help="the new member's e-mail address, also the username")
    parser.add_argument("--password", default=LOCAL_PASSWORD,
                        help="12+ characters with upper and lower case letters and a number")
    args = parser.parse_args()
    state = StackState.load()
    cognito = state.endpoints.client("cognito-idp")
    try:
        token = self_sign_up(cognito, state.app_client_id, args.email, args.password)
    except cognito.exceptions.UsernameExistsException:
        sys.exit(f"{args.email} has signed up already: T=$(make -s token ROLE=member USER={args.email})")
    except (cognito.exceptions.InvalidPasswordException, cognito.exceptions.InvalidParameterException) as error:
        sys.exit(str(error))
    print(f"{args.email} signed up, confirmed and is in the group members (password {args.password})", file=sys.stderr)
    print(token)


if __name__ == "__main__":
    main()
