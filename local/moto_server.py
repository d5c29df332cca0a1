"""moto's server for the AWS services other than DynamoDB (Cognito, later Secrets Manager, KMS, SNS).

Three changes from `moto_server`, all for fidelity:
- moto's backends are not thread-safe (a failed transaction swaps whole tables without a lock), so every request
  goes through one lock: the server accepts connections concurrently but moto sees one request at a time;
- moto keeps state in memory and gives each Cognito user a random `sub`. A restart would orphan every record keyed
  by `sub` in DynamoDB Local (which persists), so the local `sub` is derived from pool and username instead;
- for the same reason a KMS key's id and material are derived from its description: health records encrypted before
  a restart must still decrypt after it. (Local only: real KMS keys never leave KMS.)
User-pool and app-client ids are made stable by moto's own HASH strategies (set by `local.aws`).
"""

import argparse
import hashlib
import threading
import uuid

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


class SerialisedApp:
    """WSGI wrapper that lets one request at a time into moto."""

    def __init__(self, app):
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            # Consume the whole body inside the lock: moto may stream it lazily.
            return list(self._app(environ, start_response))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    cognito_models.CognitoIdpUser.__init__ = _stable_sub_user_init(cognito_models.CognitoIdpUser.__init__)
    kms_models.Key.__init__ = _stable_kms_key_init(kms_models.Key.__init__)
    app = SerialisedApp(DomainDispatcherApplication(create_backend_app))
    run_simple("127.0.0.1", args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
