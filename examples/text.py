"""Sending and receiving text (guide: "Metin gönderme ve alma").

Send one user turn and print the model's answer as it streams in.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit
from agentkit import events

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"]}


async def main(base_url: str | None = None, message: str = "Hello, how are you?") -> str:
    """Returns the model's whole answer."""
    answer = []
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        await session.send_text(message)
        async for event in session:
            if isinstance(event, events.Text):
                print(event.text, end="", flush=True)
                answer.append(event.text)
            elif isinstance(event, events.TurnComplete):
                break
    print()
    return "".join(answer)


if __name__ == "__main__":
    anyio.run(main)
