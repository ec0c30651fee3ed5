"""The SMS channel: Twilio's incoming-message webhook, rendered as TwiML."""

from __future__ import annotations

import functools
import logging

from flask import Blueprint, Response, current_app, g, request
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.exceptions import HTTPException

from .conversation import CallerState, Conversation
from .matching import normalise
from .phone_numbers import country_of
from .segments import encoding_of, is_gsm7, smart_encode
from .signature import public_url, twilio_signed
from .store import caller_key, log_id

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__)

# Twilio refuses a message body over 1,600 characters (error 21617).
MAX_BODY = 1600


def twiml(xml: str) -> Response:
    """Send TwiML with the content type Twilio needs."""
    return Response(xml, mimetype="text/xml")


@functools.lru_cache(maxsize=2048)
def render(text: str | None) -> str:
    """TwiML for a reply: empty for an opted-out number, else one message.

    Cached: the line sends the same few hundred texts again and again.
    """
    response = MessagingResponse()
    if text is not None:
        response.message(sms_text(text))
    return str(response)


def sms_text(text: str) -> str:
    """Keep a GSM-7 message GSM-7 when only typographic punctuation (from deployer
    settings) stands in the way; leave other scripts' punctuation as written."""
    smart = smart_encode(text)
    return (smart if is_gsm7(smart) else text)[:MAX_BODY]


@bp.post("/sms")
@twilio_signed
def incoming() -> Response:
    """Answer one incoming text message."""
    conversation: Conversation = current_app.extensions["hsct_conversation"]
    store = current_app.extensions["hsct_store"]
    number = request.form.get("From", "").strip()
    body = request.form.get("Body", "")
    key = caller_key(number, current_app.config["SECRET_KEY"]) if number else None

    # Without a number or a store, answer from a blank state: the question, not the welcome.
    state: CallerState | None = CallerState()
    if key:
        try:
            state = store.load(key)
        except Exception:  # answer without memory rather than not at all
            log.exception("store unavailable while loading caller %s", log_id(key))

    g.lang = conversation.lang(state) if state else conversation.settings.default_language

    # Too many texts from one number: one notice (with the urgent action), then silence.
    # Opt-outs still go through, so STOP always works.
    verdict = current_app.extensions["hsct_limits"]["sms"].check(key) if key else "ok"
    if verdict != "ok" and normalise(body) not in conversation.content.opt_out_words:
        log.warning("sms caller=%s rate limited (%s)", log_id(key or "-"), verdict)
        if verdict == "silent" or (state and state.opted_out):
            return twiml(render(None))
        pack = conversation.pack(state or CallerState())
        return twiml(render(conversation.finish(pack, pack.text("rate_limited"))))

    # The number's country only matters for a caller whose language is not yet known.
    country = country_of(number, request.form.get("FromCountry")) if state is None else None
    reply, new_state = conversation.reply(body, state, country, public_url(""))

    try:
        if key and new_state != state:
            store.save(key, new_state)
        if reply.text is not None:
            store.count("sms", reply.lang, reply.intent, reply.topic)
        if reply.intent == "unknown" and current_app.config["KEEP_UNANSWERED"]:
            store.unanswered("sms", reply.lang, body)
    except Exception:
        log.exception("store unavailable while saving caller %s", log_id(key or "-"))

    if log.isEnabledFor(logging.INFO):
        log.info(
            "sms caller=%s intent=%s topic=%s lang=%s segments=%s",
            log_id(key or "-"),
            reply.intent,
            reply.topic or "-",
            reply.lang,
            encoding_of(reply.text).segments if reply.text else 0,
        )
    return twiml(render(reply.text))


@bp.errorhandler(Exception)
def failed(error: Exception) -> Response:
    """Never a 500 to Twilio (it would play or send its own error): a short apology."""
    if isinstance(error, HTTPException):
        return error  # 403 for a bad signature, 405, 413: Twilio should see those
    log.exception("sms webhook failed")
    conversation: Conversation = current_app.extensions["hsct_conversation"]
    lang = g.get("lang") or conversation.settings.default_language
    return twiml(render(conversation.content.pack(lang).text("error")))
