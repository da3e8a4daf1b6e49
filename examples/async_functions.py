"""Asynchronous function calling (guide: "Eşzamansız işlev çağırma").

A NON_BLOCKING tool lets the conversation go on while it runs. Its result's
``scheduling`` tells the model what to do when it arrives: INTERRUPT (say it now),
WHEN_IDLE (after the current answer) or SILENT (just remember it). agentkit puts
``scheduling`` on the FunctionResponse, where the wire protocol wants it.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit
from agentkit import Behavior, Scheduling, ToolResult, events

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"]}


@agentkit.tool(behavior=Behavior.NON_BLOCKING, scheduling=Scheduling.WHEN_IDLE)
async def turn_on_the_lights() -> ToolResult:
    """Turn on the lights (takes a moment)."""
    await anyio.sleep(0.1)
    return ToolResult({"result": "ok"}, scheduling=Scheduling.INTERRUPT)


@agentkit.tool  # still BLOCKING: the model waits for this one
def turn_off_the_lights() -> dict[str, str]:
    """Turn off the lights."""
    return {"result": "ok"}


async def main(base_url: str | None = None) -> list[str | None]:
    """Returns the scheduling of each response sent."""
    sent: list[str | None] = []
    async with agentkit.connect(
        MODEL,
        tools=[turn_on_the_lights, turn_off_the_lights],
        config=CONFIG,
        base_url=target(base_url),
    ) as session:
        await session.send_text("Turn on the lights please")
        async for event in session:
            if isinstance(event, events.ToolCall):
                print("calling", [call.name for call in event.calls])
            elif isinstance(event, events.ToolResponse):
                print(f"{event.name} answered with scheduling={event.scheduling}")
                sent.append(event.scheduling)
            elif isinstance(event, events.Text):
                print(event.text, end="")
            elif isinstance(event, events.TurnComplete) and sent:
                break
    print()
    return sent


if __name__ == "__main__":
    anyio.run(main)
