"""Combining tools (guide: "Birden fazla aracı birleştirme").

Built-in tools (Google Search, code execution) sit beside your own functions in one
session.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit
from agentkit import events

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"], "tools": [{"google_search": {}}, {"code_execution": {}}]}
PROMPT = """
Hey, I need you to do three things for me.
1. Compute the largest prime palindrome under 100000.
2. Then use Google Search to look up information about the largest earthquake in
   California the week of Dec 5 2024?
3. Turn on the lights
Thanks!
"""


@agentkit.tool
def turn_on_the_lights() -> dict[str, str]:
    """Turn on the lights."""
    return {"result": "ok"}


@agentkit.tool
def turn_off_the_lights() -> dict[str, str]:
    """Turn off the lights."""
    return {"result": "ok"}


async def main(base_url: str | None = None) -> list[str]:
    """Returns the functions the model called."""
    called: list[str] = []
    async with agentkit.connect(
        MODEL,
        tools=[turn_on_the_lights, turn_off_the_lights],
        config=CONFIG,
        base_url=target(base_url),
    ) as session:
        print("declared:", [t for tool in session.setup.tools or [] for t in tool.to_wire()])
        await session.send_text(PROMPT)
        async for event in session:
            if isinstance(event, events.ToolResponse):
                print(f"{event.name} -> {event.response}")
                called.append(event.name or "")
            elif isinstance(event, events.ExecutableCode):
                print("code:", event.code)
            elif isinstance(event, events.Text):
                print(event.text, end="")
            elif isinstance(event, events.TurnComplete) and called:
                break
    print()
    return called


if __name__ == "__main__":
    anyio.run(main)
