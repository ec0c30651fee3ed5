"""Build every read-aloud clip ahead of time: `flask --app service audio build`."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .audio import (
    MAX_CLIP_SECONDS,
    Clips,
    Engine,
    EspeakEngine,
    GttsEngine,
    SpeechFailed,
    Unreachable,
    clip_name,
    mp3_seconds,
)
from .phone import PhoneMenu

log = logging.getLogger(__name__)

Clip = tuple[str, str, bool]  # text, language, slow


@dataclass
class Report:
    """What a build did."""

    built: Counter = field(default_factory=Counter)  # engine -> clips made
    skipped: int = 0  # already there
    failed: list[tuple[Clip, str]] = field(default_factory=list)  # clip, why

    def summary(self) -> str:
        made = ", ".join(f"{count} with {engine}" for engine, count in sorted(self.built.items()))
        return (
            f"built {sum(self.built.values())} clip(s){f' ({made})' if made else ''}, "
            f"skipped {self.skipped} already built, failed {len(self.failed)}"
        )


def wanted_clips(menu: PhoneMenu, languages: Iterable[str]) -> list[Clip]:
    """Every clip a call can play: each text in each language, at normal and slow speed."""
    said: set[tuple[str, str]] = set()
    for lang in languages:
        said |= menu.everything_said(lang)
    return sorted((text, lang, slow) for text, lang in said for slow in (False, True))


def engines_for(choice: str, voices: dict[str, dict]) -> list[Engine]:
    """The engines to try, best first: "auto" is gTTS, then eSpeak NG when gTTS fails."""
    gtts = GttsEngine({lang: v["gtts"] for lang, v in voices.items() if v.get("gtts")})
    espeak = EspeakEngine({lang: v["espeak"] for lang, v in voices.items() if v.get("espeak")})
    return {"auto": [gtts, espeak], "gtts": [gtts], "espeak": [espeak]}[choice]


def build(
    clips: Clips,
    wanted: list[Clip],
    engines: list[Engine],
    upgrade: bool = False,
    step: Callable[[], None] = lambda: None,
) -> Report:
    """Make each missing clip with the first engine that can; one failure never stops the rest.

    ``upgrade`` remakes clips that a lesser engine made, when a better one is there now.
    """
    report = Report()
    working = list(engines)
    best = engines[0].name if engines else None
    for text, lang, slow in wanted:
        step()
        existing = clips.engine_of(text, lang, slow)
        if existing and not (upgrade and existing != best):
            report.skipped += 1
            continue
        reasons = []
        for engine in list(working):
            try:
                data = engine.synthesize(text, lang, slow)
                seconds = mp3_seconds(data)
                if seconds <= 0 or (not slow and seconds > MAX_CLIP_SECONDS):
                    raise SpeechFailed(f"clip is {seconds:.1f} s")
            except Unreachable as error:
                log.warning("%s unreachable (%s): not asked again this run", engine.name, error)
                working.remove(engine)
                reasons.append(f"{engine.name}: unreachable")
                continue
            except Exception as error:  # noqa: BLE001  (one clip's trouble is only its own)
                reasons.append(f"{engine.name}: {error}")
                continue
            clips.save(clip_name(text, lang, engine.name, slow), data)
            report.built[engine.name] += 1
            break
        else:
            if not existing:
                report.failed.append(((text, lang, slow), "; ".join(reasons) or "no engine"))
    return report
