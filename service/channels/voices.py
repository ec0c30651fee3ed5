"""Which languages Twilio can say and hear: the table in voices.yaml, read once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.source import read_yaml

TABLE = Path(__file__).with_name("voices.yaml")


@dataclass(frozen=True)
class VoiceTable:
    """Twilio's voices and speech languages per language, and the speech engines' names."""

    languages: dict[str, dict[str, Any]]
    checked: str  # when the table was last held against Twilio's lists

    @classmethod
    def load(cls, path: Path = TABLE) -> VoiceTable:
        data = read_yaml(path)
        return cls(data["languages"], str(data["checked"]))

    def say(self, lang: str) -> tuple[str, str] | None:
        """(language, voice) for <Say>, or None when Twilio has no voice for it."""
        entry = self.languages.get(lang) or {}
        if entry.get("say") and entry.get("voice"):
            return entry["say"], entry["voice"]
        return None

    def speech(self, lang: str) -> str | None:
        """The <Gather> speech-recognition language, or None: keys only."""
        return (self.languages.get(lang) or {}).get("speech")

    def engine_voices(self, engine: str) -> dict[str, Any]:
        """Each language's voice for one clip engine ("gtts" or "espeak")."""
        return {lang: entry[engine] for lang, entry in self.languages.items() if entry.get(engine)}
