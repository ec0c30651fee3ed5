"""The line cannot be turned against anyone, and it never forgets a STOP: databases that
go away, locks, hung counters, huge requests, withheld numbers."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time

import pytest

from service import create_app
from service.channels.identity import caller_key, sender_of
from service.store import scrub

from .helpers import NUMBER, Caller, Texter, database_locked, first_page, system


def key_of(number: str, secret: str = "test-secret") -> str:
    return caller_key(sender_of(number, "sms"), secret)


def test_the_store_reconnects_after_postgresql_drops_its_connections(config, postgres):
    admin = postgres.admin
    config["DATABASE_URL"] = postgres.url
    app = create_app(config)
    phone = Texter(app.test_client())
    phone("hi")
    phone("LANG es")
    name = postgres.name
    killed = admin.execute(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
        (name,),
    ).fetchone()[0]
    assert killed >= 1  # the app's connections are gone, as after a server restart
    reply = phone("MENU")
    assert reply.startswith(app.extensions["hsct"].line.pack("es").text("menu_intro"))  # remembered
    assert phone("STOP") is None
    assert app.extensions["hsct"].store.load(key_of(NUMBER)).opted_out  # and STOP is saved
    assert app.test_client().get("/healthz").status_code == 200
    app.extensions["hsct"].store.close()


def test_healthz_tells_the_truth_when_the_store_fails(app, monkeypatch):
    def broken(*args):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(app.extensions["hsct"].store, "ping", broken)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["store"].startswith("failing")


def test_a_replaced_sqlite_file_is_reopened(config, tmp_path):
    app = create_app(config)
    phone = Texter(app.test_client())
    phone("hi")
    database = tmp_path / "line.sqlite"
    for path in tmp_path.glob("line.sqlite*"):
        path.unlink()  # deleted (or restored from a backup) under the running app
    assert phone("STOP") is None
    assert app.extensions["hsct"].store.load(key_of(NUMBER)).opted_out
    assert database.exists()


def test_each_request_thread_keeps_its_own_connection(tmp_path, monkeypatch):
    """gunicorn's threads share one store: a thread opening its connection must not take
    the others' away (they were reopened, schema and all, on nearly every statement)."""
    from service.store.engines import SqliteStore

    store = SqliteStore(str(tmp_path / "threads.sqlite"))
    opened = []
    real_open = store._open
    monkeypatch.setattr(store, "_open", lambda: opened.append(1) or real_open())
    start = threading.Barrier(4)

    def work() -> None:
        start.wait()
        for _ in range(50):
            store.count("sms", "en", "answer", None)
            store.load("k")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 4  # one each, kept
    assert sum(row[-1] for row in store.counts(1)) == 200


def test_stop_during_a_lock_is_kept_and_outlives_a_restart(config, tmp_path):
    config["DATABASE_TIMEOUT"] = 0.3
    app = create_app(config)
    phone = Texter(app.test_client())
    phone("hi")
    with database_locked(tmp_path / "line.sqlite"):
        started = time.perf_counter()
        assert phone("STOP") is None  # answered (nothing to send), within the budget
        assert time.perf_counter() - started < 2
        assert phone("risks") is None  # the journal holds it while the lock lasts
    restarted = create_app(config)  # even before the journal is replayed...
    assert Texter(restarted.test_client())("risks") is None
    assert restarted.extensions["hsct"].store.load(key_of(NUMBER)).opted_out  # ...then it is
    assert not restarted.extensions["hsct"].journal.has_pending()
    assert Texter(restarted.test_client())("START") == system("opted_in")


def test_start_while_the_database_is_down_is_kept_too(config, monkeypatch):
    app = create_app(config)
    phone = Texter(app.test_client())
    phone("hi")
    phone("STOP")
    store = app.extensions["hsct"].store

    def down(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("unable to open database file")

    with monkeypatch.context() as patch:
        for name in ("load", "save", "hit", "count"):
            patch.setattr(store, name, down)
        phone("START")  # nothing can be read or written: the opt-in goes to the journal
    restarted = create_app(config)
    assert Texter(restarted.test_client())("risks").startswith(first_page("risks"))
    assert not restarted.extensions["hsct"].store.load(key_of(NUMBER)).opted_out


def test_a_locked_database_never_holds_a_webhook_past_its_budget(config, tmp_path):
    config["DATABASE_TIMEOUT"] = 1.5
    config["RATE_LIMIT_ENABLED"] = True
    app = create_app(config)
    Texter(app.test_client())("hi")
    with database_locked(tmp_path / "line.sqlite"):
        started = time.perf_counter()
        assert Texter(app.test_client())("risks").startswith(first_page("risks"))
        assert Caller(app.test_client(), "+447700900321").call().find("Gather") is not None
        assert time.perf_counter() - started < 5  # one wait, then no more asking


@pytest.fixture
def hung_redis():
    """A server that takes connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def test_a_hung_redis_does_not_stall_the_line(config, hung_redis, caplog):
    config.update(RATE_LIMIT_ENABLED=True, REDIS_URL=hung_redis)
    app = create_app(config)
    started = time.perf_counter()
    assert Texter(app.test_client())("hi").startswith(system("welcome"))
    assert time.perf_counter() - started < 5
    assert "rate-limit storage unavailable" in caplog.text


def test_oversized_requests_are_refused_before_they_are_read(client):
    started = time.perf_counter()
    huge = client.post("/sms", data={"Body": "x" * 2_000_000})
    assert huge.status_code == 413
    many = client.post(
        "/sms",
        data="&".join(f"f{n}=1" for n in range(100_000)),
        content_type="application/x-www-form-urlencoded",
    )
    assert many.status_code == 413
    assert time.perf_counter() - started < 3


def test_withheld_numbers_share_no_identity(app):
    spanish = Caller(app.test_client(), number="anonymous")
    spanish.call()
    spanish.say("Español")
    stranger = Caller(app.test_client(), number="+266696687")
    stranger.call()
    assert stranger.root.find("Gather").get("language") == "en-GB"  # not the last caller's
    assert stranger.heard.startswith("Welcome to")  # greeted as new, every time
    rows = (
        sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
        .execute("SELECT count(*) FROM caller")
        .fetchone()
    )
    assert rows == (0,)


def test_withheld_callers_are_not_rate_limited_as_one(config):
    config.update(RATE_LIMIT_ENABLED=True, RATE_LIMIT_CALLS="1/hour")
    app = create_app(config)
    for index in range(3):
        caller = Caller(app.test_client(), number="anonymous")
        caller.call_sid = f"CA{index:032d}"
        assert caller.call().find("Gather") is not None


@pytest.mark.parametrize("sender", ["VODAFONE", "88000", "NHS-Info"])
def test_no_reply_to_short_codes_or_sender_names(client, sender):
    assert Texter(client, sender).send("hello").messages == []


def test_scrubbing_a_long_question_is_quick():
    started = time.perf_counter()
    scrub("a" * 400_000 + "@" + "b" * 400_000)
    scrub("1 " * 200_000)
    assert time.perf_counter() - started < 0.5


def test_the_try_page_cannot_sign_with_the_real_token(config):
    config["TRY_PAGE"] = True
    client = create_app(config).test_client()
    assert client.post("/try/sign", json={"path": "/sms", "params": {}}).status_code == 404
    reply = client.post("/try/sms", json={"From": NUMBER, "Body": "STOP"})
    assert reply.status_code == 400  # a real number is never touched from the page
