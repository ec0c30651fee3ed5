"""Faults injected into a running line (the Procfile's gunicorn on loopback): are texts
answered within the webhook budget, are opt-outs ever lost, what does an attack cost?

    .venv/bin/python bench/faults.py

Scenarios: the database write-locked by another process; the database file deleted
under the running app; a Redis that accepts connections and never answers; a stream of
oversized requests. Each prints the slowest answer, how many texts went past 5 s, and
the opt-outs lost (STOPs sent during the fault, checked after a restart).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twilio.request_validator import RequestValidator  # noqa: E402

from bench.sms_throughput import TO, TOKEN, Gunicorn  # noqa: E402

BUDGET = 5.0  # seconds: the line's own budget (Twilio gives up at 15)


def text(port: int, number: str, body: str) -> tuple[int, float, str]:
    """Send one signed text; return the status, the seconds it took, and the reply."""
    url = f"http://127.0.0.1:{port}/sms"
    params = {"From": number, "To": TO, "Body": body, "MessageSid": "SM1"}
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    request = urllib.request.Request(
        url, data=urlencode(params).encode(), headers={"X-Twilio-Signature": signature}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, time.perf_counter() - started, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, time.perf_counter() - started, ""
    except OSError:
        return 0, time.perf_counter() - started, ""


def burst(port: int, numbers: list[str], body: str) -> list[tuple[int, float, str]]:
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        return list(pool.map(lambda number: text(port, number, body), numbers))


def opt_outs_lost(env: dict[str, str], stopped: list[str]) -> int:
    """After a restart: how many numbers that sent STOP get an answer again."""
    server = Gunicorn("service:serve()", 2, 4, env)  # the Procfile's workers and threads
    try:
        return sum(1 for number in stopped if "<Message>" in text(server.port, number, "risks")[2])
    finally:
        server.stop()


def report(name: str, results: list[tuple[int, float, str]], lost: int | str = "-") -> None:
    slowest = max(seconds for _, seconds, _ in results)
    late = sum(1 for _, seconds, _ in results if seconds > BUDGET)
    failed = sum(1 for status, _, _ in results if status != 200)
    print(f"| {name} | {len(results)} | {slowest:.2f} s | {late} | {failed} | {lost} |")


def environment(folder: str, **extra: str) -> dict[str, str]:
    return {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": "faults-" + "0" * 50,
        "DATABASE_URL": f"sqlite:///{folder}/line.sqlite",
        "INSTANCE_PATH": folder,
        "LOG_LEVEL": "ERROR",
        "AUDIO_BUILD_AT_START": "0",
        **extra,
    }


def stops_during(what: str, prefix: str, fault: Callable[[str], AbstractContextManager]) -> None:
    """32 numbers text hi, then all send STOP at once while ``fault(folder)`` lasts."""
    folder = tempfile.mkdtemp()
    env = environment(folder)
    numbers = [f"{prefix}{index:05d}" for index in range(32)]
    server = Gunicorn("service:serve()", 2, 4, env)  # the Procfile's workers and threads
    try:
        burst(server.port, numbers, "hi")
        with fault(folder):
            results = burst(server.port, numbers, "STOP")
    finally:
        server.stop()
    report(what, results, opt_outs_lost(env, numbers))


@contextlib.contextmanager
def write_locked(folder: str) -> Iterator[None]:
    """Another connection holds the database's write lock."""
    locker = sqlite3.connect(f"{folder}/line.sqlite", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        locker.execute("ROLLBACK")
        locker.close()


@contextlib.contextmanager
def deleted(folder: str) -> Iterator[None]:
    """The database file is deleted (or restored from a backup) under the server."""
    for path in Path(folder).glob("line.sqlite*"):
        path.unlink()
    yield


def hung_redis() -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    held: list[socket.socket] = []
    threading.Thread(
        target=lambda: [held.append(silent.accept()[0]) for _ in range(64)], daemon=True
    ).start()
    folder = tempfile.mkdtemp()
    env = environment(folder, REDIS_URL=f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
    server = Gunicorn("service:serve()", 2, 4, env)  # the Procfile's workers and threads
    try:
        results = burst(server.port, [f"+4477007{i:05d}" for i in range(32)], "risks")
    finally:
        server.stop()
        silent.close()
    report("Redis accepts and never answers, 32 texts", results)


def oversized() -> None:
    folder = tempfile.mkdtemp()
    server = Gunicorn("service:serve()", 2, 8, environment(folder))
    body = b"Body=" + b"x" * (50 * 1024 * 1024)
    statuses, peak = [], 0.0
    try:
        before = server.rss_mb()
        for _ in range(10):
            with socket.create_connection(("127.0.0.1", server.port)) as sock:
                sock.sendall(
                    b"POST /sms HTTP/1.1\r\nHost: x\r\n"
                    + b"Content-Type: application/x-www-form-urlencoded\r\n"
                    + f"Content-Length: {len(body)}\r\nX-Twilio-Signature: x\r\n\r\n".encode()
                )
                try:
                    sock.sendall(body[: 1024 * 1024])
                    statuses.append(sock.recv(64).split(b" ")[1].decode())
                except OSError:
                    statuses.append("closed")
            peak = max(peak, server.rss_mb())
    finally:
        server.stop()
    print(
        f"\n10 requests of 50 MB: answered {', '.join(sorted(set(statuses)))}; "
        f"worker memory {before:.0f} MB before, {peak:.0f} MB at most during the attack"
    )


def main() -> None:
    print("| fault | texts | slowest | over 5 s | not 200 | opt-outs lost |")
    print("|---|---:|---:|---:|---:|---:|")
    stops_during("database write-locked, 32 STOPs at once", "+4477009", write_locked)
    stops_during("database file deleted, 32 STOPs", "+4477008", deleted)
    hung_redis()
    oversized()


if __name__ == "__main__":
    main()
