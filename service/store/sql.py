"""The store's SQL, shared by SQLite and PostgreSQL: callers, usage, questions, rate counters.

Numbers are kept only as keyed hashes (channels/identity.py makes them). Each worker
thread keeps one connection, reopened when it breaks (a database restart, a replaced
file), so the line remembers again as soon as the database is back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import re
import threading
import time
from typing import Any

from ..core.state import CallerState

log = logging.getLogger(__name__)

_FIELDS = [field.name for field in dataclasses.fields(CallerState)]
_SAVE = (
    f"INSERT INTO caller (key, {', '.join(_FIELDS)}, updated_at) "
    f"VALUES ({', '.join('?' * (len(_FIELDS) + 2))}) ON CONFLICT(key) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in [*_FIELDS, "updated_at"])
)

# One column per CallerState field; the table is made (and extended) from this.
_COLUMN_TYPES = {
    "lang": "TEXT",
    "detected": "TEXT",
    "topic": "TEXT",
    "page": "INTEGER NOT NULL DEFAULT 0",
    "answer": "TEXT",
    "menu": "TEXT NOT NULL DEFAULT 'topics'",
    "choices": "TEXT NOT NULL DEFAULT ''",
    "opted_out": "INTEGER NOT NULL DEFAULT 0",
    "misses": "INTEGER NOT NULL DEFAULT 0",
    "voice_notes": "INTEGER NOT NULL DEFAULT 0",
    "last_seen": "BIGINT NOT NULL DEFAULT 0",
}
_BOOLEANS = {"opted_out", "voice_notes"}

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
    # Counters in fixed windows, shared by every worker (rate limits, "text me" caps).
    "CREATE TABLE IF NOT EXISTS rate (bucket TEXT NOT NULL, slot BIGINT NOT NULL, "
    "hits INTEGER NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (bucket, slot))",
    # One row, written by the health check: proof the database takes writes.
    "CREATE TABLE IF NOT EXISTS health (id INTEGER PRIMARY KEY, checked_at BIGINT NOT NULL)",
]

# Bounded input and linear-time patterns: a question is scrubbed before it is kept.
MAX_QUESTION = 160
_SCRUB_INPUT = 1000
_EMAIL = re.compile(r"[^\s@]{1,64}@[^\s@]{1,255}")
# Any run holding three or more digits, with the spaces, dots and dashes people type.
_DIGITS = re.compile(r"\+?\d(?:[\s().\-/]{0,3}\d){2,}")


def scrub(text: str) -> str:
    """A question with anything like a phone number or an email address taken out."""
    text = text[:_SCRUB_INPUT]
    text = _EMAIL.sub("[email]", text)
    text = _DIGITS.sub("[number]", text)
    return " ".join(text.split())[:MAX_QUESTION]


def _today() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


def _since(days: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() - days * 86400))


class SqlStore:
    """The SQL every engine runs; one connection per thread and process, reopened when broken."""

    mark = "?"  # the driver's parameter mark (the SQL below has no literal question marks)

    def __init__(self) -> None:
        self._local = threading.local()

    def _open(self) -> Any:
        raise NotImplementedError

    def _stale(self, conn: Any) -> bool:
        """True when this connection no longer reaches the database it was opened on."""
        return False

    def _is_broken(self, error: Exception) -> bool:
        """True for errors after which the connection should be dropped and opened again."""
        return False

    def _columns(self, conn: Any) -> set[str]:
        raise NotImplementedError

    def _conn(self) -> Any:
        # Opened on first use, so a database that is down never stops the app starting;
        # per process, because connections must not cross gunicorn's fork.
        local = self._local
        if getattr(local, "pid", None) != os.getpid() or self._stale(local.conn):
            self._drop()
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

    def _drop(self) -> None:
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is not None and getattr(local, "pid", None) == os.getpid():
            with contextlib.suppress(Exception):  # it is broken already: only let it go
                conn.close()
        # This thread's connection only: the other threads keep theirs. (A connection
        # inherited across a fork is forgotten here, never closed: it is the parent's.)
        local.__dict__.clear()

    def close(self) -> None:
        """Close this thread's connection (tests, and a clean shutdown)."""
        self._drop()

    def _run(self, sql: str, params: tuple = ()) -> Any:
        """Run one statement; on a broken connection, reconnect once and run it again."""
        if self.mark != "?":
            sql = sql.replace("?", self.mark)
        try:
            return self._conn().execute(sql, params)
        except Exception as error:
            if not self._is_broken(error):
                raise
            log.warning("database connection lost (%s); reconnecting", type(error).__name__)
            self._drop()
            return self._conn().execute(sql, params)

    # Callers ------------------------------------------------------------------------------

    def load(self, key: str) -> CallerState | None:
        """Return the state for this hashed number, or None for a new number."""
        row = self._run(f"SELECT {', '.join(_FIELDS)} FROM caller WHERE key = ?", (key,))
        row = row.fetchone()
        if row is None:
            return None
        values = dict(zip(_FIELDS, row, strict=True))
        for name in _BOOLEANS:
            values[name] = bool(values[name])
        values["choices"] = tuple(filter(None, (values["choices"] or "").split(",")))
        return CallerState(**values)

    def save(self, key: str, state: CallerState, durable: bool = False) -> None:
        """Insert or replace the state for this hashed number (every commit is durable here)."""
        row = {name: getattr(state, name) for name in _FIELDS}  # flat: no deep copy
        for name in _BOOLEANS:
            row[name] = int(row[name])
        row["choices"] = ",".join(state.choices)
        self._run(_SAVE, (key, *(row[name] for name in _FIELDS), int(time.time())))

    def set_opt_out(self, key: str, opted_out: bool) -> None:
        """Record an opt-out (or opt-in) alone, keeping the rest of the caller's state."""
        self._run(
            "INSERT INTO caller (key, opted_out, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET opted_out = excluded.opted_out, "
            "updated_at = excluded.updated_at",
            (key, int(opted_out), int(time.time())),
        )

    def purge(self, idle_seconds: int) -> int:
        """Forget callers idle that long, and old unanswered questions; keep opt-outs."""
        if idle_seconds <= 0:
            raise ValueError("the retention period must be at least one day")
        cutoff = int(time.time()) - idle_seconds
        deleted = self._run(
            "DELETE FROM caller WHERE updated_at <= ? AND opted_out = 0", (cutoff,)
        ).rowcount
        # An opt-out must outlive retention, or the line would text them again: keep the
        # hash and the flag, drop the rest.
        self._run(
            "UPDATE caller SET lang = NULL, detected = NULL, topic = NULL, page = 0, "
            "answer = NULL, menu = 'topics', choices = '', misses = 0, voice_notes = 0, "
            "last_seen = 0 WHERE updated_at <= ? AND opted_out = 1",
            (cutoff,),
        )
        day = time.strftime("%Y-%m-%d", time.gmtime(cutoff))
        self._run("DELETE FROM unanswered WHERE day <= ?", (day,))
        self._run("DELETE FROM rate WHERE expires_at < ?", (int(time.time()),))
        return int(deleted)

    # Counters -----------------------------------------------------------------------------

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
        return bool(hits <= limit)

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

    def ping(self) -> None:
        """Read and write one row: raises when the database cannot do both."""
        self._run(
            "INSERT INTO health (id, checked_at) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
            (int(time.time()),),
        )
        self._run("SELECT checked_at FROM health WHERE id = 1").fetchone()
