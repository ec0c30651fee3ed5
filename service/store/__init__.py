"""Per-caller state, usage counts and counters, behind one small interface.

SQLite is the zero-setup default; PostgreSQL (DATABASE_URL, Heroku's convention) is for
durable state shared by several instances. Both run the same SQL (sql.py).
"""

from __future__ import annotations

from typing import Protocol

from ..core.state import CallerState
from .engines import PostgresStore, SqliteStore
from .journal import OptOutJournal
from .sql import scrub

__all__ = ["OptOutJournal", "Store", "open_store", "scrub"]


class Store(Protocol):
    """Where caller states and usage counts live. Caller keys are already hashed."""

    def load(self, key: str) -> CallerState | None: ...

    def save(self, key: str, state: CallerState, durable: bool = False) -> None: ...

    def set_opt_out(self, key: str, opted_out: bool) -> None: ...

    def purge(self, idle_seconds: int) -> int: ...

    def hit(self, bucket: str, limit: int, seconds: int) -> bool: ...

    def count(self, channel: str, lang: str, intent: str, topic: str | None) -> None: ...

    def unanswered(self, channel: str, lang: str, text: str) -> None: ...

    def counts(self, days: int) -> list[tuple]: ...

    def unanswered_questions(self, days: int, limit: int = 200) -> list[tuple]: ...

    def ping(self) -> None: ...

    def close(self) -> None: ...


def open_store(url: str, timeout: float = 5.0) -> Store:
    """Open the store a DATABASE_URL names (no connection is made until first use)."""
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"), timeout)
    if url.startswith(("postgres://", "postgresql://")):
        return PostgresStore(url, timeout)
    raise ValueError(f"unsupported DATABASE_URL scheme: {url.split(':', 1)[0]}")
