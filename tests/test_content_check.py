"""The content check catches what would hurt a texter or a caller: cost, garbling,
overclaims, stranded fragments, missing key facts, misread numbers."""

from __future__ import annotations

import shutil

import pytest

from service.core.content import Content
from service.core.line import Line
from service.core.phone.menu import PhoneMenu
from service.core.state import Settings
from service.tools.content_check import REQUIRED_TOPICS, check
from service.tools.never_say import NeverSay

from .helpers import CONTENT, ROOT


def check_english(content: Content = CONTENT, **settings: object) -> tuple[list, list[str]]:
    line = Line(content, Settings(**settings))
    return check(line, PhoneMenu(line))


def test_shipped_english_passes():
    sent, problems = check_english()
    assert problems == []
    names = {message.name for message in sent}
    assert {"welcome", "menu", "help", "unknown", "topic.urgent.part1", "choices"} <= names
    assert {f"answer.{answer_id}" for answer_id in CONTENT.answer_ids} <= names
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

    def problems(**settings: object) -> list[str]:
        return check_english(Content(tmp_path / "messages", ROOT / "locales"), **settings)[1]

    return edit, problems


def test_message_over_budget_fails(edited):
    edit, problems = edited
    edit(
        "system.yaml",
        "MENU lists topics. Unwell",
        "MENU lists topics." + " Really." * 60 + " Unwell",
    )
    assert any(p.startswith("en unknown:") and "budget 3" in p for p in problems())


def test_an_answer_over_two_segments_fails(edited):
    edit, problems = edited
    edit(
        "answers.yaml",
        "No. aHSCT is not a cure for MS.",
        "No. aHSCT is not a cure for MS." + " Truly." * 20,
    )
    assert any(p.startswith("en answer.is-it-a-cure:") and "budget 2" in p for p in problems())


def test_a_long_page_is_split_evenly_between_sentences(edited, tmp_path):
    edit, problems = edited
    long_page = " ".join(f"Sentence number {n} is here." for n in range(1, 16))
    edit("topics.yaml", "Some risks come later.", long_page + " Some risks come later.")
    assert problems() == []
    content = Content(tmp_path / "messages", ROOT / "locales")
    sent = [m for m in check_english(content)[0] if m.name.startswith("topic.risks")]
    assert len(sent) > len(content.pack("en").by_id["risks"].pages)
    lengths = [len(m.text) for m in sent[2:4]]
    assert max(lengths) - min(lengths) < 120  # even parts, not a full one and a scrap


def test_an_orphan_text_fails(edited):
    edit, problems = edited
    page = EN_PAGE_2.replace("\n        ", " ")
    long_sentence = "It " + "can and often does make you feel very tired and worn out, " * 7
    edit("topics.yaml", EN_PAGE_2, long_sentence + "ok. Then hair.")
    assert page and any("risks part 3: an orphan text 'Then hair.'" in p for p in problems())


EN_PAGE_2 = """The chemotherapy can cause hair loss. It can make you very tired. It can make you
        feel sick and lose your appetite. You may bleed or bruise easily. Fever with low
        white blood cells is common in hospital. In one study, 68 in 100 people had it.
        Your team watches for it and treats it."""


def test_a_topic_over_five_texts_fails(edited):
    edit, problems = edited
    extra = "      - >-\n        One more page of plain words that says very little.\n"
    edit("topics.yaml", "\n  - id: fertility", extra * 3 + "\n  - id: fertility")
    assert any("topic compare:" in p and "at most 5" in p for p in problems())


def test_a_first_text_without_its_key_figure_fails(edited):
    edit, problems = edited
    edit(
        "topics.yaml",
        "About 1 to 2 in 100 people died in European registry data.",
        "Some people died.",
    )
    assert any("risks: first text lacks the key figure" in p for p in problems())


def test_curly_quote_in_english_fails(edited):
    edit, problems = edited
    edit("topics.yaml", "Ask your team when you can", "Ask your team\u2019s advice on when you can")
    assert any("not GSM-7" in p and "\u2019" in p for p in problems())


def test_a_raw_temperature_in_speech_fails(edited):
    edit, problems = edited
    edit("topics.yaml", "a temperature of {fever} or more", "a temperature of 38C or more")
    assert any("raw temperature" in p for p in problems())


def test_slashed_numbers_in_speech_fail():
    _, problems = check_english()
    assert not any("slashes" in p for p in problems)  # {emergency} is said digit by digit


@pytest.mark.parametrize(
    "claim",
    [
        "HSCT cures MS.",
        "No more MS!",
        "It repairs myelin.",
        "It regrows myelin.",
        "It works for all types of MS.",
        "It works for everyone.",
        "It is safe.",
        "It is risk-free.",
        "It is harmless.",
        "Results are guaranteed.",
        "It stops MS forever.",
        "Your MS is gone.",
        "Cladribine is a mini-HSCT.",
        "It is better than Ocrevus.",
        "It is more effective than Kesimpta.",
        "It is safer than DMTs.",
        "Failure is only 15-20%.",
        "Your immune system goes back to normal.",
    ],
)
def test_never_say_claims_fail(claim):
    assert NeverSay.load().claims(claim), claim


def test_a_claim_in_a_topic_fails_the_check(edited):
    edit, problems = edited
    edit("topics.yaml", "Fewer die in experienced centres now.", "HSCT cures MS.")
    assert any("never-say" in p for p in problems())


@pytest.mark.parametrize(
    "denial",
    [
        "It is not a cure.",
        "aHSCT does not repair myelin.",
        "It cannot repair nerve damage.",
        "It is not risk-free.",
        "It does not work for everyone.",
        "It is not proven to be better than the newest DMTs.",
    ],
)
def test_denials_pass(denial):
    assert NeverSay.load().claims(denial) == []


# The claim and its denial in each language: the check must tell them apart.
CLAIMS = {
    "es": ("El aHSCT cura la EM.", "No es una cura."),
    "fr": ("L'aHSCT guérit la SEP.", "Ce n'est pas une guérison."),
    "de": ("aHSCT heilt MS.", "Es ist keine Heilung."),
    "it": ("L'aHSCT guarisce la SM.", "Non è una cura."),
    "pt": ("O aHSCT cura a EM.", "Não é uma cura."),
    "pl": ("aHSCT wyleczy SM.", "To nie jest wyleczenie."),
    "cy": ("Mae aHSCT yn gwella MS yn llwyr.", "Nid yw'n iachâd."),
    "ar": ("هذا العلاج يشفي التصلب المتعدد نهائيا.", "إنه ليس علاجا شافيا."),
    "ur": ("یہ ایم ایس کا مکمل علاج ہے۔", "یہ مکمل علاج نہیں ہے۔"),
    "hi": ("यह MS का पक्का इलाज है।", "यह MS का पक्का इलाज नहीं है।"),
    "zh_Hans": ("它能治愈多发性硬化。", "它不能治愈多发性硬化。"),
}


@pytest.mark.parametrize("lang", sorted(CLAIMS))
def test_never_say_understands_negation_in_every_language(lang):
    claim, denial = CLAIMS[lang]
    never_say = NeverSay.load(lang)
    assert never_say.claims(claim), claim
    assert never_say.claims(denial) == [], denial


def test_a_question_is_not_a_claim():
    assert NeverSay.load().claims("Is it a cure?") == []


def test_missing_topic_fails(edited):
    edit, problems = edited
    edit("topics.yaml", "  - id: cost\n", "  - id: money\n")
    assert any("not the required" in p for p in problems())
    assert "cost" in REQUIRED_TOPICS and REQUIRED_TOPICS[0] == "urgent"


def test_asking_for_yes_fails(edited):
    edit, problems = edited
    edit("system.yaml", "LANG: language.", "Reply YES for news.")
    assert any("opt-in word" in p for p in problems())


def test_unknown_placeholder_fails(edited):
    edit, problems = edited
    edit("system.yaml", "call {helpline}", "call {phone}")
    assert any("unknown placeholders ['phone']" in p for p in problems())


def test_an_example_copied_from_the_evaluation_set_fails(edited):
    import yaml

    held_out = yaml.safe_load((ROOT / "tests" / "eval" / "en.yaml").read_text())["items"]
    copied = next(item["text"] for item in held_out if item["expect"] == "hair-loss")
    edit, problems = edited
    edit(
        "answers.yaml", "      - will i go bald\n", f'      - will i go bald\n      - "{copied}"\n'
    )
    assert any("is in the evaluation set" in p for p in problems())


def test_long_deployer_lines_give_way_in_help_but_the_helpline_stays():
    sent, problems = check_english(org_name="x" * 300, helpline="0800 123", website="https://e.org")
    assert problems == []
    help_text = next(m for m in sent if m.name == "help").text
    assert "0800 123" in help_text and "x" * 300 not in help_text


def test_a_long_emergency_number_still_leads_with_the_action_but_is_reported():
    sent, problems = check_english(emergency="112 " * 30)
    assert "en topic urgent: the emergency number is not in the first text" in problems
    urgent = next(m for m in sent if m.name == "topic.urgent.part1")
    assert urgent.text.startswith("Call your transplant team's 24-hour number now")


def test_duplicate_keyword_fails(edited):
    edit, problems = edited
    edit("topics.yaml", "keywords: cost, costs,", "keywords: cost, risks, costs,")
    assert any("'risks' is in" in p for p in problems())
