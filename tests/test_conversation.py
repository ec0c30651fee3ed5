"""The conversation core as plain functions: no Flask, no Twilio."""

from __future__ import annotations

import pytest

from service.content import default_content
from service.conversation import CallerState, Conversation, Settings

CONTENT = default_content()


@pytest.fixture
def line():
    return Conversation(CONTENT, Settings())


def test_new_number_gets_welcome_and_keeps_state(line):
    reply, state = line.reply("hello", None)
    assert reply.intent == "welcome"
    assert state == CallerState(detected="en")


def test_state_is_not_mutated_in_place(line):
    before = CallerState()
    _, after = line.reply("risks", before)
    assert before == CallerState() and after.topic == "risks"


def test_topic_then_more_then_end(line):
    reply, state = line.reply("4", CallerState())
    assert (reply.intent, reply.topic, reply.page) == ("topic", "risks", 0)
    pages = len(CONTENT.pack("en").by_id["risks"].pages)
    for page in range(1, pages):
        reply, state = line.reply("more", state)
        assert (reply.intent, reply.page) == ("more", page)
    reply, state = line.reply("more", state)
    assert reply.intent == "end" and state.page == pages - 1


def test_opt_out_then_silence_then_opt_in(line):
    reply, state = line.reply("STOP", CallerState())
    assert reply.text is None and state.opted_out
    reply, state = line.reply("help", state)
    assert reply.text is None and reply.intent == "opted_out"
    reply, state = line.reply("unstop", state)
    assert reply.intent == "opt_in" and not state.opted_out


def test_yes_from_a_subscribed_number_just_shows_the_menu(line):
    reply, _ = line.reply("YES", CallerState())
    assert reply.intent == "menu"


def test_misses_count_and_reset(line):
    _, state = line.reply("qwerty", CallerState())
    assert state.misses == 1
    _, state = line.reply("qwerty", state)
    assert state.misses == 2
    _, state = line.reply("cost", state)
    assert state.misses == 0


def test_helpline_offered_after_repeated_misses():
    line = Conversation(CONTENT, Settings(helpline="0800 000"))
    reply, _ = line.reply("qwerty", CallerState(misses=2))
    assert "call 0800 000" in reply.text


def test_language_list_and_choice():
    line = Conversation(CONTENT, Settings(languages=("en", "es")))
    reply, state = line.reply("LANG", CallerState())
    assert reply.text.splitlines()[1:] == ["1 English", "2 Español"]
    assert state.menu == "languages"
    reply, state = line.reply("2", state)
    assert state.lang == "es" and state.menu == "topics"
    reply, state = line.reply("2", state)  # a number now picks a topic again
    assert reply.topic == "steps"


def test_only_one_language_says_so(line):
    reply, state = line.reply("language", CallerState())
    assert "English only" in reply.text and state.menu == "topics"


def test_unknown_stored_language_falls_back_to_default(line):
    reply, _ = line.reply("cost", CallerState(lang="xx"))
    assert reply.lang == "en" and reply.topic == "cost"


def test_language_names_are_their_own():
    languages = Conversation(CONTENT, Settings(languages=("en", "cy", "es"))).languages
    assert languages.name("cy") == "Cymraeg"
    assert languages.name("es") == "Español"
