"""Twelve languages, found without asking: by name, by the text, by the number."""

from __future__ import annotations

import pytest

from service import create_app
from service.config import LANGUAGE_ORDER, shipped_languages
from service.core.content import LRI, PDI
from service.core.line import Line
from service.core.replies import RLM, SMS, TextBuilder
from service.core.segments import encoding_of, is_gsm7
from service.core.state import CallerState, Settings
from service.core.texting import TextDialogue
from service.core.words import normalise

from .helpers import CONTENT, Texter

ALL = tuple(LANGUAGE_ORDER)
LINE = Line(CONTENT, Settings(languages=ALL))
TEXTS = TextDialogue(LINE)
BUILDER = TextBuilder(LINE, SMS)


def first_text(lang: str, topic_id: str) -> str:
    return BUILDER.topic_messages(lang, topic_id)[0]


def test_all_twelve_languages_ship(app):
    assert shipped_languages(CONTENT.messages_dir.parent) == LANGUAGE_ORDER
    assert app.config["LANGUAGES"] == LANGUAGE_ORDER


@pytest.mark.parametrize("lang", ALL[1:])
def test_every_language_is_translated_not_english(lang):
    pack, english = CONTENT.pack(lang), CONTENT.pack("en")
    same = [key for key, text in pack.strings.items() if text == english.strings[key]]
    # Only the odd proper name, code or shared word list may read the same as English.
    allowed = {"system.menu_item", "system.language_item", "system.choice_item"}
    assert len(set(same) - allowed) <= 6, same


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("cuales son los riesgos de hacerse el trasplante", "es"),
        ("quels sont les risques du traitement", "fr"),
        ("was kostet die behandlung", "de"),
        ("quali sono i rischi del trapianto", "it"),
        ("quais sao os riscos do tratamento", "pt"),
        ("jakie jest ryzyko tego leczenia", "pl"),
        ("beth yw'r risgiau o'r driniaeth", "cy"),
        ("ما هي مخاطر هذا العلاج", "ar"),
        ("اس علاج کے خطرات کیا ہیں", "ur"),
        ("इस इलाज के जोखिम क्या हैं", "hi"),
        ("这个治疗有什么风险", "zh_Hans"),
    ],
)
def test_language_of_the_text_is_used_even_from_a_us_number(text, lang):
    reply, state = TEXTS.reply(text, None, country="US")
    assert reply.lang == lang, reply.text
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
def test_a_greeting_is_no_evidence_the_number_decides(country, lang):
    for greeting in ("hi", "hello", "ok", "la", "c"):
        reply, state = TEXTS.reply(greeting, None, country=country)
        assert reply.lang == lang and reply.intent == "welcome", greeting
    reply, _ = TEXTS.reply("5", state)
    assert reply.text == first_text(lang, "risks")


@pytest.mark.parametrize(
    "text", ["who pays for it in america", "hsct ok", "is it ok in la", "c u", "merci"]
)
def test_a_stray_word_does_not_switch_an_english_texter(text):
    _, state = TEXTS.reply("what is hsct", None, country="GB")
    reply, state = TEXTS.reply(text, state)
    assert reply.lang == "en" and state.detected == "en", reply.text


def test_the_text_beats_the_number():
    reply, _ = TEXTS.reply("hola, cuales son los riesgos", None, country="GB")
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
    reply, state = TEXTS.reply(message, CallerState(detected="en"))
    assert state.lang == lang and reply.lang == lang and reply.intent == "language"


def test_language_list_then_a_number():
    reply, state = TEXTS.reply("LANG", CallerState())
    lines = reply.text.splitlines()
    assert len(lines) == 13 and lines[1] == "1 English" and "Cymraeg" in lines[8]
    reply, state = TEXTS.reply("9", state)
    assert state.lang == "ar" and reply.text.startswith(RLM)


def test_stored_choice_beats_the_language_of_the_text():
    _, state = TEXTS.reply("LANG de", CallerState())
    reply, state = TEXTS.reply("riesgos", state)
    assert reply.lang == "de" and state.lang == "de"


def test_english_commands_work_in_every_language():
    reply, state = TEXTS.reply("5", CallerState(lang="pl"))
    reply, state = TEXTS.reply("MORE", state)
    assert reply.intent == "more" and reply.lang == "pl"


def test_urgent_words_in_any_language_get_urgent_help_in_the_callers_language():
    reply, _ = TEXTS.reply("fiebre", CallerState(lang="en"))
    assert reply.intent == "urgent" and reply.lang == "en"
    reply, _ = TEXTS.reply("发烧", CallerState())
    assert reply.intent == "urgent" and reply.lang == "zh_Hans"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("tengo fiebre de 38.5", "es"),
        ("no puedo respirar", "es"),
        ("j'ai de la fièvre", "fr"),
        ("ich habe Fieber", "de"),
        ("ho la febbre a 39", "it"),
        ("estou com febre", "pt"),
        ("mam gorączkę", "pl"),
        ("mae gen i dwymyn", "cy"),
        ("عندي حمى", "ar"),
        ("مجھے بخار ہے", "ur"),
        ("मुझे बुखार है", "hi"),
        ("我发烧了", "zh_Hans"),
    ],
)
def test_urgent_help_in_every_language_leads_with_the_action(text, lang):
    reply, _ = TEXTS.reply(text, CallerState(lang=lang))
    assert reply.intent == "urgent", reply.text
    urgent_first = BUILDER.topic_messages(lang, "urgent")[0]
    assert LINE.settings.emergency in urgent_first or LRI in urgent_first


@pytest.mark.parametrize("lang", ALL)
def test_every_message_fits_the_budget_for_its_encoding(lang):
    from service.core.phone.menu import PhoneMenu
    from service.tools.content_check import check

    line = Line(CONTENT, Settings(languages=(lang,)))
    sent, problems = check(line, PhoneMenu(line))
    assert [p for p in problems if p.startswith(f"{lang} ")] == []
    for message in sent:
        if lang in {"en", "de", "it"} and message.name != "language_list":
            assert is_gsm7(message.text), message.name
        assert encoding_of(message.text).segments <= message.budget <= 4


@pytest.mark.parametrize("lang", ["ar", "ur"])
def test_right_to_left_lines_are_marked_and_numbers_isolated(lang):
    reply, _ = TEXTS.reply("menu", CallerState(lang=lang))
    assert all(line.startswith(RLM) for line in reply.text.splitlines())
    urgent = first_text(lang, "urgent")
    emergency = LINE.settings.emergency
    # Every emergency number is isolated (a temperature may be isolated too).
    assert urgent.count(f"{LRI}{emergency}{PDI}") == urgent.count(emergency) >= 1
    help_line = CONTENT.pack(lang).text("helpline", helpline="+44 20 7946 0000")
    assert f"{LRI}+44 20 7946 0000{PDI}" in help_line


@pytest.mark.parametrize("lang", ["ar", "ur"])
def test_bidi_isolates_keep_a_number_in_order(lang):
    """What a phone shows (the Unicode bidi algorithm): the number reads in its own order."""
    from bidi import get_display

    number = "+44 20 7946 0000"
    shown = get_display(CONTENT.pack(lang).text("helpline", helpline=number))
    assert number in shown and "0000 7946 20 44+" not in shown
    bare = get_display(CONTENT.pack(lang).strings["system.helpline"].format(helpline=number))
    assert "0000 7946 20 44+" in bare  # what went wrong without them


def test_figures_are_written_the_local_way():
    assert "150,000 US dollars" in first_text("en", "cost")
    assert "150.000 " in first_text("de", "cost")
    assert "2024年11月" in "".join(BUILDER.topic_messages("zh_Hans", "trials"))
    assert "38C (100.4F)" in first_text("en", "urgent")


@pytest.mark.parametrize(("lang", "count"), [("pl", 2), ("pl", 5), ("ar", 3), ("cy", 2)])
def test_plural_forms_follow_the_language(lang, count):
    pack = CONTENT.pack(lang)
    text = pack.plural("end_of_topic", count)
    assert str(count) in text or lang == "ar"
    assert text != pack.plural("end_of_topic", 1)


def test_deployer_can_enable_a_subset_and_a_default(config):
    config.update(LANGUAGES="en,cy", DEFAULT_LANGUAGE="cy")
    phone = Texter(create_app(config).test_client(), number="+81312345678")  # Japan: neither
    welsh = Line(CONTENT, Settings(languages=("en", "cy"), default_language="cy"))
    assert phone("hi") == TextBuilder(welsh, SMS).menu("cy", welcome=True)
    reply = phone("LANG")
    assert "Español" not in reply and "Cymraeg" in reply


def test_english_commands_do_not_swallow_local_words():
    reply, _ = TEXTS.reply("mort", CallerState(lang="fr"))
    assert reply.intent != "more"


def test_digits_of_other_scripts_read_as_numbers():
    assert normalise("٣٨.٥") == "38.5" and normalise("३९") == "39"
