"""moto's server for the AWS services other than DynamoDB (Cognito, later Secrets Manager, KMS, SNS).

Four changes from `moto_server`, all for fidelity:
- moto's backends are not thread-safe (a failed transaction swaps whole tables without a lock), so every request
  goes through one lock: the server accepts connections concurrently but moto sees one request at a time;
- moto keeps state in memory and gives each Cognito user a random `sub`. A restart would orphan every record keyed
  by `sub` in DynamoDB Local (which persists), so the local `sub` is derived from pool and username instead;
- for the same reason a KMS key's id and material are derived from its description: health records encrypted before
  a restart must still decrypt after it. (Local only: real KMS keys never leave KMS.)
- two Cognito sign-in answers are completed as Cognito gives them (SRP's user id, the new-password challenge's
  attributes), so a browser signs in through the same client library as against AWS.
User-pool and app-client ids are made stable by moto's own HASH strategies (set by `local.aws`).

And one addition, because moto does not run Cognito's Lambda triggers: when a ConfirmSignUp, AdminConfirmSignUp or
ConfirmForgotPassword succeeds for the template's user pool, and the template declares a PostConfirmation trigger on
it, the bridge invokes the same Chalice function Lambda would (`app.post_confirmation`), in this process, with the
event Cognito sends, before the confirmation is answered (Cognito waits for the trigger too). ConfirmSignUp also marks
the e-mail verified, as Cognito does when the code it e-mailed comes back. moto accepts any confirmation code.
"""

import argparse
import hashlib
import io
import json
import os
import sys
import threading
import traceback
import uuid
from types import SimpleNamespace
from typing import Any

from moto.cognitoidp import models as cognito_models
from moto.kms import models as kms_models
from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

_LOCAL_SUB_NAMESPACE = uuid.UUID("6f1d8a52-3c1e-4a7e-9d7c-2b8f4e0c5a11")


def _stable_sub_user_init(original):
    def init(self, user_pool_id, username, *args, **kwargs):
        original(self, user_pool_id, username, *args, **kwargs)
        self.id = str(uuid.uuid5(_LOCAL_SUB_NAMESPACE, f"{user_pool_id}/{self.username}"))
        self.update_attributes([{"Name": "sub", "Value": self.id}])

    return init


def _stable_kms_key_init(original):
    def init(self, policy, key_usage, key_spec, description, account_id, region, *args, **kwargs):
        original(self, policy, key_usage, key_spec, description, account_id, region, *args, **kwargs)
        self.id = str(uuid.uuid5(_LOCAL_SUB_NAMESPACE, f"kms/{region}/{description}"))
        self.arn = self.arn.rsplit("/", 1)[0] + f"/{self.id}"
        self.key_material = hashlib.sha256(f"{_LOCAL_SUB_NAMESPACE}/kms/{region}/{description}".encode()).digest()

    return init


def _srp_user_by_username(original):
    """USER_SRP_AUTH: Cognito names the user in USER_ID_FOR_SRP by username (a pool without sign-in aliases, as ours);
    moto gives the `sub` and then cannot find the user by it when the client answers PASSWORD_VERIFIER."""
    def initiate_auth(self, client_id, auth_flow, auth_parameters):
        answer = original(self, client_id, auth_flow, auth_parameters)
        if answer.get("ChallengeName") == "PASSWORD_VERIFIER":
            answer["ChallengeParameters"]["USER_ID_FOR_SRP"] = answer["ChallengeParameters"]["USERNAME"]
        return answer

    return initiate_auth


def _new_password_challenge_in_full(original):
    """NEW_PASSWORD_REQUIRED: Cognito always sends `userAttributes` and `requiredAttributes` (client libraries parse
    both); moto leaves them out."""
    def respond(self, session, client_id, challenge_name, challenge_responses):
        answer = original(self, session, client_id, challenge_name, challenge_responses)
        if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            parameters = answer.setdefault("ChallengeParameters", {})
            parameters.setdefault("userAttributes", "{}")
            parameters.setdefault("requiredAttributes", "[]")
        return answer

    return respond


_COGNITO = "AWSCognitoIdentityProviderService."
# Operations after which Cognito runs the PostConfirmation trigger, and the event's triggerSource for each.
POST_CONFIRMATION_SOURCES = {
    _COGNITO + "ConfirmSignUp": "PostConfirmation_ConfirmSignUp",
    _COGNITO + "AdminConfirmSignUp": "PostConfirmation_ConfirmSignUp",
    _COGNITO + "ConfirmForgotPassword": "PostConfirmation_ConfirmForgotPassword",
}


def _amz_error(kind: str, message: str) -> tuple[str, list[tuple[str, str]], list[bytes]]:
    body = json.dumps({"__type": kind, "message": message}).encode()
    return "400 Bad Request", [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", kind),
                               ("Content-Length", str(len(body)))], [body]


class TriggerFailed(Exception):
    """The trigger failed: Cognito answers the confirmation with this error (the user stays confirmed)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


class PostConfirmationBridge:
    """Cognito's PostConfirmation trigger for one user pool (by name), which moto never invokes itself."""

    def __init__(self, pool_name: str, handler=None) -> None:
        self.pool_name = pool_name
        self._handler = handler  # the Chalice function; imported on first use (importing `app` takes a second)

    @classmethod
    def from_template(cls) -> "PostConfirmationBridge | None":
        """The bridge for the template's user pool, when the template declares a PostConfirmation trigger on it."""
        from local.bootstrap import load_template

        (pool,) = [r["Properties"] for r in load_template()["Resources"].values() if r["Type"] == "AWS::Cognito::UserPool"]
        return cls(pool["UserPoolName"]) if "PostConfirmation" in pool.get("LambdaConfig", {}) else None

    def event(self, target: str, request: dict[str, Any]) -> dict[str, Any] | None:
        """The event Cognito would send after `target` succeeded with `request`; None when not our pool. Reads (and,
        for ConfirmSignUp, marks the e-mail verified in) moto's state: call it while holding the lock."""
        pool = _user_pool(request.get("UserPoolId"), request.get("ClientId"))
        if pool is None or pool.name != self.pool_name:
            return None
        user = pool._get_user(request.get("Username", ""))
        if user is None:
            return None
        auto_verified = pool.extended_config.get("AutoVerifiedAttributes", [])
        if target.endswith(".ConfirmSignUp") and "email" in auto_verified and "email" in user.attribute_lookup:
            user.update_attributes([{"Name": "email_verified", "Value": "true"}])
        attributes = {a["Name"]: a["Value"] for a in user.attributes}
        attributes["cognito:user_status"] = getattr(user.status, "value", str(user.status))
        event_request: dict[str, Any] = {"userAttributes": attributes}
        if request.get("ClientMetadata"):
            event_request["clientMetadata"] = request["ClientMetadata"]
        return {
            "version": "1",
            "region": pool.region,
            "userPoolId": pool.id,
            "userName": user.username,
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown",
                              "clientId": request.get("ClientId") or "CLIENT_ID_NOT_APPLICABLE"},
            "triggerSource": POST_CONFIRMATION_SOURCES[target],
            "request": event_request,
            "response": {},
        }

    def invoke(self, event: dict[str, Any]) -> None:
        """Run the handler as Lambda would; raise what Cognito would answer the confirmation with if it fails."""
        if self._handler is None:
            from app import post_confirmation  # the same function `chalice package` deploys for the trigger

            self._handler = post_confirmation
        context = SimpleNamespace(function_name="post_confirmation", aws_request_id=str(uuid.uuid4()),
                                  get_remaining_time_in_millis=lambda: 5000)
        returned = self._handler(event, context)
        if not isinstance(returned, dict) or returned.get("triggerSource") != event["triggerSource"]:
            raise TriggerFailed("InvalidLambdaResponseException", "Invalid lambda response.")


def _user_pool(pool_id: str | None, client_id: str | None):
    for regional in cognito_models.cognitoidp_backends.values():
        for region, backend in regional.items():
            if region == "global":
                continue
            for pool in backend.user_pools.values():
                if pool.id == pool_id or (client_id and client_id in pool.clients):
                    return pool
    return None


class SerialisedApp:
    """WSGI wrapper that lets one request at a time into moto, and runs the PostConfirmation bridge."""

    def __init__(self, app, bridge: PostConfirmationBridge | None = None):
        self._app = app
        self._lock = threading.Lock()
        self._bridge = bridge

    def __call__(self, environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if self._bridge is None or target not in POST_CONFIRMATION_SOURCES or not environ.get("CONTENT_LENGTH"):
            with self._lock:
                # Consume the whole body inside the lock: moto may stream it lazily.
                return list(self._app(environ, start_response))
        raw = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        environ["wsgi.input"] = io.BytesIO(raw)
        answered: list = []

        def hold_response(status, headers, exc_info=None):
            answered[:] = [status, headers]
            return lambda data: None

        event = None
        with self._lock:
            body = list(self._app(environ, hold_response))
            if answered and answered[0].startswith("200"):
                event = self._bridge.event(target, json.loads(raw or b"{}"))
        if event is not None:
            # Outside the lock: the handler calls back into this server (AdminAddUserToGroup).
            try:
                self._bridge.invoke(event)
            except TriggerFailed as failed:
                answered[0], answered[1], body = _amz_error(failed.kind, failed.message)
            except Exception as exc:  # what Cognito answers when the function raises
                traceback.print_exc(file=sys.stderr)
                answered[0], answered[1], body = _amz_error(
                    "UnexpectedLambdaException", f"PostConfirmation failed with error {type(exc).__name__}.")
        start_response(answered[0], answered[1])
        return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    cognito_models.CognitoIdpUser.__init__ = _stable_sub_user_init(cognito_models.CognitoIdpUser.__init__)
    kms_models.Key.__init__ = _stable_kms_key_init(kms_models.Key.__init__)
    backend = cognito_models.CognitoIdpBackend
    backend.initiate_auth = _srp_user_by_username(backend.initiate_auth)
    backend.respond_to_auth_challenge = _new_password_challenge_in_full(backend.respond_to_auth_challenge)
    # The trigger's Cognito client (built from the event's region) talks to this server, as a Lambda talks to Cognito.
    os.environ.update({"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": f"http://127.0.0.1:{args.port}",
                       "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
    os.environ.pop("AWS_PROFILE", None)
    app = SerialisedApp(DomainDispatcherApplication(create_backend_app), PostConfirmationBridge.from_template())
    run_simple("127.0.0.1", args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
