"""A texter's journeys through POST /sms, signed like Twilio."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from service import create_app
from service.core.segments import encoding_of, is_gsm7

from .helpers import CONTENT, EN, NUMBER, Texter, answer_start, first_page, system

TOPIC_TITLES = [topic.title for topic in EN.topics]
RISKS = [topic.number for topic in EN.topics if topic.id == "risks"][0]


def test_a_greeting_first_gets_welcome_menu_language_and_stop(new_phone):
    reply = new_phone("hi")
    assert reply.splitlines()[0] == system("welcome")
    for number, title in enumerate(TOPIC_TITLES, start=1):
        assert f"{number} {title}" in reply
    assert "LANG" in reply and "STOP" in reply and "YES" not in reply
    assert encoding_of(reply).name == "GSM-7" and encoding_of(reply).segments <= 2


def test_urgent_help_is_first_in_the_menu(new_phone):
    assert EN.topics[0].id == "urgent"
    assert new_phone("hi").splitlines()[1] == f"1 {EN.by_id['urgent'].title}"


@pytest.mark.parametrize("first", ["HSCT", "menu", "Hello there", "4", "purple elephants"])
def test_a_greeting_or_what_is_not_understood_gets_the_welcome(new_phone, first):
    assert new_phone(first).startswith(system("welcome"))


@pytest.mark.parametrize(
    ("first", "answer_id"),
    [
        ("is hsct a cure for ms", "is-it-a-cure"),
        ("will my hair fall out", "hair-loss"),
        ("what does EDSS mean", "what-is-edss"),
        ("who pays for it in america", "insurance"),
    ],
)
def test_a_first_text_that_asks_something_gets_the_answer(new_phone, first, answer_id):
    reply = new_phone(first)
    assert reply.startswith(answer_start(answer_id))
    assert reply.endswith(system("first_text_footer"))  # what the line is, MENU and STOP
    assert encoding_of(reply).segments <= 2 and is_gsm7(reply)


def test_help_on_a_first_text_gets_the_help(new_phone):
    assert new_phone("HELP").startswith(system("help").splitlines()[0])


def test_only_the_first_text_is_welcomed(texter):
    assert not texter("hi").startswith(system("welcome"))


@pytest.mark.parametrize("number", range(1, 13))
def test_topic_by_number(texter, number):
    topic = EN.topics[number - 1]
    reply = texter(str(number))
    assert reply.startswith(topic.pages[0][:40])
    if topic.id != "urgent":  # urgent help is an instruction: nothing dilutes it
        assert system("disclaimer") in reply


@pytest.mark.parametrize(
    ("message", "topic_id"),
    [("risks", "risks"), ("COST", "cost"), ("rsks", "risks"), ("recovry", "recovery")],
)
def test_a_topic_named_outright_gives_the_topic(texter, message, topic_id):
    assert texter(message).startswith(first_page(topic_id))


@pytest.mark.parametrize(
    ("message", "answer_id"),
    [
        ("does it cure MS", "is-it-a-cure"),
        ("can u die from hsct", "death-risk"),
        ("what was the MIST trial", "mist"),
        ("is it better than ocrevus", "vs-ocrevus"),
        ("when can i go back to work", "back-to-work"),
        ("can i still have a baby after", "fertility-risk"),
        ("how long will i be in hospital", "hospital-stay"),
    ],
)
def test_a_question_gets_its_own_answer(texter, message, answer_id):
    reply = texter(message)
    assert reply.startswith(answer_start(answer_id)), reply
    assert system("disclaimer") in reply and reply.endswith(system("answer_footer"))


def test_more_after_an_answer_goes_on_with_its_topic(texter):
    assert texter("does it cure MS").startswith(answer_start("is-it-a-cure"))
    assert texter("MORE").startswith(first_page("what-is-it"))
    assert texter("MENU").startswith(system("menu_intro"))


def test_a_close_call_offers_a_short_list_answered_with_one_key(texter):
    reply = texter("chemo")
    assert reply.startswith(system("choices_intro")), reply
    assert reply.endswith(system("choices_footer"))
    first = reply.splitlines()[1].removeprefix("1 ")
    chosen = [a for a in EN.answers.values() if a.question == first][0]
    assert texter("1").startswith(answer_start(chosen.id))


@pytest.mark.parametrize(
    "message",
    [
        "I had my transplant 2 weeks ago and have a fever",
        "shivering",
        "bleeding gums",
        "temperature 38.5",
        "39 degrees",
        "feel unwell after transplant",
        "my hickman line is red and sore",
        "i fainted",
    ],
)
def test_unwell_after_transplant_gets_urgent_help_first(texter, message):
    reply = texter(message)
    assert reply.startswith("Call "), reply
    assert "24-hour number" in reply or "999" in reply


@pytest.mark.parametrize(
    ("message", "answer_id"),
    [("what are the risks of infection", "infections"), ("what is a picc line", "central-line")],
)
def test_questions_about_symptoms_are_not_emergencies(texter, message, answer_id):
    assert texter(message).startswith(answer_start(answer_id))


def test_urgent_help_comes_before_the_welcome_for_a_new_number(new_phone):
    assert new_phone("high temperature after my transplant").startswith("Call your transplant team")


def test_urgent_answer_uses_the_deployers_emergency_number(config):
    config["EMERGENCY_NUMBER"] = "112"
    phone = Texter(create_app(config).test_client())
    assert "call 112" in phone("i cant breathe").lower()


def test_every_topic_text_fits_its_budget_and_stays_gsm7(texter):
    for number, _topic in enumerate(EN.topics, start=1):
        parts = [texter(str(number))]
        while not parts[-1].endswith(system("footer_last")):
            parts.append(texter("MORE"))
        for index, part in enumerate(parts):
            assert is_gsm7(part), part
            assert encoding_of(part).segments <= (2 if index == 0 else 3), part


def test_more_pages_through_a_topic_then_says_it_is_done(texter):
    first = texter("risks")
    assert first.endswith(system("footer_more"))
    for page in EN.by_id["risks"].pages[1:-1]:
        reply = texter("more")
        assert reply.startswith(page[:40]) and reply.endswith(system("footer_more"))
    last = texter("MORE please")
    assert last.startswith(EN.by_id["risks"].pages[-1][:40]) and last.endswith(
        system("footer_last")
    )
    parts = len(EN.by_id["risks"].pages)
    assert texter("more") == EN.plural("end_of_topic", parts)


def test_more_without_a_topic_explains(texter):
    assert texter("more") == system("more_without_topic")


def test_menu_returns_to_the_topics(texter):
    texter("risks")
    reply = texter("MENU")
    assert reply.startswith(system("menu_intro"))
    assert f"12 {TOPIC_TITLES[11]}" in reply


def test_help_says_general_information_and_gives_helpline(config):
    config.update(HELPLINE_NUMBER="0808 800 8000", ORG_NAME="MS Example Charity")
    phone = Texter(create_app(config).test_client())
    phone("hi")
    reply = phone("HELP")
    assert "not medical advice" in reply
    assert system("helpline", helpline="0808 800 8000") in reply
    assert system("help_org", org="MS Example Charity") in reply
    assert encoding_of(reply).segments <= 3


def test_help_without_a_helpline_does_not_invent_one(texter):
    reply = texter("help")
    assert "not medical advice" in reply and "call" not in reply.lower()


def test_unknown_text_gets_a_short_kind_reply_with_the_urgent_line(texter):
    reply = texter("purple elephants")
    assert reply == system("unknown")
    assert "24-hour number" in reply and TOPIC_TITLES[5] not in reply
    again = texter("zzzz qqqq")
    assert again.startswith(system("unknown_again")) and f"12 {TOPIC_TITLES[11]}" in again
    assert texter("xyzzy") == system("unknown")


@pytest.mark.parametrize(
    "word",
    [
        "STOP",
        "stop",
        "STOPALL",
        "Unsubscribe",
        "CANCEL",
        "END",
        "QUIT",
        "REVOKE",
        "OPTOUT",
        "stop.",
    ],
)
def test_opt_out_words_silence_the_line(texter, word):
    assert texter.send(word).messages == []
    for later in ["risks", "MENU", "HELP", "hi", "fever"]:
        assert texter.send(later).messages == [], later


@pytest.mark.parametrize("word", ["START", "UNSTOP", "yes"])
def test_opt_in_words_bring_replies_back(texter, word):
    texter("STOP")
    assert texter(word) == system("opted_in")
    assert texter("risks").startswith(first_page("risks"))


def test_opt_out_takes_priority_mid_topic(texter):
    texter("risks")
    assert texter("stop") is None
    assert texter("more") is None


def test_opt_out_survives_a_restart(config):
    Texter(create_app(config).test_client())("STOP")
    restarted = Texter(create_app(config).test_client())
    assert restarted("risks") is None
    assert restarted("START") == system("opted_in")


def test_numbers_are_stored_only_as_keyed_hashes(app, texter, tmp_path):
    texter("risks")
    texter("STOP")
    raw = (tmp_path / "line.sqlite").read_bytes() + b"".join(
        path.read_bytes() for path in tmp_path.glob("line.sqlite-*")
    )
    assert NUMBER.encode() not in raw and NUMBER[1:].encode() not in raw
    rows = sqlite3.connect(tmp_path / "line.sqlite").execute("SELECT key FROM caller").fetchall()
    assert len(rows) == 1 and len(rows[0][0]) == 64 and NUMBER not in rows[0][0]


def test_message_bodies_are_not_stored(texter, tmp_path):
    texter("what are the risks of my pudding")  # answered: nothing of it is kept
    texter("call me on 07700 900123 about elephants")  # unanswered: kept, scrubbed
    dump = "\n".join(sqlite3.connect(tmp_path / "line.sqlite").iterdump())
    assert "pudding" not in dump
    assert "call me on [number] about elephants" in dump and "07700" not in dump


def test_logs_never_show_the_number(client, caplog):
    caplog.set_level(logging.DEBUG)
    phone = Texter(client)
    for body in ["hi", "risks", "STOP", "START", "gibberish"]:
        phone(body)
    assert "sms caller=" in caplog.text
    for fragment in (NUMBER, NUMBER[1:], NUMBER[-6:]):
        assert fragment not in caplog.text


@pytest.mark.parametrize(
    "body",
    [
        "",
        " ",
        "\u0000",
        "x" * 20000,
        "😀" * 500,
        "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"),
        "<Response><Hangup/></Response>",
        "'; DROP TABLE caller; --",
        "٤",
        "१२",
        "%s %(x)s {0} {org}",
    ],
)
def test_any_text_gets_a_clear_answer(texter, body):
    reply = texter(body)
    assert reply and len(reply) <= 1600  # some words back, never a 500 or an empty reply


def test_missing_body_is_treated_as_an_empty_text(texter):
    assert texter(None) == system("unknown")


def test_missing_from_still_answers_without_memory(client):
    phone = Texter(client, number=None)
    assert phone("risks").startswith(first_page("risks"))


def test_unknown_extra_fields_are_accepted(texter):
    reply = texter("cost", NumMedia="0", FromCountry="GB", SomeFutureField="x")
    assert reply.startswith(first_page("cost"))


def test_store_failure_still_answers(app, texter, monkeypatch, caplog):
    store = app.extensions["hsct"].store

    def broken(*args):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "load", broken)
    monkeypatch.setattr(store, "save", broken)
    assert texter("risks").startswith(first_page("risks"))
    assert "store unavailable" in caplog.text


def test_core_failure_gets_an_apology_not_a_500(app, texter, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(app.extensions["hsct"].sms, "reply", broken)
    assert texter("risks") == system("error")


def test_content_is_the_shared_content(app):
    assert app.extensions["hsct"].line.content is CONTENT
