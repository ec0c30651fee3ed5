"""Behaviour as Twilio documents it: Advanced Opt-Out, delivery reports, call reports."""

from __future__ import annotations

import pytest

from .helpers import LINE_NUMBER, NUMBER, first_page, sign, system


def test_advanced_opt_out_stop_is_recorded_and_not_answered_twice(texter):
    # Twilio has answered "BAJA" itself (a localised keyword) and says so with OptOutType.
    assert texter.send("BAJA", OptOutType="STOP").messages == []
    assert texter("risks") is None  # recorded: the line stays silent
    assert texter.send("ALTA", OptOutType="START").messages == []  # Twilio confirmed it
    assert texter("risks").startswith(first_page("risks"))


def test_advanced_opt_out_help_is_not_answered_twice(texter):
    assert texter.send("AIDE", OptOutType="HELP").messages == []
    assert texter("HELP").startswith(system("help").splitlines()[0])  # without it: our HELP


def test_without_opt_out_type_the_line_answers_as_before(texter):
    assert texter("STOP") is None and texter("START") == system("opted_in")


def status(client, **fields):
    params = {"MessageSid": "SM1", "To": NUMBER, "From": LINE_NUMBER, **fields}
    url = "http://localhost/sms/status"
    return client.post(
        "/sms/status", data=params, headers={"X-Twilio-Signature": sign(url, params)}
    )


@pytest.mark.parametrize("outcome", ["sent", "delivered", "undelivered", "failed"])
def test_delivery_reports_are_counted(app, client, outcome):
    assert status(client, MessageStatus=outcome).status_code == 204
    counts = app.extensions["hsct"].store.counts(1)
    assert any(row[3] == f"sent_{outcome}" for row in counts)


def test_a_delivery_report_of_21610_keeps_the_opt_out(client, texter):
    status(client, MessageStatus="failed", ErrorCode="21610")
    assert texter("risks") is None


def test_reports_need_a_signature(client):
    assert client.post("/sms/status", data={"MessageStatus": "sent"}).status_code == 403
    assert client.post("/voice/status", data={"CallStatus": "completed"}).status_code == 403


def test_call_reports_count_completed_calls_by_length(app, client):
    params = {"CallSid": "CA1", "From": NUMBER, "CallStatus": "completed", "CallDuration": "95"}
    url = "http://localhost/voice/status"
    response = client.post(
        "/voice/status", data=params, headers={"X-Twilio-Signature": sign(url, params)}
    )
    assert response.status_code == 204
    assert any(row[3] == "call_1_to_5_min" for row in app.extensions["hsct"].store.counts(1))
