"""Usage insight without personal data: counts by day, channel, language and topic."""

from __future__ import annotations

import csv
import hmac
import io
from collections import Counter
from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, render_template, request

from ..services import services

bp = Blueprint("stats", __name__)


# A cell starting with one of these is a formula to a spreadsheet: "=HYPERLINK(...)".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(rows: list[tuple]) -> str:
    """Rows as CSV, with any cell a spreadsheet would run as a formula made plain text."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([tuple(_plain(cell) for cell in row) for row in rows])
    return buffer.getvalue()


def _plain(cell: object) -> object:
    if isinstance(cell, str) and len(cell) > 1 and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


@dataclass
class Summary:
    """Counts over a period, ready to show."""

    days: int
    by_day: list[tuple[str, int, int, int]]  # day, texts, WhatsApp messages, call steps
    by_language: Counter
    by_topic: Counter
    by_intent: Counter
    unanswered: list[tuple]
    total: int


def summarise(rows: list[tuple], unanswered: list[tuple], days: int) -> Summary:
    """Fold (day, channel, lang, intent, topic, hits) rows into totals."""
    per_day: dict[str, Counter] = {}
    languages: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    intents: Counter[str] = Counter()
    for day, channel, lang, intent, topic, hits in rows:
        per_day.setdefault(day, Counter())[channel] += hits
        languages[lang] += hits
        intents[f"{channel} {intent}"] += hits
        if topic and topic != "-":
            topics[topic] += hits
    by_day = [
        (day, counts["sms"], counts["whatsapp"], counts["voice"])
        for day, counts in sorted(per_day.items())
    ]
    total = sum(sms + whatsapp + calls for _, sms, whatsapp, calls in by_day)
    return Summary(days, by_day, languages, topics, intents, unanswered, total)


@bp.before_request
def require_token() -> None:
    """Every stats view needs the token, from `Authorization: Bearer ...` or `?token=...`."""
    token = current_app.config.get("STATS_TOKEN")
    if not token:
        abort(404)  # no token set: no stats page at all
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    given = given or request.args.get("token", "")
    if not hmac.compare_digest(given.encode(), token.encode()):
        abort(401)


def _days() -> int:
    try:
        return max(1, min(int(request.args.get("days", "30")), 366))
    except ValueError:
        return 30


@bp.get("/stats")
def page() -> str:
    """The usage page for the deployer: a chart, tables, and unanswered questions."""
    svc = services()
    days = _days()
    summary = summarise(svc.store.counts(days), svc.store.unanswered_questions(days), days)
    titles = {t.id: t.title for t in svc.line.pack("en").topics}
    return render_template(
        "stats.html", s=summary, titles=titles, token=request.args.get("token", "")
    )


@bp.get("/stats.csv")
def export() -> Response:
    """Counts as CSV (or, with ?what=unanswered, the scrubbed unanswered questions)."""
    store = services().store
    days = _days()
    if request.args.get("what") == "unanswered":
        rows = [("day", "channel", "lang", "question"), *store.unanswered_questions(days, 10_000)]
    else:
        rows = [("day", "channel", "lang", "intent", "topic", "hits"), *store.counts(days)]
    return Response(
        csv_text(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=hsct-line-usage.csv"},
    )
