"""It keeps answering, loses nothing, lets no one in: fuzzing, limits, faults, retention."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from service import create_app
from service.channels.identity import caller_key, sender_of
from service.core.content import Content

from .helpers import EN, NUMBER, ROOT, Caller, Texter, database_locked, sign, system

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

numbers = st.one_of(
    st.just(NUMBER),
    st.just("anonymous"),
    st.just("client:alice"),
    st.just(""),
    st.from_regex(r"\+[0-9]{6,15}", fullmatch=True),
    st.text(max_size=40),
)
texts = st.one_of(st.text(max_size=50), st.text(min_size=1000, max_size=5000), st.just("STOP"))
extra = st.dictionaries(
    st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,15}", fullmatch=True), st.text(max_size=30), max_size=4
)


def answer_is_safe(response) -> ET.Element:
    """What Twilio needs: no 5xx, valid TwiML, under its 64 kB limit."""
    assert response.status_code < 500
    body = response.get_data()
    assert len(body) < 64_000
    root = ET.fromstring(body)
    assert root.tag == "Response"
    return root


def signed_post(client, path: str, form: dict):
    form = {key: value for key, value in form.items() if value is not None}
    return client.post(
        path, data=form, headers={"X-Twilio-Signature": sign("http://localhost" + path, form)}
    )


@FUZZ
@given(body=texts, number=numbers, fields=extra)
def test_sms_answers_anything(client, body, number, fields):
    form = {**fields, "Body": body, "From": number, "To": "+15005550006", "MessageSid": "SM1"}
    answer_is_safe(signed_post(client, "/sms", form))


@FUZZ
@given(
    digits=st.one_of(st.text(max_size=5), st.sampled_from(list("0123456789*#"))),
    speech=st.one_of(st.just(""), st.text(max_size=200)),
    confidence=st.one_of(st.just(""), st.text(max_size=5), st.floats().map(str)),
    node=st.one_of(
        st.sampled_from(
            [
                "main",
                "group:risks",
                "topic:risks:0",
                "topic:cost:9",
                "answer:hair-loss",
                "answer:nope",
                "help",
                "dialled",
                "lang:0",
                "lang:7",
            ]
        ),
        st.text(max_size=30),
    ),
    silences=st.text(max_size=4),
    number=numbers,
    fields=extra,
)
def test_voice_menu_answers_anything(
    client, digits, speech, confidence, node, silences, number, fields
):
    query = urlencode({"n": node, "s": silences, "f": silences, "v": "1", "b": node})
    form = {
        **fields,
        "Digits": digits,
        "SpeechResult": speech,
        "Confidence": confidence,
        "From": number,
        "CallSid": "CA1",
    }
    answer_is_safe(signed_post(client, f"/voice/menu?{query}", form))


@FUZZ
@given(number=numbers, fields=extra)
def test_incoming_call_answers_anything(client, number, fields):
    answer_is_safe(signed_post(client, "/voice", {**fields, "From": number, "CallSid": "CA1"}))


@pytest.mark.parametrize(
    "raw",
    [
        b"Body=caf%E9&From=%2B447700900123",  # Latin-1 bytes, not UTF-8
        b"Body=%FF%FE%00%00&From=%2B447700900123",  # invalid UTF-8 and NULs
        b"Body=" + b"%F0%9F%98%80" * 3000 + b"&From=%2B447700900123",  # 3,000 emoji
        b"From=%2B447700900123&Body=a&Body=b",  # a repeated field
    ],
)
def test_odd_encodings_are_answered(client, raw):
    """Sign what Flask will parse, as Twilio signs what it sent."""
    environ = EnvironBuilder(
        path="/sms", method="POST", data=raw, content_type="application/x-www-form-urlencoded"
    ).get_environ()
    form = Request(environ).form
    response = client.post(
        "/sms",
        data=raw,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": sign("http://localhost/sms", form)},
    )
    answer_is_safe(response)
    assert response.status_code == 200


def test_repeated_parameters_are_signed_like_twilio(client):
    form = MultiDict([("From", NUMBER), ("Body", "risks"), ("MediaUrl", "b"), ("MediaUrl", "a")])
    response = client.post(
        "/sms", data=form, headers={"X-Twilio-Signature": sign("http://localhost/sms", form)}
    )
    assert response.status_code == 200
    forged = MultiDict([("From", NUMBER), ("Body", "risks"), ("MediaUrl", "b")])
    response = client.post(
        "/sms", data=form, headers={"X-Twilio-Signature": sign("http://localhost/sms", forged)}
    )
    assert response.status_code == 403


# Rate limits ---------------------------------------------------------------------------


def limited_app(config, **settings):
    config.update(RATE_LIMIT_ENABLED=True, **settings)
    return create_app(config)


def test_texts_past_the_limit_get_one_notice_then_silence(config):
    app = limited_app(config, RATE_LIMIT_SMS="3/hour")
    phone = Texter(app.test_client())
    assert phone("hi") and phone("risks") and phone("more")
    notice = phone("cost")
    assert notice == EN.text("rate_limited")
    assert "24-hour number" in notice  # the urgent action survives the limit
    assert phone("cost") is None and phone("menu") is None
    other = Texter(app.test_client(), "+447700900555")  # keyed on the number, not the IP
    assert other("hi").startswith(system("welcome"))
    assert phone("STOP") is None  # STOP goes through although limited:
    svc = app.extensions["hsct"]
    key = caller_key(sender_of(NUMBER, "sms"), app.config["SECRET_KEY"])
    assert svc.store.load(key).opted_out
    assert phone("START") == system("opted_in")  # and START too
    assert not svc.store.load(key).opted_out


def test_calls_past_the_limit_get_one_notice_then_are_rejected_unbilled(config):
    app = limited_app(config, RATE_LIMIT_CALLS="1/hour")
    caller = Caller(app.test_client())
    assert caller.call().find("Gather") is not None
    root = caller.call()
    assert root.find("Gather") is None and root.find("Hangup") is not None
    assert "called many times" in caller.heard
    root = caller.call()
    assert root.find("Reject") is not None and root.find("Hangup") is None and not caller.heard


def test_menu_steps_count_towards_a_limit_too(config):
    app = limited_app(config, RATE_LIMIT_STEPS="3/hour")
    caller = Caller(app.test_client())
    caller.call()
    for _ in range(3):
        assert caller.press("5").find("Gather") is not None
    root = caller.press("5")
    assert root.find("Hangup") is not None and "called many times" in caller.heard


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379 (CI starts one; see .ci/run)")
    yield url
    client.flushdb()


def test_instances_share_counters_through_redis(config, redis_url):
    first = limited_app(dict(config), RATE_LIMIT_SMS="2/hour", REDIS_URL=redis_url)
    second = limited_app(dict(config), RATE_LIMIT_SMS="2/hour", REDIS_URL=redis_url)
    assert Texter(first.test_client())("hi")
    assert Texter(second.test_client())("risks")
    assert Texter(first.test_client())("cost") == EN.text("rate_limited")
    import redis

    keys = b" ".join(redis.Redis.from_url(redis_url).keys("*"))
    assert keys and NUMBER.encode() not in keys and NUMBER[1:].encode() not in keys


def test_workers_share_counters_through_the_database(config):
    first = limited_app(dict(config), RATE_LIMIT_SMS="2/hour")
    second = limited_app(dict(config), RATE_LIMIT_SMS="2/hour")  # same DATABASE_URL
    assert Texter(first.test_client())("hi")
    assert Texter(second.test_client())("risks")
    assert Texter(first.test_client())("cost") == EN.text("rate_limited")


def test_unreachable_rate_limit_storage_still_answers(config, caplog):
    app = limited_app(config, REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    assert Texter(app.test_client())("hi").startswith(system("welcome"))
    assert "rate-limit storage unavailable" in caplog.text


# Faults --------------------------------------------------------------------------------


def test_database_unavailable_still_answers_and_logs(config, tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    config["DATABASE_URL"] = f"sqlite:///{blocker}/line.sqlite"
    app = create_app(config)  # starts all the same
    phone = Texter(app.test_client())
    assert phone("risks").startswith(EN.by_id["risks"].pages[0][:30])
    assert "store unavailable" in caplog.text
    assert Caller(app.test_client()).call().find("Gather") is not None


def test_database_locked_by_another_worker_still_answers(config, tmp_path, caplog):
    config["DATABASE_TIMEOUT"] = 0.2
    app = create_app(config)
    phone = Texter(app.test_client())
    phone("hi")
    with database_locked(tmp_path / "line.sqlite"):
        started = time.perf_counter()
        assert phone("risks").startswith(EN.by_id["risks"].pages[0][:30])
        assert time.perf_counter() - started < 2
        assert "database is locked" in caplog.text


def test_corrupt_catalogue_falls_back_to_english_and_logs(tmp_path, caplog):
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales" / "es", locales / "es")
    (locales / "es" / "LC_MESSAGES" / "messages.mo").write_bytes(b"\x00garbage" * 10)
    content = Content(ROOT / "messages", locales)
    with caplog.at_level(logging.ERROR):
        spanish = content.pack("es")
    assert spanish.text("welcome") == EN.text("welcome")
    assert "could not load the es catalogue" in caplog.text


def test_missing_catalogue_falls_back_to_english_and_logs(tmp_path, caplog):
    content = Content(ROOT / "messages", tmp_path / "no-locales")
    with caplog.at_level(logging.ERROR):
        assert content.pack("fr").text("welcome") == EN.text("welcome")
    assert "no compiled fr catalogue" in caplog.text


def test_broken_core_gets_an_apology_on_the_phone_too(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(app.extensions["hsct"].phone, "answer", broken)
    caller = Caller(app.test_client())
    caller.call()
    root = caller.press("1")
    assert root.find("Hangup") is not None and "something went wrong" in caller.heard


# Data ----------------------------------------------------------------------------------


def test_retention_forgets_idle_callers_but_keeps_opt_outs(app, config, tmp_path):
    Texter(app.test_client(), "+447700900011")("LANG es")
    Texter(app.test_client(), "+447700900012")("STOP")
    db = sqlite3.connect(tmp_path / "line.sqlite")
    db.execute("UPDATE caller SET updated_at = updated_at - 400 * 86400")
    db.commit()
    create_app(config)  # nothing is purged at start-up
    assert len(db.execute("SELECT lang FROM caller").fetchall()) == 2
    result = app.test_cli_runner().invoke(args=["store", "purge", "--days", "365"])
    assert "forgot 1 caller(s)" in result.output
    rows = db.execute("SELECT lang, opted_out FROM caller").fetchall()
    assert rows == [(None, 1)]  # the opt-out stays; the Spanish texter is forgotten
    assert Texter(create_app(config).test_client(), "+447700900012")("hi") is None


def test_retention_zero_means_never_and_nonsense_is_refused(config):
    config["RETENTION_DAYS"] = 0
    app = create_app(config)
    Texter(app.test_client())("hi")
    runner = app.test_cli_runner()
    assert "nothing purged" in runner.invoke(args=["store", "purge"]).output
    assert runner.invoke(args=["store", "purge", "--days", "0"]).exit_code != 0
    assert runner.invoke(args=["store", "purge", "--days", "-3"]).exit_code != 0
    assert app.extensions["hsct"].store.load(caller_key(sender_of(NUMBER, "sms"), "test-secret"))
