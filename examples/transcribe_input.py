"""Transcribing the user's speech (guide: "Ses metinlerini alma", input transcription).

With ``input_audio_transcription`` set, the server sends back a transcript of the audio
it heard. ``receive_turn()`` gathers it together with the answer.
"""

from __future__ import annotations

from pathlib import Path

import anyio
from _common import DATA, target

import agentkit
from agentkit import audio

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"], "input_audio_transcription": {}}


async def main(
    base_url: str | None = None, wav: str | Path = DATA / "hello.wav", speed: float = 1.0
) -> str:
    """Returns the transcript of the audio that was sent."""
    pcm = await audio.ato_pcm16(wav, rate=16000)
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        async for chunk in audio.paced_chunks(pcm, 16000, speed=speed):
            await session.send_audio(chunk, rate=16000)
        await session.audio_stream_end()
        turn = await session.receive_turn()
    print("Transcript:", turn.input_transcription)
    print("Answer:", turn.text)
    return turn.input_transcription


if __name__ == "__main__":
    anyio.run(main)
