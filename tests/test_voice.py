"""Whole phone calls through POST /voice, /voice/menu and /voice/dialled, signed like Twilio."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest

from service import create_app
from service.audio.clips import clip_name
from service.core.phone import positions as at
from service.core.phone.positions import Kind

from .conftest import fake_twilio
from .helpers import CONTENT, EN, NUMBER, Caller, FakeTwilio, Texter, first_page, said, sign, voice

RISKS = ("3", "1")  # risks and recovery, then risks


def test_new_caller_hears_greeting_menu_and_reserved_keys(caller):
    root = caller.call()
    gather = root.find("Gather")
    assert gather.get("input") == "dtmf speech" and int(gather.get("timeout")) >= 10
    assert gather.get("language") == "en-GB" and gather.get("actionOnEmptyResult") == "true"
    assert gather.get("action").startswith("http://localhost/voice/menu?")
    assert voice("greeting_new") in caller.heard
    assert voice("urgent_option", key=1) in caller.heard  # urgent help first
    assert voice("main_option", label=voice("group_risks"), key=3) in caller.heard
    assert voice("reserved_keys") in caller.heard


def test_returning_caller_is_welcomed_back(caller):
    caller.call()
    caller.call()
    assert caller.heard.startswith(voice("greeting_back"))


def test_press_through_to_a_topic_and_hear_more(caller):
    caller.call()
    caller.press("3")
    assert voice("topic_option", label=EN.by_id["risks"].spoken, key=1) in caller.heard
    caller.press("1")
    assert said(EN.by_id["risks"].pages[0]) in caller.heard
    assert EN.text("disclaimer") in caller.heard
    assert caller.at == at.topic("risks", 0)
    caller.press("2")  # more
    assert said(EN.by_id["risks"].pages[1]) in caller.heard
    caller.press("1")  # repeat
    assert said(EN.by_id["risks"].pages[1]) in caller.heard and caller.at == at.topic("risks", 1)


def test_every_topic_is_two_presses_from_the_main_menu(client):
    reached = set()
    for first in "1234":
        for second in ["", "1", "2", "3", "4"]:
            caller = Caller(client)
            caller.call()
            caller.press(first)
            if second and caller.at.kind is Kind.GROUP:
                caller.press(second)
            if caller.at.kind is Kind.TOPIC:
                reached.add(caller.at.id)
    assert reached == {topic.id for topic in EN.topics}


def test_saying_a_choice_works_like_pressing(caller):
    caller.call()
    caller.say("risks and recovery")
    assert caller.at == at.group("risks")
    caller.say("two")
    assert caller.at == at.topic("recovery")
    caller.say("go back")
    assert caller.at == at.group("risks")


def test_saying_a_topics_name_goes_straight_to_the_topic(caller):
    caller.call()
    caller.say("risks")
    assert caller.at == at.topic("risks")


def test_saying_a_question_gets_its_answer_then_the_after_topic_choices(caller):
    caller.call()
    caller.say("can I have children after it?")
    assert caller.at == at.answer("fertility-risk")
    assert said(EN.answers["fertility-risk"].text) in caller.heard
    assert (
        voice("more_option", key=2) in caller.heard and voice("text_option", key=3) in caller.heard
    )
    caller.press("2")  # more: the answer's topic
    assert caller.at == at.topic("fertility")
    assert said(EN.by_id["fertility"].pages[0]) in caller.heard


def test_saying_a_question_after_a_topic(caller):
    caller.reach(*RISKS)
    caller.say("how much does it cost in the us")
    assert caller.at == at.answer("cost-us")


def test_saying_unwell_words_gets_urgent_help(caller):
    caller.call()
    caller.say("I have a high temperature")
    assert caller.at in (at.topic("urgent"), at.answer("fever-after"))
    assert caller.heard.startswith("Call your transplant team")


def test_low_confidence_speech_is_asked_again(caller):
    caller.call()
    caller.say("risks", confidence="0.2")
    assert caller.heard.startswith(voice("not_understood")) and caller.at == at.MAIN


def test_speech_with_no_confidence_score_is_not_thrown_away(caller):
    caller.call()
    caller.say("risks", confidence="0")  # some providers send 0: "not reported"
    assert caller.at == at.topic("risks")


def test_wrong_key_says_so_and_repeats_the_choices(caller):
    caller.call()
    caller.press("3")
    caller.press("7")
    assert caller.heard.startswith(voice("wrong_key"))
    assert voice("topic_option", label=EN.by_id["risks"].spoken, key=1) in caller.heard
    assert caller.at == at.group("risks")


def test_silence_reprompts_twice_then_offers_texts_and_says_goodbye(caller):
    caller.call()
    for _ in range(2):
        caller.wait()
        assert caller.heard.startswith(voice("silence")) and "press 1" in caller.heard
    root = caller.wait()
    assert root.find("Gather") is None and root.find("Hangup") is not None
    assert voice("text_instead") in caller.heard and voice("goodbye") in caller.heard


def test_a_noisy_room_cannot_loop_for_ever(caller):
    caller.call()
    for _ in range(5):
        caller.press("9")  # wrong keys and unclear words reset no counter
        assert caller.action
    root = caller.say("mmm brrr")
    assert root.find("Hangup") is not None and voice("failed_goodbye") in caller.heard


def test_star_goes_back_and_five_repeats(caller):
    caller.reach("2", "2")
    assert caller.at == at.topic("steps")
    caller.press("5")
    assert caller.at == at.topic("steps") and said(EN.by_id["steps"].pages[0]) in caller.heard
    caller.press("*")
    assert caller.at == at.group("about")
    caller.press("*")
    assert caller.at == at.MAIN


def test_help_says_the_help_text_and_with_no_helpline_how_to_go_back(caller):
    caller.call()
    caller.press("0")
    assert caller.at.kind is Kind.HELP
    assert voice("help") in caller.heard and voice("person_none") in caller.heard
    assert voice("help_back") in caller.heard and "talk to a person" not in caller.heard
    caller.press("*")
    assert caller.at == at.MAIN


def test_slower_speech_lasts_for_the_rest_of_the_call(caller):
    caller.call()
    caller.press("0")
    caller.press("1")  # no helpline set: option 1 is slower speech
    assert voice("slower_on") in caller.heard
    caller.press("3")
    prosody = caller.root.find(".//Say/prosody")
    assert prosody is not None and prosody.get("rate") == "80%"
    caller.press("1")
    assert caller.root.find(".//Say/prosody").get("rate") == "80%"


def test_text_me_this_sends_the_topic_by_sms(caller, twilio, client):
    caller.reach(*RISKS, "3")  # risks, then text me
    assert caller.heard.startswith(voice("text_sent"))
    sent = twilio.texts[-1]
    assert sent["To"] == NUMBER and sent["SmartEncoded"] == "true"
    assert sent["Body"].startswith(first_page("risks"))
    assert sent["StatusCallback"] == "http://localhost/sms/status"
    assert Texter(client)("MORE").startswith(EN.by_id["risks"].pages[1][:40])  # MORE goes on


def test_text_me_sends_each_thing_once_and_a_few_a_day(caller, twilio):
    caller.reach(*RISKS, "3")
    for _ in range(50):
        caller.press("3")
    assert len(twilio.texts) == 1 and caller.heard.startswith(voice("text_limit"))
    caller.press("4")
    caller.press("2")  # recovery
    caller.press("3")
    assert len(twilio.texts) == 2


def test_text_me_is_never_sent_abroad_or_to_a_withheld_number(client, twilio):
    for number in ("anonymous", "+266696687", "+12025550123"):  # withheld, withheld, the US
        caller = Caller(client, number=number)
        caller.reach(*RISKS, "3")
        assert caller.heard.startswith(voice("text_no_number")), number
    assert twilio.texts == []


def test_text_me_to_an_opted_out_number_is_not_sent(caller, twilio, client):
    Texter(client)("STOP")
    caller.reach(*RISKS, "3")
    assert caller.heard.startswith(voice("text_opted_out")) and twilio.texts == []


def test_twilio_21610_counts_as_opted_out(caller, app, client):
    fake_twilio(app, FakeTwilio(400, 21610))
    caller.reach(*RISKS, "3")
    assert caller.heard.startswith(voice("text_opted_out"))
    assert Texter(client)("risks") is None  # recorded: the line stays silent by text too


def test_a_failed_text_is_told_politely_and_the_call_goes_on(caller, app):
    fake_twilio(app, FakeTwilio(500, 20500))
    caller.reach(*RISKS, "3")
    assert caller.heard.startswith(voice("text_failed")) and caller.at == at.topic("risks")


def test_a_line_that_cannot_text_never_offers_texts(config):
    config["LINE_CAN_TEXT"] = False
    caller = Caller(create_app(config).test_client())
    caller.reach(*RISKS)
    assert "text message" not in caller.heard
    for _ in range(3):
        caller.wait()
    assert "text this number" not in caller.heard and voice("goodbye") in caller.heard


def person_line(config, hours: str, number: str = "0300 500 8084"):
    config.update(
        HELPLINE_NUMBER=number,
        HELPLINE_HOURS=hours,
        HELPLINE_TIMEZONE="Europe/London",
        DEFAULT_REGION="GB",
        HELPLINE_CALLER_ID="+44 7700 900001",
    )
    return Caller(create_app(config).test_client())


def test_talk_to_a_person_dials_the_helpline_in_e164_with_an_action(config):
    caller = person_line(config, "mon-sun 00:00-23:59")
    caller.call()
    caller.press("0")
    assert voice("person_option", key=1) in caller.heard
    root = caller.press("1")
    dial = root.find("Dial")
    assert dial.find("Number").text == "+443005008084"  # typed as people write it
    assert dial.get("action").startswith("http://localhost/voice/dialled")
    assert int(dial.get("timeout")) <= 30 and dial.get("callerId") == "+447700900001"
    assert voice("person_connecting") in caller.heard


@pytest.mark.parametrize(
    ("status", "said", "then"),
    [
        ("completed", "person_thanks", Kind.MAIN),
        ("busy", "person_no_answer", Kind.DIALLED),
        ("no-answer", "person_no_answer", Kind.DIALLED),
        ("failed", "person_no_answer", Kind.DIALLED),
    ],
)
def test_after_the_helpline_the_caller_hears_how_it_went(config, status, said, then):
    caller = person_line(config, "mon-sun 00:00-23:59")
    caller.call()
    caller.press("0")
    dial = caller.press("1").find("Dial")
    caller.post(dial.get("action"), DialCallStatus=status)
    assert caller.heard.startswith(voice(said)) and caller.at.kind is then
    assert voice("silence") not in caller.heard


def test_after_no_answer_the_caller_can_get_the_helpline_by_text(config, twilio):
    caller = person_line(config, "mon-sun 00:00-23:59")
    fake_twilio(caller.client.application, twilio)
    caller.call()
    caller.press("0")
    caller.post(caller.press("1").find("Dial").get("action"), DialCallStatus="busy")
    caller.press("1")
    assert caller.heard.startswith(voice("text_sent"))
    assert "0300 500 8084" in twilio.texts[-1]["Body"]


def test_talk_to_a_person_outside_hours_says_when(config):
    now = datetime.datetime.now(datetime.UTC)
    closed_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][(now.weekday() + 3) % 7]
    caller = person_line(config, f"{closed_day} 09:00-17:00")
    caller.call()
    caller.press("0")
    root = caller.press("1")
    assert root.find("Dial") is None
    assert voice("person_closed", hours="")[:20] in caller.heard and "09:00" in caller.heard


def test_language_change_by_key_then_remembered_by_text(caller, client):
    caller.call()
    caller.press("8")
    assert caller.at == at.languages(0)
    assert "Para español" in caller.heard
    says = caller.root.findall(".//Say")
    assert {say.get("language") for say in says} >= {"en-GB", "es-ES"}  # each in its own voice
    caller.press("2")  # the second language in the list: Spanish
    assert caller.root.find("Gather").get("language") == "es-ES"
    reply = Texter(client)("5")
    assert reply.startswith(CONTENT.pack("es").by_id["risks"].pages[0][:20])


def test_language_change_by_saying_its_name(caller):
    caller.call()
    caller.say("Deutsch")
    assert caller.root.find("Gather").get("language") == "de-DE"


def test_language_chosen_by_text_is_spoken_on_the_phone(client):
    Texter(client)("LANG fr")
    caller = Caller(client)
    caller.call()
    assert caller.root.find("Gather").get("language") == "fr-FR"


def test_number_country_picks_the_language_for_a_new_caller(client):
    caller = Caller(client, number="+48601234567")
    caller.call()
    assert caller.root.find("Gather").get("language") == "pl-PL"


def test_welsh_menus_take_keys_only_and_say_press(client):
    Texter(client)("LANG cy")
    caller = Caller(client)
    root = caller.call()
    gather = root.find("Gather")
    assert gather.get("input") == "dtmf" and gather.get("language") is None
    assert gather.get("hints") is None
    cy = CONTENT.pack("cy")
    assert cy.fill("voice.reserved_keys_keys_only") in caller.heard


def test_a_language_without_a_voice_or_clips_stays_in_one_that_has(client):
    Texter(client)("LANG ur")
    caller = Caller(client)
    caller.call()
    assert "is available by text message only" in caller.heard
    assert caller.root.find("Gather").get("language") == "en-GB"
    assert all(say.get("language") == "en-GB" for say in caller.root.iter("Say"))
    caller.press("8")
    assert "اردو" not in caller.heard


def test_voice_webhooks_need_a_signature(client):
    assert client.post("/voice", data={"From": NUMBER}).status_code == 403
    assert client.post("/voice/menu?n=main", data={"Digits": "1"}).status_code == 403
    assert client.post("/voice/dialled", data={"DialCallStatus": "busy"}).status_code == 403


def test_odd_menu_positions_and_inputs_still_answer(caller):
    caller.call()
    caller.action = "/voice/menu?n=topic%3Anope%3A99&s=x&v=2&b=main&f=zz"
    root = caller.press("1")
    assert root.find("Gather") is not None or root.find("Hangup") is not None


def test_a_prebuilt_clip_is_played_instead_of_said(config, tmp_path):
    config.update(AUDIO_DIR=str(tmp_path / "audio"), PUBLIC_BASE_URL="https://line.example.org")
    (tmp_path / "audio").mkdir()
    greeting = voice("greeting_new")
    name = clip_name(greeting, "en", "espeak", slow=False)
    (tmp_path / "audio" / name).write_bytes(b"ID3fake-mp3")
    (tmp_path / "audio" / "secret.txt").write_text("not a clip")
    client = create_app(config).test_client()
    params = {"CallSid": "CA1", "From": NUMBER, "To": "+447700900001"}
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
    assert client.get("/audio/" + "0" * 32 + ".mp3").status_code == 404
    assert client.get("/audio/secret.txt").status_code == 404  # only clip names are served
    assert client.get("/audio/..%2Fsecret_key").status_code == 404
