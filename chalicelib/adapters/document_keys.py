"""The documents' verification signing keys, read from AWS Secrets Manager and kept in memory for a few minutes.

The secret is JSON {"current": "<random string>", "previous": "<random string>" (while rotating)}, each used as
the HMAC key's bytes (the template generates 44 random characters: 260 bits): new tokens are signed
with `current`, and tokens signed with either verify, so a rotation does not void the QR codes already printed until
`previous` is dropped. A public verification costs no Secrets Manager call while the cache is warm.
"""

import json
import threading
import time
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.errors import ServiceUnavailable

TTL_SECONDS = 300


class DocumentKeys:
    def __init__(self, secret_id: str, client: object, clock: Callable[[], float] = time.monotonic) -> None:
        self._secret_id = secret_id
        self._client = client
        self._clock = clock
        self._cached: tuple[float, tuple[bytes, ...]] | None = None
        self._lock = threading.Lock()

    def signing_key(self) -> bytes:
        return self.verifying_keys()[0]

    def verifying_keys(self) -> tuple[bytes, ...]:
        with self._lock:
            if self._cached is None or self._cached[0] <= self._clock():
                self._cached = (self._clock() + TTL_SECONDS, self._fetch())
            return self._cached[1]

    def _fetch(self) -> tuple[bytes, ...]:
        try:
            document = json.loads(self._client.get_secret_value(SecretId=self._secret_id)["SecretString"])
        except (ClientError, BotoCoreError) as error:
            raise ServiceUnavailable() from error
        return tuple(document[name].encode() for name in ("current", "previous") if document.get(name))
