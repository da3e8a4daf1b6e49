"""Configuring automatic voice activity detection (guide: "Otomatik VAD'yi yapılandırma").

The server decides when the user starts and stops speaking; these settings tune how
eagerly. The sample is followed by silence, so end of speech is detected and the model
answers.
"""

from __future__ import annotations

from pathlib import Path

import anyio
from _common import DATA, target

import agentkit
from agentkit import audio

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {
    "response_modalities": ["TEXT"],
    "realtime_input_config": {
        "automatic_activity_detection": {
            "disabled": False,  # default
            "start_of_speech_sensitivity": "START_SENSITIVITY_LOW",
            "end_of_speech_sensitivity": "END_SENSITIVITY_LOW",
            "prefix_padding_ms": 20,
            "silence_duration_ms": 100,
        }
    },
}


async def main(
    base_url: str | None = None, wav: str | Path = DATA / "hello.wav", speed: float = 1.0
) -> str:
    """Returns the model's answer."""
    pcm = await audio.ato_pcm16(wav, rate=16000) + audio.silence(0.5, 16000)
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        async for chunk in audio.paced_chunks(pcm, 16000, speed=speed):
            await session.send_audio(chunk, rate=16000)
        turn = await session.receive_turn()
    print(turn.text)
    return turn.text


if __name__ == "__main__":
    anyio.run(main)
