"""The two databases the store runs on: SQLite (zero set-up) and PostgreSQL (shared, durable)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from ..core.state import CallerState
from .sql import SqlStore


class SqliteStore(SqlStore):
    """SQLite in WAL mode, so workers do not block readers."""

    def __init__(self, path: str, timeout: float = 5.0) -> None:
        super().__init__()
        self.path = path
        self.timeout = timeout  # how long to wait for another worker's write lock

    def _open(self) -> sqlite3.Connection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        new = not Path(self.path).exists()
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        if new:
            os.chmod(self.path, 0o600)  # hashed numbers and questions: not for other users
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL: every commit survives a crash of the app; an opt-out is also made to
        # survive a power cut (save(durable=True) syncs the log to disk).
        conn.execute("PRAGMA synchronous=NORMAL")
        self._local.inode = _inode(self.path)
        return conn

    def save(self, key: str, state: CallerState, durable: bool = False) -> None:
        """Save; a durable save (an opt-out changing) is on disk before this returns."""
        if not durable:
            super().save(key, state)
            return
        self._run("PRAGMA synchronous=FULL")
        try:
            super().save(key, state)
        finally:
            self._run("PRAGMA synchronous=NORMAL")

    def set_opt_out(self, key: str, opted_out: bool) -> None:
        self._run("PRAGMA synchronous=FULL")
        try:
            super().set_opt_out(key, opted_out)
        finally:
            self._run("PRAGMA synchronous=NORMAL")

    def _stale(self, conn: Any) -> bool:
        # The file was deleted or replaced (a restore from backup): the open handle still
        # points at the old one, so every write would fail until a restart.
        return _inode(self.path) != getattr(self._local, "inode", None)

    def _is_broken(self, error: Exception) -> bool:
        # A lock held by another writer is not a broken connection: waiting again would
        # only double the wait.
        message = str(error)
        locked = "locked" in message or "busy" in message
        return isinstance(error, sqlite3.DatabaseError) and not locked

    def _columns(self, conn: sqlite3.Connection) -> set[str]:
        return {row[1] for row in conn.execute("PRAGMA table_info(caller)")}


class PostgresStore(SqlStore):
    """PostgreSQL through psycopg 3, autocommit, one connection per worker thread."""

    mark = "%s"

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        super().__init__()
        import psycopg

        self.url = url
        self.timeout = timeout
        self._broken = (psycopg.OperationalError, psycopg.InterfaceError)

    def _open(self) -> Any:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        timeout = max(1, int(self.timeout))
        # A statement that waits on a lock gives up, so a webhook answers in time (kept
        # beside any options the URL already has, such as a search_path).
        given = str(conninfo_to_dict(self.url).get("options") or "")
        options = f"{given} -c statement_timeout={int(self.timeout * 1000)}".strip()
        return psycopg.connect(self.url, autocommit=True, connect_timeout=timeout, options=options)

    def _stale(self, conn: Any) -> bool:
        return bool(conn.closed or conn.broken)

    def _is_broken(self, error: Exception) -> bool:
        # A statement that timed out on a lock leaves a good connection; a lost server does not.
        import psycopg

        if isinstance(error, psycopg.errors.QueryCanceled):
            return False
        return isinstance(error, self._broken)

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


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None
