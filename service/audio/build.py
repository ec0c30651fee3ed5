"""Build every read-aloud clip ahead of time: `flask --app service audio build`.

What is built: everything a call can say, at normal and slow speed (the phone menu's
walk), and every answer and topic page as WhatsApp sends them as voice notes.
A clip already on disk is skipped, so a second run with nothing changed does nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..core.phone.menu import PhoneMenu
from ..core.phone.walk import everything_said
from .clips import MAX_CLIP_SECONDS, Clips, clip_name, mp3_seconds
from .engines import Engine, EspeakEngine, GttsEngine, SpeechFailed, Unreachable

log = logging.getLogger(__name__)

Clip = tuple[str, str, bool]  # text, language, slow


@dataclass
class Report:
    """What a build did."""

    built: Counter = field(default_factory=Counter)  # engine -> clips made
    bytes_built: int = 0
    by_kind: Counter = field(default_factory=Counter)  # "phone", "voice notes" -> clips made
    skipped: int = 0  # already there
    failed: list[tuple[Clip, str]] = field(default_factory=list)  # clip, why

    def summary(self) -> str:
        made = ", ".join(f"{count} with {engine}" for engine, count in sorted(self.built.items()))
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.by_kind.items()))
        size = self.bytes_built / 1_000_000
        return (
            f"built {sum(self.built.values())} clip(s){f' ({made})' if made else ''}"
            f"{f' for {kinds}' if kinds else ''}, {size:.1f} MB added; "
            f"skipped {self.skipped} already built, failed {len(self.failed)}"
        )


def wanted_clips(menu: PhoneMenu, languages: Iterable[str]) -> dict[Clip, set[str]]:
    """Every clip the line can play, with what uses it: the phone (both speeds), and the
    voice notes of every answer and topic page (normal speed). One clip may serve both."""
    wanted: dict[Clip, set[str]] = {}
    for lang in languages:
        for text, said_in in sorted(everything_said(menu, lang)):
            for slow in (False, True):
                wanted.setdefault((text, said_in, slow), set()).add("phone")
        line = menu.line
        notes = [line.answer_text(lang, answer, spoken=True) for answer in line.content.answer_ids]
        for topic_id in line.content.topic_ids:
            notes += line.topic_pages(lang, topic_id, spoken=True)
        for text in notes:
            wanted.setdefault((text, lang, False), set()).add("voice notes")
    return wanted


def engines_for(choice: str, voices: dict[str, dict]) -> list[Engine]:
    """The engines to try, best first: "auto" is gTTS, then eSpeak NG when gTTS fails."""
    gtts = GttsEngine({lang: v["gtts"] for lang, v in voices.items() if v.get("gtts")})
    espeak = EspeakEngine({lang: v["espeak"] for lang, v in voices.items() if v.get("espeak")})
    choices: dict[str, list[Engine]] = {"auto": [gtts, espeak], "gtts": [gtts], "espeak": [espeak]}
    return choices[choice]


def build(
    clips: Clips,
    wanted: dict[Clip, set[str]],
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
    for (text, lang, slow), uses in wanted.items():
        step()
        existing = clips.engine_of(text, lang, slow)
        if existing and not (upgrade and existing != best):
            report.skipped += 1
            continue
        made = _make(text, lang, slow, working)
        if isinstance(made, tuple):
            engine, data = made
            clips.save(clip_name(text, lang, engine, slow), data)
            report.built[engine] += 1
            report.by_kind.update(uses)
            report.bytes_built += len(data)
        elif not existing:
            report.failed.append(((text, lang, slow), made))
    return report


def _make(text: str, lang: str, slow: bool, working: list[Engine]) -> tuple[str, bytes] | str:
    """(engine, MP3) from the first engine that can, or why none could."""
    reasons = []
    for engine in list(working):
        try:
            data = engine.synthesize(text, lang, slow)
            seconds = mp3_seconds(data)
            if seconds <= 0 or seconds > MAX_CLIP_SECONDS[slow]:
                raise SpeechFailed(f"clip is {seconds:.1f} s")
        except Unreachable as error:
            log.warning("%s unreachable (%s): not asked again this run", engine.name, error)
            working.remove(engine)
            reasons.append(f"{engine.name}: unreachable")
            continue
        except Exception as error:  # one clip's trouble is only its own
            reasons.append(f"{engine.name}: {error}")
            continue
        return engine.name, data
    return "; ".join(reasons) or "no engine"
