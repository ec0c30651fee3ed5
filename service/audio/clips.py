"""Read-aloud clips on disk: their names, finding one, saving one, how long one lasts."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

# Engines in order of preference: the natural voice first, then the offline one.
ENGINES = ("gtts", "espeak")
# A clip's file name: 32 hex digits of a hash, and .mp3. Nothing else is ever served.
CLIP_NAME = re.compile(r"[0-9a-f]{32}\.mp3")
MAX_CLIP_SECONDS = {False: 40.0, True: 45.0}  # normal and slow speed


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
        engine = self.engine_of(text, lang, slow)
        return clip_name(text, lang, engine, slow) if engine else None

    def engine_of(self, text: str, lang: str, slow: bool) -> str | None:
        """Which engine built the clip for this text, if any."""
        for engine in ENGINES:
            if (self.directory / clip_name(text, lang, engine, slow)).is_file():
                return engine
        return None

    def save(self, name: str, data: bytes) -> None:
        """Write a clip atomically, so a half-written file is never served."""
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = self.directory / f".{name}.part"
        partial.write_bytes(data)
        partial.replace(self.directory / name)


def mp3_seconds(data: bytes) -> float:
    """The length of an MP3 clip, read from its frames."""
    from mutagen.mp3 import MP3

    info = MP3(io.BytesIO(data)).info
    return float(info.length) if info else 0.0
