"""The terminal simulator drives the real webhooks, and shows only the conversation."""

from __future__ import annotations

from service import create_app

from .helpers import EN, said, system, voice


def test_chat_texts_the_line(app):
    result = app.test_cli_runner().invoke(args=["chat"], input="hi\n5\nSTOP\nrisks\nquit\n")
    assert result.exit_code == 0, result.output
    assert system("welcome") in result.output
    assert EN.by_id["risks"].pages[0][:40] in result.output
    assert "(no reply)" in result.output  # after STOP
    assert " INFO " not in result.output and "WARNING" not in result.output


def test_chat_calls_the_line(app):
    result = app.test_cli_runner().invoke(
        args=["chat", "--call", "--number", "+447700900888"], input="3\n1\n\n\n\n"
    )
    assert result.exit_code == 0, result.output
    assert "(says) " + voice("main_option", label=voice("group_risks"), key=3) in result.output
    assert "(says) " + said(EN.by_id["risks"].pages[0])[:40] in result.output
    assert "(hangs up)" in result.output  # three silences: goodbye


def test_chat_on_whatsapp(app):
    result = app.test_cli_runner().invoke(args=["chat", "--whatsapp"], input="hi\nquit\n")
    assert system("welcome") in result.output


def test_chat_works_without_a_twilio_token(config):
    config["TWILIO_AUTH_TOKEN"] = None
    result = create_app(config).test_cli_runner().invoke(args=["chat"], input="hi\nquit\n")
    assert system("welcome") in result.output
