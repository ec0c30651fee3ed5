"""Speech engines: text in, MP3 bytes out (gTTS's natural voice, eSpeak NG offline).

They run only when clips are built (`flask --app service audio build`), never while a
caller waits.
"""

from __future__ import annotations

import ctypes
import io
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)


class Engine(Protocol):
    """Something that speaks: text in, MP3 bytes out."""

    name: str

    def synthesize(self, text: str, lang: str, slow: bool) -> bytes: ...


class Unreachable(Exception):
    """The engine's service cannot be reached at all: stop asking it for this run."""


class SpeechFailed(Exception):
    """This one clip could not be made."""


class GttsEngine:
    """Google Translate's voice through gTTS: natural, needs the network, may throttle."""

    name = "gtts"

    def __init__(
        self,
        languages: dict[str, dict],
        timeout: float = 10.0,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.languages = languages  # lang -> {"lang": gTTS code, "tld": accent}
        self.timeout, self.retries, self.sleep = timeout, retries, sleep

    def synthesize(self, text: str, lang: str, slow: bool) -> bytes:
        from gtts import gTTS, gTTSError

        spec = self.languages.get(lang)
        if not spec:
            raise SpeechFailed(f"gTTS has no voice for {lang}")
        for attempt in range(self.retries):
            try:
                tts = gTTS(
                    text,
                    lang=spec["lang"],
                    tld=spec.get("tld", "com"),
                    slow=slow,
                    timeout=self.timeout,
                )
                buffer = io.BytesIO()
                tts.write_to_fp(buffer)
                return buffer.getvalue()
            except gTTSError as error:
                status = getattr(getattr(error, "rsp", None), "status_code", None)
                if status is None:
                    raise Unreachable(str(error)) from error
                if status == 429 or status >= 500:  # throttled or upstream trouble: wait
                    self.sleep(2**attempt)
                    continue
                raise SpeechFailed(f"gTTS answered {status}") from error
            except ValueError as error:  # a language gTTS does not know
                raise SpeechFailed(str(error)) from error
        raise SpeechFailed(f"gTTS still failing after {self.retries} tries")


class EspeakEngine:
    """eSpeak NG from the espeakng-loader wheel, encoded to MP3 with lameenc: works offline."""

    name = "espeak"
    RATE_WPM = {False: 150, True: 115}
    _lock = threading.Lock()  # libespeak-ng keeps global state
    _library: ctypes.CDLL | None = None
    _sample_rate = 0

    def __init__(self, voices: dict[str, str]) -> None:
        self.voices = voices  # lang -> eSpeak voice name

    @classmethod
    def _load(cls) -> ctypes.CDLL:
        if cls._library is None:
            import espeakng_loader

            library = ctypes.CDLL(espeakng_loader.get_library_path())
            data = espeakng_loader.get_data_path().encode()
            synchronous = 2  # AUDIO_OUTPUT_SYNCHRONOUS: samples come back through a callback
            cls._sample_rate = library.espeak_Initialize(synchronous, 0, data, 0)
            if cls._sample_rate <= 0:
                raise Unreachable("eSpeak NG could not start")
            cls._library = library
        return cls._library

    def synthesize(self, text: str, lang: str, slow: bool) -> bytes:
        import lameenc

        voice = self.voices.get(lang)
        if not voice:
            raise SpeechFailed(f"eSpeak NG has no voice for {lang}")
        with self._lock:
            library = self._load()
            chunks: list[bytes] = []
            callback_type = ctypes.CFUNCTYPE(
                ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
            )

            def collect(wav: ctypes._Pointer, samples: int, events: int) -> int:
                if samples > 0:
                    chunks.append(ctypes.string_at(wav, samples * 2))
                return 0

            callback = callback_type(collect)
            library.espeak_SetSynthCallback(callback)
            if library.espeak_SetVoiceByName(voice.encode()) != 0:
                raise SpeechFailed(f"eSpeak NG voice {voice} not found")
            library.espeak_SetParameter(1, self.RATE_WPM[slow], 0)  # espeakRATE, absolute
            encoded = text.encode("utf-8")
            utf8, by_character = 1, 1
            library.espeak_Synth(encoded, len(encoded) + 1, 0, by_character, 0, utf8, None, None)
            library.espeak_Synchronize()
            pcm = b"".join(chunks)
        if not pcm:
            raise SpeechFailed("eSpeak NG produced no sound")
        encoder = lameenc.Encoder()
        encoder.set_bit_rate(32)
        encoder.set_in_sample_rate(self._sample_rate)
        encoder.set_channels(1)
        encoder.set_quality(5)
        return bytes(encoder.encode(pcm) + encoder.flush())


class FakeEngine:
    """For tests: a tiny valid MP3 of silence, and a record of what it was asked to say."""

    name = "espeak"  # names clips like the offline engine

    def __init__(self) -> None:
        self.said: list[tuple[str, str, bool]] = []

    def synthesize(self, text: str, lang: str, slow: bool) -> bytes:
        import lameenc

        self.said.append((text, lang, slow))
        encoder = lameenc.Encoder()
        encoder.set_bit_rate(32)
        encoder.set_in_sample_rate(22050)
        encoder.set_channels(1)
        return bytes(encoder.encode(b"\0\0" * 2205) + encoder.flush())
