"""Receiving audio (guide: "Ses gönderme ve alma", AUDIO response modality).

Ask in text, and write the spoken answer (24 kHz 16-bit mono PCM) to a WAV file as the
chunks arrive.
"""

from __future__ import annotations

from pathlib import Path

import anyio
from _common import target

import agentkit
from agentkit import audio, events

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["AUDIO"]}


async def main(base_url: str | None = None, out: str | Path = "audio.wav") -> float:
    """Returns the seconds of audio written to ``out``."""
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        await session.send_text("Hello how are you?")
        with audio.WavWriter(out, rate=audio.OUTPUT_RATE) as wav:
            async for event in session:
                if isinstance(event, events.Audio):
                    wav.write(event.data)
                elif isinstance(event, events.TurnComplete):
                    break
    print(f"wrote {wav.duration:.2f} s of audio to {out}")
    return wav.duration


if __name__ == "__main__":
    anyio.run(main)
