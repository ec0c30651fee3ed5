"""Requests per second and p99 latency of POST /sms, against a bare Flask app, over loopback.

    .venv/bin/python bench/sms_throughput.py [--duration S | --requests N]
                                             [--concurrency C] [--workers W]
    .venv/bin/python bench/sms_throughput.py --load

Serves the real app ("service:create_app()") and then the bare app in bench/bare_app.py
(fixed TwiML, no signature check, no store) with gunicorn, one at a time and with identical
settings, drives each with the same mix of pre-signed Twilio webhooks, and reports req/s,
p50 and p99 latency, errors, the ratio real/bare, and the RSS of each gunicorn worker after
the run. The aim is a ratio of at least 0.8.

The real app allows 30 texts an hour from one number. Each number in the stream sends
--texts-per-caller texts per pass, and the stream is sized from the warm-up's rate so that
no number sends more than about 25 in a run; a silent reply or a "rate limited" log line counts
as an error.

--load is the load test: one round, 32 connections, 4 workers, 90 s per server (longer if
the warm-up's rate says 90 s would not give 50,000 requests with a margin; the real app
slows down as the numbers it has seen pile up, so that rate is optimistic). It fails
(exit 1) unless each server answered at least 50,000 requests with no error and no worker
restarted, and reports, besides the ratio, the real app's p99 against 20 ms and worker RSS
against 100 MB. Results go to bench/results/sms_load.json.

The load generator is wrk when installed (`apt-get install wrk`), else a Python one
(processes of threads using http.client). Everything stays on 127.0.0.1. Results are
printed as a Markdown table and written to bench/results/sms_throughput.json.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import http.client
import json
import math
import multiprocessing
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from twilio.request_validator import RequestValidator

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
LUA_SCRIPT = BENCH / "wrk_signed.lua"
RESULTS = BENCH / "results" / "sms_throughput.json"
LOAD_RESULTS = BENCH / "results" / "sms_load.json"

HOST = "127.0.0.1"  # loopback only, never anything else
TOKEN = "bench-token"
SECRET = "bench-secret"
REAL_TARGET = "service:create_app()"
BARE_TARGET = "bench.bare_app:create_app()"
AIM = 0.8
P99_AIM_MS = 20.0  # the real app's p99 under --load
RSS_AIM_MB = 100.0  # each worker's VmRSS after the --load run; MB = 10**6 bytes
LOAD_MIN_REQUESTS = 50_000  # per server, under --load
LOAD_MIN_CONCURRENCY = 32
# The real app allows 30 texts an hour from one number (RATE_LIMIT_SMS), then one notice, then
# silence. A timed stream that passed it would time the silent path, so no number sends more
# than this many texts in a run; the stream is sized for it and any silence counts as an error.
CALLER_BUDGET = 25
DEFAULT_PRESIGNED = 20_000  # timed stream without a warm-up to size it
WARM_REQUESTS = 5_000  # the warm-up's stream
STREAM_MARGIN = 1.25  # timed stream: this many times the requests the warm-up's rate predicts
RATE_LIMITED_LOG = "rate limited"  # what service/sms.py logs (WARNING) for each limited text
# Numbers for the three streams: 40 for the checks, then the warm-up's, then the timed run's.
CHECK_FIRST, WARM_FIRST, TIMED_FIRST, LAST_NUMBER = 0, 100, 10_000, 99_999

# Defaults of the options --load changes; an option given on the command line wins.
OPTION_DEFAULTS = {"duration": 10.0, "concurrency": 8, "workers": 2, "rounds": 3, "output": RESULTS}
LOAD_DEFAULTS = {
    "duration": 90.0,
    "concurrency": LOAD_MIN_CONCURRENCY,
    "workers": 4,
    "rounds": 1,
    "output": LOAD_RESULTS,
    "min_requests": LOAD_MIN_REQUESTS,
}

# What texters send: menu numbers, commands, topics, a typo, a question, nonsense.
BODIES = [
    "hi",
    "4",
    "risks",
    "MORE",
    "MENU",
    "how long till i can go back to work",
    "rsks",
    "HELP",
    "purple elephants",
]
TO = "+15005550006"
ACCOUNT_SID = "AC" + "0" * 32


# Requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signed:
    """One webhook ready to send: the url-encoded form and its X-Twilio-Signature."""

    body: str
    signature: str


def caller_numbers(first: int, count: int) -> list[str]:
    """Distinct UK mobile numbers, from Ofcom's drama range onwards (never texted: loopback)."""
    if first + count - 1 > LAST_NUMBER:
        raise ValueError(f"numbers {first}..{first + count - 1} do not fit in five digits")
    return [f"+4477009{first + index:05d}" for index in range(count)]


def signed_requests(
    url: str, numbers: list[str], count: int, seed: int, stream: int
) -> list[Signed]:
    """A realistic stream: callers in random order, each texting its way through BODIES.

    Every number sends the same share of the `count` texts (give or take one), so none
    passes the app's rate limit by chance. A number's first text is from a new caller (it
    gets the welcome); later ones are from a returning caller. Each number starts at its own
    place in BODIES.
    """
    rng = random.Random(seed)
    validator = RequestValidator(TOKEN)
    sent = dict.fromkeys(numbers, 0)
    offset = {number: rng.randrange(len(BODIES)) for number in numbers}
    order = [numbers[index % len(numbers)] for index in range(count)]
    rng.shuffle(order)
    requests = []
    for index, number in enumerate(order):
        params = {
            "From": number,
            "To": TO,
            "Body": BODIES[(offset[number] + sent[number]) % len(BODIES)],
            "MessageSid": f"SM{stream:02x}{index:030x}",
            "AccountSid": ACCOUNT_SID,
        }
        sent[number] += 1
        signature = validator.compute_signature(url, params)  # about 30 µs each
        requests.append(Signed(urllib.parse.urlencode(params), signature))
    return requests


def write_requests(path: Path, requests: list[Signed]) -> None:
    """One request a line for wrk_signed.lua: form body, tab, signature."""
    path.write_text("".join(f"{r.body}\t{r.signature}\n" for r in requests), encoding="ascii")


def headers_for(signed: Signed) -> dict[str, str]:
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signed.signature,
    }


def post(port: int, signed: Signed, signature: str | None = None) -> tuple[int, str, str]:
    """Send one webhook on a fresh connection; return status, content type and body."""
    headers = headers_for(signed)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("POST", "/sms", signed.body, headers)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read().decode()
    finally:
        conn.close()


def twiml_messages(text: str) -> list[str] | None:
    """The <Message> texts of a TwiML document, or None when it is not TwiML."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    if root.tag != "Response":
        return None
    return [element.text or "" for element in root.iter("Message")]


# Servers -------------------------------------------------------------------------------


@dataclass
class Server:
    """One app to serve and how to tell it is up."""

    name: str
    label: str
    target: str
    health_path: str | None  # GET this until 200; None: a TCP connect is enough
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/sms"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_options(args: argparse.Namespace) -> list[str]:
    """The settings both servers get, word for word. No --access-logfile: no access log."""
    return [
        "--worker-class",
        args.worker_class,
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--backlog",
        "2048",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]


def server_env(db_dir: Path, app_env: dict[str, str]) -> dict[str, str]:
    """The environment for both servers: the caller's, minus any app setting, plus ours."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from service.config import DEFAULTS  # needs REPO on sys.path

    env = {name: value for name, value in os.environ.items() if name not in DEFAULTS}
    env.pop("GUNICORN_CMD_ARGS", None)  # would change the settings behind our back
    env.update(
        TWILIO_AUTH_TOKEN=TOKEN,
        SECRET_KEY=SECRET,
        DATABASE_URL=f"sqlite:///{db_dir / 'bench.sqlite'}",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(app_env)  # --app-env, the same for both servers
    return env


@contextlib.contextmanager
def serving(server: Server, args: argparse.Namespace, workdir: Path) -> Iterator[Server]:
    """Run gunicorn for one app until the block ends, however it ends."""
    server.port = free_port()
    db_dir = workdir / f"{server.name}-db"
    db_dir.mkdir(exist_ok=True)
    server.log_path = workdir / f"{server.name}-gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        server.target,
        "--bind",
        f"{HOST}:{server.port}",
        "--chdir",
        str(REPO),
        *gunicorn_options(args),
    ]
    with open(server.log_path, "wb") as log:
        server.process = subprocess.Popen(
            command,
            cwd=REPO,
            env=server_env(db_dir, args.app_env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so workers go with it
        )
    try:
        wait_ready(server, args.ready_timeout)
        yield server
    finally:
        stop(server.process)


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn and its workers: TERM (graceful), then KILL after 10 s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_ready(server: Server, timeout: float) -> None:
    """Poll until the server answers, or fail with the end of its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.label} exited early:\n{log_tail(server)}")
        try:
            if server.health_path is None:
                with socket.create_connection((HOST, server.port), timeout=1):
                    return
            conn = http.client.HTTPConnection(HOST, server.port, timeout=2)
            try:
                conn.request("GET", server.health_path)
                response = conn.getresponse()
                body = response.read()
            finally:
                conn.close()
            if response.status == 200:
                if b'"webhooks":"enabled"' not in body.replace(b" ", b""):
                    raise RuntimeError(f"{server.label} refuses webhooks: {body!r}")
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{server.label} not ready after {timeout:.0f} s:\n{log_tail(server)}")


def cpu_seconds(process_group: int) -> float:
    """User plus system CPU time so far of every live process in a group (master, workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == process_group:
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    """The pids of a process's live children: gunicorn's workers, for the master's pid.

    Reads /proc/<pid>/task/*/children when the kernel has it (CONFIG_PROC_CHILDREN), else
    scans /proc/*/stat for processes whose parent is `pid`.
    """
    files = list(Path(f"/proc/{pid}/task").glob("*/children"))
    if files:
        found: set[int] = set()
        for path in files:
            with contextlib.suppress(OSError):
                found.update(int(word) for word in path.read_text().split())
        return sorted(found)
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:  # fields[0] is the state, fields[1] the parent's pid
            found.add(int(stat.parent.name))
    return sorted(found)


def status_kb(pid: int, field: str) -> int | None:
    """A "kB" line of /proc/<pid>/status (VmRSS, RssAnon, ...), or None if gone/missing."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{field}:\s+(\d+) kB$", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def pss_kb(pid: int) -> int | None:
    """Proportional set size (shared pages split between sharers), for context only."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    match = re.search(r"^Pss:\s+(\d+) kB$", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def worker_memory(master: int) -> dict:
    """VmRSS of every gunicorn worker (children of the master, not the master), in MB."""
    to_mb = 1024 / 1e6  # kB (KiB) to MB (10**6 bytes)
    workers = []
    for pid in children_of(master):
        rss = status_kb(pid, "VmRSS")
        if rss is None:  # exited between listing and reading
            continue
        anon = status_kb(pid, "RssAnon")
        pss = pss_kb(pid)
        workers.append(
            {
                "pid": pid,
                "rss_mb": rss * to_mb,
                "rss_anon_mb": None if anon is None else anon * to_mb,
                "pss_mb": None if pss is None else pss * to_mb,
            }
        )
    if not workers:
        raise RuntimeError(f"no gunicorn workers found under master pid {master}")
    rss = [w["rss_mb"] for w in workers]
    master_rss = status_kb(master, "VmRSS")
    return {
        "count": len(workers),
        "rss_max_mb": max(rss),
        "rss_mean_mb": statistics.fmean(rss),
        "master_rss_mb": None if master_rss is None else master_rss * to_mb,
        "workers": workers,
        "aim_mb": RSS_AIM_MB,
        "aim_met": max(rss) <= RSS_AIM_MB,
    }


def log_tail(server: Server, lines: int = 30) -> str:
    if server.log_path is None or not server.log_path.exists():
        return "(no log)"
    return "\n".join(server.log_path.read_text(errors="replace").splitlines()[-lines:])


# Checks before timing ------------------------------------------------------------------


def check_real(server: Server, requests: list[Signed]) -> dict:
    """Prove the real app answers signed webhooks with TwiML and refuses unsigned ones.

    Sends `requests` (their own callers, not the timed run's) from four threads so both
    workers warm up, and fails unless every one is 200, text/xml, one non-empty <Message>.
    """
    failures: list[str] = []
    replies: list[str] = []
    lock = threading.Lock()

    def one(signed: Signed) -> None:
        status, ctype, text = post(server.port, signed)
        messages = twiml_messages(text) if status == 200 else None
        with lock:
            if status != 200 or not ctype.startswith("text/xml") or messages is None:
                failures.append(f"{status} {ctype} {text[:120]!r}")
            elif len(messages) != 1 or not messages[0].strip():
                failures.append(f"expected one message: {text[:120]!r}")
            else:
                replies.append(messages[0])

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(one, requests))
    if failures:
        raise RuntimeError(
            f"{len(failures)} of {len(requests)} signed webhooks failed, e.g. {failures[0]}\n"
            f"{log_tail(server)}"
        )

    # The 200s mean something only if a wrong signature is refused.
    probe = requests[0]
    wrong = ("B" if probe.signature[0] == "A" else "A") + probe.signature[1:]
    refused = {
        "wrong_signature": post(server.port, probe, signature=wrong)[0],
        "no_signature": post(server.port, probe, signature="")[0],
    }
    if set(refused.values()) != {403}:
        raise RuntimeError(f"the real app did not refuse bad signatures: {refused}")
    return {
        "signed_ok": len(replies),
        "distinct_replies": len(set(replies)),
        "refused": refused,
    }


def check_bare(server: Server, requests: list[Signed], timeout: float) -> dict:
    """Wait for a bare-app worker to answer (TCP connect only proves the master is up)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, ctype, text = post(server.port, requests[0])
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    if status != 200 or not ctype.startswith("text/xml") or twiml_messages(text) != ["Hello"]:
        raise RuntimeError(f"bare app answered {status} {ctype} {text[:120]!r}")
    return {"answered_ok": 1}


# Load: wrk -----------------------------------------------------------------------------


def run_wrk(
    server: Server,
    requests_file: Path,
    args: argparse.Namespace,
    duration: float,
) -> dict:
    """Drive the server with wrk for `duration` seconds; return its figures."""
    threads = max(1, min(args.wrk_threads, args.concurrency))
    command = [
        "wrk",
        "--threads",
        str(threads),
        "--connections",
        str(args.concurrency),
        "--duration",
        f"{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "--script",
        str(LUA_SCRIPT),
        server.url,
        "--",
        str(requests_file),
        f"{HOST}:{server.port}",
        str(threads),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    match = re.search(r"^BENCH_RESULT (\{.*\})$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(match.group(1))
    errors = raw["errors"]
    checked = raw["checked"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    # wrk's own "status" counts only >= 400; the Lua check counts every non-200.
    bad = checked["not_200"] + checked["not_xml"] + checked["not_twiml"] + checked["no_message"]
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "seconds": seconds,
        "rps": raw["requests"] / seconds,
        "p50_ms": raw["latency_us"]["p50"] / 1000,
        "p90_ms": raw["latency_us"]["p90"] / 1000,
        "p99_ms": raw["latency_us"]["p99"] / 1000,
        "max_ms": raw["latency_us"]["max"] / 1000,
        "mean_ms": raw["latency_us"]["mean"] / 1000,
        "errors": socket_errors + bad,
        "error_detail": {**errors, **checked},
    }


# Load: Python fallback -----------------------------------------------------------------


def _drive_thread(
    port: int,
    prepared: list[tuple[bytes, dict[str, str]]],
    start: int,
    deadline: float,
    limit: int,
    out: dict,
) -> None:
    """One client: keep one connection (re-opened whenever the server closes it) busy."""
    latencies: list[float] = []
    counts = {"not_200": 0, "not_xml": 0, "not_twiml": 0, "no_message": 0, "socket": 0}
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    index = start
    while time.monotonic() < deadline and (not limit or len(latencies) < limit):
        body, headers = prepared[index % len(prepared)]
        index += 1
        began = time.perf_counter()
        try:
            conn.request("POST", "/sms", body, headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            counts["socket"] += 1
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=10)
            continue
        latencies.append(time.perf_counter() - began)
        if response.status != 200:
            counts["not_200"] += 1
        elif not (response.getheader("Content-Type") or "").startswith("text/xml"):
            counts["not_xml"] += 1
        elif b"<Response" not in data:
            counts["not_twiml"] += 1
        elif b"<Message" not in data:
            counts["no_message"] += 1
        if response.will_close:
            conn.close()  # http.client re-opens it on the next request
    conn.close()
    out["latencies"] = latencies
    out["counts"] = counts


def _drive_process(
    port: int,
    requests: list[Signed],
    first: int,
    threads: int,
    clients: int,
    start_at: float,
    duration: float,
    limit: int,
) -> dict:
    """One load process: `threads` clients, starting together at `start_at` (monotonic)."""
    prepared = [(r.body.encode(), headers_for(r)) for r in requests]
    while (wait := start_at - time.monotonic()) > 0:
        time.sleep(wait)
    began = time.monotonic()
    outs = [{} for _ in range(threads)]
    workers = [
        threading.Thread(
            target=_drive_thread,
            args=(
                port,
                prepared,
                (first + n) * len(requests) // clients,
                start_at + duration,
                limit,
                outs[n],
            ),
        )
        for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    ended = time.monotonic()
    counts: dict[str, int] = {}
    for out in outs:
        for name, value in out["counts"].items():
            counts[name] = counts.get(name, 0) + value
    return {
        "began": began,
        "ended": ended,
        "latencies": [x for out in outs for x in out["latencies"]],
        "counts": counts,
    }


def run_python(
    server: Server,
    requests: list[Signed],
    args: argparse.Namespace,
    duration: float,
    limit: int,
) -> dict:
    """Drive the server from a few processes of threads; same figures as run_wrk."""
    processes = max(1, min(args.load_processes, args.concurrency))
    base, extra = divmod(args.concurrency, processes)
    shares = [base + (n < extra) for n in range(processes)]
    per_client = -(-limit // args.concurrency) if limit else 0
    context = multiprocessing.get_context("fork")
    start_at = time.monotonic() + 0.5
    firsts = [sum(shares[:n]) for n in range(processes)]
    with concurrent.futures.ProcessPoolExecutor(processes, mp_context=context) as pool:
        futures = [
            pool.submit(
                _drive_process,
                server.port,
                requests,
                firsts[n],
                shares[n],
                args.concurrency,
                start_at,
                duration,
                per_client,
            )
            for n in range(processes)
        ]
        parts = [future.result(timeout=duration + 120) for future in futures]
    latencies = sorted(x for part in parts for x in part["latencies"])
    counts: dict[str, int] = {}
    for part in parts:
        for name, value in part["counts"].items():
            counts[name] = counts.get(name, 0) + value
    seconds = max(p["ended"] for p in parts) - min(p["began"] for p in parts)
    if not latencies:
        raise RuntimeError(f"no responses from {server.label}: {counts}")
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p90_ms": percentile(latencies, 90) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": latencies[-1] * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
        "errors": sum(counts.values()),
        "error_detail": counts,
    }


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of a sorted list."""
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


# One server, one round -----------------------------------------------------------------


@dataclass
class Plan:
    """What every round sends before the timed stream, which is sized per server."""

    warm_callers: list[str]
    check_callers: list[str]


def timed_stream_size(
    args: argparse.Namespace, warmed: dict | None, duration: float
) -> tuple[int, int]:
    """How many timed requests to sign, and how many numbers they come from.

    Each number sends --texts-per-caller texts per pass through the stream, and the load
    generator goes round the stream again when it runs out. Unless --presigned fixes it, the
    stream is sized so that CALLER_BUDGET / --texts-per-caller passes cover 1.25 times the
    requests the warm-up's rate predicts (or --requests): no number sends more than about
    CALLER_BUDGET texts, and the mix of new and returning callers does not depend on the
    length of the run. The margin is small on purpose: every number the app has seen in the
    last hour costs the real app's in-memory rate limiter some CPU on every request, so a
    generous stream would slow the app it measures. Silent replies and rate-limit log lines
    are counted as errors, so a stream that was too short cannot go unnoticed.
    """
    passes = CALLER_BUDGET // args.texts_per_caller
    if args.presigned:
        count = args.presigned
    elif args.requests:
        count = math.ceil(args.requests / passes)
    elif warmed is not None and warmed["rps"] > 0:
        count = math.ceil(STREAM_MARGIN * warmed["rps"] * duration / passes)
    else:
        count = DEFAULT_PRESIGNED
    count = max(count, 100)
    return count, args.callers or math.ceil(count / args.texts_per_caller)


def rate_limited_lines(server: Server) -> int:
    """How many texts the real app logged as rate limited (none, if the stream is right)."""
    if server.log_path is None or not server.log_path.exists():
        return 0
    with open(server.log_path, encoding="utf-8", errors="replace") as log:
        return sum(RATE_LIMITED_LOG in line for line in log)


def measure(
    server: Server, plan: Plan, args: argparse.Namespace, workdir: Path, loadgen: str, seed: int
) -> dict:
    """Serve one app, check it, warm it up, then time it."""
    code = git_state()  # what this server loads: others may commit while the benchmark runs
    with serving(server, args, workdir):
        url = server.url
        checks = signed_requests(url, plan.check_callers, 200, seed + 1, 1)
        warm = signed_requests(url, plan.warm_callers, WARM_REQUESTS, seed + 2, 2)
        if server.health_path is None:
            checked = check_bare(server, checks, args.ready_timeout)
        else:
            checked = check_real(server, checks)

        if loadgen == "wrk":
            warm_file = workdir / f"{server.name}-warm.txt"
            timed_file = workdir / f"{server.name}-timed.txt"
            write_requests(warm_file, warm)
            warmed = run_wrk(server, warm_file, args, args.warmup) if args.warmup > 0 else None
            duration = timed_duration(server, args, warmed)
            timed, callers = timed_stream(url, args, warmed, duration, seed)
            write_requests(timed_file, timed)
            workers_before = children_of(server.process.pid)
            cpu_before = cpu_seconds(server.process.pid)
            result = run_wrk(server, timed_file, args, duration)
        else:
            warmed = None
            if args.warmup > 0:
                warmed = run_python(server, warm, args, args.warmup, 0)
            duration = args.max_duration if args.requests else timed_duration(server, args, warmed)
            timed, callers = timed_stream(url, args, warmed, duration, seed)
            workers_before = children_of(server.process.pid)
            cpu_before = cpu_seconds(server.process.pid)
            result = run_python(server, timed, args, duration, args.requests)
        # The server's own CPU per request: steadier than req/s when the host is busy.
        cpu = cpu_seconds(server.process.pid) - cpu_before
        result["server_cpu_s"] = cpu
        result["cpu_us_per_request"] = cpu / max(1, result["requests"]) * 1e6
        result["planned_duration_s"] = duration
        passes = math.ceil(result["requests"] / len(timed))
        result["stream"] = {
            "presigned": len(timed),
            "callers": callers,
            "passes": passes,
            "max_texts_per_caller": passes * math.ceil(len(timed) / callers),
            "mean_texts_per_caller": result["requests"] / callers,
        }
        # Texts the real app logged as rate limited, warm-up included (the bare app logs none).
        result["rate_limited_logged"] = rate_limited_lines(server)
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.label} died during the run:\n{log_tail(server)}")
        # Memory after the run, while the server is still up: the workers, not the master.
        result["memory"] = worker_memory(server.process.pid)
        workers_after = [w["pid"] for w in result["memory"]["workers"]]
        # A worker that crashed or was killed for a timeout comes back with a new pid.
        result["worker_pids"] = {"before": workers_before, "after": workers_after}
        result["workers_restarted"] = (
            set(workers_before) != set(workers_after) or len(workers_before) != args.workers
        )
    result["checks"] = checked
    result["git"] = code
    return result


def timed_stream(
    url: str, args: argparse.Namespace, warmed: dict | None, duration: float, seed: int
) -> tuple[list[Signed], int]:
    """The timed run's signed requests (sized by timed_stream_size) and their caller count."""
    count, callers = timed_stream_size(args, warmed, duration)
    if TIMED_FIRST + callers - 1 > LAST_NUMBER:
        raise RuntimeError(
            f"{callers} callers do not fit in the numbers the benchmark uses; "
            "raise --texts-per-caller or shorten --duration"
        )
    return signed_requests(url, caller_numbers(TIMED_FIRST, callers), count, seed + 3, 3), callers


def timed_duration(server: Server, args: argparse.Namespace, warmed: dict | None) -> float:
    """--duration, lengthened when the warm-up's rate says it would miss --min-requests.

    wrk runs for a time, not a count. With --min-requests, the timed run is made long enough
    for 1.25 times that many requests at the warm-up's rate (the count is checked after).
    """
    if not args.min_requests or warmed is None or warmed["rps"] <= 0:
        return args.duration
    needed = math.ceil(1.25 * args.min_requests / warmed["rps"])
    if needed <= args.duration:
        return args.duration
    print(
        f"{server.label}: warm-up ran at {warmed['rps']:.0f} req/s, so {args.duration:g} s "
        f"would not safely give {args.min_requests} requests; timing {needed} s instead.",
        flush=True,
    )
    return float(needed)


# Report --------------------------------------------------------------------------------


def median_round(rounds: list[dict]) -> dict:
    """The round with the median ratio (the lower middle one for an even count)."""
    return sorted(rounds, key=lambda one: one["ratio_rps"])[(len(rounds) - 1) // 2]


def table(servers: list[Server], picked: dict[str, dict], ratio: float, p99_ratio: float) -> str:
    rows = [
        "| server | req/s | p50 ms | p99 ms | errors | server CPU µs/req |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for server in servers:
        r = picked[server.name]
        rows.append(
            f"| {server.label} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} "
            f"| {r['errors']} of {r['requests']} | {r['cpu_us_per_request']:.0f} |"
        )
    verdict = "met" if ratio >= AIM else "NOT met"
    cpu_ratio = picked["bare"]["cpu_us_per_request"] / picked["real"]["cpu_us_per_request"]
    rows.append("")
    rows.append(
        f"Ratio real/bare: **{ratio:.2f}** of the bare app's req/s (aim >= {AIM}: "
        f"{verdict}); p99 latency {p99_ratio:.2f}x the bare app's; "
        f"server CPU per request: bare/real {cpu_ratio:.2f}."
    )
    return "\n".join(rows)


def load_checks(args: argparse.Namespace, picked: dict[str, dict], ratio: float) -> list[dict]:
    """The load test's requirements (failing one fails the run) and aims (reported)."""
    bare, real = picked["bare"], picked["real"]
    return [
        {
            "check": "requests per server",
            "kind": "requirement",
            "target": f">= {args.min_requests:,}",
            "measured": f"bare {bare['requests']:,}, real {real['requests']:,}",
            "met": min(bare["requests"], real["requests"]) >= args.min_requests,
        },
        {
            "check": "concurrency (open connections)",
            "kind": "requirement",
            "target": f">= {LOAD_MIN_CONCURRENCY}",
            "measured": str(args.concurrency),
            "met": args.concurrency >= LOAD_MIN_CONCURRENCY,
        },
        {
            "check": "errors (socket errors, non-200, not TwiML)",
            "kind": "requirement",
            "target": "0",
            "measured": f"bare {bare['errors']}, real {real['errors']}",
            "met": bare["errors"] == 0 and real["errors"] == 0,
        },
        {
            "check": "texts the real app logged as rate limited",
            "kind": "requirement",
            "target": "0",
            "measured": str(real["rate_limited_logged"]),
            "met": real["rate_limited_logged"] == 0,
        },
        {
            "check": "workers restarted during the run",
            "kind": "requirement",
            "target": "none",
            "measured": ", ".join(
                f"{name} {'yes' if picked[name]['workers_restarted'] else 'no'}"
                for name in ("bare", "real")
            ),
            "met": not bare["workers_restarted"] and not real["workers_restarted"],
        },
        {
            "check": "req/s ratio real/bare",
            "kind": "aim",
            "target": f">= {AIM}",
            "measured": f"{ratio:.2f}",
            "met": ratio >= AIM,
        },
        {
            "check": "real app p99",
            "kind": "aim",
            "target": f"<= {P99_AIM_MS:g} ms",
            "measured": f"{real['p99_ms']:.1f} ms",
            "met": real["p99_ms"] <= P99_AIM_MS,
        },
        {
            "check": "real app worker RSS after the run (max of workers)",
            "kind": "aim",
            "target": f"<= {RSS_AIM_MB:g} MB",
            "measured": f"{real['memory']['rss_max_mb']:.1f} MB "
            f"(mean {real['memory']['rss_mean_mb']:.1f}, {real['memory']['count']} workers)",
            "met": real["memory"]["aim_met"],
        },
    ]


def load_table(servers: list[Server], picked: dict[str, dict], checks: list[dict]) -> str:
    rows = [
        "| server | requests | errors | req/s | p50 ms | p99 ms | server CPU µs/req "
        "| worker RSS max MB | worker RSS mean MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for server in servers:
        r = picked[server.name]
        rows.append(
            f"| {server.label} | {r['requests']:,} | {r['errors']} | {r['rps']:.0f} "
            f"| {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['cpu_us_per_request']:.0f} "
            f"| {r['memory']['rss_max_mb']:.1f} | {r['memory']['rss_mean_mb']:.1f} |"
        )
    rows += ["", "| check | kind | target | measured | |", "|---|---|---|---|---|"]
    for check in checks:
        rows.append(
            f"| {check['check']} | {check['kind']} | {check['target']} | {check['measured']} "
            f"| {'met' if check['met'] else '**NOT met**'} |"
        )
    return "\n".join(rows)


def git_state() -> dict:
    """The commit measured and any uncommitted changes (others may be editing the tree)."""
    commit = tool_version(["git", "-C", str(REPO), "rev-parse", "HEAD"])
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        changed = [line[3:] for line in done.stdout.splitlines()]
    except OSError:
        changed = []
    return {"commit": commit, "uncommitted": changed}


def tool_version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "unavailable"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


# Main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--load",
        action="store_true",
        help=f"the load test: --concurrency {LOAD_DEFAULTS['concurrency']} --workers "
        f"{LOAD_DEFAULTS['workers']} --rounds 1 --duration {LOAD_DEFAULTS['duration']:g} "
        f"--min-requests {LOAD_MIN_REQUESTS}, results in {LOAD_RESULTS.name}; worker RSS, "
        f"p99 <= {P99_AIM_MS:g} ms and RSS <= {RSS_AIM_MB:g} MB are reported",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="seconds of timed load per server (default 10; --load: 90, lengthened if the "
        "warm-up says it would miss --min-requests)",
    )
    parser.add_argument(
        "--min-requests",
        type=int,
        default=None,
        help="fail (exit 1) unless each server answered at least this many requests in the "
        f"timed run (default 0; --load: {LOAD_MIN_REQUESTS})",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=0,
        help="instead of --duration: stop after about N requests per server",
    )
    parser.add_argument(
        "--max-duration",
        type=float,
        default=120.0,
        help="with --requests: stop anyway after this many seconds",
    )
    parser.add_argument(
        "--concurrency", type=int, default=None, help="open connections (default 8; --load: 32)"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn --workers (default 2; --load: 4)"
    )
    parser.add_argument(
        "--worker-class",
        default="sync",
        choices=["sync", "gthread"],
        help="gunicorn --worker-class (default sync)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="gunicorn --threads (default 1; use with gthread)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="untimed seconds of load before each timed run (default 2)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="measure both servers this many times (default 3; --load: 1); report the median ratio",
    )
    parser.add_argument(
        "--texts-per-caller",
        type=int,
        default=5,
        help="texts from each number per pass through the timed stream (default 5); the "
        f"stream is sized so no number sends more than {CALLER_BUDGET} in a run, below the "
        "app's rate limit of 30 an hour",
    )
    parser.add_argument(
        "--callers",
        type=int,
        default=None,
        help="fix the number of distinct From numbers in the timed stream instead (no "
        "sizing: numbers may pass the rate limit, and then the run fails)",
    )
    parser.add_argument(
        "--presigned",
        type=int,
        default=None,
        help="pre-signed requests the timed run cycles through (default: sized from the "
        f"warm-up's rate, see --texts-per-caller; {DEFAULT_PRESIGNED} without a warm-up)",
    )
    parser.add_argument(
        "--app-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an app setting for both servers, e.g. RATE_LIMIT_ENABLED=false (repeatable)",
    )
    parser.add_argument(
        "--loadgen",
        default="auto",
        choices=["auto", "wrk", "python"],
        help="load generator (default: wrk if installed, else python)",
    )
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk --threads (default 1)")
    parser.add_argument(
        "--load-processes",
        type=int,
        default=2,
        help="processes of the Python load generator (default 2)",
    )
    parser.add_argument(
        "--ready-timeout", type=float, default=30.0, help="seconds to wait for a server to come up"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"where the JSON goes (default bench/results/{RESULTS.name}; --load: "
        f"bench/results/{LOAD_RESULTS.name})",
    )
    args = parser.parse_args(argv)
    defaults = {**OPTION_DEFAULTS, "min_requests": 0, **(LOAD_DEFAULTS if args.load else {})}
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.worker_class == "sync" and args.threads != 1:
        parser.error("--threads > 1 makes gunicorn switch to gthread; say --worker-class gthread")
    if args.callers is not None and not 1 <= args.callers <= LAST_NUMBER - TIMED_FIRST + 1:
        parser.error(f"--callers must be 1..{LAST_NUMBER - TIMED_FIRST + 1}")
    if not 1 <= args.texts_per_caller <= CALLER_BUDGET:
        parser.error(f"--texts-per-caller must be 1..{CALLER_BUDGET}")
    app_env = {}
    for item in args.app_env:
        name, equals, value = item.partition("=")
        if not equals or not name:
            parser.error(f"--app-env wants NAME=VALUE, not {item!r}")
        app_env[name] = value
    args.app_env = app_env
    if args.presigned is not None and args.presigned < 1:
        parser.error("--presigned must be positive")
    if args.concurrency < 1 or args.workers < 1 or args.rounds < 1:
        parser.error("--concurrency, --workers and --rounds must be positive")
    if args.min_requests < 0:
        parser.error("--min-requests must not be negative")
    if args.load and args.concurrency < LOAD_MIN_CONCURRENCY:
        parser.error(f"--load needs --concurrency >= {LOAD_MIN_CONCURRENCY}")
    if args.load and args.min_requests < LOAD_MIN_REQUESTS:
        parser.error(f"--load needs --min-requests >= {LOAD_MIN_REQUESTS}")
    if args.requests and args.requests < args.min_requests:
        parser.error("--requests is below --min-requests")
    return args


def choose_loadgen(wanted: str, requests: int) -> str:
    if wanted == "python":
        return "python"
    if requests:
        # wrk only runs for a duration: a thread that stops early still waits out -d.
        if wanted == "wrk":
            sys.exit("wrk runs for a fixed time: use --duration with it, or --loadgen python")
        print("--requests: using the Python load generator (wrk only runs for a duration).\n")
        return "python"
    if shutil.which("wrk"):
        return "wrk"
    hint = "wrk is not installed (sudo apt-get update && sudo apt-get install -y wrk)"
    if wanted == "wrk":
        sys.exit(hint)
    print(f"{hint}; using the Python load generator, which needs far more CPU.\n")
    return "python"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    loadgen = choose_loadgen(args.loadgen, args.requests)
    # Ctrl-C raises KeyboardInterrupt; make SIGTERM unwind the same way, so servers stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    servers = [
        Server("bare", "bare Flask, fixed TwiML", BARE_TARGET, None),
        Server("real", "HSCT Line POST /sms", REAL_TARGET, "/healthz"),
    ]
    plan = Plan(
        warm_callers=caller_numbers(WARM_FIRST, math.ceil(WARM_REQUESTS / args.texts_per_caller)),
        check_callers=caller_numbers(CHECK_FIRST, 40),  # five texts each: new, then returning
    )
    cores = os.cpu_count() or 1
    load_desc = (
        f"wrk, {min(args.wrk_threads, args.concurrency)} thread(s)"
        if loadgen == "wrk"
        else f"Python, {min(args.load_processes, args.concurrency)} process(es)"
    )
    bound = f"{args.requests} requests" if args.requests else f"{args.duration:g} s"
    callers_desc = (
        f"{args.callers} callers"
        if args.callers
        else f"{args.texts_per_caller} texts per caller per pass, at most {CALLER_BUDGET} a run"
    )
    if args.min_requests:
        bound += f" (at least {args.min_requests} requests, or the run fails)"
    print(
        ("Load test (--load).\n" if args.load else "")
        + f"gunicorn {' '.join(gunicorn_options(args))}\n"
        f"load: {load_desc}, {args.concurrency} connections, {bound} per server "
        f"after {args.warmup:g} s warm-up, {callers_desc}, {args.rounds} round(s)\n"
        f"note: {cores} CPU core(s) shared by the server ({args.workers} workers) and the load "
        f"generator on {HOST}; absolute figures are lower than on a dedicated host, the ratio "
        "is what to compare."
    )
    busy = os.getloadavg()[0]
    if busy > 0.5:
        print(
            f"note: load average {busy:.2f} before starting: other processes use the CPU, "
            "so figures will be noisy; more --rounds help."
        )
    print()

    rounds: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="hsct-bench-") as tmp:
        for round_no in range(args.rounds):
            workdir = Path(tmp) / f"round{round_no + 1}"
            workdir.mkdir()
            this: dict = {"round": round_no + 1}
            # Alternate which server goes first, so drift on the host does not favour one.
            for server in servers if round_no % 2 == 0 else servers[::-1]:
                result = measure(server, plan, args, workdir, loadgen, args.seed + 10 * round_no)
                this[server.name] = result
                memory = result["memory"]
                print(
                    f"round {round_no + 1} {server.label}: {result['rps']:.0f} req/s, "
                    f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
                    f"{result['errors']} errors in {result['requests']} requests "
                    f"({result['seconds']:.1f} s) from {result['stream']['callers']} numbers "
                    f"(at most {result['stream']['max_texts_per_caller']} texts each); "
                    f"{memory['count']} workers, RSS max "
                    f"{memory['rss_max_mb']:.1f} MB, mean {memory['rss_mean_mb']:.1f} MB"
                    + ("; WORKERS RESTARTED" if result["workers_restarted"] else ""),
                    flush=True,
                )
            this["ratio_rps"] = this["real"]["rps"] / this["bare"]["rps"]
            this["ratio_p99"] = this["real"]["p99_ms"] / this["bare"]["p99_ms"]
            print(f"round {round_no + 1} ratio real/bare: {this['ratio_rps']:.2f}", flush=True)
            rounds.append(this)

    picked = median_round(rounds)
    ratio, p99_ratio = picked["ratio_rps"], picked["ratio_p99"]
    print()
    if len(rounds) > 1:
        print(f"Round {picked['round']} of {len(rounds)}, the one with the median ratio:\n")
    checks_load = load_checks(args, picked, ratio) if args.load else None
    if checks_load is not None:
        print(load_table(servers, picked, checks_load))
        print(
            "\nWorker RSS is VmRSS from /proc/<pid>/status of each gunicorn worker (children "
            "of the master), read after the timed run while the server was still up; "
            "MB = 10^6 bytes. Real app workers: "
            + ", ".join(f"{w['rss_mb']:.1f}" for w in picked["real"]["memory"]["workers"])
            + " MB."
        )
        stream, code = picked["real"]["stream"], picked["real"]["git"]
        outside = [name for name in code["uncommitted"] if not name.startswith("bench/")]
        dirty = f" plus uncommitted changes to {len(outside)} file(s)" if outside else ""
        print(
            f"Real app's timed stream: {stream['callers']} numbers, {stream['presigned']} "
            f"pre-signed texts, {stream['mean_texts_per_caller']:.1f} texts per number on "
            f"average (at most {stream['max_texts_per_caller']}); texts logged as rate limited: "
            f"{picked['real']['rate_limited_logged']}. Code measured: "
            f"{code['commit'][:12]}{dirty}. Load average before the run {busy:.2f}, after "
            f"{os.getloadavg()[0]:.2f}."
        )
    else:
        print(table(servers, picked, ratio, p99_ratio))
        print(
            "Worker RSS after the run (max/mean MB): "
            + "; ".join(
                f"{s.label} {picked[s.name]['memory']['rss_max_mb']:.1f}/"
                f"{picked[s.name]['memory']['rss_mean_mb']:.1f}"
                for s in servers
            )
            + "."
        )

    checks = picked["real"]["checks"]
    refused = checks["refused"]
    print(
        f"\nChecked before timing: {checks['signed_ok']} signed webhooks to the real app all "
        f"got 200 TwiML ({checks['distinct_replies']} distinct replies); a wrong signature "
        f"got {refused['wrong_signature']}, a missing one got {refused['no_signature']}."
    )

    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": {
            "cpu_count": cores,
            "load_average_before": busy,
            "load_average_after": os.getloadavg()[0],
            "python": platform.python_version(),
            "platform": platform.platform(),
            "gunicorn": tool_version([sys.executable, "-m", "gunicorn", "--version"]),
            "wrk": tool_version(["wrk", "--version"]) if loadgen == "wrk" else None,
            "git": git_state(),
            "note": "server and load generator share the CPU cores over loopback",
        },
        "settings": {
            "gunicorn": gunicorn_options(args),
            "app_env": {"TWILIO_AUTH_TOKEN": TOKEN, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"},
            "loadgen": loadgen,
            "concurrency": args.concurrency,
            "duration_s": None if args.requests else args.duration,
            "requests": args.requests or None,
            "min_requests": args.min_requests,
            "load_test": args.load,
            "warmup_s": args.warmup,
            "callers": args.callers or None,
            "texts_per_caller": None if args.callers else args.texts_per_caller,
            "caller_budget": None if args.callers else CALLER_BUDGET,
            "app_env_extra": args.app_env,
            "bodies": BODIES,
            "rounds": args.rounds,
        },
        "servers": {s.name: {"label": s.label, "target": s.target} for s in servers},
        "rounds": rounds,
        "result": {
            "round": picked["round"],
            "bare": picked["bare"],
            "real": picked["real"],
            "ratio_rps": ratio,
            "ratio_p99": p99_ratio,
            "ratio_rps_all_rounds": [one["ratio_rps"] for one in rounds],
            "aim": AIM,
            "aim_met": ratio >= AIM,
        },
    }
    if checks_load is not None:
        report["load"] = {
            "command": "python bench/sms_throughput.py " + " ".join(sys.argv[1:] or []),
            "checks": checks_load,
            "requirements_met": all(c["met"] for c in checks_load if c["kind"] == "requirement"),
            "aims_met": {c["check"]: c["met"] for c in checks_load if c["kind"] == "aim"},
            "p99_aim_ms": P99_AIM_MS,
            "rss_aim_mb": RSS_AIM_MB,
        }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nWrote {args.output}")

    failed = False
    errors = sum(one[server.name]["errors"] for one in rounds for server in servers)
    if errors:
        print(f"\n{errors} bad responses or socket errors: see error_detail in the JSON.")
        failed = True
    limited = [
        f"round {one['round']}: {one['real']['rate_limited_logged']}"
        for one in rounds
        if one["real"]["rate_limited_logged"]
    ]
    if limited:
        print(
            f"\nFAILED: the real app rate-limited texts ({'; '.join(limited)}), so part of the "
            "run timed its silent path: let --texts-per-caller size the stream, or drop --callers."
        )
        failed = True
    restarted = [
        f"round {one['round']} {server.label}"
        for one in rounds
        for server in servers
        if one[server.name]["workers_restarted"]
    ]
    if restarted:
        print(f"\nFAILED: gunicorn workers restarted during the timed run: {restarted}.")
        failed = True
    short = [
        f"round {one['round']} {server.label}: {one[server.name]['requests']}"
        for one in rounds
        for server in servers
        if one[server.name]["requests"] < args.min_requests
    ]
    if short:
        print(f"\nFAILED: fewer than {args.min_requests} requests: {'; '.join(short)}.")
        failed = True
    if args.load and not failed:
        print(
            f"\nLoad test requirements met: >= {args.min_requests} requests per server at "
            f"concurrency {args.concurrency}, no errors, no worker restarts."
        )
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the servers are already stopped by then
        sys.exit("\ninterrupted")
