"""Transcribing the model's speech (guide: "Ses metinlerini alma", output transcription).

With ``output_audio_transcription`` set, the model's audio answer comes with a text
transcript of what it said.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit
from agentkit import events

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["AUDIO"], "output_audio_transcription": {}}


async def main(base_url: str | None = None) -> str:
    """Returns the transcript of the model's answer."""
    transcript = []
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        await session.send_text("Hello? Gemini are you there?")
        async for event in session:
            if isinstance(event, events.Audio):
                print(f"Model turn: {len(event.data)} bytes of audio")
            elif isinstance(event, events.OutputTranscription):
                print("Transcript:", event.text)
                transcript.append(event.text)
            elif isinstance(event, events.TurnComplete):
                break
    return "".join(transcript)


if __name__ == "__main__":
    anyio.run(main)
