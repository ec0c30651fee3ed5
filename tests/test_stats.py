"""Usage insight without personal data, and the store on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import pytest

from service import create_app
from service.core.state import CallerState
from service.store import open_store, scrub

from .helpers import CONTENT, NUMBER, Caller, Texter


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("postgres").url


def test_store_contract(store_url):
    store = open_store(store_url)
    assert store.load("k") is None
    full = CallerState(
        lang="cy",
        topic="risks",
        page=-1,
        answer="hair-loss",
        menu="choices",
        choices=("a", "b"),
        opted_out=True,
        voice_notes=True,
        last_seen=1700000000,
    )
    store.save("k", full)
    assert store.load("k") == full
    store.save("k", CallerState(lang="es"))
    assert store.load("k").lang == "es" and not store.load("k").opted_out
    for _ in range(3):
        store.count("sms", "es", "topic", "risks")
    store.count("voice", "en", "call", None)
    rows = store.counts(1)
    assert ("sms", "es", "topic", "risks", 3) in [row[1:] for row in rows]
    assert ("voice", "en", "call", "-", 1) in [row[1:] for row in rows]
    store.unanswered("sms", "en", "ring me on 07700 900123 or me@example.org")
    assert store.unanswered_questions(1)[0][3] == "ring me on [number] or [email]"
    store.save("gone", CallerState())
    store.save("out", CallerState(lang="fr", opted_out=True))
    with pytest.raises(ValueError):
        store.purge(0)  # never "everything": a retention period is at least a day
    assert store.purge(3600) == 0  # nothing idle for an hour yet
    for key in ("k", "gone", "out"):
        store._run("UPDATE caller SET updated_at = updated_at - 86400 * 10 WHERE key = ?", (key,))
    assert store.purge(86400) == 2  # k and gone; "out" keeps its opt-out
    assert store.load("k") is None and store.load("out") == CallerState(opted_out=True)
    assert store.unanswered_questions(1) == []
    # Rate-limit counters: a fixed window per bucket, shared by whoever uses this database.
    assert [store.hit("sms:abc", 2, 3600) for _ in range(3)] == [True, True, False]
    assert store.hit("sms:other", 2, 3600)
    store.set_opt_out("new", True)
    assert store.load("new").opted_out
    store.ping()
    store.close()


def test_the_line_runs_on_postgresql(config, postgres):
    config["DATABASE_URL"] = postgres.url
    app = create_app(config)
    phone = Texter(app.test_client())
    phone("hi")
    phone("LANG es")
    assert phone("STOP") is None
    app.extensions["hsct"].store.close()
    again = create_app(config)
    restarted = Texter(again.test_client())
    assert restarted("risks") is None
    assert restarted("START") == CONTENT.pack("es").text("opted_in")
    again.extensions["hsct"].store.close()


def test_heroku_style_postgres_urls_are_accepted():
    assert type(open_store("postgres://u:p@host:5432/db")).__name__ == "PostgresStore"


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("call me on +44 7700 900123 please", "call me on [number] please"),
        ("my email is jo.bloggs@example.co.uk", "my email is [email]"),
        ("I am 45 and at stage 2", "I am 45 and at stage 2"),
        ("nhs no 943 476 5919", "nhs no [number]"),
        ("x" * 500, "x" * 160),
    ],
)
def test_scrub(text, scrubbed):
    assert scrub(text) == scrubbed


@pytest.fixture
def used(config):
    config["STATS_TOKEN"] = "s3cret-stats"
    app = create_app(config)
    phone = Texter(app.test_client())
    for body in ["hi", "5", "more", "LANG es", "6", "purple elephants 07700 900123", "MENU"]:
        phone(body)
    Texter(app.test_client(), "whatsapp:+447700900888")("hi")
    caller = Caller(app.test_client(), "+447700900777")
    caller.call()
    caller.press("3")
    caller.press("1")
    caller.say("xylophone banana", confidence="0.9")
    return app


def test_stats_page_needs_the_token(used):
    client = used.test_client()
    assert client.get("/stats").status_code == 401
    assert client.get("/stats?token=wrong").status_code == 401
    page = client.get("/stats?token=s3cret-stats")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "Risks" in html and "Recovery" in html and "WhatsApp" in html
    assert "purple elephants [number]" in html and "xylophone banana" in html
    assert NUMBER not in html and "07700" not in html
    bearer = client.get("/stats", headers={"Authorization": "Bearer s3cret-stats"})
    assert bearer.status_code == 200


def test_no_token_means_no_stats_page(client):
    assert client.get("/stats").status_code == 404
    assert client.get("/stats.csv?token=").status_code == 404


def test_stats_csv(used):
    client = used.test_client()
    text = client.get("/stats.csv?token=s3cret-stats").get_data(as_text=True)
    lines = text.splitlines()
    assert lines[0] == "day,channel,lang,intent,topic,hits"
    assert any(",sms,en,topic,risks,1" in line for line in lines)
    assert any(",sms,es,topic,recovery,1" in line for line in lines)
    assert any(",voice,en,topic,risks,1" in line for line in lines)
    assert any(",whatsapp,en,welcome,-,1" in line for line in lines), lines
    questions = client.get("/stats.csv?token=s3cret-stats&what=unanswered").get_data(as_text=True)
    assert "purple elephants [number]" in questions


@pytest.mark.parametrize(
    "payload", ['=HYPERLINK("http://evil.example")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-2+3"]
)
def test_spreadsheet_formulas_in_questions_are_made_plain(config, payload):
    config["STATS_TOKEN"] = "t"
    app = create_app(config)
    Texter(app.test_client())(payload)
    export = app.test_client().get("/stats.csv?token=t&what=unanswered").get_data(as_text=True)
    rows = export.splitlines()
    assert len(rows) == 2, rows
    assert rows[1].split(",", 3)[3].lstrip('"').startswith("'"), rows


def test_stats_command(used):
    result = used.test_cli_runner().invoke(args=["stats", "--days", "7"])
    assert "answers in the last 7 days" in result.output and "risks" in result.output
    assert "unanswered" in result.output and "07700" not in result.output
    as_csv = used.test_cli_runner().invoke(args=["stats", "--csv"])
    assert as_csv.output.startswith("day,channel,lang,intent,topic,hits")


def test_unanswered_questions_can_be_switched_off(config):
    config.update(KEEP_UNANSWERED=False, STATS_TOKEN="t")
    app = create_app(config)
    Texter(app.test_client())("zzz qqq unknown words")
    assert app.extensions["hsct"].store.unanswered_questions(1) == []
