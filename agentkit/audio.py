"""Audio helpers for the Live API: WAV in, paced PCM chunks out, 24 kHz PCM back to WAV.

The Live API speaks raw 16-bit little-endian mono PCM: 16 kHz is native for input (any
rate works if the mime type says it), and output audio is always 24 kHz. This module turns
any PCM WAV file into that format and back, with the standard library only::

    from agentkit import audio

    pcm = await audio.ato_pcm16("question.wav")         # 16 kHz mono, whatever the file was
    async for chunk in audio.paced_chunks(pcm, 16000):  # 20 ms chunks at real-time pace
        await session.send_audio(chunk, rate=16000)

    with audio.WavWriter("answer.wav") as out:           # 24 kHz mono by default
        out.write(event.data)

Resampling is linear interpolation without an anti-aliasing filter: cheap, dependency free
and good enough for speech sent to a service that resamples again anyway. It is not meant
for music.
"""

from __future__ import annotations

import io
import math
import os
import struct
import sys
import wave
from array import array
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import BinaryIO, NamedTuple, Self

import anyio

from .errors import AudioFormatError

__all__ = [
    "INPUT_RATE",
    "MAX_CHUNK_MS",
    "MIN_CHUNK_MS",
    "OUTPUT_RATE",
    "Pcm",
    "WavWriter",
    "ato_pcm16",
    "chunk_bytes",
    "iter_chunks",
    "paced_chunks",
    "read_wav",
    "resample",
    "rms",
    "silence",
    "speech_like",
    "to_pcm16",
    "tone",
    "wav_bytes",
    "write_wav",
]

INPUT_RATE = 16000
"""The Live API's native input rate (Hz)."""
OUTPUT_RATE = 24000
"""The rate of every audio chunk the Live API sends back (Hz)."""
MIN_CHUNK_MS = 20
MAX_CHUNK_MS = 100

WavSource = str | os.PathLike[str] | bytes | BinaryIO
"""A WAV file: a path, its bytes, or a binary file object."""

_FORMAT_PCM = 0x0001
_FORMAT_FLOAT = 0x0003
_FORMAT_EXTENSIBLE = 0xFFFE
_BIG_ENDIAN = sys.byteorder == "big"
_FLIP_SIGN = bytes(b ^ 0x80 for b in range(256))


class Pcm(NamedTuple):
    """16-bit little-endian mono PCM and its sample rate. Unpacks as ``data, rate``."""

    data: bytes
    rate: int

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.data) / (2 * self.rate)

    def resampled(self, rate: int) -> Pcm:
        """The same sound at another rate (linear interpolation)."""
        return Pcm(resample(self.data, self.rate, rate), rate)


# -- reading -----------------------------------------------------------------------------


def read_wav(source: WavSource) -> Pcm:
    """Read a WAV file into 16-bit mono PCM at the file's own rate.

    Accepts integer PCM of 8, 16, 24 or 32 bits (including WAVE_FORMAT_EXTENSIBLE) and
    32-bit float, with any number of channels (mixed down by averaging).

    Raises:
        AudioFormatError: the data is not a WAV file of a supported kind.
    """
    name, raw = _load(source)
    try:
        with wave.open(io.BytesIO(raw), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
        fmt = _FORMAT_PCM
    except wave.Error as exc:
        # Python 3.11's wave module reads only WAVE_FORMAT_PCM; parse the rest ourselves.
        if "unknown format" not in str(exc):
            raise AudioFormatError(f"{name}: not a WAV file ({exc})") from None
        fmt, channels, rate, width, frames = _parse_riff(name, raw)
    except EOFError:
        raise AudioFormatError(f"{name}: truncated WAV file") from None
    if channels < 1 or rate < 1:
        raise AudioFormatError(f"{name}: invalid header ({channels} channels, {rate} Hz)")
    frames = frames[: len(frames) - len(frames) % (width * channels)]
    if fmt == _FORMAT_FLOAT:
        if width != 4:
            raise AudioFormatError(f"{name}: {8 * width}-bit float WAV is not supported")
        samples = _float32_to_pcm16(frames)
    else:
        samples = _int_to_pcm16(name, frames, width)
    return Pcm(_to_mono(samples, channels), rate)


def to_pcm16(source: WavSource, rate: int | None = INPUT_RATE) -> bytes:
    """Read a WAV file as 16-bit mono PCM at ``rate`` (16 kHz by default; None keeps the file's).

    The one call to prepare a file for ``session.send_audio(pcm, rate=rate)``.
    """
    pcm = read_wav(source)
    return pcm.data if rate is None else resample(pcm.data, pcm.rate, rate)


async def ato_pcm16(source: WavSource, rate: int | None = INPUT_RATE) -> bytes:
    """:func:`to_pcm16` in a worker thread, so file reading and resampling never block the loop."""
    return await anyio.to_thread.run_sync(to_pcm16, source, rate)


def _load(source: WavSource) -> tuple[str, bytes]:
    if isinstance(source, bytes):
        return "<bytes>", source
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        try:
            with open(path, "rb") as f:
                return path, f.read()
        except OSError as exc:
            raise AudioFormatError(f"{path}: cannot read ({exc.strerror})") from exc
    return str(getattr(source, "name", "<file>")), source.read()


def _parse_riff(name: str, raw: bytes) -> tuple[int, int, int, int, bytes]:
    """(format tag, channels, rate, sample width, frame bytes) of a RIFF/WAVE file."""
    if len(raw) < 12 or raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise AudioFormatError(f"{name}: not a WAV file")
    fmt: tuple[int, int, int, int] | None = None
    pos = 12
    while pos + 8 <= len(raw):
        chunk_id, size = raw[pos : pos + 4], struct.unpack_from("<I", raw, pos + 4)[0]
        body = raw[pos + 8 : pos + 8 + size]
        if chunk_id == b"fmt " and len(body) >= 16:
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
            if tag == _FORMAT_EXTENSIBLE and len(body) >= 26:
                tag = struct.unpack_from("<H", body, 24)[0]  # first 2 bytes of the SubFormat GUID
            fmt = (tag, channels, rate, (bits + 7) // 8)
        elif chunk_id == b"data" and fmt is not None:
            tag, channels, rate, width = fmt
            if tag not in (_FORMAT_PCM, _FORMAT_FLOAT):
                raise AudioFormatError(f"{name}: WAV format 0x{tag:04x} is not PCM or float")
            return tag, channels, rate, width, body
        pos += 8 + size + (size & 1)
    raise AudioFormatError(f"{name}: WAV file has no fmt/data chunk")


def _int_to_pcm16(name: str, frames: bytes, width: int) -> bytes:
    """Interleaved little-endian samples of any integer width -> 16-bit (keeps the top bits)."""
    if width == 2:
        return frames
    if width not in (1, 3, 4):
        raise AudioFormatError(f"{name}: {8 * width}-bit samples are not supported")
    out = bytearray(len(frames) // width * 2)
    if width == 1:  # unsigned 8-bit: (u - 128) << 8
        out[1::2] = frames.translate(_FLIP_SIGN)
    else:  # the two most significant bytes of each little-endian sample
        out[0::2] = frames[width - 2 :: width]
        out[1::2] = frames[width - 1 :: width]
    return bytes(out)


def _float32_to_pcm16(frames: bytes) -> bytes:
    floats = array("f", frames)
    if _BIG_ENDIAN:
        floats.byteswap()
    ints = array("h", (max(-32768, min(32767, round(x * 32767))) for x in floats))
    return _le_bytes(ints)


def _to_mono(pcm: bytes, channels: int) -> bytes:
    if channels == 1:
        return pcm
    samples = _samples(pcm)
    lanes = [samples[c::channels] for c in range(channels)]
    return _le_bytes(array("h", (sum(frame) // channels for frame in zip(*lanes, strict=True))))


# -- conversion --------------------------------------------------------------------------


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Resample 16-bit mono PCM by linear interpolation (no anti-aliasing filter)."""
    _check_rate(from_rate)
    _check_rate(to_rate)
    if from_rate == to_rate or not pcm:
        _check_pcm(pcm)
        return bytes(pcm)
    src = _samples(pcm)
    n_in = len(src)
    n_out = n_in * to_rate // from_rate
    out = array("h", bytes(2 * n_out))
    last = n_in - 1
    for i in range(n_out):
        # Exact integer position: sample j plus frac/to_rate of the way to sample j + 1.
        j, frac = divmod(i * from_rate, to_rate)
        a = src[j]
        b = src[j + 1] if j < last else a
        out[i] = a + (b - a) * frac // to_rate
    return _le_bytes(out)


def rms(pcm: bytes) -> float:
    """Root-mean-square level of 16-bit PCM, from 0.0 (silence) to 1.0 (full scale)."""
    samples = _samples(pcm)
    if not samples:
        return 0.0
    return min(1.0, math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768)


def _samples(pcm: bytes) -> array[int]:
    _check_pcm(pcm)
    samples = array("h", pcm)
    if _BIG_ENDIAN:
        samples.byteswap()
    return samples


def _le_bytes(samples: array[int]) -> bytes:
    if _BIG_ENDIAN:
        samples = array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def _check_pcm(pcm: bytes) -> None:
    if len(pcm) % 2:
        raise ValueError(f"16-bit PCM must have an even number of bytes, got {len(pcm)}")


def _check_rate(rate: int) -> None:
    if not isinstance(rate, int) or isinstance(rate, bool) or rate <= 0:
        raise ValueError(f"sample rate must be a positive int, got {rate!r}")


# -- chunking and pacing -----------------------------------------------------------------


def chunk_bytes(rate: int, chunk_ms: int) -> int:
    """Bytes in one chunk of ``chunk_ms`` milliseconds of 16-bit mono PCM at ``rate``.

    Raises:
        ValueError: ``chunk_ms`` is outside 20-100 ms (the Live API's real-time range), or
            the chunk would not hold a whole number of samples.
    """
    _check_rate(rate)
    if not MIN_CHUNK_MS <= chunk_ms <= MAX_CHUNK_MS:
        raise ValueError(
            f"chunk_ms must be between {MIN_CHUNK_MS} and {MAX_CHUNK_MS} ms, got {chunk_ms!r}"
        )
    samples, rest = divmod(rate * chunk_ms, 1000)
    if rest:
        raise ValueError(f"{chunk_ms} ms at {rate} Hz is not a whole number of samples")
    return 2 * samples


def iter_chunks(pcm: bytes, rate: int, chunk_ms: int = MIN_CHUNK_MS) -> Iterator[bytes]:
    """Slice 16-bit mono PCM into ``chunk_ms`` chunks; the last one may be shorter."""
    _check_pcm(pcm)
    size = chunk_bytes(rate, chunk_ms)
    for start in range(0, len(pcm), size):
        yield pcm[start : start + size]


async def paced_chunks(
    pcm: bytes, rate: int, chunk_ms: int = MIN_CHUNK_MS, *, speed: float = 1.0
) -> AsyncIterator[bytes]:
    """Yield ``chunk_ms`` chunks of ``pcm`` at real-time pace, as a microphone would.

    Chunk ``n`` is released at ``start + n * interval`` on anyio's clock, so time spent by
    the consumer between chunks does not add up to drift. ``speed`` > 1 plays faster than
    real time (2.0 = twice as fast). The first chunk comes at once.
    """
    if not speed > 0:
        raise ValueError(f"speed must be positive, got {speed!r}")
    interval = chunk_ms / 1000 / speed
    chunks = iter_chunks(pcm, rate, chunk_ms)  # validates before the first await
    start = anyio.current_time()
    for n, chunk in enumerate(chunks):
        await _sleep_until(start + n * interval)
        yield chunk


async def _sleep_until(deadline: float) -> None:
    delay = deadline - anyio.current_time()
    await anyio.sleep(max(0.0, delay))


# -- writing -----------------------------------------------------------------------------


class WavWriter:
    """Write 16-bit mono PCM to a WAV file as it arrives (24 kHz by default).

    Use as a context manager; the header is finalised on exit::

        with WavWriter("answer.wav") as out:
            out.write(event.data)
    """

    def __init__(self, dest: str | os.PathLike[str] | BinaryIO, rate: int = OUTPUT_RATE) -> None:
        _check_rate(rate)
        self.rate = rate
        self.bytes_written = 0
        target = os.fspath(dest) if isinstance(dest, str | os.PathLike) else dest
        self._wav = wave.open(target, "wb")  # noqa: SIM115 - closed by close()/__exit__
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(rate)

    @property
    def duration(self) -> float:
        """Seconds written so far."""
        return self.bytes_written / (2 * self.rate)

    def write(self, pcm: bytes) -> None:
        """Append 16-bit little-endian mono PCM."""
        _check_pcm(pcm)
        self._wav.writeframes(pcm)
        self.bytes_written += len(pcm)

    def close(self) -> None:
        """Finish the header and close the file (idempotent)."""
        self._wav.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def write_wav(dest: str | os.PathLike[str] | BinaryIO, pcm: bytes, rate: int = OUTPUT_RATE) -> None:
    """Write 16-bit mono PCM to a WAV file (24 kHz, the Live API's output rate, by default)."""
    with WavWriter(dest, rate) as out:
        out.write(pcm)


def wav_bytes(pcm: bytes, rate: int = OUTPUT_RATE) -> bytes:
    """A complete in-memory WAV file holding 16-bit mono PCM."""
    buffer = io.BytesIO()
    write_wav(buffer, pcm, rate)
    return buffer.getvalue()


# -- synthetic audio for tests and examples ----------------------------------------------


def silence(seconds: float, rate: int = INPUT_RATE) -> bytes:
    """``seconds`` of digital silence as 16-bit mono PCM."""
    _check_rate(rate)
    return bytes(2 * round(seconds * rate))


def tone(
    freq: float = 440.0, seconds: float = 1.0, rate: int = INPUT_RATE, amplitude: float = 0.5
) -> bytes:
    """A sine tone as 16-bit mono PCM (``amplitude`` is a fraction of full scale)."""
    _check_rate(rate)
    scale = _scale(amplitude)
    step = 2 * math.pi * freq / rate
    return _le_bytes(
        array("h", (round(scale * math.sin(step * i)) for i in range(round(seconds * rate))))
    )


def speech_like(
    seconds: float = 1.0,
    rate: int = INPUT_RATE,
    amplitude: float = 0.5,
    *,
    syllables_per_s: float = 4.0,
) -> bytes:
    """Deterministic voice-like sound: a 140 Hz buzz with harmonics, pulsing in syllables.

    Its energy rises and falls like speech but never drops to silence, so an energy-based
    voice activity detector hears one continuous utterance. Good for VAD and barge-in tests.
    """
    _check_rate(rate)
    scale = _scale(amplitude)
    f0 = 140.0
    harmonics = ((1, 1.0), (2, 0.5), (3, 0.3), (5, 0.15))
    norm = sum(weight for _, weight in harmonics)
    out = array("h")
    for i in range(round(seconds * rate)):
        t = i / rate
        envelope = 0.6 - 0.4 * math.cos(2 * math.pi * syllables_per_s * t)  # 0.2 .. 1.0
        voice = sum(w * math.sin(2 * math.pi * f0 * k * t) for k, w in harmonics) / norm
        out.append(round(scale * envelope * voice))
    return _le_bytes(out)


def _scale(amplitude: float) -> float:
    if not 0.0 <= amplitude <= 1.0:
        raise ValueError(f"amplitude must be between 0.0 and 1.0, got {amplitude!r}")
    return amplitude * 32767
