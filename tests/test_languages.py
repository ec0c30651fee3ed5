"""Twelve languages, found without asking: by name, by the text, by the number."""

from __future__ import annotations

import pytest

from service import create_app
from service.config import LANGUAGE_ORDER, shipped_languages
from service.content import default_content
from service.conversation import RLM, CallerState, Conversation, Settings
from service.segments import encoding_of, is_gsm7

from .conftest import Texter

CONTENT = default_content()
ALL = tuple(LANGUAGE_ORDER)
LINE = Conversation(CONTENT, Settings(languages=ALL))


def first_page(lang: str, topic_id: str) -> str:
    return LINE.topic_messages(lang, topic_id)[0]


def test_all_twelve_languages_ship(app):
    assert shipped_languages(CONTENT.messages_dir.parent) == LANGUAGE_ORDER
    assert app.config["LANGUAGES"] == LANGUAGE_ORDER


@pytest.mark.parametrize("lang", ALL)
def test_every_language_is_translated_not_english(lang):
    if lang == "en":
        return
    pack = CONTENT.pack(lang)
    english = CONTENT.pack("en")
    same = [key for key, text in pack.strings.items() if text == english.strings[key]]
    # Only the odd proper name or code may read the same as English.
    assert len(same) <= 3, same


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("cuales son los riesgos", "es"),
        ("quels sont les risques", "fr"),
        ("was kostet das", "de"),
        ("quali sono i rischi", "it"),
        ("quais sao os riscos", "pt"),
        ("jakie jest ryzyko", "pl"),
        ("beth yw'r risgiau", "cy"),
        ("ما هي المخاطر", "ar"),
        ("خطرات کیا ہیں", "ur"),
        ("जोखिम क्या हैं", "hi"),
        ("有什么风险", "zh_Hans"),
    ],
)
def test_language_of_the_text_is_used_even_from_a_us_number(text, lang):
    reply, state = LINE.reply(text, CallerState(), country="US")
    assert reply.lang == lang, reply.text
    assert reply.topic == "risks" or reply.topic == "cost", reply.text
    assert state.detected == lang and state.lang is None


@pytest.mark.parametrize(
    ("country", "lang"),
    [
        ("ES", "es"),
        ("MX", "es"),
        ("FR", "fr"),
        ("DE", "de"),
        ("IT", "it"),
        ("BR", "pt"),
        ("PL", "pl"),
        ("SA", "ar"),
        ("PK", "ur"),
        ("IN", "hi"),
        ("CN", "zh_Hans"),
        ("GB", "en"),
        ("JP", "en"),
    ],
)
def test_country_of_the_number_when_the_text_says_nothing(country, lang):
    reply, state = LINE.reply("4", None, country=country)
    assert reply.lang == lang and reply.intent == "welcome"
    reply, _ = LINE.reply("4", state)
    assert reply.text == first_page(lang, "risks")


def test_the_text_beats_the_number():
    reply, _ = LINE.reply("hola, riesgos", None, country="GB")
    assert reply.lang == "es"


@pytest.mark.parametrize(
    ("message", "lang"),
    [
        ("LANG es", "es"),
        ("lang fr", "fr"),
        ("language welsh", "cy"),
        ("Cymraeg", "cy"),
        ("Español", "es"),
        ("espanol", "es"),
        ("Deutsch", "de"),
        ("العربية", "ar"),
        ("中文", "zh_Hans"),
        ("हिन्दी", "hi"),
        ("LANG zh", "zh_Hans"),
        ("polski", "pl"),
    ],
)
def test_explicit_choice_by_name_or_code(message, lang):
    reply, state = LINE.reply(message, CallerState(detected="en"))
    assert state.lang == lang and reply.lang == lang and reply.intent == "language"


def test_language_list_then_a_number():
    reply, state = LINE.reply("LANG", CallerState())
    lines = reply.text.splitlines()
    assert len(lines) == 13 and lines[1] == "1 English" and "Cymraeg" in lines[8]
    reply, state = LINE.reply("9", state)
    assert state.lang == "ar"
    assert reply.text.startswith(RLM)


def test_stored_choice_beats_the_language_of_the_text():
    _, state = LINE.reply("LANG de", CallerState())
    reply, state = LINE.reply("riesgos", state)
    assert reply.lang == "de" and reply.topic == "risks"  # understood, answered in German
    assert state.lang == "de"


def test_numbers_alone_keep_the_detected_language():
    _, state = LINE.reply("hola", CallerState())
    reply, state = LINE.reply("5", state)
    assert reply.lang == "es" and reply.topic == "recovery"


def test_english_commands_work_in_every_language():
    state = CallerState(lang="pl")
    reply, state = LINE.reply("4", state)
    reply, state = LINE.reply("MORE", state)
    assert reply.intent == "more" and reply.lang == "pl"


def test_urgent_words_in_any_language_get_urgent_help_in_the_callers_language():
    reply, _ = LINE.reply("fiebre", CallerState(lang="en"))
    assert reply.intent == "urgent" and reply.lang == "en"
    reply, _ = LINE.reply("发烧", CallerState())
    assert reply.intent == "urgent" and reply.lang == "zh_Hans"


@pytest.mark.parametrize("lang", ALL)
def test_every_message_fits_the_budget_for_its_encoding(lang):
    from service.content_check import check

    sent, problems = check(CONTENT, Settings(languages=ALL), [lang])
    assert problems == []
    for message in sent:
        if lang in {"en", "de", "it"} and message.name != "language_list":
            assert is_gsm7(message.text), message.name
        assert encoding_of(message.text).segments <= message.budget
        assert message.budget <= (3 if lang in {"en", "de", "it"} else 4)


@pytest.mark.parametrize("lang", ["ar", "ur"])
def test_right_to_left_lines_are_marked(lang):
    reply, _ = LINE.reply("menu", CallerState(lang=lang))
    assert all(line.startswith(RLM) for line in reply.text.splitlines())


def test_figures_are_written_the_local_way():
    assert "150,000 US dollars" in first_page("en", "cost")
    assert "150.000 " in first_page("de", "cost")
    starms = "".join(LINE.topic_messages("zh_Hans", "trials"))
    assert "2024年11月" in starms


@pytest.mark.parametrize(("lang", "count"), [("pl", 2), ("pl", 5), ("ar", 3), ("cy", 2)])
def test_plural_forms_follow_the_language(lang, count):
    pack = CONTENT.pack(lang)
    text = pack.plural("end_of_topic", count)
    assert str(count) in text or lang == "ar"
    assert text != pack.plural("end_of_topic", 1)


def test_deployer_can_enable_a_subset_and_a_default(config):
    config.update(LANGUAGES="en,cy", DEFAULT_LANGUAGE="cy")
    phone = Texter(create_app(config).test_client(), number="+81312345678")  # Japan: neither
    welsh = Conversation(CONTENT, Settings(languages=("en", "cy"), default_language="cy"))
    assert phone("4") == welsh.menu_text(CallerState(lang="cy"), welcome=True)
    reply = phone("LANG")
    assert "Español" not in reply and "Cymraeg" in reply


def test_english_commands_do_not_swallow_local_words():
    reply, _ = LINE.reply("mort", CallerState(lang="fr"))
    assert reply.intent != "more"
