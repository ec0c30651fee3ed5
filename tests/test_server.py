"""The real thing: the Procfile's gunicorn command on loopback, texted and called over HTTP."""

from __future__ import annotations

import concurrent.futures
import socket
import time
import xml.etree.ElementTree as ET

import pytest

from service.config import LANGUAGE_ORDER
from service.core.line import Line
from service.core.replies import SMS, TextBuilder
from service.core.segments import encoding_of
from service.core.state import Settings

from .helpers import CONTENT, LINE_NUMBER, Server, procfile_web_line, split_command, system

pytestmark = pytest.mark.server
LINE = Line(CONTENT, Settings(languages=tuple(LANGUAGE_ORDER)))
TEXTS = TextBuilder(LINE, SMS)


def test_procfile_server_answers_a_signed_text(tmp_path):
    with Server(tmp_path) as server:
        status, reply = server.text("+447700900111", "hi")
        assert status == 200 and reply.startswith(system("welcome"))
        status, reply = server.text("+447700900111", "can u die from hsct")
        assert reply.startswith(CONTENT.pack("en").answers["death-risk"].text[:30])
        assert server.text("+447700900111", "risks", signature="forged")[0] == 403


def test_opt_out_holds_across_workers_and_restarts(tmp_path):
    number = "+447700900222"
    with Server(tmp_path) as server:
        server.text(number, "hi")
        assert server.text(number, "STOP") == (200, None)
        for _ in range(6):  # whichever worker answers, it knows
            assert server.text(number, "risks") == (200, None)
    with Server(tmp_path) as server:
        assert server.text(number, "menu") == (200, None)
        assert server.text(number, "START")[1] == system("opted_in")
    logs = "".join(path.read_text() for path in tmp_path.glob("server-*.log"))
    assert "sms caller=" in logs  # the app logged each message...
    assert number not in logs and number[1:] not in logs  # ...without the number


def test_without_a_token_the_server_refuses_webhooks(tmp_path):
    with Server(tmp_path, TWILIO_AUTH_TOKEN="") as server:
        assert server.text("+447700900333", "hi")[0] == 403
        status, health = server.health()
        assert status == 503 and health["webhooks"].startswith("refused")


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with (
        pytest.raises(AssertionError, match="SECRET_KEY is not set"),
        Server(tmp_path, SECRET_KEY=""),
    ):
        pass


def test_procfile_binds_port_from_environment_with_threads():
    line = procfile_web_line()
    assert "$PORT" in line or "${PORT" in line
    words = split_command(line)
    assert "gunicorn" in words and "gthread" in words and "service:serve()" in words


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One real server for the per-language checks."""
    with Server(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.mark.parametrize("lang", LANGUAGE_ORDER)
def test_each_language_menu_and_an_answer_through_the_real_server(live, lang):
    number = f"+4477009{LANGUAGE_ORDER.index(lang):05d}"
    live.text(number, "hi")
    status, confirmed = live.text(number, f"LANG {lang}")
    assert status == 200 and confirmed == TEXTS.say(lang, "language_set")
    status, menu = live.text(number, "MENU")
    assert menu == TEXTS.menu(lang)
    status, risks = live.text(number, "5")
    assert risks == TEXTS.topic_messages(lang, "risks")[0]
    limit = 3 if lang in {"en", "de", "it"} else 4
    assert encoding_of(risks).segments <= limit and encoding_of(menu).segments <= limit


def test_a_phone_call_through_the_real_server(live):
    status, xml = live.post(
        "/voice", {"From": "+447700900444", "To": LINE_NUMBER, "CallSid": "CA1"}
    )
    gather = ET.fromstring(xml).find("Gather")
    assert gather.get("input") == "dtmf speech" and gather.get("language") == "en-GB"
    assert "press 1" in "".join(gather.itertext())


def test_two_slow_clients_do_not_stop_the_service(live):
    """Clients that dribble their request keep a thread each, not the whole server."""
    slow = []
    # One fewer than a worker's threads (the Procfile's 4): all of them may land on the
    # same worker, and that worker must still have a thread for everyone else.
    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", live.port))
        sock.sendall(b"POST /sms HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nBody=")
        slow.append(sock)
    try:
        started = time.perf_counter()
        for _ in range(5):
            status, _ = live.health()
            assert status == 200
        assert live.text("+447700900555", "hi")[0] == 200
        assert time.perf_counter() - started < 5
    finally:
        for sock in slow:
            sock.close()


def test_opt_outs_and_languages_survive_concurrent_writes_from_four_workers(tmp_path):
    """gunicorn -w 4, 16 threads at once, 40 numbers: nothing lost, nothing personal logged."""
    numbers = [f"+4477009{index:05d}" for index in range(40)]
    choices = {number: LANGUAGE_ORDER[index % 12] for index, number in enumerate(numbers)}

    def conversation(number: str) -> None:
        server.text(number, "hi")
        server.text(number, f"LANG {choices[number]}")
        server.text(number, "5")
        if numbers.index(number) % 2:
            server.text(number, "STOP")

    with (
        Server(tmp_path, WEB_CONCURRENCY="4", RATE_LIMIT_ENABLED="0") as server,
        concurrent.futures.ThreadPoolExecutor(16) as pool,
    ):
        list(pool.map(conversation, numbers))
    with Server(tmp_path) as server:  # a restart: everything was written
        for index, number in enumerate(numbers):
            status, reply = server.text(number, "MENU")
            if index % 2:
                assert reply is None, number
            else:
                assert reply == TEXTS.menu(choices[number]), number
    logs = "".join(path.read_text() for path in tmp_path.glob("server-*.log"))
    assert "sms caller=" in logs
    assert not any(number in logs or number[1:] in logs for number in numbers)
