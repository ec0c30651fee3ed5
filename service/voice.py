"""The phone channel: Twilio's incoming-call webhook and the menu steps, rendered as TwiML."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlencode

import yaml
from flask import Blueprint, Flask, Response, current_app, g, request, send_from_directory
from twilio.twiml.voice_response import Gather, Say, VoiceResponse
from werkzeug.exceptions import HTTPException

from .audio import Clips
from .conversation import CallerState, Conversation
from .helpline import Helpline
from .phone import Call, PhoneMenu, Speech, Turn
from .phone_numbers import country_of
from .signature import public_url, twilio_signed
from .sms_sender import send_text
from .store import caller_key, log_id

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__)

GATHER_TIMEOUT = 10  # seconds of silence before Twilio gives up waiting (default 5)
SLOW_RATE = "80%"  # SSML prosody for "slower speech"
VOICES: dict[str, dict] = yaml.safe_load(
    Path(__file__).with_name("voices.yaml").read_text(encoding="utf-8")
)


def twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def render(turn: Turn, slow: bool) -> VoiceResponse:
    """TwiML for a turn: prompts inside a Gather (so callers can cut in), or a Dial, or goodbye."""
    response = VoiceResponse()
    if turn.call is not None:
        voice = VOICES.get(turn.lang, {})
        menu: PhoneMenu = current_app.extensions["hsct_phone"]
        speech = menu.conversation.settings.speech_input
        gather = response.gather(
            input="dtmf speech" if speech else "dtmf",
            action="/voice/menu?" + urlencode(_call_params(turn.call)),
            method="POST",
            timeout=GATHER_TIMEOUT,
            num_digits=1,
            language=voice.get("speech") or "en-GB",
            hints=", ".join(menu.hints(turn.lang, turn.options)) if speech else None,
            action_on_empty_result=True,
            speech_timeout="auto",
        )
        for speech in turn.say:
            _speak(gather, speech, slow)
        return response
    for speech in turn.say:
        _speak(response, speech, slow)
    if turn.dial:
        response.dial(turn.dial)
        response.redirect("/voice/menu?" + urlencode(_call_params(Call(slow=slow))), method="POST")
    if turn.hangup:
        response.hangup()
    return response


def _speak(parent: VoiceResponse | Gather, speech: Speech, slow: bool) -> None:
    """A pre-built clip when there is one for this text, else Twilio's voice."""
    clip = current_app.extensions["hsct_clips"].find(speech.text, speech.lang, slow)
    if clip:
        parent.play(public_url(f"/audio/{clip}"))
        return
    voice = VOICES.get(speech.lang) or VOICES["en"]
    if slow:
        say = Say(language=voice["say"], voice=voice["voice"])
        say.prosody(speech.text, rate=SLOW_RATE)
    else:
        say = Say(speech.text, language=voice["say"], voice=voice["voice"])
    parent.append(say)


def _call_params(call: Call) -> dict[str, str]:
    return {"n": call.node, "s": str(call.silences), "v": "1" if call.slow else "0", "b": call.back}


def _call_from_request() -> Call:
    args = request.args
    try:
        silences = int(args.get("s", "0"))
    except ValueError:
        silences = 0
    return Call(
        node=args.get("n", "main")[:60],
        silences=max(0, min(silences, 10)),
        slow=args.get("v") == "1",
        back=args.get("b", "main")[:60],
    )


def _caller() -> tuple[str | None, CallerState | None]:
    """The hashed caller and their state (a blank one without a number or a store)."""
    number = request.form.get("From", "").strip()
    if not number:
        return None, CallerState()
    key = caller_key(number, current_app.config["SECRET_KEY"])
    try:
        return key, current_app.extensions["hsct_store"].load(key)
    except Exception:
        log.exception("store unavailable while loading caller %s", log_id(key))
        return key, CallerState()


def _save(key: str | None, before: CallerState | None, after: CallerState) -> None:
    if key and after != before:
        try:
            current_app.extensions["hsct_store"].save(key, after)
        except Exception:
            log.exception("store unavailable while saving caller %s", log_id(key))


def _count(turn: Turn, speech: str = "") -> None:
    """Usage without people: what kind of step, in which language, about which topic."""
    topic = turn.call.node.split(":")[1] if turn.call and turn.event == "topic" else None
    store = current_app.extensions["hsct_store"]
    try:
        store.count("voice", turn.lang, turn.event, topic)
        if turn.event == "not_understood" and speech and current_app.config["KEEP_UNANSWERED"]:
            store.unanswered("voice", turn.lang, speech)
    except Exception:
        log.exception("could not count usage")


def _goodbye(key: str) -> Response:
    """Say one thing in the caller's language (when it has a voice), then hang up."""
    menu: PhoneMenu = current_app.extensions["hsct_phone"]
    lang = g.get("lang") or menu.conversation.settings.default_language
    if not menu.can_speak(lang):
        lang = menu.conversation.settings.default_language
    response = VoiceResponse()
    _speak(response, Speech(menu.conversation.content.pack(lang).strings[key], lang), False)
    response.hangup()
    return twiml(response)


@bp.errorhandler(Exception)
def failed(error: Exception) -> Response:
    """Never a 500 to Twilio (callers would hear "an application error"): an apology."""
    if isinstance(error, HTTPException):
        return error
    log.exception("voice webhook failed")
    return _goodbye("voice.error")


@bp.post("/voice")
@twilio_signed
def incoming() -> Response:
    """Answer a call: greeting and the main menu."""
    menu: PhoneMenu = current_app.extensions["hsct_phone"]
    key, state = _caller()
    g.lang = menu.conversation.lang(state) if state else None
    verdict = current_app.extensions["hsct_limits"]["voice"].check(key) if key else "ok"
    if verdict != "ok":
        log.warning("voice caller=%s rate limited (%s)", log_id(key or "-"), verdict)
        if verdict == "silent":
            response = VoiceResponse()
            response.hangup()
            return twiml(response)
        return _goodbye("voice.rate_limited")
    form = request.form
    turn, new_state = menu.start(state, country_of(form.get("From", ""), form.get("FromCountry")))
    _save(key, state, new_state)
    _count(turn)
    log.info("voice caller=%s node=start lang=%s", log_id(key or "-"), turn.lang)
    return twiml(render(turn, slow=False))


@bp.post("/voice/menu")
@twilio_signed
def step() -> Response:
    """Act on a key press, words, or silence at a menu."""
    menu: PhoneMenu = current_app.extensions["hsct_phone"]
    call = _call_from_request()
    key, state = _caller()
    g.lang = menu.conversation.lang(state) if state else None
    form = request.form
    try:
        confidence = float(form["Confidence"]) if form.get("Confidence") else None
    except ValueError:
        confidence = None

    def text_caller(body: str) -> str:
        return send_text(form.get("From", ""), form.get("To", ""), body)

    turn, new_state = menu.answer(
        call,
        state,
        digits=form.get("Digits", ""),
        speech=form.get("SpeechResult", ""),
        confidence=confidence,
        send_text=text_caller,
    )
    _save(key, state, new_state)
    _count(turn, form.get("SpeechResult", ""))
    slow = turn.call.slow if turn.call else call.slow
    log.info("voice caller=%s node=%s lang=%s", log_id(key or "-"), call.node, turn.lang)
    return twiml(render(turn, slow))


@bp.get("/audio/<name>")
def audio(name: str) -> Response:
    """A pre-built clip, cached for a year: its name changes whenever its text does."""
    clips: Clips = current_app.extensions["hsct_clips"]
    response = send_from_directory(clips.directory, name, mimetype="audio/mpeg", max_age=31536000)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def init_app(app: Flask, conversation: Conversation) -> None:
    """Build the phone menu on the shared conversation core."""
    clips = Clips(Path(app.config["AUDIO_DIR"]))
    app.extensions["hsct_clips"] = clips

    def can_speak(lang: str) -> bool:
        """A language can be spoken with a Twilio voice, or with its pre-built clips."""
        if (VOICES.get(lang) or {}).get("say"):
            return True
        greeting = conversation.content.pack(lang).strings["voice.greeting_new"]
        return clips.find(greeting, lang, slow=False) is not None

    helpline = Helpline.from_settings(
        app.config["HELPLINE_NUMBER"], app.config["HELPLINE_HOURS"], app.config["HELPLINE_TIMEZONE"]
    )
    app.extensions["hsct_phone"] = PhoneMenu(
        conversation, conversation.content.phone_menu, helpline, can_speak
    )
