"""Short clinical free text on operational items (a booking's reason) sealed at rest as health records are: AES-GCM
under a KMS data key whose wrapped copy is kept beside the text, the ciphertext bound to the item it belongs to.

Such text has no record of its own to hold one key, and a KMS call per booking and per agenda line would be a cost and
a latency on hot paths, so data keys are reused within a container as the AWS Encryption SDK's data key caching does:
a new key after MAX_AGE or MAX_USES, and each wrapped key unwrapped at most once per MAX_AGE. A booking then costs at
most one GenerateDataKey per container per MAX_AGE, an agenda at most one Decrypt per key it has not seen lately.
"""

import time
from collections import OrderedDict
from collections.abc import Callable

from chalicelib.domain.teleconsult import SealedText
from chalicelib.adapters.record_keys import RecordKeys

MAX_AGE = 15 * 60  # seconds a plaintext data key stays in memory
MAX_USES = 1000  # texts sealed under one data key
_CACHED_KEYS = 256


class TextSealer:
    def __init__(self, keys: RecordKeys, purpose: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._keys = keys
        self._purpose = purpose  # the KMS encryption context: what the key protects, never whose
        self._clock = clock
        self._current: tuple[bytes, bytes, float] | None = None  # (plaintext key, wrapped key, made at)
        self._uses = 0
        self._unwrapped: OrderedDict[bytes, tuple[bytes, float]] = OrderedDict()

    def seal(self, text: str, bound_to: str) -> SealedText:
        now = self._clock()
        if self._current is None or now - self._current[2] >= MAX_AGE or self._uses >= MAX_USES:
            data_key, wrapped = self._keys.new(self._purpose)
            self._current, self._uses = (data_key, wrapped, now), 0
            self._remember(wrapped, data_key, now)
        data_key, wrapped, _ = self._current
        self._uses += 1
        return SealedText(ciphertext=RecordKeys.seal(data_key, text.encode(), bound_to.encode()), wrapped_key=wrapped)

    def open(self, sealed: SealedText, bound_to: str) -> str:
        """The text; raises cryptography's InvalidTag if it was changed or moved to another item."""
        now = self._clock()
        cached = self._unwrapped.get(sealed.wrapped_key)
        if cached is None or now - cached[1] >= MAX_AGE:
            cached = (self._keys.unwrap(sealed.wrapped_key, self._purpose), now)
            self._remember(sealed.wrapped_key, *cached)
        return RecordKeys.open(cached[0], sealed.ciphertext, bound_to.encode()).decode()

    def _remember(self, wrapped: bytes, data_key: bytes, at: float) -> None:
        self._unwrapped[wrapped] = (data_key, at)
        self._unwrapped.move_to_end(wrapped)
        while len(self._unwrapped) > _CACHED_KEYS:
            self._unwrapped.popitem(last=False)
