"""Caller-facing text in Spanish (default) and English, chosen by `Accept-Language`.

Keys are problem slugs, detail keys and field-error keys (pydantic error types or our own). A key missing from the
catalogue falls back to a generic sentence, so a new pydantic error type never turns into a 500.
"""

import json
from pathlib import Path
from typing import Any, Literal

Language = Literal["es", "en"]
DEFAULT_LANGUAGE: Language = "es"

# The catalogue is data (chalicelib/texts.json): key -> {"es": ..., "en": ...}, `{name}` placeholders filled by
# `text`. Keys: `title.<slug>` problem titles, bare problem detail keys, `field.<error>` field errors, `next.<code>`
# a member's next step, `pay.<...>` payment instructions, `role.<role>` role names.
with open(Path(__file__).with_name("texts.json"), encoding="utf-8") as _catalogue:
    _TEXT: dict[str, dict[str, str]] = json.load(_catalogue)


def negotiate(accept_language: str | None) -> Language:
    """Pick `en` only when the caller ranks English above Spanish; Spanish otherwise (RFC 9110 §12.5.4 q-values)."""
    best: tuple[float, Language] = (0.0, DEFAULT_LANGUAGE)
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("es", "en"):
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        # Strictly greater: on a tie the tag listed first wins, as clients list their preference order.
        if quality > best[0]:
            best = (quality, primary)  # type: ignore[assignment]
    return best[1]


def text(key: str, language: Language, **params: Any) -> str:
    """Render a catalogue entry; unknown keys fall back to the generic field message."""
    template = (_TEXT.get(key) or _TEXT["field.invalid"])[language]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template

