"""WhatsApp: the same line as SMS, shaped for WhatsApp, with answers as voice notes."""

from __future__ import annotations

import pytest

from service import create_app
from service.audio.build import build, wanted_clips
from service.audio.clips import mp3_seconds
from service.audio.engines import FakeEngine
from service.core.segments import encoding_of

from .conftest import fake_twilio
from .helpers import EN, NUMBER, Caller, Texter, answer_start, first_page, system

WHATSAPP = "whatsapp:" + NUMBER


@pytest.fixture
def chat(client):
    """A WhatsApp user who has already written once."""
    user = Texter(client, WHATSAPP)
    user("hi")
    return user


@pytest.fixture
def clips(app):
    svc = app.extensions["hsct"]
    build(svc.clips, wanted_clips(svc.phone, ["en"]), [FakeEngine()])
    return svc.clips


def test_a_question_is_answered_in_kind_with_a_bold_title(chat):
    reply = chat("is hsct a cure for ms")
    assert reply.startswith(f"*{EN.answers['is-it-a-cure'].question}*\n")
    assert answer_start("is-it-a-cure") in reply and system("disclaimer") in reply


def test_whole_pages_come_as_one_message_without_sms_splitting(chat):
    first = chat("risks")
    assert first.startswith(f"*{EN.by_id['risks'].title}*")
    for page in EN.by_id["risks"].pages[1:]:
        reply = chat("MORE")
        assert reply.startswith(page[:40]) and page.split()[-1] in reply  # the whole page
    assert encoding_of(first).segments >= 1 and len(first) <= 1600


def test_audio_sends_the_last_answer_as_a_voice_note(app, chat, clips):
    chat("will my hair fall out")
    answer = chat.send("AUDIO")
    assert answer.messages == [system("voice_note_caption")]
    url = answer.media[0]
    assert url.startswith("http://localhost/audio/") and url.endswith(".mp3")
    with app.test_client().get(url.removeprefix("http://localhost")) as served:
        assert served.status_code == 200 and served.mimetype == "audio/mpeg"
        assert mp3_seconds(served.get_data()) > 0


def test_audio_of_a_topic_page(chat, clips):
    chat("risks")
    assert chat.send("AUDIO").media


def test_audio_without_a_clip_says_it_is_not_ready(chat):
    chat("will my hair fall out")
    answer = chat.send("AUDIO")
    assert answer.messages == [system("audio_not_ready")] and answer.media == []


def test_voice_notes_on_then_every_answer_comes_spoken_too(chat, clips):
    assert chat("voice notes on") == system("voice_notes_on")
    answer = chat.send("what is edss")
    assert answer.media and answer_start("what-is-edss") in answer.messages[0]
    assert chat("voice off") == system("voice_notes_off")
    assert chat.send("what is edss").media == []


def test_a_deployer_can_make_voice_notes_the_default(config, clips):
    config["WHATSAPP_VOICE_NOTES"] = "always"
    app = create_app(config)
    svc = app.extensions["hsct"]
    build(svc.clips, wanted_clips(svc.phone, ["en"]), [FakeEngine()])
    assert Texter(app.test_client(), WHATSAPP).send("what is edss").media


def test_voice_notes_by_sms_point_to_whatsapp(texter):
    assert texter("voice notes on") == system("voice_notes_whatsapp_only")


def test_a_voice_note_sent_to_the_line_is_answered_kindly(chat):
    reply = chat("", NumMedia="1", MediaContentType0="audio/ogg", MediaUrl0="https://x/y")
    assert reply == system("voice_note_in")


def test_stop_and_start_on_whatsapp_are_kept_apart_from_sms(client):
    whatsapp, sms = Texter(client, WHATSAPP), Texter(client, NUMBER)
    whatsapp("hi")
    sms("hi")
    assert whatsapp("STOP") is None
    assert whatsapp("risks") is None  # WhatsApp stopped...
    assert sms("risks").startswith(first_page("risks"))  # ...texts go on
    assert whatsapp("START") == system("opted_in")


def test_language_is_read_the_same_as_by_sms(client):
    reply = Texter(client, "whatsapp:+34600123456")("hola")
    assert reply.startswith(CONTENT_ES_WELCOME[:20])


CONTENT_ES_WELCOME = __import__("tests.helpers").helpers.CONTENT.pack("es").text("welcome")


def test_urgent_help_first_on_whatsapp(chat):
    assert chat("i have a fever after my transplant").startswith("Call your transplant team")


def test_text_me_from_a_call_goes_by_whatsapp_when_the_window_is_open(config, client, app):
    config["WHATSAPP_SENDER"] = "whatsapp:+14155238886"
    app = create_app(config)
    twilio = fake_twilio(app)
    app.extensions["hsct"].outbound.whatsapp_sender = "whatsapp:+14155238886"
    Texter(app.test_client(), WHATSAPP)("hi")
    caller = Caller(app.test_client())
    caller.reach("3", "1", "3")
    sent = twilio.texts[-1]
    assert sent["To"] == WHATSAPP and sent["From"] == "whatsapp:+14155238886"


def test_text_me_goes_by_sms_when_no_whatsapp_window_is_open(caller, twilio):
    caller.reach("3", "1", "3")
    assert twilio.texts[-1]["To"] == NUMBER


def test_the_usage_page_counts_whatsapp_and_voice_notes(config, clips):
    config["STATS_TOKEN"] = "t"
    app = create_app(config)
    svc = app.extensions["hsct"]
    build(svc.clips, wanted_clips(svc.phone, ["en"]), [FakeEngine()])
    user = Texter(app.test_client(), WHATSAPP)
    user("hi")
    user("will my hair fall out")
    user("AUDIO")
    rows = svc.store.counts(1)
    assert any(row[1:4] == ("whatsapp", "en", "voice_note") for row in rows)
    page = app.test_client().get("/stats?token=t").get_data(as_text=True)
    assert "WhatsApp voice notes sent: 1" in page
