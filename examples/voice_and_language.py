"""Changing voice and language (guide: "Ses ve dili değiştirme").

The voice (Puck, Charon, Kore, Fenrir, Aoede, Leda, Orus, Zephyr) and the language code
both go in ``speech_config``.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {
    "response_modalities": ["AUDIO"],
    "speech_config": {
        "voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}},
        "language_code": "de-DE",
    },
}


async def main(base_url: str | None = None) -> int:
    """Returns how many bytes of audio the answer had."""
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        speech = session.setup.generation_config.speech_config
        print("voice:", speech.voice_config.prebuilt_voice_config.voice_name)
        print("language:", speech.language_code)
        await session.send_text("Wie geht es dir?")
        turn = await session.receive_turn()
    print(f"answer: {len(turn.audio)} bytes of 24 kHz audio")
    return len(turn.audio)


if __name__ == "__main__":
    anyio.run(main)
