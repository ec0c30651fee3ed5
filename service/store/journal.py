"""Opt-outs that could not be written yet: kept in an append-only file until the store is back.

A STOP must never be lost. When the database cannot take the write (locked, read-only,
gone), the opt-out goes to this journal, one JSON line per change, holding only the
hashed number. While it waits there, it still holds: loading a caller applies it. When
the database takes writes again, the journal is replayed into it, in order, and emptied.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


class OptOutStore(Protocol):
    def set_opt_out(self, key: str, opted_out: bool) -> None: ...


class OptOutJournal:
    """An append-only file of opt-out changes waiting for the database."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def record(self, key: str, opted_out: bool) -> None:
        """Keep one change durably (fsync) before the webhook answers."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"key": key, "opted_out": opted_out, "at": int(time.time())}) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        log.warning("opt-out kept in the journal until the database is back")

    def pending(self) -> dict[str, bool]:
        """The newest waiting change per hashed number."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return {}
        changes: dict[str, bool] = {}
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                changes[str(entry["key"])] = bool(entry["opted_out"])
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line from a crash: the rest still counts
        return changes

    def has_pending(self) -> bool:
        """Cheap: is anything waiting? (Asked once a webhook: one stat, no pathlib.)"""
        try:
            return os.stat(self.path).st_size > 0
        except OSError:
            return False

    def replay(self, store: OptOutStore) -> int:
        """Write every waiting change to the store, in order, then empty the journal.

        Raises (and keeps the journal) when the store still cannot take them.
        """
        if not self.has_pending():
            return 0
        with self.path.open("r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            changes = {}
            for line in handle.read().splitlines():
                try:
                    entry = json.loads(line)
                    changes[str(entry["key"])] = bool(entry["opted_out"])
                except (ValueError, KeyError, TypeError):
                    continue
            for key, opted_out in changes.items():
                store.set_opt_out(key, opted_out)
            handle.seek(0)
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())
        log.info("replayed %d opt-out change(s) from the journal", len(changes))
        return len(changes)
