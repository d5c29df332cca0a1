"""The sealer of short clinical texts: data keys reused within limits, unwrapped keys cached, texts bound to items."""

import pytest
from cryptography.exceptions import InvalidTag

from chalicelib.adapters import sealed_text
from chalicelib.adapters.sealed_text import TextSealer


class FakeKeys:
    """RecordKeys' two KMS calls, counted; a wrapped key is its plaintext reversed."""

    def __init__(self) -> None:
        self.generated = self.unwrapped = 0

    def new(self, purpose: str) -> tuple[bytes, bytes]:
        self.generated += 1
        key = bytes([self.generated]) * 32
        return key, key[::-1] + purpose.encode()

    def unwrap(self, wrapped: bytes, purpose: str) -> bytes:
        self.unwrapped += 1
        assert wrapped.endswith(purpose.encode())
        return wrapped[:32][::-1]


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_one_data_key_serves_many_texts_until_it_is_too_old_or_too_used(monkeypatch):
    keys, clock = FakeKeys(), Clock()
    sealer = TextSealer(keys, "booking-reason", clock)
    first = sealer.seal("Dolor de cabeza", "a-1")
    second = sealer.seal("Tos", "a-2")
    assert keys.generated == 1 and first.wrapped_key == second.wrapped_key
    clock.now = sealed_text.MAX_AGE
    assert sealer.seal("Fiebre", "a-3").wrapped_key != first.wrapped_key and keys.generated == 2
    monkeypatch.setattr(sealed_text, "MAX_USES", 2)
    sealer.seal("Mareo", "a-4")
    sealer.seal("Náusea", "a-5")
    assert keys.generated == 3


def test_opening_unwraps_each_key_once_per_max_age_and_its_own_keys_never():
    keys, clock = FakeKeys(), Clock()
    writer = TextSealer(keys, "booking-reason", clock)
    sealed = [writer.seal(text, f"a-{n}") for n, text in enumerate(["Tos", "Fiebre"])]
    assert [writer.open(s, f"a-{n}") for n, s in enumerate(sealed)] == ["Tos", "Fiebre"] and keys.unwrapped == 0
    reader = TextSealer(keys, "booking-reason", clock)  # another container
    assert reader.open(sealed[0], "a-0") == "Tos" and reader.open(sealed[1], "a-1") == "Fiebre"
    assert keys.unwrapped == 1
    clock.now = sealed_text.MAX_AGE
    reader.open(sealed[0], "a-0")
    assert keys.unwrapped == 2


def test_a_text_opens_only_for_the_item_it_was_sealed_for():
    sealer = TextSealer(FakeKeys(), "booking-reason", Clock())
    sealed = sealer.seal("Sangrado nasal", "a-1")
    assert b"Sangrado" not in sealed.ciphertext
    with pytest.raises(InvalidTag):
        sealer.open(sealed, "a-2")
