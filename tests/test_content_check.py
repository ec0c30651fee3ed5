"""The content check catches what would hurt a texter: cost, garbling, overclaims, gaps."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.content import Content, default_content
from service.content_check import REQUIRED_TOPICS, NeverSay, check
from service.conversation import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_content_passes():
    sent, problems = check(default_content(), Settings(), ["en"])
    assert problems == []
    names = {message.name for message in sent}
    assert {"welcome", "menu", "help", "unknown", "topic.urgent.page1"} <= names
    assert all(message.encoding.name == "GSM-7" for message in sent)


@pytest.fixture
def edited(tmp_path):
    """A copy of messages/ to break on purpose; returns an editor and a checker."""
    shutil.copytree(ROOT / "messages", tmp_path / "messages")

    def edit(name: str, old: str, new: str) -> None:
        path = tmp_path / "messages" / name
        text = path.read_text()
        assert old in text, old
        path.write_text(text.replace(old, new, 1))

    def problems() -> list[str]:
        content = Content(tmp_path / "messages", ROOT / "locales")
        return check(content, Settings(), ["en"])[1]

    return edit, problems


def test_message_over_budget_fails(edited):
    edit, problems = edited
    edit("system.yaml", "MENU lists all topics.", "MENU lists all topics." + " Really." * 60)
    assert any(p.startswith("en unknown:") and "budget 3" in p for p in problems())


def test_a_long_page_is_split_between_sentences_not_sent_over_budget(edited, tmp_path):
    edit, problems = edited
    edit("topics.yaml", "aHSCT has serious risks.", "aHSCT has serious risks." + " Really." * 60)
    assert problems() == []
    content = Content(tmp_path / "messages", ROOT / "locales")
    sent = [m for m in check(content, Settings(), ["en"])[0] if m.name.startswith("topic.risks")]
    assert len(sent) > len(content.pack("en").by_id["risks"].pages)
    assert sent[0].encoding.segments <= 2
    assert sent[0].text.startswith("aHSCT has serious risks.")


def test_curly_quote_in_english_fails(edited):
    edit, problems = edited
    edit("topics.yaml", "Ask your team when you can", "Ask your team\u2019s advice on when you can")
    found = problems()
    assert any("not GSM-7" in p and "\u2019" in p for p in found)


@pytest.mark.parametrize(
    "claim",
    [
        "HSCT cures MS.",
        "No more MS!",
        "It repairs myelin.",
        "It works for all types of MS.",
        "It is safe.",
        "Cladribine is a mini-HSCT.",
        "It is better than Ocrevus.",
        "Failure is only 15-20%.",
        "Your immune system goes back to normal.",
    ],
)
def test_never_say_claims_fail(edited, claim):
    edit, problems = edited
    edit("topics.yaml", "Fewer die in experienced centres now.", claim)
    assert any("never-say" in p for p in problems()), claim


def test_denials_are_allowed():
    never_say = NeverSay.load()
    assert never_say.claims("It cannot repair nerve damage.") == []
    assert never_say.claims("It cannot repair myelin.") == []
    assert never_say.claims("It repairs nerve damage.") != []


def test_missing_topic_fails(edited, tmp_path):
    edit, problems = edited
    edit("topics.yaml", "  - id: cost\n", "  - id: money\n")
    assert any("missing ['cost']" in p for p in problems())
    assert REQUIRED_TOPICS[5] == "cost"


def test_asking_for_yes_fails(edited):
    edit, problems = edited
    edit("system.yaml", "LANG: language.", "Reply YES for news.")
    assert any("opt-in word" in p for p in problems())


def test_unknown_placeholder_fails(edited):
    edit, problems = edited
    edit("system.yaml", "call {helpline}", "call {phone}")
    assert any("unknown placeholders ['phone']" in p for p in problems())


def test_long_deployer_lines_give_way_in_help_but_the_helpline_stays():
    settings = Settings(org_name="x" * 300, helpline="0800 123", website="https://example.org")
    sent, problems = check(default_content(), settings, ["en"])
    assert problems == []
    help_text = next(m for m in sent if m.name == "help").text
    assert "0800 123" in help_text and "x" * 300 not in help_text


def test_a_long_emergency_number_still_leads_with_the_action_but_is_reported():
    sent, problems = check(default_content(), Settings(emergency="112 " * 20), ["en"])
    assert problems == ["en topic.urgent.page1: the emergency number is not in the first message"]
    urgent = next(m for m in sent if m.name == "topic.urgent.page1")
    assert urgent.text.startswith("Call your transplant team's 24-hour number now")


def test_duplicate_keyword_fails(edited):
    edit, problems = edited
    edit("topics.yaml", "keywords: cost, costs,", "keywords: cost, risks, costs,")
    assert any("'risks' is in" in p for p in problems())
