"""Pages for people: the try-it page on /, and the health check."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from .signature import public_url

bp = Blueprint("web", __name__)


@bp.get("/")
def index() -> str:
    """Show the try-it page, or a short notice when it is switched off."""
    return render_template("index.html", try_page=current_app.config["TRY_PAGE"])


@bp.get("/listen/<lang>/<topic>")
def listen(lang: str, topic: str) -> str:
    """A topic read aloud: each part's clip with its text, for texters who would rather listen."""
    menu = current_app.extensions["hsct_phone"]
    conversation = menu.conversation
    if lang not in conversation.settings.languages:
        abort(404)
    pack = conversation.content.pack(lang)
    if topic not in pack.by_id:
        abort(404)
    clips = current_app.extensions["hsct_clips"]
    parts = [(text, clips.find(text, lang, slow=False)) for text in menu.pages(lang, topic)]
    return render_template(
        "listen.html",
        lang=lang.replace("_", "-"),
        rtl=pack.rtl,
        title=pack.by_id[topic].title,
        disclaimer=pack.strings["system.disclaimer"],
        parts=parts,
    )


@bp.get("/healthz")
def healthz() -> tuple:
    """Say whether the service can answer webhooks (for load balancers and monitors)."""
    webhooks = "twilio_validator" in current_app.extensions
    body = {"status": "ok", "webhooks": "enabled" if webhooks else "refused: no TWILIO_AUTH_TOKEN"}
    return jsonify(body), 200


@bp.post("/try/sign")
def try_sign() -> object:
    """Sign a simulated webhook like Twilio would, so the try-it page uses the real path.

    Only when the try-it page is on (DEV_MODE by default): it signs anything it is given.
    """
    if not current_app.config["TRY_PAGE"]:
        abort(404)
    validator = current_app.extensions.get("twilio_validator")
    payload = request.get_json(silent=True) or {}
    path = str(payload.get("path", "/sms"))
    params = payload.get("params", {})
    webhook = path.split("?", 1)[0] in {"/sms", "/voice", "/voice/menu"}
    if validator is None or not webhook or not isinstance(params, dict):
        abort(400)
    params = {str(name): str(value) for name, value in params.items()}
    params.setdefault("MessageSid", "SM" + secrets.token_hex(16))
    signature = validator.compute_signature(public_url(path), params)
    return jsonify({"params": params, "signature": signature})
