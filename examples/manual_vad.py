"""Disabling automatic voice activity detection (guide: "Otomatik VAD'yi devre dışı bırakma").

With automatic detection off, the client marks where the user's speech starts and ends
(for example from a push-to-talk button).
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
    "realtime_input_config": {"automatic_activity_detection": {"disabled": True}},
}


async def main(
    base_url: str | None = None, wav: str | Path = DATA / "hello.wav", speed: float = 1.0
) -> str:
    """Returns the model's answer."""
    pcm = await audio.ato_pcm16(wav, rate=16000)
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        await session.activity_start()  # button pressed
        async for chunk in audio.paced_chunks(pcm, 16000, speed=speed):
            await session.send_audio(chunk, rate=16000)
        await session.activity_end()  # button released
        turn = await session.receive_turn()
    print(turn.text)
    return turn.text


if __name__ == "__main__":
    anyio.run(main)
