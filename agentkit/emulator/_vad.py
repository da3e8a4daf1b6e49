"""Energy-based voice activity detection on PCM16LE, measured in *audio* time.

Time is counted in samples received, not wall-clock seconds, so tests that send a second
of silence get an end-of-speech at once. Start and end use separate thresholds
(hysteresis): syllable gaps must not split an utterance.
"""

from __future__ import annotations

import array
import math
import re
import sys
from dataclasses import dataclass
from typing import Any

__all__ = ["Vad", "VadEvent", "pcm_rate"]

# RMS thresholds on the int16 scale
_START = {"START_SENSITIVITY_HIGH": 300.0, "START_SENSITIVITY_LOW": 1200.0}
_END = {"END_SENSITIVITY_HIGH": 250.0, "END_SENSITIVITY_LOW": 100.0}
_FRAME_MS = 10


def pcm_rate(mime_type: str | None, default: int = 16_000) -> int:
    """The sample rate from ``audio/pcm;rate=16000``."""
    match = re.search(r"rate=(\d+)", mime_type or "")
    return int(match.group(1)) if match else default


@dataclass
class VadEvent:
    """``start`` or ``end`` of speech, at ``offset`` seconds of received audio."""

    kind: str
    offset: float
    speech_seconds: float = 0.0


class Vad:
    """Automatic activity detection honouring ``automaticActivityDetection`` settings."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        cfg = config or {}
        self.start_threshold = _START.get(
            str(cfg.get("startOfSpeechSensitivity")), _START["START_SENSITIVITY_HIGH"]
        )
        self.end_threshold = _END.get(
            str(cfg.get("endOfSpeechSensitivity")), _END["END_SENSITIVITY_HIGH"]
        )
        self.end_threshold = min(self.end_threshold, self.start_threshold / 2)
        self.prefix_ms = int(cfg.get("prefixPaddingMs") or 20)
        self.silence_ms = int(cfg.get("silenceDurationMs") or 500)
        self.speaking = False
        self._samples = 0
        self._loud_ms = 0
        self._quiet_ms = 0
        self._speech_start = 0.0
        self._carry = b""
        self._rate = 16_000

    @property
    def offset(self) -> float:
        return self._samples / self._rate

    def feed(self, pcm: bytes, rate: int) -> list[VadEvent]:
        """Feed audio; return the start/end events it completes."""
        if rate != self._rate and self._samples:
            self._samples = int(self._samples * rate / self._rate)
        self._rate = rate
        data = self._carry + pcm
        frame_bytes = max(2, rate * _FRAME_MS // 1000 * 2)
        usable = len(data) - len(data) % frame_bytes
        self._carry = data[usable:]
        events: list[VadEvent] = []
        for pos in range(0, usable, frame_bytes):
            frame = array.array("h")
            frame.frombytes(data[pos : pos + frame_bytes])
            if sys.byteorder == "big":
                frame.byteswap()
            rms = math.sqrt(sum(s * s for s in frame) / len(frame))
            self._samples += len(frame)
            event = self._step(rms)
            if event is not None:
                events.append(event)
        return events

    def _step(self, rms: float) -> VadEvent | None:
        if not self.speaking:
            self._loud_ms = self._loud_ms + _FRAME_MS if rms >= self.start_threshold else 0
            if self._loud_ms >= max(self.prefix_ms, _FRAME_MS):
                self.speaking = True
                self._quiet_ms = 0
                self._speech_start = self.offset - self._loud_ms / 1000
                return VadEvent("start", self._speech_start)
            return None
        self._quiet_ms = self._quiet_ms + _FRAME_MS if rms < self.end_threshold else 0
        if self._quiet_ms >= self.silence_ms:
            return self._finish()
        return None

    def flush(self) -> VadEvent | None:
        """``audioStreamEnd``: end an utterance in progress."""
        self._carry = b""
        return self._finish() if self.speaking else None

    def _finish(self) -> VadEvent:
        self.speaking = False
        self._loud_ms = 0
        end = self.offset - self._quiet_ms / 1000
        self._quiet_ms = 0
        return VadEvent("end", self.offset, max(0.0, end - self._speech_start))
