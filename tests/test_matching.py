"""Matching is deterministic and tolerant: numbers, commands, keywords, typos, run-ons."""

from __future__ import annotations

import pytest

from service.content import default_content
from service.matching import Matcher, normalise, split_list

MATCHER = default_content().pack("en").matcher


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ríesgos?!", "riesgos"),
        ("  CAN'T   breathe ", "cant breathe"),
        ("side-effects", "side effects"),
        ("１２", "12"),
        ("", ""),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("4", 4),
        ("#4", 4),
        ("no. 12", 12),
        ("topic 7", 7),
        ("4.", 4),
        ("123", None),
        ("risks", None),
    ],
)
def test_numbers(text, number):
    assert MATCHER.number(normalise(text)) == number


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("MENU", "menu"),
        ("more please", "more"),
        ("Next", "more"),
        ("help!", "help"),
        ("hi", "menu"),
        ("menuu", "menu"),
        ("LANG", "lang"),
        ("back to work", None),
        ("help with risks", None),
    ],
)
def test_commands(text, command):
    assert MATCHER.command(normalise(text)) == command


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("is it safe", "risks"),
        ("does it cure ms", "compare"),
        ("how long in hospital", "steps"),
        ("how long to recover", "recovery"),
        ("will my periods come back", "fertility"),
        ("eligibilty", "eligibility"),
        ("costt", "cost"),
        ("what is jacie", "centres"),
        ("tell me about the star ms trial", "trials"),
        ("the weather is nice", None),
    ],
)
def test_topics(text, topic):
    assert MATCHER.topic(normalise(text)) == topic


def test_the_same_text_always_gets_the_same_answer():
    text = normalise("risks and cost and recovery")
    assert len({MATCHER.topic(text) for _ in range(20)}) == 1


def test_ties_go_to_the_earlier_topic():
    matcher = Matcher({"a": split_list("word"), "b": split_list("word")}, {}, [])
    assert matcher.topic("word") == "a"


def test_very_long_messages_are_cut_before_matching():
    assert MATCHER.topic(normalise("risks " * 10000)) == "risks"
