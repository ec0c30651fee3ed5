"""Whole phone calls through POST /voice and /voice/menu, signed like Twilio, TwiML parsed."""

from __future__ import annotations

import datetime
import json
import logging
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlparse

import pytest
from twilio.http.http_client import HttpClient
from twilio.http.response import Response

from service import create_app
from service.content import default_content

from .conftest import NUMBER, sign

PACK = default_content().pack("en")


class FakeTwilio(HttpClient):
    """Twilio's REST API, faked: records each request and answers as told."""

    def __init__(self, status: int = 201, code: int | None = None) -> None:
        super().__init__(logging.getLogger("fake-twilio"), is_async=False)
        self.status, self.code, self.requests = status, code, []

    def request(self, method, url, params=None, data=None, headers=None, auth=None, **kwargs):
        self.requests.append({"method": method, "url": url, "data": dict(data or {})})
        if self.status >= 400:
            body = {"code": self.code, "message": "refused", "status": self.status}
            return Response(self.status, json.dumps(body))
        return Response(self.status, json.dumps({"sid": "SM" + "1" * 32, "status": "queued"}))


class Caller:
    """A phone calling the line: follows each Gather's action like Twilio does."""

    def __init__(self, client, number: str = NUMBER) -> None:
        self.client, self.number = client, number
        self.action: str | None = None
        self.root: ET.Element | None = None

    def post(self, path: str, **fields: str) -> ET.Element:
        params = {"CallSid": "CA" + "0" * 32, "From": self.number, "To": "+442079460001", **fields}
        response = self.client.post(
            path,
            data=params,
            headers={"X-Twilio-Signature": sign("http://localhost" + path, params)},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/xml"
        self.root = ET.fromstring(response.get_data(as_text=True))
        gather = self.root.find("Gather")
        self.action = gather.get("action") if gather is not None else None
        return self.root

    def call(self) -> ET.Element:
        return self.post("/voice")

    def press(self, key: str) -> ET.Element:
        return self.post(self.action, Digits=key)

    def say(self, words: str, confidence: str = "0.92") -> ET.Element:
        return self.post(self.action, SpeechResult=words, Confidence=confidence)

    def reach(self, *keys: str) -> ET.Element:
        """Call, then press each key in turn."""
        root = self.call()
        for key in keys:
            root = self.press(key)
        return root

    def wait(self) -> ET.Element:
        return self.post(self.action)  # silence: Twilio posts with no Digits (actionOnEmptyResult)

    @property
    def heard(self) -> str:
        return " ".join("".join(el.itertext()) for el in self.root.iter("Say"))

    @property
    def node(self) -> str:
        return parse_qs(urlparse(self.action).query)["n"][0]


@pytest.fixture
def caller(client):
    return Caller(client)


def test_new_caller_hears_greeting_menu_and_reserved_keys(caller):
    root = caller.call()
    gather = root.find("Gather")
    assert gather.get("input") == "dtmf speech"
    assert int(gather.get("timeout")) >= 10
    assert gather.get("language") == "en-GB"
    assert gather.get("actionOnEmptyResult") == "true"
    assert "general information" in caller.heard and "not medical advice" in caller.heard
    assert "For risks and recovery, press 2." in caller.heard
    assert (
        "press 0 for help, star to go back, 5 to repeat, or 8 for another language" in caller.heard
    )


def test_returning_caller_is_welcomed_back(caller):
    caller.call()
    caller.call()
    assert caller.heard.startswith("Welcome back")


def test_press_through_to_a_topic_and_hear_more(caller):
    caller.call()
    caller.press("2")
    assert "To hear the risks and side effects, press 1." in caller.heard
    caller.press("1")
    assert PACK.by_id["risks"].pages[0] in caller.heard
    assert "General info, not medical advice" in caller.heard
    assert caller.node == "topic:risks:0"
    caller.press("2")  # more
    assert PACK.by_id["risks"].pages[1] in caller.heard
    caller.press("1")  # repeat
    assert PACK.by_id["risks"].pages[1] in caller.heard


def test_every_topic_is_two_presses_from_the_main_menu(client):
    reached = set()
    for first in "1234":
        for second in ["", "1", "2", "3", "4"]:
            caller = Caller(client)
            caller.call()
            caller.press(first)
            if second and caller.node.startswith("group:"):
                caller.press(second)
            if caller.node.startswith("topic:"):
                reached.add(caller.node.split(":")[1])
    assert reached == {topic.id for topic in PACK.topics}


def test_saying_a_choice_works_like_pressing(caller):
    caller.call()
    caller.say("risks and recovery")
    assert caller.node == "group:risks"
    caller.say("two")
    assert caller.node == "topic:recovery:0"
    caller.say("go back")
    assert caller.node == "group:risks"


def test_saying_a_topic_goes_straight_to_it(caller):
    caller.call()
    caller.say("how much does it cost")
    assert caller.node == "topic:cost:0"
    assert "150,000 US dollars" in caller.heard


def test_low_confidence_speech_is_asked_again(caller):
    caller.call()
    caller.say("risks", confidence="0.2")
    assert caller.heard.startswith("Sorry, I did not catch that.")
    assert caller.node == "main"


def test_wrong_key_says_so_and_repeats_the_choices(caller):
    caller.call()
    caller.press("2")
    caller.press("7")
    assert caller.heard.startswith("Sorry, that key is not one of the choices.")
    assert "To hear the risks and side effects, press 1." in caller.heard
    assert caller.node == "group:risks"


def test_silence_reprompts_twice_then_offers_texts_and_says_goodbye(caller):
    caller.call()
    for _ in range(2):
        caller.wait()
        assert caller.heard.startswith("Sorry, I did not hear anything.")
        assert "press 1" in caller.heard
    root = caller.wait()
    assert root.find("Gather") is None and root.find("Hangup") is not None
    assert "text this number" in caller.heard and "Goodbye" in caller.heard


def test_star_goes_back_and_five_repeats(caller):
    caller.call()
    caller.press("1")
    caller.press("2")
    assert caller.node == "topic:steps:0"
    caller.press("5")
    assert caller.node == "topic:steps:0" and PACK.by_id["steps"].pages[0] in caller.heard
    caller.press("*")
    assert caller.node == "group:about"
    caller.press("*")
    assert caller.node == "main"


def test_slower_speech_lasts_for_the_rest_of_the_call(caller):
    caller.call()
    caller.press("0")
    assert caller.node == "help"
    caller.press("1")  # no helpline set: option 1 is slower speech
    assert "more slowly" in caller.heard
    caller.press("2")
    prosody = caller.root.find(".//Say/prosody")
    assert prosody is not None and prosody.get("rate") == "80%"
    caller.press("1")
    assert caller.root.find(".//Say/prosody").get("rate") == "80%"


@pytest.fixture
def texting(app):
    app.config.update(TWILIO_ACCOUNT_SID="AC" + "0" * 32)
    fake = FakeTwilio()
    app.extensions["twilio_http_client"] = fake
    return fake


def test_text_me_this_sends_the_topic_by_sms(caller, texting, client):
    caller.reach("2", "1", "3")  # risks, then text me
    assert caller.heard.startswith("I have sent this to you by text message.")
    sent = texting.requests[-1]
    assert sent["url"].endswith("/Messages.json")
    assert sent["data"]["To"] == NUMBER and sent["data"]["SmartEncoded"] == "true"
    assert sent["data"]["Body"].startswith(PACK.by_id["risks"].pages[0][:40])
    # ...and MORE by text carries on from that topic.
    from .conftest import Texter

    assert Texter(client)("MORE").startswith(PACK.by_id["risks"].pages[1][:40])


def test_text_me_to_an_opted_out_number_is_not_sent(caller, texting, client):
    from .conftest import Texter

    Texter(client)("STOP")
    caller.reach("2", "1", "3")  # risks, then text me
    assert caller.heard.startswith("Your number has opted out")
    assert texting.requests == []


def test_twilio_21610_counts_as_opted_out(caller, app, client):
    app.config.update(TWILIO_ACCOUNT_SID="AC" + "0" * 32)
    app.extensions["twilio_http_client"] = FakeTwilio(400, 21610)
    caller.reach("2", "1", "3")  # risks, then text me
    assert caller.heard.startswith("Your number has opted out")
    from .conftest import Texter

    assert Texter(client)("risks") is None  # recorded: the line stays silent by text too


def test_a_failed_text_is_told_politely_and_the_call_goes_on(caller, app):
    app.config.update(TWILIO_ACCOUNT_SID="AC" + "0" * 32)
    app.extensions["twilio_http_client"] = FakeTwilio(500, 20500)
    caller.reach("2", "1", "3")  # risks, then text me
    assert caller.heard.startswith("Sorry, I could not send the text message just now.")
    assert caller.node == "topic:risks:0"


def test_text_me_from_a_withheld_number(client, texting):
    caller = Caller(client, number="anonymous")
    caller.reach("2", "1", "3")  # risks, then text me
    assert caller.heard.startswith("Sorry, I cannot send a text message to this phone.")


def person_line(config, hours: str):
    config.update(
        HELPLINE_NUMBER="+442079460999", HELPLINE_HOURS=hours, HELPLINE_TIMEZONE="Europe/London"
    )
    app = create_app(config)
    return Caller(app.test_client())


def test_talk_to_a_person_within_hours_dials_the_helpline(config):
    caller = person_line(config, "mon-sun 00:00-23:59")
    caller.call()
    root = caller.press("0")
    assert "To talk to a person, press 1." in caller.heard
    root = caller.press("1")
    assert root.find("Dial").text == "+442079460999"
    assert "Connecting you now" in caller.heard


def test_talk_to_a_person_outside_hours_says_when_and_offers_texts(config):
    now = datetime.datetime.now(datetime.UTC)
    closed_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][(now.weekday() + 3) % 7]
    caller = person_line(config, f"{closed_day} 09:00-17:00")
    caller.call()
    caller.press("0")
    root = caller.press("1")
    assert root.find("Dial") is None
    assert "The helpline is closed now. It is open" in caller.heard
    assert "09:00" in caller.heard and "text this number" in caller.heard


def test_no_helpline_means_help_offers_no_person(caller):
    caller.call()
    caller.press("0")
    assert "talk to a person" not in caller.heard


def test_language_change_by_key_then_remembered_by_text(caller, client):
    caller.call()
    caller.press("8")
    assert caller.node == "lang:0"
    assert "Para español" in caller.heard
    says = caller.root.findall(".//Say")
    assert {say.get("language") for say in says} >= {"en-GB", "es-ES"}  # each in its own voice
    caller.press("2")  # the second language in the list: Spanish
    assert caller.root.find("Gather").get("language") == "es-ES"
    from .conftest import Texter

    assert Texter(client)("4").startswith(default_content().pack("es").by_id["risks"].pages[0][:20])


def test_language_change_by_saying_its_name(caller):
    caller.call()
    caller.say("Deutsch")
    assert caller.root.find("Gather").get("language") == "de-DE"


def test_language_chosen_by_text_is_spoken_on_the_phone(client):
    from .conftest import Texter

    Texter(client)("LANG fr")
    caller = Caller(client)
    caller.call()
    assert caller.root.find("Gather").get("language") == "fr-FR"


def test_number_country_picks_the_language_for_a_new_caller(client):
    caller = Caller(client, number="+48601234567")
    caller.call()
    assert caller.root.find("Gather").get("language") == "pl-PL"


def test_a_text_only_language_is_said_honestly(client, app):
    from .conftest import Texter

    Texter(client)("LANG ur")
    caller = Caller(client)
    caller.call()
    assert "is available by text message only" in caller.heard
    assert caller.root.find("Gather").get("language") == "en-GB"
    caller.press("8")
    assert "اردو" not in caller.heard


def test_voice_webhooks_need_a_signature(client):
    assert client.post("/voice", data={"From": NUMBER}).status_code == 403
    assert client.post("/voice/menu?n=main", data={"Digits": "1"}).status_code == 403


def test_odd_menu_positions_and_inputs_still_answer(caller):
    caller.call()
    caller.action = "/voice/menu?n=topic%3Anope%3A99&s=x&v=2&b=main"
    root = caller.press("1")
    assert root.find("Gather") is not None or root.find("Hangup") is not None


def test_a_prebuilt_clip_is_played_instead_of_said(config, tmp_path):
    from service.audio import clip_name

    config.update(AUDIO_DIR=str(tmp_path / "audio"), PUBLIC_BASE_URL="https://line.example.org")
    (tmp_path / "audio").mkdir()
    greeting = PACK.strings["voice.greeting_new"]
    name = clip_name(greeting, "en", "espeak", slow=False)
    (tmp_path / "audio" / name).write_bytes(b"ID3fake-mp3")
    app = create_app(config)
    client = app.test_client()
    params = {"CallSid": "CA1", "From": NUMBER, "To": "+442079460001"}
    signature = sign("https://line.example.org/voice", params)
    root = ET.fromstring(
        client.post("/voice", data=params, headers={"X-Twilio-Signature": signature}).get_data()
    )
    played = root.find("Gather/Play")
    assert played is not None and played.text == f"https://line.example.org/audio/{name}"
    assert root.find("Gather/Say") is not None  # the rest, with no clip, is said
    with client.get(f"/audio/{name}") as served:
        assert served.status_code == 200 and served.mimetype == "audio/mpeg"
        assert "max-age=31536000" in served.headers["Cache-Control"] and served.headers.get("ETag")
        assert served.get_data() == b"ID3fake-mp3"
    assert client.get("/audio/missing.mp3").status_code == 404
    assert client.get("/audio/..%2Fsecret_key").status_code == 404
