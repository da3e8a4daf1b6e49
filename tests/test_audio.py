"""agentkit.audio: WAV in any format -> 16-bit mono PCM, resampling, chunks, pacing, WAV out."""

from __future__ import annotations

import io
import itertools
import math
import struct
import wave
from array import array
from pathlib import Path

import anyio
import pytest
from trio.testing import MockClock

from agentkit import audio
from agentkit.errors import AudioFormatError


def _wav(frames: bytes, *, rate: int, channels: int, width: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(frames)
    return buffer.getvalue()


def _riff(fmt_body: bytes, data: bytes) -> bytes:
    chunks = b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body
    chunks += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def _pcm(*samples: int) -> bytes:
    return struct.pack(f"<{len(samples)}h", *samples)


def _values(pcm: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(pcm) // 2}h", pcm))


# -- reading -----------------------------------------------------------------------------


def test_read_wav_16bit_mono_is_returned_unchanged_with_its_rate() -> None:
    data = _pcm(0, 1000, -1000, 32767, -32768)
    pcm = audio.read_wav(_wav(data, rate=22050, channels=1, width=2))
    assert pcm == (data, 22050)
    assert pcm.duration == pytest.approx(5 / 22050)


def test_read_wav_8bit_unsigned_is_centred_and_scaled() -> None:
    frames = bytes([128, 255, 0, 192])
    pcm = audio.read_wav(_wav(frames, rate=8000, channels=1, width=1))
    assert _values(pcm.data) == [0, 127 << 8, -128 << 8, 64 << 8]


def test_read_wav_24bit_keeps_the_top_16_bits() -> None:
    # 0x123456 -> 0x1234, -1 (0xffffff) -> -1, 0x800000 -> -32768
    frames = bytes([0x56, 0x34, 0x12, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x80])
    pcm = audio.read_wav(_wav(frames, rate=48000, channels=1, width=3))
    assert _values(pcm.data) == [0x1234, -1, -32768]
    assert pcm.rate == 48000


def test_read_wav_32bit_int_keeps_the_top_16_bits() -> None:
    frames = struct.pack("<3i", 0x12345678, -(2**31), 2**31 - 1)
    pcm = audio.read_wav(_wav(frames, rate=16000, channels=1, width=4))
    assert _values(pcm.data) == [0x1234, -32768, 32767]


def test_read_wav_stereo_is_mixed_down_by_averaging() -> None:
    frames = _pcm(1000, 3000, -2000, 2000, 32767, 32767)
    pcm = audio.read_wav(_wav(frames, rate=44100, channels=2, width=2))
    assert _values(pcm.data) == [2000, 0, 32767]


def test_read_wav_six_channels_24bit() -> None:
    sample = bytes([0x00, 0x00, 0x10])  # 0x1000 after truncation
    frames = sample * 6
    pcm = audio.read_wav(_wav(frames, rate=48000, channels=6, width=3))
    assert _values(pcm.data) == [0x1000]


def test_read_wav_extensible_24bit_which_the_stdlib_refuses() -> None:
    guid_pcm = struct.pack("<H", 1) + bytes.fromhex("000000001000800000aa00389b71")
    fmt = struct.pack("<HHIIHH", 0xFFFE, 2, 32000, 32000 * 6, 6, 24)
    fmt += struct.pack("<HHI", 22, 24, 3) + guid_pcm
    data = bytes([0, 0, 0x20, 0, 0, 0x40])  # left 0x2000, right 0x4000
    pcm = audio.read_wav(_riff(fmt, data))
    assert pcm == (_pcm(0x3000), 32000)


def test_read_wav_float32_is_scaled_and_clipped() -> None:
    fmt = struct.pack("<HHIIHH", 3, 1, 16000, 64000, 4, 32)
    data = struct.pack("<4f", 0.0, 0.5, -1.0, 2.0)
    pcm = audio.read_wav(_riff(fmt, data))
    assert _values(pcm.data) == [0, 16384, -32767, 32767]


def test_read_wav_from_path_and_file_object(tmp_path: Path) -> None:
    raw = _wav(_pcm(1, 2, 3), rate=16000, channels=1, width=2)
    path = tmp_path / "a.wav"
    path.write_bytes(raw)
    assert audio.read_wav(path) == audio.read_wav(str(path)) == (_pcm(1, 2, 3), 16000)
    with path.open("rb") as f:
        assert audio.read_wav(f).data == _pcm(1, 2, 3)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not a wav at all", r"^<bytes>: not a WAV file"),
        (b"", r"^<bytes>: "),
        (
            _riff(struct.pack("<HHIIHH", 0x55, 1, 16000, 0, 1, 8), b"\x00"),
            r"^<bytes>: .*(format|0x0055)",
        ),
        (_riff(struct.pack("<HHIIHH", 3, 1, 16000, 0, 8, 64), b"\x00" * 8), r"64-bit float"),
    ],
)
def test_read_wav_refuses_what_it_cannot_read(raw: bytes, message: str) -> None:
    with pytest.raises(AudioFormatError, match=message):
        audio.read_wav(raw)


def test_read_wav_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.wav"
    with pytest.raises(AudioFormatError, match=r"nope\.wav: cannot read"):
        audio.read_wav(missing)


def test_audio_format_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not a WAV"):
        audio.read_wav(b"RIFF....WAVX")


# -- resampling --------------------------------------------------------------------------


def test_resample_interpolates_linearly_between_samples() -> None:
    # 2 -> 3 samples per period: positions 0, 2/3, 4/3 of the way along a ramp.
    assert _values(audio.resample(_pcm(0, 300, 600, 900), 16000, 24000)) == [
        0,
        200,
        400,
        600,
        800,
        900,
    ]


def test_resample_downsamples_and_keeps_duration() -> None:
    pcm = audio.tone(440, seconds=1.0, rate=48000)
    down = audio.resample(pcm, 48000, 16000)
    assert len(down) == 2 * 16000
    assert _values(down)[:4] == _values(pcm)[0:12:3]


def test_resample_keeps_the_pitch_of_a_tone() -> None:
    def crossings(pcm: bytes) -> int:
        v = _values(pcm)
        return sum(1 for a, b in itertools.pairwise(v) if a < 0 <= b)

    pcm = audio.tone(300, seconds=1.0, rate=16000)
    up = audio.resample(pcm, 16000, 24000)
    assert len(up) == 2 * 24000
    assert abs(crossings(up) - 300) <= 1


def test_resample_same_rate_and_empty_are_identity() -> None:
    assert audio.resample(_pcm(5, 6), 16000, 16000) == _pcm(5, 6)
    assert audio.resample(b"", 16000, 24000) == b""


@pytest.mark.parametrize(("pcm", "src", "dst"), [(b"\x00", 16000, 8000), (b"", 0, 8000)])
def test_resample_rejects_bad_input(pcm: bytes, src: int, dst: int) -> None:
    with pytest.raises(ValueError, match=r"even number|positive int"):
        audio.resample(pcm, src, dst)


def test_to_pcm16_converts_a_44k_stereo_file_to_16k_mono(tmp_path: Path) -> None:
    stereo = bytes(
        array("h", (v for s in _values(audio.tone(seconds=0.5, rate=44100)) for v in (s, s)))
    )
    path = tmp_path / "in.wav"
    path.write_bytes(_wav(stereo, rate=44100, channels=2, width=2))
    pcm = audio.to_pcm16(path)
    assert len(pcm) == 2 * 8000
    assert audio.rms(pcm) == pytest.approx(0.5 / math.sqrt(2), rel=0.02)
    assert audio.to_pcm16(path, rate=None) == audio.read_wav(path).data


# -- chunks and pacing -------------------------------------------------------------------


def test_chunk_bytes_for_the_usual_rates() -> None:
    assert audio.chunk_bytes(16000, 20) == 640
    assert audio.chunk_bytes(16000, 100) == 3200
    assert audio.chunk_bytes(24000, 20) == 960


@pytest.mark.parametrize("chunk_ms", [0, 19, 101, 1000])
def test_chunk_bytes_refuses_chunks_outside_20_to_100_ms(chunk_ms: int) -> None:
    with pytest.raises(ValueError, match=r"^chunk_ms must be between 20 and 100 ms"):
        audio.chunk_bytes(16000, chunk_ms)


def test_chunk_bytes_refuses_fractional_samples() -> None:
    with pytest.raises(ValueError, match="whole number of samples"):
        audio.chunk_bytes(11025, 20)


def test_iter_chunks_covers_everything_with_a_short_tail() -> None:
    pcm = audio.tone(seconds=0.05, rate=16000)  # 1600 bytes
    chunks = list(audio.iter_chunks(pcm, 16000, 20))
    assert [len(c) for c in chunks] == [640, 640, 320]
    assert b"".join(chunks) == pcm


@pytest.fixture
def anyio_backend() -> tuple[str, dict[str, object]]:
    # Virtual time: pacing is checked exactly, without waiting and without timing asserts.
    return ("trio", {"clock": MockClock(autojump_threshold=0)})


@pytest.mark.anyio
async def test_paced_chunks_releases_chunk_n_at_start_plus_n_intervals() -> None:
    pcm = audio.silence(0.2, 16000)
    start = anyio.current_time()
    times = []
    async for chunk in audio.paced_chunks(pcm, 16000, chunk_ms=20):
        times.append(round(anyio.current_time() - start, 9))
        assert len(chunk) == 640
        await anyio.sleep(0.013)  # the consumer's own work must not add drift
    assert times == [round(0.02 * n, 9) for n in range(10)]


@pytest.mark.anyio
async def test_paced_chunks_catches_up_after_a_slow_consumer() -> None:
    pcm = audio.silence(0.1, 16000)
    start = anyio.current_time()
    times = []
    async for _ in audio.paced_chunks(pcm, 16000, chunk_ms=20):
        times.append(round(anyio.current_time() - start, 9))
        if len(times) == 1:
            await anyio.sleep(0.05)  # a hiccup: the next chunks are due already
    assert times == [0.0, 0.05, 0.05, 0.06, 0.08]


@pytest.mark.anyio
async def test_paced_chunks_speed_and_validation() -> None:
    start = anyio.current_time()
    chunks = [c async for c in audio.paced_chunks(audio.silence(0.1), 16000, 50, speed=2.0)]
    assert len(chunks) == 2
    assert anyio.current_time() - start == pytest.approx(0.025)
    with pytest.raises(ValueError, match="chunk_ms"):
        await anext(audio.paced_chunks(b"", 16000, 5))
    with pytest.raises(ValueError, match="speed"):
        await anext(audio.paced_chunks(b"", 16000, speed=0))


# -- writing -----------------------------------------------------------------------------


def test_write_wav_round_trips_at_24k(tmp_path: Path) -> None:
    pcm = audio.tone(220, seconds=0.25, rate=24000)
    path = tmp_path / "out.wav"
    audio.write_wav(path, pcm)
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 24000)
    assert audio.read_wav(path) == (pcm, 24000)


def test_wav_writer_streams_chunks_and_counts_duration(tmp_path: Path) -> None:
    path = tmp_path / "stream.wav"
    with audio.WavWriter(path) as out:
        for chunk in audio.iter_chunks(audio.tone(seconds=0.1, rate=24000), 24000, 20):
            out.write(chunk)
        assert out.duration == pytest.approx(0.1)
    assert audio.read_wav(path).duration == pytest.approx(0.1)
    with pytest.raises(ValueError, match="even number"):
        audio.WavWriter(tmp_path / "x.wav").write(b"\x01")


def test_wav_bytes_is_a_readable_file() -> None:
    assert audio.read_wav(audio.wav_bytes(_pcm(7, 8), 16000)) == (_pcm(7, 8), 16000)


# -- synthetic audio ---------------------------------------------------------------------


def test_silence_and_tone_levels() -> None:
    assert audio.silence(0.5, 16000) == bytes(16000)
    assert audio.rms(audio.silence(0.1)) == 0.0
    assert audio.rms(audio.tone(440, 1.0, amplitude=0.5)) == pytest.approx(0.5 / math.sqrt(2), 0.01)
    with pytest.raises(ValueError, match="amplitude"):
        audio.tone(amplitude=1.5)


def test_speech_like_is_never_silent_and_pulses_in_syllables() -> None:
    pcm = audio.speech_like(1.0, 16000)
    windows = [audio.rms(c) for c in audio.iter_chunks(pcm, 16000, 20)]
    assert len(windows) == 50
    assert min(windows) > 0.02  # an energy VAD hears one utterance
    assert max(windows) > 3 * min(windows)  # but it rises and falls like speech
    assert audio.speech_like(0.2) == audio.speech_like(0.2)  # deterministic


@pytest.mark.anyio
async def test_ato_pcm16_reads_in_a_worker_thread(tmp_path: Path) -> None:
    path = tmp_path / "in.wav"
    audio.write_wav(path, audio.tone(seconds=0.1, rate=8000), 8000)
    assert await audio.ato_pcm16(path) == audio.to_pcm16(path)
    assert len(await audio.ato_pcm16(path, rate=24000)) == 2 * 2400
