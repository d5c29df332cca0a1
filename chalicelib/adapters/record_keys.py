"""Envelope encryption for health records: each record has its own AES-256 data key, generated and wrapped by KMS
(the key in infra/template.json) and kept wrapped beside the record; contents are sealed with AES-GCM under it.

KMS sees only a random record id as encryption context (never a CURP: contexts appear in CloudTrail). A read or
write costs one KMS call per record, not per entry. The same keys, with another context name, seal short texts
outside the record (adapters/sealed_text.py).
"""

import os

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chalicelib.errors import ServiceUnavailable

_NONCE_BYTES = 12


class RecordKeys:
    def __init__(self, kms, key_id: str, context_name: str = "record") -> None:
        self._kms = kms
        self._key_id = key_id
        self._context_name = context_name

    def new(self, record_id: str) -> tuple[bytes, bytes]:
        """A fresh data key for a new record: (plaintext key, the key wrapped by KMS)."""
        try:
            answer = self._kms.generate_data_key(KeyId=self._key_id, KeySpec="AES_256",
                                                 EncryptionContext={self._context_name: record_id})
        except (BotoCoreError, ClientError) as error:
            raise ServiceUnavailable() from error
        return answer["Plaintext"], answer["CiphertextBlob"]

    def unwrap(self, wrapped: bytes, record_id: str) -> bytes:
        try:
            return self._kms.decrypt(CiphertextBlob=wrapped, EncryptionContext={self._context_name: record_id})["Plaintext"]
        except (BotoCoreError, ClientError) as error:
            raise ServiceUnavailable() from error

    @staticmethod
    def seal(data_key: bytes, plaintext: bytes, context: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + AESGCM(data_key).encrypt(nonce, plaintext, context)

    @staticmethod
    def open(data_key: bytes, sealed: bytes, context: bytes) -> bytes:
        """The plaintext; raises cryptography's InvalidTag if the sealed bytes or their context were changed."""
        return AESGCM(data_key).decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], context)
