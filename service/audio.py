"""Pre-built read-aloud clips: how they are named and found. Nothing here synthesises speech."""

from __future__ import annotations

import hashlib
from pathlib import Path

# Engines in order of preference: the natural voice first, then the offline one.
ENGINES = ("gtts", "espeak")


def clip_name(text: str, lang: str, engine: str, slow: bool) -> str:
    """A clip's file name: a hash of what it says and how, so changed text gets a new name
    (and Twilio's cache, keyed on the URL, never plays a stale clip)."""
    key = "\0".join([engine, lang, "slow" if slow else "normal", text])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + ".mp3"


class Clips:
    """The clips in AUDIO_DIR."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def find(self, text: str, lang: str, slow: bool) -> str | None:
        """The file name of a clip saying ``text``, or None when none was built."""
        for engine in ENGINES:
            name = clip_name(text, lang, engine, slow)
            if (self.directory / name).is_file():
                return name
        return None
