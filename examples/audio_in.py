"""Sending audio (guide: "Ses gönderme ve alma", WAV input).

Any WAV file (here a 22.05 kHz sample) becomes 16-bit 16 kHz mono PCM with
``agentkit.audio`` (no librosa needed), streamed in 20 ms chunks at real-time pace, as a
microphone would send it. The model answers in text.
"""

from __future__ import annotations

from pathlib import Path

import anyio
from _common import DATA, target

import agentkit
from agentkit import audio

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"]}


async def main(
    base_url: str | None = None, wav: str | Path = DATA / "hello.wav", speed: float = 1.0
) -> str:
    """Returns the model's answer. ``speed`` > 1 streams faster than real time."""
    pcm = await audio.ato_pcm16(wav, rate=16000)
    print(f"sending {len(pcm) / 32000:.2f} s of audio")
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        async for chunk in audio.paced_chunks(pcm, 16000, chunk_ms=20, speed=speed):
            await session.send_audio(chunk, rate=16000)
        await session.audio_stream_end()  # the microphone went quiet: flush what is cached
        turn = await session.receive_turn()
    print(turn.text)
    return turn.text


if __name__ == "__main__":
    anyio.run(main)
