"""Texts in: Twilio's messaging webhook for SMS and WhatsApp, answered as TwiML.

One thin adapter for both: the shared pipeline finds the caller, the text dialogue of the
channel decides, and the reply is rendered as one message (with a voice note on WhatsApp).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time

from flask import Blueprint, Response, current_app, g, request
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from ..core.replies import as_sent
from ..core.state import CallerState
from ..core.texting import Reply, TextDialogue
from ..services import Services, services
from .identity import WHATSAPP_PREFIX
from .pipeline import Usage, Visit, check_limit, close_visit, open_visit
from .signature import public_url, twilio_signed

log = logging.getLogger(__name__)
bp = Blueprint("messaging", __name__)
OPT_OUT_TYPES = {"STOP", "START", "HELP"}  # Twilio's Advanced Opt-Out has answered these


def twiml(document: str) -> Response:
    """Send TwiML with the content type Twilio needs."""
    return Response(document, mimetype="text/xml")


EMPTY = str(MessagingResponse())  # no reply at all


@functools.lru_cache(maxsize=4096)
def one_message(text: str) -> str:
    """TwiML for one plain message. Cached: replies come from the content, so the line
    sends the same few thousand texts again and again (what people write is not a key)."""
    response = MessagingResponse()
    response.message(text)
    return str(response)


@bp.post("/sms")
@bp.post("/whatsapp")
@twilio_signed
def incoming() -> Response:
    """Answer one incoming text message (SMS, or WhatsApp when From is "whatsapp:...")."""
    return twiml(answer(services(), request.form))


def answer(svc: Services, form: MultiDict) -> str:
    """The reply to one message, as TwiML: the pipeline around the channel's dialogue."""
    address = form.get("From", "")
    channel = "whatsapp" if address.lower().startswith(WHATSAPP_PREFIX) else "sms"
    dialogue = svc.whatsapp if channel == "whatsapp" else svc.sms
    visit = open_visit(svc, channel, address, form.get("FromCountry"))
    state = visit.state or CallerState()
    g.lang = svc.line.lang(state)
    if not visit.sender.replyable and not visit.sender.withheld:
        # A short code or a sender name ("VODAFONE"): an auto-responder would answer back.
        log.info("%s from a non-phone sender: not answered", channel)
        close_visit(visit, state, [Usage(g.lang, "not_a_phone")])
        return EMPTY

    opt_out_type = (form.get("OptOutType") or "").upper()
    if opt_out_type in OPT_OUT_TYPES:
        # Twilio's Advanced Opt-Out has already replied: record it, and say nothing more.
        reply, new_state = _opt_out_type(dialogue, opt_out_type, state)
        opt_command = opt_out_type in ("STOP", "START")  # HELP changes nothing
        close_visit(visit, new_state, [Usage(reply.lang, reply.intent)], opt_command=opt_command)
        return EMPTY

    body = form.get("Body", "")
    if _voice_note(form) and not body.strip():
        reply = dialogue.voice_note_sent_to_us(visit.state)
        close_visit(visit, state, [Usage(reply.lang, reply.intent)])
        return _render(svc, reply, channel, state)[0]

    # Too many texts from one number: one notice (with the urgent action), then silence.
    # Opt-out and opt-in words always go through, so STOP and START always work.
    opt_command = svc.line.is_opt_out(body) or svc.line.is_opt_in(body)
    if not opt_command:
        verdict = check_limit(visit, channel, bucket=None)
        if verdict != "ok":
            log.warning("%s caller=%s rate limited (%s)", channel, visit.label, verdict)
            if verdict == "silent" or state.opted_out:
                return EMPTY
            limited = dialogue.rate_limited(visit.state)
            return _render(svc, limited, channel, state)[0]

    before = visit.state
    if channel == "whatsapp" and before is None and _voice_notes_setting() == "always":
        before = CallerState(voice_notes=True)  # the deployer's default: answers spoken too
    reply, new_state = dialogue.reply(body, before, visit.country, public_url(""))
    if channel == "whatsapp":  # its 24-hour window: the line may write back that long
        new_state.last_seen = int(time.time())
    unanswered = (reply.lang, body) if reply.unanswered else None
    usage = [Usage(reply.lang, reply.intent, reply.topic)] if reply.text is not None else []
    _log(visit, reply)
    response, voice_note = _render(svc, reply, channel, new_state)
    if voice_note:
        usage.append(Usage(reply.lang, "voice_note", reply.topic))
    close_visit(visit, new_state, usage, unanswered, opt_command=opt_command)
    return response


def _opt_out_type(
    dialogue: TextDialogue, kind: str, state: CallerState
) -> tuple[Reply, CallerState]:
    if kind == "STOP":
        return dialogue.opted_out(state)
    if kind == "START":
        reply, new_state = dialogue.opted_in(state)
        return Reply(None, "opt_in", reply.lang), new_state
    return Reply(None, "help_by_twilio", dialogue.line.lang(state)), state


def _render(svc: Services, reply: Reply, channel: str, state: CallerState) -> tuple[str, bool]:
    """One message; on WhatsApp, a voice note of it when asked for (AUDIO, or voice notes
    on). Also says whether a voice note went with it."""
    if reply.text is None:
        return EMPTY, False
    if channel != "whatsapp" or _voice_notes_setting() == "off":
        return one_message(as_sent(reply.text, svc.line.settings.plain_latin)), False
    response = MessagingResponse()
    clip = svc.clips.find(reply.speak, reply.lang, slow=False) if reply.speak else None
    wants_audio = reply.intent == "audio" or (state.voice_notes and reply.speak is not None)
    if wants_audio and clip:
        message = response.message()
        caption = svc.line.pack(reply.lang).text("voice_note_caption")
        message.body(caption if reply.intent == "audio" else as_sent(reply.text))
        message.media(public_url(f"/audio/{clip}"))
        return str(response), True
    if reply.intent == "audio":  # nothing built to send: say so, and give the words instead
        return one_message(svc.line.pack(reply.lang).text("audio_not_ready")), False
    return one_message(as_sent(reply.text)), False


def _voice_notes_setting() -> str:
    """WHATSAPP_VOICE_NOTES: "on request" (VOICE ON), "always", or "off"."""
    return str(current_app.config.get("WHATSAPP_VOICE_NOTES") or "on request").strip().lower()


def _voice_note(form: MultiDict) -> bool:
    """A voice message (or any audio) sent to the line."""
    try:
        count = int(form.get("NumMedia", "0") or 0)
    except ValueError:
        return False
    return count > 0 and any(
        (form.get(f"MediaContentType{index}") or "").startswith("audio/") for index in range(count)
    )


def _log(visit: Visit, reply: Reply) -> None:
    log.info(
        "%s caller=%s intent=%s topic=%s answer=%s lang=%s",
        visit.channel,
        visit.label,
        reply.intent,
        reply.topic or "-",
        reply.answer or "-",
        reply.lang,
    )


@bp.post("/sms/status")
@twilio_signed
def status() -> Response:
    """Twilio's delivery report for a text the line sent: counted, and 21610 kept as STOP."""
    svc = services()
    message_status = (request.form.get("MessageStatus") or "unknown").lower()[:20]
    to = request.form.get("To", "")
    channel = "whatsapp" if to.lower().startswith(WHATSAPP_PREFIX) else "sms"
    visit = open_visit(svc, channel, to)
    usage = [Usage("-", f"sent_{message_status}")]
    state = visit.state or CallerState()
    if request.form.get("ErrorCode") == "21610" and visit.key:
        state = dataclasses.replace(state, opted_out=True)
    close_visit(visit, state, usage)
    return Response(status=204)


@bp.errorhandler(Exception)
def failed(error: Exception) -> Response | HTTPException:
    """Never a 500 to Twilio (it would play or send its own error): a short apology."""
    if isinstance(error, HTTPException):
        return error  # 403 for a bad signature, 405, 413: Twilio should see those
    log.exception("messaging webhook failed")
    svc = services()
    lang = g.get("lang") or svc.line.settings.default_language
    return twiml(one_message(as_sent(svc.line.pack(lang).text("error"))))
