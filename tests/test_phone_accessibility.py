"""Every phone menu, in every enabled language, against the accessibility rules
(../shared/standards.md section 1): menu size, depth, keys, timeouts, input modes, prompts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from service.channels.voice_twiml import render
from service.config import LANGUAGE_ORDER
from service.core.paging import spoken_seconds
from service.core.phone import positions as at
from service.core.phone.menu import MAX_PART_SECONDS, RESERVED
from service.core.phone.positions import Call, Kind
from service.core.phone.walk import walk
from service.core.state import CallerState

MAX_PROMPT_SECONDS = 30  # standards M4: each spoken item at most 30 s
DEPTH = {
    Kind.MAIN: 1,
    Kind.GROUP: 2,
    Kind.TOPIC: 3,
    Kind.ANSWER: 2,
    Kind.HELP: 2,
    Kind.LANGUAGES: 2,
    Kind.DIALLED: 2,
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from service import create_app

    from .helpers import CONTENT

    app = create_app(
        {
            "TESTING": True,
            "TWILIO_AUTH_TOKEN": "t",
            "SECRET_KEY": "s",
            "DATABASE_URL": "sqlite:///:memory:",
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "HELPLINE_NUMBER": "+442079460999",
            "AUDIO_DIR": str(tmp_path_factory.mktemp("no-clips")),
            "CONTENT": CONTENT,
        }
    )
    with app.test_request_context():
        yield app


@pytest.fixture(scope="module")
def svc(app):
    return app.extensions["hsct"]


SPOKEN = [code for code in LANGUAGE_ORDER if code != "ur"]  # Urdu: clips only (no Twilio voice)


def menus(svc, lang):
    """Each place a caller can wait at, once."""
    found = {}
    for turn in walk(svc.phone, lang):
        if turn.call and turn.lang == lang:
            found.setdefault(turn.call.place, turn)
    return found


@pytest.mark.parametrize("lang", SPOKEN)
def test_every_menu_follows_the_rules(svc, lang):
    places = menus(svc, lang)
    kinds = {place.kind for place in places}
    assert kinds == set(Kind), kinds
    listens = svc.voices.speech(lang) is not None
    for place, turn in places.items():
        # V1 at most 4 choices; V3 keys 1..n rising with no gaps.
        assert 1 <= len(turn.keys) <= 4, place
        assert list(turn.keys) == [str(n) for n in range(1, len(turn.keys) + 1)], place
        # V2 at most 3 levels.
        assert DEPTH[place.kind] <= 3
        # Reserved keys never collide with choices, and work everywhere (V4, V5).
        assert not set(turn.keys) & set(RESERVED)
        wrong = svc.line.pack(lang).fill("voice.wrong_key")
        for key in RESERVED:
            after, _ = svc.phone.answer(turn.call, CallerState(lang=lang), digits=key)
            assert after.call is not None, (place, key)
            assert wrong not in [s.text for s in after.say], (place, key)
        # V6 V7 V11: keys (and speech where Twilio hears the language), >= 10 s, barge-in.
        gather = ET.fromstring(str(render(svc, turn, slow=False))).find("Gather")
        assert gather.get("input") == ("dtmf speech" if listens else "dtmf")
        assert int(gather.get("timeout")) >= 10
        assert gather.get("language") == svc.voices.speech(lang)
        if listens:
            hints = gather.get("hints").split(", ")
            assert hints and len(hints) <= 500 and all(len(h) <= 100 for h in hints)
        assert gather.findall("Say") or gather.findall("Play")
        # M4: prompts short; a part of a topic at most 45 s even at the slow speed.
        for speech in turn.say:
            content = speech.kind == "content"
            limit = MAX_PART_SECONDS if content else MAX_PROMPT_SECONDS
            assert spoken_seconds(speech.text, speech.lang, slow=content) <= limit, place


@pytest.mark.parametrize("lang", SPOKEN)
def test_options_say_the_task_before_the_key(svc, lang):
    turn, _ = svc.phone.start(CallerState(lang=lang), None)
    for option in svc.phone.options(turn.call, lang):
        text = option.prompt.text
        assert text.rstrip(".。।").endswith(option.key) or text.index(option.key) > len(text) // 2


@pytest.mark.parametrize("lang", SPOKEN)
def test_every_topic_within_two_presses_and_urgent_help_first(svc, lang):
    start, _ = svc.phone.start(CallerState(lang=lang), None)
    first, _ = svc.phone.answer(start.call, CallerState(lang=lang), digits="1")
    assert first.call.place == at.topic("urgent")
    reached = set()
    for key in start.keys:
        one, _ = svc.phone.answer(start.call, CallerState(lang=lang), digits=key)
        if one.call.place.kind is Kind.TOPIC:
            reached.add(one.call.place.id)
        for second in one.keys if one.call.place.kind is Kind.GROUP else ():
            two, _ = svc.phone.answer(one.call, CallerState(lang=lang), digits=second)
            reached.add(two.call.place.id)
    assert len(reached) == 12


def test_languages_without_a_voice_are_said_to_be_text_only(svc):
    turn, _ = svc.phone.start(CallerState(lang="ur"), None)
    assert "available by text message only" in turn.say[0].text
    assert turn.lang == "en"


def test_silence_never_hangs_up_on_the_first_silence(svc):
    turn, _ = svc.phone.start(CallerState(), None)
    call = turn.call
    for _ in range(2):
        turn, _ = svc.phone.answer(call, CallerState(), digits="")
        assert turn.call is not None and not turn.hangup
        call = turn.call
    turn, _ = svc.phone.answer(call, CallerState(), digits="")
    assert turn.hangup


def test_slower_speech_and_a_person_are_options_in_help(svc):
    turn, _ = svc.phone.answer(Call(), CallerState(), digits="0")
    prompts = " ".join(s.text for s in turn.say)
    assert "slower speech" in prompts and "talk to a person" in prompts
