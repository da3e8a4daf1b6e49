"""Generation complete (guide: "Oluşturma işlemi tamamlandığında mesaj alma").

``GenerationComplete`` says the model has produced everything (audio may still be
playing); ``TurnComplete`` follows when the turn is over.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit
from agentkit import events

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"]}


async def main(base_url: str | None = None) -> list[str]:
    """Returns the end-of-answer events in the order they came."""
    order = []
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        await session.send_text("Say hello.")
        async for event in session:
            if isinstance(event, events.GenerationComplete):
                print("The generation is complete")
                order.append("generationComplete")
            elif isinstance(event, events.TurnComplete):
                print("The turn is complete")
                order.append("turnComplete")
                break
    return order


if __name__ == "__main__":
    anyio.run(main)
