"""Pages for people: the front page (the try-it page, when on), listen pages, the health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template

from ..services import services

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    """Show the try-it page, or a short notice when it is switched off."""
    return render_template("index.html", try_page=current_app.config["TRY_PAGE"])


@bp.get("/listen/<lang>/<topic>")
def listen(lang: str, topic: str) -> str:
    """A topic read aloud: each part with its clip, or the browser's own voice."""
    svc = services()
    if lang not in svc.line.settings.languages or topic not in svc.line.pack(lang).by_id:
        abort(404)
    pack = svc.line.pack(lang)
    parts = [
        (text, svc.clips.find(text, lang, slow=False)) for text in svc.phone.pages(lang, topic)
    ]
    return _listen_page(lang, pack.by_id[topic].title, parts)


@bp.get("/listen/<lang>/answer/<answer_id>")
def listen_answer(lang: str, answer_id: str) -> str:
    """One answer read aloud."""
    svc = services()
    if lang not in svc.line.settings.languages or answer_id not in svc.line.pack(lang).answers:
        abort(404)
    text = svc.line.answer_text(lang, answer_id, spoken=True)
    shown = svc.line.answer_text(lang, answer_id)
    title = svc.line.pack(lang).answers[answer_id].question
    return _listen_page(lang, title, [(shown, svc.clips.find(text, lang, slow=False))])


def _listen_page(lang: str, title: str, parts: list[tuple[str, str | None]]) -> str:
    pack = services().line.pack(lang)
    return render_template(
        "listen.html",
        lang=lang.replace("_", "-"),
        rtl=pack.rtl,
        title=title,
        disclaimer=pack.strings["system.disclaimer"],
        play_all=pack.strings["system.listen_play_all"],
        parts=parts,
    )


@bp.get("/healthz")
def healthz() -> tuple:
    """Whether the line can answer webhooks, and what is wrong if not (no secrets).

    200 when webhooks are answered with memory; 503 when the store fails or no token is
    set, so a load balancer or monitor notices.
    """
    svc = services()
    webhooks = "twilio_validators" in current_app.extensions
    body: dict[str, object] = {
        "webhooks": "enabled" if webhooks else "refused: no TWILIO_AUTH_TOKEN",
    }
    try:
        svc.store.ping()
        body["store"] = "ok"
    except Exception as error:  # reporting it is the check's whole job
        body["store"] = f"failing: {type(error).__name__}"
    if svc.journal.has_pending():
        body["opt_outs_waiting"] = len(svc.journal.pending())
    body["problems"] = svc.problems
    healthy = webhooks and body["store"] == "ok"
    body["status"] = "ok" if healthy else "degraded"
    return jsonify(body), 200 if healthy else 503
