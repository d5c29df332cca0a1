"""Webhook partners' signing secrets, read from AWS Secrets Manager and kept in memory for a few minutes.

The secret `<prefix><partner>` is JSON {"current": "whsec_…", "previous": "whsec_…"}; during a rotation both are
accepted, so partners can switch at their own pace. The cache is short so a rotation or a revoked secret takes effect
within minutes without a deploy, while a burst of deliveries costs one Secrets Manager call per container.
"""

import json
import threading
import time
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.errors import ServiceUnavailable

TTL_SECONDS = 300


def _secretsmanager():
    import boto3  # loaded on the first webhook, not at cold start

    return boto3.client("secretsmanager")


class PartnerSecrets:
    def __init__(self, prefix: str, partners: tuple[str, ...], client_factory: Callable[[], object] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._prefix = prefix
        self._partners = frozenset(partners)
        self._client_factory = client_factory or _secretsmanager
        self._client = None
        self._clock = clock
        self._cache: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    def secrets_of(self, partner: str) -> tuple[str, ...]:
        """The partner's accepted secrets; empty for a partner we don't know (never asked of Secrets Manager)."""
        if partner not in self._partners:
            return ()
        with self._lock:
            cached = self._cache.get(partner)
            if cached and cached[0] > self._clock():
                return cached[1]
            values = self._fetch(partner)
            self._cache[partner] = (self._clock() + TTL_SECONDS, values)
            return values

    def _fetch(self, partner: str) -> tuple[str, ...]:
        if self._client is None:
            self._client = self._client_factory()
        try:
            document = json.loads(self._client.get_secret_value(SecretId=self._prefix + partner)["SecretString"])
        except ClientError as error:
            if error.response["Error"]["Code"] == "ResourceNotFoundException":
                return ()
            raise ServiceUnavailable() from error
        except BotoCoreError as error:
            raise ServiceUnavailable() from error
        return tuple(document[name] for name in ("current", "previous") if document.get(name))
