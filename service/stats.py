"""Usage insight without personal data: counts by day, channel, language and topic."""

from __future__ import annotations

import csv
import hmac
import io
from collections import Counter
from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, render_template, request

bp = Blueprint("stats", __name__)


def csv_text(rows: list[tuple]) -> str:
    """Rows as CSV."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


@dataclass
class Summary:
    """Counts over a period, ready to show."""

    days: int
    by_day: list[tuple[str, int, int]]  # day, texts, calls
    by_language: Counter
    by_topic: Counter
    by_intent: Counter
    unanswered: list[tuple]
    total: int


def summarise(rows: list[tuple], unanswered: list[tuple], days: int) -> Summary:
    """Fold (day, channel, lang, intent, topic, hits) rows into totals."""
    per_day: dict[str, Counter] = {}
    languages, topics, intents = Counter(), Counter(), Counter()
    for day, channel, lang, intent, topic, hits in rows:
        per_day.setdefault(day, Counter())[channel] += hits
        languages[lang] += hits
        intents[f"{channel} {intent}"] += hits
        if topic and topic != "-":
            topics[topic] += hits
    by_day = [(day, counts["sms"], counts["voice"]) for day, counts in sorted(per_day.items())]
    total = sum(texts + calls for _, texts, calls in by_day)
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
    store = current_app.extensions["hsct_store"]
    days = _days()
    summary = summarise(store.counts(days), store.unanswered_questions(days), days)
    titles = {
        t.id: t.title for t in current_app.extensions["hsct_conversation"].content.pack("en").topics
    }
    return render_template(
        "stats.html", s=summary, titles=titles, token=request.args.get("token", "")
    )


@bp.get("/stats.csv")
def export() -> Response:
    """Counts as CSV (or, with ?what=unanswered, the scrubbed unanswered questions)."""
    store = current_app.extensions["hsct_store"]
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
