"""Per-caller state behind one small interface; numbers kept only as keyed hashes."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

from flask import Flask

from .conversation import CallerState

log = logging.getLogger(__name__)


class Store(Protocol):
    """Where caller states live. Keys are already hashed."""

    def load(self, key: str) -> CallerState | None: ...

    def save(self, key: str, state: CallerState) -> None: ...

    def purge(self, idle_seconds: int) -> int: ...


def caller_key(number: str, secret: str) -> str:
    """Hash a phone number with the app secret, so the number itself is never stored."""
    return hmac.new(secret.encode(), number.strip().encode(), hashlib.sha256).hexdigest()


def log_id(key: str) -> str:
    """A short, stable label for logs that reveals nothing about the number."""
    return key[:10]


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

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS caller (key TEXT PRIMARY KEY, "
    + "".join(f"{name} {kind}, " for name, kind in _COLUMN_TYPES.items())
    + "updated_at INTEGER NOT NULL)"
)


class SqliteStore:
    """SQLite, one connection per thread and process, WAL so workers do not block readers."""

    def __init__(self, path: str, timeout: float = 5.0) -> None:
        self.path = path
        self.timeout = timeout  # how long to wait for another worker's write lock
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the app
        conn.execute(_SCHEMA)
        conn.execute("CREATE INDEX IF NOT EXISTS caller_updated ON caller (updated_at)")
        # A database from an older version may lack newer columns: add them.
        have = {row[1] for row in conn.execute("PRAGMA table_info(caller)")}
        for name in _FIELDS:
            if name not in have:
                conn.execute(f"ALTER TABLE caller ADD COLUMN {name} {_COLUMN_TYPES[name]}")
        return conn

    def _conn(self) -> sqlite3.Connection:
        # Opened on first use, so a database that is down never stops the app starting;
        # and per process, because connections must not cross gunicorn's fork.
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.conn = self._connect()
            local.pid = os.getpid()
        return local.conn

    def load(self, key: str) -> CallerState | None:
        """Return the state for this hashed number, or None for a new number."""
        row = (
            self._conn()
            .execute(f"SELECT {', '.join(_FIELDS)} FROM caller WHERE key = ?", (key,))
            .fetchone()
        )
        if row is None:
            return None
        values = dict(zip(_FIELDS, row, strict=True))
        values["opted_out"] = bool(values["opted_out"])
        return CallerState(**values)

    def save(self, key: str, state: CallerState) -> None:
        """Insert or replace the state for this hashed number."""
        values = [getattr(state, name) for name in _FIELDS]
        columns = ", ".join(["key", *_FIELDS, "updated_at"])
        marks = ", ".join("?" * (len(_FIELDS) + 2))
        updates = ", ".join(f"{name} = excluded.{name}" for name in [*_FIELDS, "updated_at"])
        self._conn().execute(
            f"INSERT INTO caller ({columns}) VALUES ({marks}) "
            f"ON CONFLICT(key) DO UPDATE SET {updates}",
            (key, *values, int(time.time())),
        )

    def purge(self, idle_seconds: int) -> int:
        """Forget callers idle that long; keep only the opt-out of those who opted out."""
        cutoff = int(time.time()) - idle_seconds
        conn = self._conn()
        deleted = conn.execute(
            "DELETE FROM caller WHERE updated_at <= ? AND opted_out = 0", (cutoff,)
        ).rowcount
        # An opt-out must outlive retention, or the line would text them again: keep the
        # hash and the flag, drop the rest.
        conn.execute(
            "UPDATE caller SET lang = NULL, detected = NULL, topic = NULL, page = 0, "
            "menu = 'topics', misses = 0 WHERE updated_at <= ? AND opted_out = 1",
            (cutoff,),
        )
        return deleted


def open_store(url: str, timeout: float = 5.0) -> Store:
    """Open the store a DATABASE_URL names (no connection is made until first use)."""
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"), timeout)
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
