"""A texter's journeys through POST /sms, signed like Twilio."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from service import create_app
from service.content import default_content
from service.segments import encoding_of, is_gsm7

from .conftest import NUMBER, Texter

CONTENT = default_content()
PACK = CONTENT.pack("en")
TOPIC_TITLES = [topic.title for topic in PACK.topics]


def first_page(topic_id: str) -> str:
    """The opening words of a topic's first page, to recognise it in a reply."""
    return PACK.by_id[topic_id].pages[0][:40]


def test_first_text_gets_welcome_menu_language_and_stop(new_phone):
    reply = new_phone("hi")
    assert reply.splitlines()[0].startswith("HSCT Line:")
    for number, title in enumerate(TOPIC_TITLES, start=1):
        assert f"{number} {title}" in reply
    assert "LANG" in reply and "STOP" in reply
    assert "YES" not in reply
    assert encoding_of(reply).name == "GSM-7" and encoding_of(reply).segments <= 2


@pytest.mark.parametrize("first", ["HSCT", "menu", "what are the risks?", "4", "Hello there"])
def test_anything_starts_with_the_welcome(new_phone, first):
    assert new_phone(first).startswith("HSCT Line:")


def test_only_the_first_text_is_welcomed(texter):
    assert not texter("hi").startswith("HSCT Line:")


@pytest.mark.parametrize("number", range(1, 13))
def test_topic_by_number(texter, number):
    topic = PACK.topics[number - 1]
    reply = texter(str(number))
    assert reply.startswith(topic.pages[0][:40])
    assert "General info, not medical advice. Ask your MS team." in reply


@pytest.mark.parametrize(
    ("message", "topic_id"),
    [
        ("risks", "risks"),
        ("side effects", "risks"),
        ("Dangers?", "risks"),
        ("can u die from hsct", "risks"),
        ("how long till i can go back to work", "recovery"),
        ("is it better than ocrevus", "compare"),
        ("rsks", "risks"),
        ("recovry", "recovery"),
        ("am i eligable", "eligibility"),
        ("sideeffects", "risks"),
        ("how much does it cost", "cost"),
        ("COST", "cost"),
        ("where can i get it", "centres"),
        ("what should i ask the clinic", "questions"),
        ("any clinical trials?", "trials"),
        ("can i still have a baby", "fertility"),
        ("what is hsct", "what-is-it"),
        ("what are the steps", "steps"),
    ],
)
def test_topic_by_keyword_question_or_typo(texter, message, topic_id):
    assert texter(message).startswith(first_page(topic_id))


@pytest.mark.parametrize(
    "message",
    [
        "I had my transplant 2 weeks ago and have a fever",
        "shivering",
        "bleeding gums",
        "breathless",
        "temperature 38.5",
        "feel unwell after transplant",
    ],
)
def test_unwell_after_transplant_gets_urgent_help_first(texter, message):
    reply = texter(message)
    assert reply.startswith("Call your transplant team's 24-hour number now")


def test_urgent_help_comes_before_the_welcome_for_a_new_number(new_phone):
    assert new_phone("high temperature after my transplant").startswith("Call your transplant team")


def test_urgent_answer_uses_the_deployers_emergency_number(config):
    config["EMERGENCY_NUMBER"] = "112"
    phone = Texter(create_app(config).test_client())
    assert "call 112." in phone("fever")


def test_every_answer_fits_its_budget_and_stays_gsm7(texter):
    for number, topic in enumerate(PACK.topics, start=1):
        pages = [texter(str(number))]
        while len(pages) < len(topic.pages):
            pages.append(texter("MORE"))
        for index, page in enumerate(pages):
            assert is_gsm7(page), page
            assert encoding_of(page).segments <= (2 if index == 0 else 3), page
            assert page.endswith("MENU for topics.")


def test_more_pages_through_a_topic_then_says_it_is_done(texter):
    topic = PACK.by_id["risks"]
    first = texter("risks")
    assert first.endswith("Text MORE for more, MENU for topics.")
    for page in topic.pages[1:-1]:
        reply = texter("more")
        assert reply.startswith(page[:40])
        assert reply.endswith("Text MORE for more, MENU for topics.")
    last = texter("MORE please")
    assert last.startswith(topic.pages[-1][:40])
    assert last.endswith("Text MENU for topics.") and "MORE" not in last
    assert texter("more").startswith(
        f"That was the last of {len(topic.pages)} parts of this topic."
    )


def test_more_without_a_topic_explains(texter):
    assert texter("more").startswith("Choose a topic first")


def test_menu_returns_to_the_topics(texter):
    texter("risks")
    reply = texter("MENU")
    assert reply.startswith("Topics. Text a number:")
    assert "12 " + TOPIC_TITLES[11] in reply


def test_help_says_general_information_and_gives_helpline(config):
    config.update(HELPLINE_NUMBER="0808 800 8000", ORG_NAME="MS Example Charity")
    phone = Texter(create_app(config).test_client())
    phone("hi")
    reply = phone("HELP")
    assert "not medical advice" in reply
    assert "call 0808 800 8000" in reply
    assert "MS Example Charity" in reply
    assert encoding_of(reply).segments <= 3


def test_help_without_a_helpline_does_not_invent_one(texter):
    reply = texter("help")
    assert "not medical advice" in reply
    assert "call" not in reply.lower()


def test_unknown_text_gets_a_short_kind_reply_not_the_whole_menu(texter):
    reply = texter("purple elephants")
    assert reply.startswith("Sorry, I did not understand that.")
    assert "1 to 12" in reply
    assert TOPIC_TITLES[5] not in reply  # not the whole menu
    assert encoding_of(reply).segments == 1
    again = texter("zzzz qqqq")
    assert again.startswith("Sorry, I still did not understand.")
    assert "12 " + TOPIC_TITLES[11] in again  # twice lost: the menu, once
    assert texter("xyzzy").startswith("Sorry, I did not understand that.")


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
    assert texter(word).startswith("Welcome back to HSCT Line.")
    assert texter("risks").startswith(first_page("risks"))


def test_opt_out_takes_priority_mid_topic(texter):
    texter("risks")
    assert texter("stop") is None
    assert texter("more") is None


def test_opt_out_survives_a_restart(config):
    Texter(create_app(config).test_client())("STOP")
    restarted = Texter(create_app(config).test_client())
    assert restarted("risks") is None
    assert restarted("START").startswith("Welcome back")


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
    conn = sqlite3.connect(tmp_path / "line.sqlite")
    dump = "\n".join(conn.iterdump())
    assert "pudding" not in dump
    assert "call me on [number] about elephants" in dump and "07700" not in dump


def test_logs_never_show_the_number(client, caplog):
    caplog.set_level(logging.DEBUG)
    phone = Texter(client)
    for body in ["hi", "risks", "STOP", "START", "gibberish"]:
        phone(body)
    assert caplog.records, "the webhook should log each message"
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
    assert reply  # some words back, never a 500 or an empty reply
    assert len(reply) <= 1600


def test_missing_body_is_treated_as_an_empty_text(texter):
    assert texter(None)


def test_missing_from_still_answers_without_memory(client):
    phone = Texter(client, number=None)
    assert phone("risks").startswith(first_page("risks"))


def test_unknown_extra_fields_are_accepted(texter):
    assert texter("cost", NumMedia="0", FromCountry="GB", SomeFutureField="x").startswith(
        first_page("cost")
    )


def test_store_failure_still_answers(app, texter, monkeypatch, caplog):
    store = app.extensions["hsct_store"]

    def broken(*args):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "load", broken)
    monkeypatch.setattr(store, "save", broken)
    assert texter("risks").startswith(first_page("risks"))
    assert "store unavailable" in caplog.text


def test_core_failure_gets_an_apology_not_a_500(app, texter, monkeypatch):
    conversation = app.extensions["hsct_conversation"]

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(conversation, "reply", broken)
    assert texter("risks").startswith("Sorry, something went wrong.")
