"""Read-aloud clips: real offline speech, gTTS faked, the build, and clips on the phone,
in listen pages and as WhatsApp voice notes."""

from __future__ import annotations

import base64
import os
import time

import pytest
import requests

from service import create_app
from service.audio.build import build, wanted_clips
from service.audio.clips import Clips, clip_name, mp3_seconds
from service.audio.engines import EspeakEngine, FakeEngine, GttsEngine, SpeechFailed, Unreachable
from service.channels.voices import VoiceTable
from service.core.paging import spoken_seconds

from .helpers import EN, Caller, Texter, system

ESPEAK = EspeakEngine(VoiceTable.load().engine_voices("espeak"))


@pytest.mark.parametrize(
    "lang,text",
    [
        (
            "en",
            "aHSCT uses your own blood stem cells. Strong chemotherapy weakens your immune system.",
        ),
        ("cy", "Croeso yn ôl i Linell HSCT."),
        ("ur", "HSCT Line پر دوبارہ خوش آمدید۔"),
        ("zh_Hans", "欢迎回到HSCT Line。"),
    ],
)
def test_offline_engine_makes_real_mp3_of_the_right_length(lang, text):
    normal = ESPEAK.synthesize(text, lang, slow=False)
    slow = ESPEAK.synthesize(text, lang, slow=True)
    assert normal[:3] == b"ID3" or normal[0] == 0xFF  # an MP3 stream
    seconds, slower = mp3_seconds(normal), mp3_seconds(slow)
    expected = spoken_seconds(text, lang)
    assert 0.3 * expected < seconds < 3 * expected + 1, (seconds, expected)
    assert slower > seconds  # the slow clip really is slower


def test_offline_engine_refuses_a_language_it_has_no_voice_for():
    with pytest.raises(SpeechFailed):
        ESPEAK.synthesize("hello", "xx", slow=False)


class FakeSession:
    """requests.Session.send, faked: answers in turn from a list of (status, body)."""

    def __init__(self, answers):
        self.answers, self.requests = list(answers), []

    def __call__(self, request, **kwargs):
        self.requests.append((request, kwargs))
        status, body = self.answers.pop(0)
        if status is None:
            raise requests.exceptions.ConnectionError("no route to host")
        response = requests.Response()
        response.status_code, response._content, response.request = status, body, request
        response._content_consumed = True
        return response


def google_audio(data: bytes) -> bytes:
    """What Google's endpoint sends back: the audio, base64, inside a JSON-ish line."""
    encoded = base64.b64encode(data).decode()
    return f')]}}\'\n[["wrb.fr","jQ1olc","[\\"{encoded}\\"]",null,null,null,"generic"]]'.encode()


@pytest.fixture
def gtts_engine():
    sleeps = []
    engine = GttsEngine({"en": {"lang": "en", "tld": "co.uk"}}, timeout=7, sleep=sleeps.append)
    return engine, sleeps


def test_gtts_sets_accent_and_timeout_and_retries_throttling(gtts_engine, monkeypatch):
    engine, sleeps = gtts_engine
    fake = FakeSession([(429, b"Too Many Requests"), (503, b"busy"), (200, google_audio(b"MP3!"))])
    monkeypatch.setattr(requests.Session, "send", fake)
    assert engine.synthesize("Hello there.", "en", slow=False) == b"MP3!"
    request, kwargs = fake.requests[-1]
    assert "translate.google.co.uk" in request.url and kwargs["timeout"] == 7
    assert sleeps == [1, 2]  # backed off twice


def test_gtts_unreachable_and_refused(gtts_engine, monkeypatch):
    engine, _ = gtts_engine
    monkeypatch.setattr(requests.Session, "send", FakeSession([(None, b"")]))
    with pytest.raises(Unreachable):
        engine.synthesize("Hello.", "en", slow=False)
    monkeypatch.setattr(requests.Session, "send", FakeSession([(403, b"Forbidden")]))
    with pytest.raises(SpeechFailed):
        engine.synthesize("Hello.", "en", slow=False)
    with pytest.raises(SpeechFailed):
        engine.synthesize("Hello.", "ur", slow=False)  # no gTTS voice configured for it here


@pytest.mark.skipif(
    not os.environ.get("HSCT_NETWORK_TESTS"), reason="network test: set HSCT_NETWORK_TESTS=1"
)
def test_gtts_for_real():
    engine = GttsEngine({"en": {"lang": "en", "tld": "co.uk"}})
    assert mp3_seconds(engine.synthesize("Hello from HSCT Line.", "en", slow=False)) > 0.5


class Picky(FakeEngine):
    """A fake engine that cannot say one particular text."""

    def synthesize(self, text, lang, slow):
        if "Goodbye" in text:
            raise SpeechFailed("cannot say goodbye")
        return super().synthesize(text, lang, slow)


class Offline(FakeEngine):
    name = "gtts"

    def synthesize(self, text, lang, slow):
        raise Unreachable("no network")


def test_build_makes_each_clip_once_and_survives_failures(app, tmp_path):
    menu = app.extensions["hsct"].phone
    clips = Clips(tmp_path / "clips")
    wanted = wanted_clips(menu, ["en", "cy"])
    assert {lang for _, lang, _ in wanted} >= {"en", "cy"}
    assert {slow for *_, slow in wanted} == {False, True}
    kinds = set().union(*wanted.values())
    assert kinds == {"phone", "voice notes"}  # every answer and topic page as a voice note too
    answer = menu.line.answer_text("en", "hair-loss", spoken=True)
    assert (answer, "en", False) in wanted and (answer, "en", True) in wanted
    offline, picky = Offline(), Picky()
    report = build(clips, wanted, [offline, picky])
    failed_texts = {clip[0] for clip, _ in report.failed}
    assert failed_texts and all("Goodbye" in text for text in failed_texts)
    assert report.built["espeak"] == len(wanted) - len(report.failed)
    assert len(list(clips.directory.glob("*.mp3"))) == report.built["espeak"]
    # Nothing changed: a second run does nothing, quickly.
    start = time.perf_counter()
    again = build(clips, wanted, [picky])
    assert sum(again.built.values()) == 0 and again.skipped == report.built["espeak"]
    assert time.perf_counter() - start < 5
    # Changed text gets a new clip name, so Twilio's cache never plays a stale one.
    assert clip_name("a", "en", "espeak", False) != clip_name("b", "en", "espeak", False)
    assert clip_name("a", "en", "espeak", False) != clip_name("a", "en", "espeak", True)


def test_build_command_reports_built_skipped_failed(app, monkeypatch):
    monkeypatch.setattr("service.tools.cli.engines_for", lambda choice, voices: [FakeEngine()])
    runner = app.test_cli_runner()
    first = runner.invoke(args=["audio", "build", "--lang", "cy"])
    assert first.exit_code == 0, first.output
    assert "Building clips" in first.output and "failed 0" in first.output
    assert "voice notes" in first.output and "MB added" in first.output
    started = time.perf_counter()
    second = runner.invoke(args=["audio", "build", "--lang", "cy"])
    assert "built 0 clip(s)" in second.output and "skipped" in second.output
    assert time.perf_counter() - started < 5


def test_built_clips_carry_a_language_twilio_cannot_speak(app, client):
    svc = app.extensions["hsct"]
    build(svc.clips, wanted_clips(svc.phone, ["ur"]), [FakeEngine()])
    Texter(client)("LANG ur")
    caller = Caller(client)
    root = caller.call()
    assert root.find("Gather").get("language") == "ur-PK"
    said = [say.text for say in root.iter("Say")]
    assert root.findall("Gather/Play") and not said, said
    assert all(play.text.startswith("http://localhost/audio/") for play in root.iter("Play"))


def test_slow_speech_plays_the_slow_clip(app, client):
    svc = app.extensions["hsct"]
    build(svc.clips, wanted_clips(svc.phone, ["en"]), [FakeEngine()])
    caller = Caller(client)
    caller.call()
    caller.press("0")
    caller.press("1")  # slower
    root = caller.press("3")
    plays = [play.text.rsplit("/", 1)[1] for play in root.iter("Play")]
    assert plays and all((svc.clips.directory / name).exists() for name in plays)
    assert all(svc.clips.engine_of(text, "en", True) for text in svc.phone.pages("en", "risks"))
    assert not root.findall(".//Say")  # every prompt had a clip


def test_a_slow_clip_is_never_over_45_seconds():
    """The longest part of any English topic, said slowly by the offline voice."""
    from service.core.line import Line
    from service.core.phone.menu import PhoneMenu
    from service.core.state import Settings

    from .helpers import CONTENT

    menu = PhoneMenu(Line(CONTENT, Settings()))
    parts = [part for topic in EN.topics for part in menu.pages("en", topic.id)]
    longest = max(parts, key=len)
    assert mp3_seconds(ESPEAK.synthesize(longest, "en", slow=True)) <= 45


def test_texters_get_a_link_to_listen(app, client):
    svc = app.extensions["hsct"]
    build(svc.clips, wanted_clips(svc.phone, ["es"]), [FakeEngine()])
    phone = Texter(client)
    phone("hi")
    assert phone("AUDIO") == system("audio_first")
    phone("LANG es")
    phone("5")
    reply = phone("audio")
    assert reply.endswith("http://localhost/listen/es/risks")
    page = client.get("/listen/es/risks").get_data(as_text=True)
    assert 'lang="es"' in page and "<audio controls" in page and 'id="play-all"' in page


def test_a_listen_page_without_clips_still_plays_in_the_browsers_voice(client):
    phone = Texter(client)
    phone("hi")
    phone("will my hair fall out")
    reply = phone("audio")
    assert reply.endswith("http://localhost/listen/en/answer/hair-loss")
    page = client.get("/listen/en/answer/hair-loss").get_data(as_text=True)
    assert 'id="play-all"' in page and "speechSynthesis" in page
    assert EN.answers["hair-loss"].text in page and "<audio" not in page


def test_missing_clips_never_block_start_up(config, tmp_path):
    config["AUDIO_DIR"] = str(tmp_path / "never-built")
    app = create_app(config)
    assert app.extensions["hsct"].clips.find("anything", "en", False) is None


def test_prepare_compiles_and_builds_clips_in_the_background(config, monkeypatch):
    started = []
    monkeypatch.setattr("subprocess.Popen", lambda command, **kwargs: started.append(command))
    result = create_app(config).test_cli_runner().invoke(args=["prepare"])
    assert result.exit_code == 0, result.output
    assert started and started[0][-4:] == ["--quiet", "--engine", "espeak"][-4:] or started
