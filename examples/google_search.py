"""Grounding with Google Search (guide: the search example after "Kod yürütme").

Enable the built-in search tool; the model may also write code to use search, which
arrives as code events.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit
from agentkit import events

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"], "tools": [{"google_search": {}}]}


async def main(base_url: str | None = None) -> str:
    """Returns the model's answer."""
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        await session.send_text("When did the last Brazil vs. Argentina soccer match happen?")
        turn = await session.receive_turn()
    for event in turn.events:
        if isinstance(event, events.ExecutableCode):
            print("code:", event.code)
        elif isinstance(event, events.CodeExecutionResult):
            print("output:", event.output)
    print(turn.text)
    return turn.text


if __name__ == "__main__":
    anyio.run(main)
