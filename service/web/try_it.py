"""The try-it page's own way in: the same adapters and core, on a sandbox.

No signature is made or needed here, so nothing can be signed with the real Auth Token:
these endpoints never touch the real callers' database (the sandbox has its own) and
never send a real text ("text me this" appears in the page's text thread instead).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, jsonify, request
from werkzeug.datastructures import MultiDict

from ..channels import messaging, voice
from ..services import Services

bp = Blueprint("try_it", __name__, url_prefix="/try")
MAX_BODY = 1600
NUMBER_PATTERN = "+1555"  # the page's made-up numbers: US 555, never a real person


@bp.before_request
def sandbox_only() -> None:
    """Only when the try-it page is on; and always on the sandbox's own services."""
    if not current_app.config["TRY_PAGE"]:
        abort(404)
    g.hsct_services = current_app.extensions["hsct_sandbox"]


def _fields(*names: str) -> MultiDict:
    """The page's fields, cut to size, with a made-up number only."""
    data = request.get_json(silent=True) or {}
    fields: MultiDict[str, str] = MultiDict()
    for name in names:
        value = data.get(name)
        if value is not None:
            fields[name] = str(value)[:MAX_BODY]
    number = fields.get("From", "")
    bare = number.removeprefix("whatsapp:")
    if not bare.startswith(NUMBER_PATTERN) or not bare[1:].isdigit() or len(bare) > 16:
        abort(400)
    fields.setdefault("To", "+15550000000")
    return fields


@bp.post("/sms")
def text() -> Response:
    """A text (or a WhatsApp message) from the page: the reply, and any voice note."""
    svc: Services = g.hsct_services
    response = messaging.answer(svc, _fields("From", "Body", "NumMedia", "MediaContentType0"))
    return jsonify({"twiml": str(response), "texts": g.get("try_texts", [])})


@bp.post("/voice")
@bp.post("/voice/menu")
def call() -> Response:
    """A call step from the page: the TwiML, the words behind any clip, and texts sent."""
    svc: Services = g.hsct_services
    fields = _fields("From", "Digits", "SpeechResult", "Confidence", "CallSid")
    if request.path.endswith("/menu"):
        response = voice.menu_step(svc, fields, request.args)
    else:
        response = voice.start(svc, fields)
    turn = g.get("turn")
    said = [
        {"text": speech.text, "lang": speech.lang.replace("_", "-")}
        for speech in (turn.say if turn else [])
    ]
    return jsonify({"twiml": str(response), "said": said, "texts": g.get("try_texts", [])})
