"""Handling interruptions (guide: "Kesintileri ele alma").

When the user speaks while the model is answering, the server stops the generation and
says so (``Interrupted``): drop any audio queued for playback. Pending function calls are
cancelled too (``ToolCallCancellation``); agentkit stops those tools for you.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit
from agentkit import events

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"]}


async def main(base_url: str | None = None) -> bool:
    """Returns whether the first answer was interrupted."""
    interrupted = barged_in = False
    turns = 0
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        await session.send_text("Tell me a long story about a lighthouse keeper.")
        async for event in session:
            if isinstance(event, events.Text):
                print(event.text, end="", flush=True)
                if not barged_in:  # the user cuts in as soon as the model starts talking
                    barged_in = True
                    await session.send_realtime_text("Stop! Tell me a joke instead.")
            elif isinstance(event, events.Interrupted):
                print("\n[interrupted: drop queued playback]")
                interrupted = True
            elif isinstance(event, events.TurnComplete):
                turns += 1
                # Cut off, or the answer was over before the user's words arrived (then
                # the second turn answers them).
                if interrupted or turns == 2:
                    break
    print()
    return interrupted


if __name__ == "__main__":
    anyio.run(main)
