"""The core reads people as plain functions, with no Flask or Twilio: the cases that once
went wrong, one language's everyday word against another's keyword, word forms, and
numbers that are not temperatures."""

from __future__ import annotations

import pytest

from service.config import LANGUAGE_ORDER
from service.core.line import Line
from service.core.state import CallerState, Settings
from service.core.texting import TextDialogue
from service.core.words import normalise

from .helpers import CONTENT

LINE = Line(CONTENT, Settings(languages=tuple(LANGUAGE_ORDER)))
TEXTS = TextDialogue(LINE)


def urgent(text: str, lang: str = "en") -> bool:
    return LINE.understand(normalise(text), lang).urgent


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("burns when i pee", "en"),  # "burning when i pee", another form of the word
        ("it burns when i pee, had hsct last month", "en"),  # "when" is part of the symptom
        ("die stelle wo der katheter drin ist ist rot und tut weh", "de"),  # "katheter ... rot"
        ("38c", "en"),
        ("39", "en"),
        ("fiebre", "en"),  # another enabled language's keyword, exactly
    ],
)
def test_reports_of_being_unwell_are_urgent(text, lang):
    assert urgent(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("does chemo cause fever", "en"),
        ("faint yw'r gost", "cy"),  # Welsh "how much", not English "faint"
        ("我40岁能做吗", "zh_Hans"),  # an age, not a temperature
        ("每100人有几个人死亡", "zh_Hans"),  # "in 100 people", not 100 degrees Fahrenheit
        ("24", "en"),  # a bare number is no report
        ("cai o cabelo?", "pt"),  # "does hair fall out", not "I fell"
    ],
)
def test_questions_and_numbers_are_not_urgent(text, lang):
    assert not urgent(text, lang)


def test_a_real_word_is_not_read_as_a_typo_of_a_keyword_or_command():
    reply, _ = TEXTS.reply("mort", CallerState(lang="fr", last_seen=1))
    assert reply.intent != "more"  # French "death" is not a misspelt MORE
    assert not urgent("je serai en chambre isolee? mes enfants pourront venir me voir?", "fr")


def test_a_question_about_a_topic_gets_an_answer_and_a_bare_name_the_topic():
    assert LINE.understand(normalise("whats the cost"), "en").topic is None
    assert LINE.understand(normalise("cost"), "en").topic == "cost"


def test_no_voice_notes_turns_them_off():
    assert LINE.languages.command(normalise("no voice notes"), "en") == "voice_off"


def test_plain_ascii_is_read_exactly_as_the_general_reader_reads_it():
    """normalise's fast path for ASCII gives what the character-by-character reader gives,
    decimals, apostrophes, punctuation and control characters included."""
    import random

    from service.core.words import _normalise_any

    rng = random.Random(7)
    alphabet = "aZ09 .,'`!?-_\t\n\x00\x7f3.5,;:()"
    samples = ["38.5", "38,5", "9.'5", "9'.5", "can't breathe!!", "temp 39.2c", "1.2.3", "x" * 500]
    samples += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(20000)
    ]
    samples += [
        "".join(chr(rng.randint(0, 127)) for _ in range(rng.randint(0, 30))) for _ in range(5000)
    ]
    for text in samples:
        assert normalise(text) == _normalise_any(text), repr(text)
