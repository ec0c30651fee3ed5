"""`flask --app service costs`: what a month of use might cost on Twilio, from the line's
real segment counts. Prices are options (check twilio.com/pricing for your country)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..core.replies import SMS, TextBuilder
from ..core.segments import encoding_of
from ..services import services

# Rough US prices in USD (Twilio's published list prices, 2026; check yours).
DEFAULTS = {
    "segment": 0.0083,  # per SMS segment, each way
    "minute": 0.0085,  # per minute of an incoming call to a local number
    "speech": 0.02,  # per 15 seconds of <Gather> speech recognition
    "number": 1.15,  # per month for a local number
}


def average_segments(lang: str) -> float:
    """Segments per reply: the answers and first topic texts people mostly get."""
    svc = services()
    texts = TextBuilder(svc.line, SMS)
    replies = [texts.answer(lang, answer_id) for answer_id in svc.line.content.answer_ids]
    replies += [texts.topic_messages(lang, topic)[0] for topic in svc.line.content.topic_ids]
    return sum(encoding_of(reply).segments for reply in replies) / len(replies)


@click.command("costs")
@click.option("--texts", default=1000, show_default=True, help="Texts received a month.")
@click.option("--calls", default=100, show_default=True, help="Calls a month.")
@click.option("--minutes", default=3.0, show_default=True, help="Minutes per call.")
@click.option("--steps", default=6, show_default=True, help="Menu steps per call.")
@click.option("--lang", default=None, help="Language of the replies (default: the default).")
@click.option("--segment-price", default=DEFAULTS["segment"], show_default=True)
@click.option("--minute-price", default=DEFAULTS["minute"], show_default=True)
@click.option("--speech-price", default=DEFAULTS["speech"], show_default=True)
@click.option("--number-price", default=DEFAULTS["number"], show_default=True)
@with_appcontext
def costs(
    texts: int,
    calls: int,
    minutes: float,
    steps: int,
    lang: str | None,
    segment_price: float,
    minute_price: float,
    speech_price: float,
    number_price: float,
) -> None:
    """Estimate a month's Twilio bill for this many texts and calls."""
    svc = services()
    lang = lang or svc.line.settings.default_language
    per_reply = average_segments(lang)
    texting = texts * (1 + per_reply) * segment_price  # one segment in, the reply out
    calling = calls * minutes * minute_price
    speech = calls * steps * speech_price if svc.line.settings.speech_input else 0.0
    total = texting + calling + speech + number_price
    click.echo(f"replies in {lang}: {per_reply:.2f} segments on average")
    click.echo(
        f"texts   {texts:6} x {1 + per_reply:.2f} segments x ${segment_price}  = ${texting:8.2f}"
    )
    click.echo(f"calls   {calls:6} x {minutes} min x ${minute_price}          = ${calling:8.2f}")
    click.echo(f"speech  {calls * steps:6} steps x ${speech_price}            = ${speech:8.2f}")
    click.echo(f"number  1 a month                          = ${number_price:8.2f}")
    click.echo(
        f"total about ${total:.2f} a month (before taxes, carrier fees and A2P registration)"
    )
