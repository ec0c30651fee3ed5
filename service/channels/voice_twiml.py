"""A phone turn as TwiML: prompts inside a Gather (callers can cut in), a Dial, or goodbye."""

from __future__ import annotations

from urllib.parse import urlencode

from twilio.twiml.voice_response import Gather, Say, VoiceResponse

from ..core.phone.menu import PhoneMenu
from ..core.phone.positions import Call, Place
from ..core.phone.turns import Speech, Turn
from ..core.words import split_list
from ..services import Services
from .signature import public_url

GATHER_TIMEOUT = 10  # seconds of silence before Twilio gives up waiting (default 5)
# "auto" ends speech at a pause. Twilio refuses "auto" together with speechModel (13335),
# so no speechModel is set: Twilio picks its default speech provider.
SPEECH_TIMEOUT = "auto"
SLOW_RATE = "80%"  # SSML prosody for "slower speech"
DIAL_TIMEOUT = 25  # seconds of ringing before the helpline counts as "no answer"
MAX_HINTS, MAX_HINT_CHARS = 500, 100  # Twilio's limits on <Gather hints>


def call_params(call: Call) -> dict[str, str]:
    """A call's position in the next step's URL (Twilio signs that URL)."""
    return {
        "n": str(call.place),
        "b": str(call.back),
        "s": str(call.silences),
        "f": str(call.failures),
        "v": "1" if call.slow else "0",
    }


def call_from(args: dict[str, str]) -> Call:
    """A call's position from a step's URL; nonsense reads as the main menu."""

    def number(name: str) -> int:
        try:
            return max(0, min(int(args.get(name, "0")), 20))
        except ValueError:
            return 0

    def place(name: str) -> Place:
        try:
            return Place.parse(args.get(name, "main")[:80])
        except ValueError:
            return Place()

    return Call(place("n"), place("b"), number("s"), number("f"), args.get("v") == "1")


def render(svc: Services, turn: Turn, slow: bool, caller_id: str | None = None) -> VoiceResponse:
    """TwiML for a turn."""
    response = VoiceResponse()
    if turn.call is not None:
        hears = svc.voices.speech(turn.lang) if turn.listen else None
        gather = response.gather(
            input="dtmf speech" if hears else "dtmf",
            action=public_url("/voice/menu?" + urlencode(call_params(turn.call))),
            method="POST",
            timeout=GATHER_TIMEOUT,
            num_digits=1,
            language=hears,
            hints=", ".join(hints(svc.phone, turn)) if hears else None,
            action_on_empty_result=True,
            speech_timeout=SPEECH_TIMEOUT if hears else None,
        )
        for speech in turn.say:
            speak(svc, gather, speech, slow)
        return response
    for speech in turn.say:
        speak(svc, response, speech, slow)
    if turn.dial:
        after = public_url("/voice/dialled?" + urlencode(call_params(Call(slow=slow))))
        dial = response.dial(action=after, method="POST", timeout=DIAL_TIMEOUT, caller_id=caller_id)
        dial.number(turn.dial)
    if turn.hangup:
        response.hangup()
    return response


def speak(svc: Services, parent: VoiceResponse | Gather, speech: Speech, slow: bool) -> None:
    """A pre-built clip when there is one for this text, else Twilio's voice."""
    clip = svc.clips.find(speech.text, speech.lang, slow)
    if clip:
        parent.play(public_url(f"/audio/{clip}"))
        return
    voice = svc.voices.say(speech.lang) or svc.voices.say("en")
    language, name = voice if voice else ("en-GB", "Polly.Amy")
    if slow:
        say = Say(language=language, voice=name)
        say.prosody(speech.text, rate=SLOW_RATE)
    else:
        say = Say(speech.text, language=language, voice=name)
    parent.append(say)


def hints(menu: PhoneMenu, turn: Turn) -> tuple[str, ...]:
    """Speech hints: the menu's choices, the spoken commands, and the language names
    (within Twilio's limits: 500 hints of at most 100 characters)."""
    pack = menu.line.pack(turn.lang)
    found = [option.label for option in turn.options if option.label]
    for key, text in pack.strings.items():
        if key.startswith("voice_words."):
            found += split_list(text)[:3]
    found += [menu.line.languages.name(code) for code in menu.line.settings.languages]
    return tuple(dict.fromkeys(h[:MAX_HINT_CHARS] for h in found if h))[:MAX_HINTS]


def reject() -> VoiceResponse:
    """Refuse a call without answering it (a rejected call is not billed)."""
    response = VoiceResponse()
    response.reject(reason="busy")
    return response
