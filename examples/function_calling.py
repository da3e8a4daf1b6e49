"""Function calling (guide: "İşlev çağırma").

Plain Python functions become tools. agentkit declares them, runs each call the model
makes (concurrently, without blocking the session) and sends the FunctionResponses back;
the events show what happened.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit
from agentkit import events

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"]}


@agentkit.tool
def turn_on_the_lights() -> dict[str, str]:
    """Turn on the lights."""
    return {"result": "ok"}


@agentkit.tool
def turn_off_the_lights() -> dict[str, str]:
    """Turn off the lights."""
    return {"result": "ok"}


async def main(base_url: str | None = None) -> list[str]:
    """Returns the names of the functions that were called and answered."""
    answered = []
    async with agentkit.connect(
        MODEL,
        tools=[turn_on_the_lights, turn_off_the_lights],
        config=CONFIG,
        base_url=target(base_url),
    ) as session:
        await session.send_text("Turn on the lights please")
        async for event in session:
            if isinstance(event, events.ToolCall):
                for call in event.calls:
                    print(f"model calls {call.name}({call.args})")
            elif isinstance(event, events.ToolResponse):
                print(f"answered {event.name}: {event.response}")
                answered.append(event.name or "")
            elif isinstance(event, events.Text):
                print(event.text, end="")
            elif isinstance(event, events.TurnComplete) and answered:
                break
    print()
    return answered


if __name__ == "__main__":
    anyio.run(main)
