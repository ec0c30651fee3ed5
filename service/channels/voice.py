"""Calls in: Twilio's voice webhooks (a new call, each menu step, back from the helpline)."""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, current_app, g, request, send_from_directory
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, NotFound

from ..audio.clips import CLIP_NAME
from ..core.phone.turns import Speech, Turn
from ..core.state import CallerState
from ..readiness import dialable
from ..services import Services, services
from .identity import caller_key, country_of, sender_of
from .pipeline import Usage, Visit, check_limit, close_visit, open_visit
from .signature import public_url, twilio_signed
from .voice_twiml import call_from, reject, render, speak

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__)
WHATSAPP_WINDOW = 24 * 3600  # WhatsApp takes free-form messages this long after the last one


def twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


@bp.post("/voice")
@twilio_signed
def incoming() -> Response:
    """Answer a call: greeting and the main menu (or refuse it, unbilled, past the limit)."""
    return twiml(start(services(), request.form))


@bp.post("/voice/menu")
@twilio_signed
def step() -> Response:
    """Act on a key press, words, or silence at a menu."""
    return twiml(menu_step(services(), request.form, request.args))


@bp.post("/voice/dialled")
@twilio_signed
def dialled() -> Response:
    """Back from the helpline: Twilio says how the call went (DialCallStatus)."""
    svc = services()
    visit = _visit(svc, request.form)
    call = call_from(request.args)
    status = (request.form.get("DialCallStatus") or "").lower()[:20]
    turn = svc.phone.after_dial(call, visit.state, status)
    _finish(visit, visit.state or CallerState(), turn)
    return twiml(render(svc, turn, call.slow))


@bp.post("/voice/status")
@twilio_signed
def status() -> Response:
    """Twilio's call status callback: completed calls and their length, counted."""
    svc = services()
    visit = _visit(svc, request.form)
    try:
        seconds = int(request.form.get("CallDuration") or 0)
    except ValueError:
        seconds = 0
    minutes = "under_1_min" if seconds < 60 else "1_to_5_min" if seconds < 300 else "over_5_min"
    state = visit.state or CallerState()
    close_visit(visit, state, [Usage(svc.line.lang(state), f"call_{minutes}")])
    return Response(status=204)


def start(svc: Services, form: MultiDict) -> VoiceResponse:
    """A new call: the greeting and the main menu."""
    visit = _visit(svc, form)
    verdict = check_limit(visit, "calls", bucket=_withheld_bucket(visit, form))
    if verdict == "silent":
        log.warning("voice caller=%s rejected: over the call limit", visit.label)
        return reject()
    if verdict == "notice":
        return _goodbye(svc, "rate_limited")
    # A withheld number is a stranger every time: greeted as new, remembered never.
    turn, new_state = svc.phone.start(visit.state if visit.key else None, visit.country)
    _finish(visit, new_state, turn)
    log.info("voice caller=%s start lang=%s", visit.label, turn.lang)
    return render(svc, turn, slow=False)


def menu_step(svc: Services, form: MultiDict, args: MultiDict) -> VoiceResponse:
    """One step of the menu."""
    visit = _visit(svc, form)
    if check_limit(visit, "steps", bucket=_withheld_bucket(visit, form)) != "ok":
        return _goodbye(svc, "rate_limited")
    call = call_from(args)
    try:
        confidence = float(form["Confidence"]) if form.get("Confidence") else None
    except ValueError:
        confidence = None
    call_sid = (form.get("CallSid") or "")[:64]

    def send_text(body: str, what: str) -> str:
        return text_caller(svc, visit, form, call_sid, body, what)

    turn, new_state = svc.phone.answer(
        call,
        visit.state,
        digits=form.get("Digits", ""),
        speech=form.get("SpeechResult", ""),
        confidence=confidence,
        send_text=send_text,
    )
    _finish(visit, new_state, turn, form.get("SpeechResult", ""))
    slow = turn.call.slow if turn.call else call.slow
    log.info(
        "voice caller=%s at=%s event=%s lang=%s", visit.label, call.place, turn.event, turn.lang
    )
    return render(svc, turn, slow, _caller_id())


def _caller_id() -> str | None:
    """The number the helpline sees when a call is put through (E.164), if set."""
    try:
        return dialable(current_app.config, "HELPLINE_CALLER_ID")
    except ValueError:
        return None


def text_caller(
    svc: Services, visit: Visit, form: MultiDict, call_sid: str, body: str, what: str
) -> str:
    """ "Text me this": by SMS (or WhatsApp, when the caller's WhatsApp window is open),
    within the caps, and never to a withheld, foreign or unreachable number."""
    sender = visit.sender
    if sender.number is None or not _may_text_country(sender.country, form.get("To", "")):
        return "no_number"
    if not svc.quota.allows(call_sid or "no-call", visit.key or "-", what):
        return "limited"
    to = _whatsapp_if_open(svc, sender.number) or sender.number
    callback = public_url("/sms/status")
    return svc.outbound.send(to, form.get("To", ""), body, callback)


def _whatsapp_if_open(svc: Services, number: str) -> str | None:
    """ "whatsapp:+44..." when this caller wrote on WhatsApp in the last 24 hours."""
    if not svc.outbound.whatsapp_sender:
        return None
    key = caller_key(sender_of("whatsapp:" + number, "whatsapp"), svc.secret)
    try:
        state = svc.store.load(key) if key else None
    except Exception:
        return None
    if state and not state.opted_out and time.time() - state.last_seen < WHATSAPP_WINDOW:
        return "whatsapp:" + number
    return None


def _may_text_country(country: str | None, line_number: str) -> bool:
    """Only countries the deployer allows: by default, the country of the line's own number."""
    allowed = current_app.config.get("TEXT_ME_COUNTRIES") or [country_of(line_number)]
    return bool(country) and country in allowed


def _withheld_bucket(visit: Visit, form: MultiDict) -> str | None:
    """Withheld numbers share no identity: each call is counted on its own."""
    return None if visit.key else "withheld:" + (form.get("CallSid") or "-")[:64]


def _visit(svc: Services, form: MultiDict) -> Visit:
    visit = open_visit(svc, "voice", form.get("From", ""), form.get("FromCountry"))
    g.lang = svc.line.lang(visit.state or CallerState())
    return visit


def _finish(visit: Visit, state: CallerState, turn: Turn, speech: str = "") -> None:
    """Save and count: what kind of step, in which language, about which topic."""
    g.turn = turn  # the try-it page shows the words behind each clip
    topic = turn.answer or turn.topic
    unanswered = (turn.lang, speech) if turn.event == "not_understood" and speech else None
    close_visit(visit, state, [Usage(turn.lang, turn.event, topic)], unanswered)


def _goodbye(svc: Services, key: str) -> VoiceResponse:
    """Say one thing in the caller's language (when it has a voice), then hang up."""
    lang = g.get("lang") or svc.line.settings.default_language
    if not svc.phone.can_speak(lang):
        lang = svc.line.settings.default_language
    response = VoiceResponse()
    speak(svc, response, Speech(svc.line.pack(lang).fill(f"voice.{key}"), lang), False)
    response.hangup()
    return response


@bp.get("/audio/<name>")
def audio(name: str) -> Response:
    """A pre-built clip, cached for a year: its name changes whenever its text does."""
    if not CLIP_NAME.fullmatch(name):
        raise NotFound()  # only clip files: never anything else that shares the folder
    clips = services().clips
    response = send_from_directory(clips.directory, name, mimetype="audio/mpeg", max_age=31536000)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.errorhandler(Exception)
def failed(error: Exception) -> Response | HTTPException:
    """Never a 500 to Twilio (callers would hear "an application error"): an apology."""
    if isinstance(error, HTTPException):
        return error
    log.exception("voice webhook failed")
    return twiml(_goodbye(services(), "error"))
