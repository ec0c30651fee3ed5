"""Per-caller state and usage counts behind one small interface.

Numbers are kept only as keyed hashes. SQLite is the zero-setup default; PostgreSQL
(DATABASE_URL, Heroku's convention) is for durable state shared by several instances.
Both run the same SQL.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import os
import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from flask import Flask

from .conversation import CallerState

log = logging.getLogger(__name__)


class Store(Protocol):
    """Where caller states and usage counts live. Caller keys are already hashed."""

    def load(self, key: str) -> CallerState | None: ...

    def save(self, key: str, state: CallerState) -> None: ...

    def purge(self, idle_seconds: int) -> int: ...

    def hit(self, bucket: str, limit: int, seconds: int) -> bool: ...

    def count(self, channel: str, lang: str, intent: str, topic: str | None) -> None: ...

    def unanswered(self, channel: str, lang: str, text: str) -> None: ...

    def counts(self, days: int) -> list[tuple]: ...

    def unanswered_questions(self, days: int, limit: int = 200) -> list[tuple]: ...


def caller_key(number: str, secret: str) -> str:
    """Hash a phone number with the app secret, so the number itself is never stored."""
    return hmac.new(secret.encode(), number.strip().encode(), hashlib.sha256).hexdigest()


def log_id(key: str) -> str:
    """A short, stable label for logs that reveals nothing about the number."""
    return key[:10]


_EMAIL = re.compile(r"\S+@\S+")
# Any run holding three or more digits, with the spaces, dots and dashes people type.
_DIGITS = re.compile(r"\+?\d[\d\s().\-/]*\d[\d\s().\-/]*\d")
MAX_QUESTION = 160


def scrub(text: str) -> str:
    """A question with anything like a phone number or an email address taken out."""
    text = _EMAIL.sub("[email]", text)
    text = _DIGITS.sub("[number]", text)
    return " ".join(text.split())[:MAX_QUESTION]


_FIELDS = [field.name for field in dataclasses.fields(CallerState)]

# One column per CallerState field; the table is made (and extended) from this.
_COLUMN_TYPES = {
    "lang": "TEXT",
    "detected": "TEXT",
    "topic": "TEXT",
    "page": "INTEGER NOT NULL DEFAULT 0",
    "menu": "TEXT NOT NULL DEFAULT 'topics'",
    "opted_out": "INTEGER NOT NULL DEFAULT 0",
    "misses": "INTEGER NOT NULL DEFAULT 0",
}

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS caller (key TEXT PRIMARY KEY, "
    + "".join(f"{name} {kind}, " for name, kind in _COLUMN_TYPES.items())
    + "updated_at BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS caller_updated ON caller (updated_at)",
    # Usage without people: one counter per day, channel, language, intent and topic.
    "CREATE TABLE IF NOT EXISTS usage (day TEXT NOT NULL, channel TEXT NOT NULL, "
    "lang TEXT NOT NULL, intent TEXT NOT NULL, topic TEXT NOT NULL, "
    "hits INTEGER NOT NULL, PRIMARY KEY (day, channel, lang, intent, topic))",
    # Questions nobody could answer, scrubbed, so the content can grow where it is missing.
    "CREATE TABLE IF NOT EXISTS unanswered (day TEXT NOT NULL, channel TEXT NOT NULL, "
    "lang TEXT NOT NULL, question TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS unanswered_day ON unanswered (day)",
    # Rate-limit counters in fixed windows, shared by every worker (ratelimit.py).
    "CREATE TABLE IF NOT EXISTS rate (bucket TEXT NOT NULL, slot BIGINT NOT NULL, "
    "hits INTEGER NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (bucket, slot))",
]


def _today() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


def _since(days: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() - days * 86400))


class SqlStore:
    """The store's SQL, shared by SQLite and PostgreSQL; one connection per thread and process."""

    mark = "?"  # the driver's parameter mark

    def __init__(self) -> None:
        self._local = threading.local()

    def _open(self) -> Any:
        raise NotImplementedError

    def _conn(self) -> Any:
        # Opened on first use, so a database that is down never stops the app starting;
        # and per process, because connections must not cross gunicorn's fork.
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            conn = self._open()
            self._prepare(conn)
            local.conn, local.pid = conn, os.getpid()
        return local.conn

    def _prepare(self, conn: Any) -> None:
        """Make the tables, and add the columns a database from an older version lacks."""
        for statement in _SCHEMA:
            conn.execute(statement)
        have = self._columns(conn)
        for name in _FIELDS:
            if name not in have:
                conn.execute(f"ALTER TABLE caller ADD COLUMN {name} {_COLUMN_TYPES[name]}")

    def _columns(self, conn: Any) -> set[str]:
        raise NotImplementedError

    def close(self) -> None:
        """Close this thread's connection (tests, and a clean shutdown)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            conn.close()
        self._local = threading.local()

    def _run(self, sql: str, params: tuple = ()) -> Any:
        return self._conn().execute(sql.replace("?", self.mark), params)

    def load(self, key: str) -> CallerState | None:
        """Return the state for this hashed number, or None for a new number."""
        row = self._run(f"SELECT {', '.join(_FIELDS)} FROM caller WHERE key = ?", (key,))
        row = row.fetchone()
        if row is None:
            return None
        values = dict(zip(_FIELDS, row, strict=True))
        values["opted_out"] = bool(values["opted_out"])
        return CallerState(**values)

    def save(self, key: str, state: CallerState) -> None:
        """Insert or replace the state for this hashed number."""
        values = [getattr(state, name) for name in _FIELDS]
        values[_FIELDS.index("opted_out")] = int(state.opted_out)
        columns = ", ".join(["key", *_FIELDS, "updated_at"])
        marks = ", ".join("?" * (len(_FIELDS) + 2))
        updates = ", ".join(f"{name} = excluded.{name}" for name in [*_FIELDS, "updated_at"])
        self._run(
            f"INSERT INTO caller ({columns}) VALUES ({marks}) "
            f"ON CONFLICT(key) DO UPDATE SET {updates}",
            (key, *values, int(time.time())),
        )

    def purge(self, idle_seconds: int) -> int:
        """Forget callers idle that long, and old unanswered questions; keep opt-outs."""
        cutoff = int(time.time()) - idle_seconds
        deleted = self._run(
            "DELETE FROM caller WHERE updated_at <= ? AND opted_out = 0", (cutoff,)
        ).rowcount
        # An opt-out must outlive retention, or the line would text them again: keep the
        # hash and the flag, drop the rest.
        self._run(
            "UPDATE caller SET lang = NULL, detected = NULL, topic = NULL, page = 0, "
            "menu = 'topics', misses = 0 WHERE updated_at <= ? AND opted_out = 1",
            (cutoff,),
        )
        day = time.strftime("%Y-%m-%d", time.gmtime(cutoff))
        self._run("DELETE FROM unanswered WHERE day <= ?", (day,))
        self._run("DELETE FROM rate WHERE expires_at < ?", (int(time.time()),))
        return deleted

    def hit(self, bucket: str, limit: int, seconds: int) -> bool:
        """Count one hit in this bucket's current window; True while within ``limit``."""
        now = int(time.time())
        slot = now // seconds
        hits = self._run(
            "INSERT INTO rate (bucket, slot, hits, expires_at) VALUES (?, ?, 1, ?) "
            "ON CONFLICT (bucket, slot) DO UPDATE SET hits = rate.hits + 1 RETURNING hits",
            (bucket, slot, (slot + 1) * seconds),
        ).fetchone()[0]
        if hits == 1 and slot % 16 == 0:  # now and then, drop windows that have passed
            self._run("DELETE FROM rate WHERE expires_at < ?", (now,))
        return hits <= limit

    def count(self, channel: str, lang: str, intent: str, topic: str | None) -> None:
        """Add one to today's counter for this kind of answer."""
        self._run(
            "INSERT INTO usage (day, channel, lang, intent, topic, hits) "
            "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (day, channel, lang, intent, topic) "
            "DO UPDATE SET hits = usage.hits + 1",
            (_today(), channel, lang, intent, topic or "-"),
        )

    def unanswered(self, channel: str, lang: str, text: str) -> None:
        """Keep a question nobody could answer, scrubbed of numbers and email addresses."""
        question = scrub(text)
        if question:
            self._run(
                "INSERT INTO unanswered (day, channel, lang, question) VALUES (?, ?, ?, ?)",
                (_today(), channel, lang, question),
            )

    def counts(self, days: int) -> list[tuple]:
        """(day, channel, lang, intent, topic, hits) over the last ``days`` days."""
        return list(
            self._run(
                "SELECT day, channel, lang, intent, topic, hits FROM usage WHERE day >= ? "
                "ORDER BY day, channel, lang, intent, topic",
                (_since(days),),
            ).fetchall()
        )

    def unanswered_questions(self, days: int, limit: int = 200) -> list[tuple]:
        """(day, channel, lang, question), newest first."""
        return list(
            self._run(
                "SELECT day, channel, lang, question FROM unanswered WHERE day >= ? "
                "ORDER BY day DESC LIMIT ?",
                (_since(days), limit),
            ).fetchall()
        )


class SqliteStore(SqlStore):
    """SQLite in WAL mode, so workers do not block readers."""

    def __init__(self, path: str, timeout: float = 5.0) -> None:
        super().__init__()
        self.path = path
        self.timeout = timeout  # how long to wait for another worker's write lock

    def _open(self) -> sqlite3.Connection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the app
        return conn

    def _columns(self, conn: sqlite3.Connection) -> set[str]:
        return {row[1] for row in conn.execute("PRAGMA table_info(caller)")}


class PostgresStore(SqlStore):
    """PostgreSQL through psycopg 3, autocommit, one connection per worker thread."""

    mark = "%s"

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        super().__init__()
        self.url = url
        self.timeout = timeout

    def _open(self) -> Any:
        import psycopg

        timeout = max(1, int(self.timeout))
        return psycopg.connect(self.url, autocommit=True, connect_timeout=timeout)

    def _prepare(self, conn: Any) -> None:
        # Several workers creating the tables at once must not trip over each other.
        conn.execute("SELECT pg_advisory_lock(4271)")
        try:
            super()._prepare(conn)
        finally:
            conn.execute("SELECT pg_advisory_unlock(4271)")

    def _columns(self, conn: Any) -> set[str]:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'caller' AND table_schema = current_schema()"
        )
        return {row[0] for row in rows}


def open_store(url: str, timeout: float = 5.0) -> Store:
    """Open the store a DATABASE_URL names (no connection is made until first use)."""
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"), timeout)
    if url.startswith(("postgres://", "postgresql://")):
        return PostgresStore(url, timeout)
    raise ValueError(f"unsupported DATABASE_URL scheme: {url.split(':', 1)[0]}")


def init_app(app: Flask) -> None:
    """Open the store once per app, and forget callers idle past RETENTION_DAYS."""
    store = open_store(app.config["DATABASE_URL"], float(app.config["DATABASE_TIMEOUT"]))
    app.extensions["hsct_store"] = store
    days = int(app.config["RETENTION_DAYS"] or 0)
    if days > 0:
        try:
            forgotten = store.purge(days * 86400)
        except Exception:  # a database that is down must not stop the line starting
            log.exception("could not apply the retention period at start-up")
        else:
            if forgotten:
                log.info("retention: forgot %d caller(s) idle over %d days", forgotten, days)
