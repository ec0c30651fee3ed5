"""Every phone menu, in every enabled language, against the accessibility rules
(../shared/standards.md section 1): menu size, depth, keys, timeouts, input modes, prompts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from service.config import LANGUAGE_ORDER
from service.conversation import CallerState
from service.phone import MAX_PAGE_SECONDS, RESERVED, Call, PhoneMenu, spoken_seconds
from service.voice import VOICES, render

MAX_PROMPT_SECONDS = 30  # standards M4: each spoken item at most 30 s
DEPTH = {"main": 1, "group": 2, "topic": 3, "help": 2, "lang": 2}


def walk(menu: PhoneMenu, lang: str) -> dict[str, object]:
    """Every menu a caller can reach, by pressing every option and reserved key."""
    state = CallerState(lang=lang)
    start, _ = menu.start(state, None)
    seen = {start.call.node: start}
    queue = [start]
    while queue:
        turn = queue.pop()
        for key in (*turn.keys, *RESERVED):
            nxt, _ = menu.answer(turn.call, state, digits=key)
            if nxt.call and nxt.call.node not in seen and nxt.lang == lang:
                seen[nxt.call.node] = nxt
                queue.append(nxt)
    return seen


@pytest.fixture(scope="module")
def menu(tmp_path_factory):
    from service import create_app

    app = create_app(
        {
            "TESTING": True,
            "TWILIO_AUTH_TOKEN": "t",
            "SECRET_KEY": "s",
            "DATABASE_URL": "sqlite:///:memory:",
            "HELPLINE_NUMBER": "+442079460999",
            "AUDIO_DIR": str(tmp_path_factory.mktemp("no-clips")),
        }
    )
    with app.test_request_context():
        yield app.extensions["hsct_phone"]


SPOKEN = [code for code in LANGUAGE_ORDER if VOICES[code]["say"]]


@pytest.mark.parametrize("lang", SPOKEN)
def test_every_menu_follows_the_rules(menu, lang):
    menus = walk(menu, lang)
    kinds = {node.split(":")[0] for node in menus}
    assert kinds == {"main", "group", "topic", "help", "lang"}, kinds
    for node, turn in menus.items():
        # V1 at most 4 choices; V3 keys 1..n rising with no gaps.
        assert 1 <= len(turn.keys) <= 4, node
        assert list(turn.keys) == [str(n) for n in range(1, len(turn.keys) + 1)], node
        # V2 at most 3 levels.
        assert DEPTH[node.split(":")[0]] <= 3
        # Reserved keys never collide with choices, and work everywhere (V4, V5).
        assert not set(turn.keys) & set(RESERVED)
        for key in RESERVED:
            after, _ = menu.answer(turn.call, CallerState(lang=lang), digits=key)
            assert after.call is not None, (node, key)
            wrong = menu._pack(lang).strings["voice.wrong_key"]
            assert wrong not in [s.text for s in after.say], (node, key)
        # V6 V7 V11: keys and speech, its language, hints, >= 10 s, prompts inside Gather.
        gather = ET.fromstring(str(render(turn, slow=False))).find("Gather")
        assert gather.get("input") == "dtmf speech"
        assert int(gather.get("timeout")) >= 10
        assert gather.get("language") == VOICES[lang]["speech"]
        hints = gather.get("hints").split(", ")
        assert hints and len(hints) <= 500 and all(len(h) <= 100 for h in hints)
        assert gather.findall("Say") or gather.findall("Play")
        # M4: prompts short; a topic part at most 40 s.
        for speech in turn.say:
            limit = MAX_PAGE_SECONDS if node.startswith("topic:") else MAX_PROMPT_SECONDS
            assert spoken_seconds(speech.text, speech.lang) <= limit, (node, speech.text[:60])


@pytest.mark.parametrize("lang", SPOKEN)
def test_options_say_the_task_before_the_key(menu, lang):
    turn, _ = menu.start(CallerState(lang=lang), None)
    for option in menu._options(turn.call, lang):
        text = option.prompt.text
        assert text.rstrip(".。।").endswith(option.key) or text.index(option.key) > len(text) // 2


@pytest.mark.parametrize("lang", SPOKEN)
def test_every_topic_within_two_presses(menu, lang):
    start, _ = menu.start(CallerState(lang=lang), None)
    reached = set()
    for first in start.keys:
        one, _ = menu.answer(start.call, CallerState(lang=lang), digits=first)
        if one.call.node.startswith("topic:"):
            reached.add(one.call.node.split(":")[1])
        for second in one.keys if one.call.node.startswith("group:") else ():
            two, _ = menu.answer(one.call, CallerState(lang=lang), digits=second)
            reached.add(two.call.node.split(":")[1])
    assert len(reached) == 12


def test_languages_without_a_voice_are_said_to_be_text_only(menu):
    turn, _ = menu.start(CallerState(lang="ur"), None)
    assert "available by text message only" in turn.say[0].text
    assert turn.lang == "en"


def test_silence_never_hangs_up_on_the_first_silence(menu):
    turn, _ = menu.start(CallerState(), None)
    call = turn.call
    for _ in range(2):
        turn, _ = menu.answer(call, CallerState(), digits="")
        assert turn.call is not None and not turn.hangup
        call = turn.call
    turn, _ = menu.answer(call, CallerState(), digits="")
    assert turn.hangup


def test_slower_speech_is_an_option_in_help(menu):
    turn, _ = menu.answer(Call("main"), CallerState(), digits="0")
    prompts = " ".join(s.text for s in turn.say)
    assert "slower speech" in prompts and "talk to a person" in prompts
