"""Seconds of speech a caller hears before the first fact, per language, at 150 words a minute.

    .venv/bin/python bench/voice_first_fact.py

The first fact is the first sentence of the first topic a caller can reach: press 1,
urgent help, which comes first in the main menu. Two ways of listening:
- barge-in: the caller presses each choice as soon as its prompt has been said (the
  prompts are inside <Gather>, so Twilio stops speaking at the key press);
- full: the caller hears every prompt of each menu to the end, then presses.
New callers hear the long greeting, returning callers the short one. Chinese is timed at
4 characters a second. Aim (issue 3): at most 20 s for a new caller, 10 s returning.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service import create_app  # noqa: E402
from service.config import LANGUAGE_ORDER  # noqa: E402
from service.core.paging import spoken_seconds  # noqa: E402
from service.core.phone.menu import PhoneMenu  # noqa: E402
from service.core.phone.turns import Speech  # noqa: E402
from service.core.state import CallerState  # noqa: E402

AIM_NEW, AIM_RETURNING = 20.0, 10.0


def seconds(speeches: list[Speech]) -> float:
    return sum(spoken_seconds(speech.text, speech.lang) for speech in speeches)


def until_first_choice(speeches: list[Speech]) -> list[Speech]:
    """What is said up to and including the first option's prompt."""
    first = next(index for index, speech in enumerate(speeches) if speech.kind == "option")
    return speeches[: first + 1]


def before_first_fact(menu: PhoneMenu, lang: str, new: bool, barge_in: bool) -> float:
    """Speech heard from the greeting until the first topic starts."""
    start = menu.start(CallerState(lang=lang), None, new=new)[0]
    if barge_in:
        return seconds(until_first_choice(start.say))
    return seconds(start.say)


def main() -> None:
    app = create_app(
        {
            "TWILIO_AUTH_TOKEN": "bench",
            "SECRET_KEY": "bench",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{tempfile.mktemp()}",
            "INSTANCE_PATH": tempfile.mkdtemp(),
        }
    )
    menu: PhoneMenu = app.extensions["hsct"].phone
    print("| language | new, barge-in | returning, barge-in | new, full | returning, full |")
    print("|---|---:|---:|---:|---:|")
    worst = [0.0, 0.0]
    with app.test_request_context():
        for lang in LANGUAGE_ORDER:
            if not menu.can_speak(lang):
                print(f"| {lang} | text only | | | |")
                continue
            row = [
                before_first_fact(menu, lang, new, barge)
                for barge in (True, False)
                for new in (True, False)
            ]
            worst = [max(worst[0], row[0]), max(worst[1], row[1])]
            print(f"| {lang} | " + " | ".join(f"{value:.1f} s" for value in row) + " |")
    verdict = "met" if worst[0] <= AIM_NEW and worst[1] <= AIM_RETURNING else "NOT met"
    print(
        f"\nWorst with barge-in: new {worst[0]:.1f} s (aim {AIM_NEW:.0f}), returning "
        f"{worst[1]:.1f} s (aim {AIM_RETURNING:.0f}): {verdict}."
    )


if __name__ == "__main__":
    main()
