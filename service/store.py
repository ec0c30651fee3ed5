"""Per-caller state behind one small interface; numbers kept only as keyed hashes."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

from flask import Flask

from .conversation import CallerState


class Store(Protocol):
    """Where caller states live. Keys are already hashed."""

    def load(self, key: str) -> CallerState | None: ...

    def save(self, key: str, state: CallerState) -> None: ...


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

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute(_SCHEMA)
            # A database from an older version may lack newer columns: add them.
            have = {row[1] for row in conn.execute("PRAGMA table_info(caller)")}
            for name in _FIELDS:
                if name not in have:
                    conn.execute(f"ALTER TABLE caller ADD COLUMN {name} {_COLUMN_TYPES[name]}")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the app
        return conn

    def _conn(self) -> sqlite3.Connection:
        # Connections must not cross a fork: gunicorn forks workers after create_app.
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


def open_store(url: str) -> Store:
    """Open the store a DATABASE_URL names."""
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"))
    raise ValueError(f"unsupported DATABASE_URL scheme: {url.split(':', 1)[0]}")


def init_app(app: Flask) -> None:
    """Open the store once per app and keep it on app.extensions."""
    app.extensions["hsct_store"] = open_store(app.config["DATABASE_URL"])
