"""The terminal simulator drives the real webhooks."""

from __future__ import annotations

from service.content import default_content

EN = default_content().pack("en")


def test_chat_texts_the_line(app):
    result = app.test_cli_runner().invoke(args=["chat"], input="hi\n4\nSTOP\nrisks\nquit\n")
    assert result.exit_code == 0, result.output
    assert "HSCT Line: short facts" in result.output
    assert EN.by_id["risks"].pages[0][:40] in result.output
    assert "(no reply)" in result.output  # after STOP


def test_chat_calls_the_line(app):
    result = app.test_cli_runner().invoke(
        args=["chat", "--call", "--number", "+447700900888"], input="2\n1\n\n\n\n"
    )
    assert result.exit_code == 0, result.output
    assert "(says) For risks and recovery, press 2." in result.output
    assert "(says) " + EN.by_id["risks"].pages[0][:40] in result.output
    assert "(hangs up)" in result.output  # three silences: goodbye


def test_chat_works_without_a_twilio_token(config):
    from service import create_app

    config["TWILIO_AUTH_TOKEN"] = None
    app = create_app(config)
    result = app.test_cli_runner().invoke(args=["chat"], input="hi\nquit\n")
    assert "HSCT Line: short facts" in result.output
