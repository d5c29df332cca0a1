"""The month's scheduled work cut into pieces small enough for one queue message each.

The daily dispatcher sends one `JobMessage` per piece; a consumer does one piece. A message carries everything the
piece needs, the dispatcher's instant included, so a redelivered or late message decides exactly what the first
delivery would have (every step is idempotent per member and month).

A piece is a range of one index key's sort keys. Member ids are random UUIDs and reference codes random digits, so
cutting the space of their first two characters into equal runs gives pieces of nearly equal size.
"""

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field

from chalicelib.domain.model import Model

HEX = "0123456789abcdef"
DIGITS = "0123456789"
NURSES_PER_MESSAGE = 25

Step = Literal["renew", "lapse", "remind", "roll"]


class KeyRange(Model):
    """Sort keys `prefix + first` … `prefix + last + '~'` (inclusive): every key whose two characters after
    `prefix` fall in [first, last]. '~' sorts after every character member ids and codes use."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first: str = Field(pattern=r"^[0-9a-f]{2}$")
    last: str = Field(pattern=r"^[0-9a-f]{2}$")

    def bounds(self, prefix: str) -> tuple[str, str]:
        return prefix + self.first, prefix + self.last + "~"


class JobMessage(Model):
    """One piece of the daily work. `shard` is the index key's shard; `keys` its sort-key range (None: all of it);
    `nurses` the nurse ids of a horizon roll."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    step: Step
    now: AwareDatetime
    shard: int | None = Field(None, ge=0, le=255)
    keys: KeyRange | None = None
    nurses: tuple[str, ...] = Field((), max_length=NURSES_PER_MESSAGE)
    correlation_id: str | None = Field(None, max_length=64)


def key_ranges(alphabet: str, pieces: int) -> list[KeyRange | None]:
    """The two-character space of `alphabet` cut into `pieces` runs of (nearly) equal size, in order; [None] for one
    piece (the whole key)."""
    if pieces <= 1:
        return [None]
    pairs = [a + b for a in alphabet for b in alphabet]
    pieces = min(pieces, len(pairs))
    edges = [len(pairs) * i // pieces for i in range(pieces + 1)]
    return [KeyRange(first=pairs[start], last=pairs[end - 1]) for start, end in zip(edges, edges[1:])]


def daily_messages(now: datetime, *, renew: bool, shards: dict[Step, int], fanout: int, nurse_ids: list[str],
                   correlation_id: str | None) -> list[JobMessage]:
    """Every piece of one day's work: renewals (only inside the payment window), lapses and deadline reminders per
    shard of the index each reads (`shards[step]`) and key range (`fanout` per shard), and nurses' horizon rolls in
    groups of NURSES_PER_MESSAGE."""
    base = {"now": now, "correlation_id": correlation_id}
    steps = [("renew", HEX)] if renew else []
    steps += [("lapse", HEX), ("remind", DIGITS)]
    messages = [JobMessage(step=step, shard=shard, keys=keys, **base)
                for step, alphabet in steps for shard in range(shards[step])
                for keys in key_ranges(alphabet, fanout)]
    for start in range(0, len(nurse_ids), NURSES_PER_MESSAGE):
        messages.append(JobMessage(step="roll", nurses=tuple(nurse_ids[start:start + NURSES_PER_MESSAGE]), **base))
    return messages
