"""System instructions (guide: "Sistem talimatları").

The instruction is part of the setup and holds for the whole session.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {
    "system_instruction": "You are a helpful assistant and answer in a friendly tone.",
    "response_modalities": ["TEXT"],
}


async def main(base_url: str | None = None) -> str:
    """Returns the model's answer."""
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        await session.send_text("Who are you?")
        turn = await session.receive_turn()
    print(turn.text)
    return turn.text


if __name__ == "__main__":
    anyio.run(main)
