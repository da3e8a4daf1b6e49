"""Function calling by hand (guide: "İşlev çağırma", the guide's own loop).

With ``auto_dispatch=False`` agentkit only declares the tools; you answer each call with
``send_tool_response``, exactly as in the guide's example.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit
from agentkit import events

MODEL = "gemini-2.0-flash-live-001"
TOOLS = [
    {"function_declarations": [{"name": "turn_on_the_lights"}, {"name": "turn_off_the_lights"}]}
]
CONFIG = {"response_modalities": ["TEXT"], "tools": TOOLS}


async def main(base_url: str | None = None) -> list[str]:
    """Returns the ids of the calls answered."""
    answered: list[str] = []
    async with agentkit.connect(
        MODEL, config=CONFIG, auto_dispatch=False, base_url=target(base_url)
    ) as session:
        await session.send_text("Turn on the lights please")
        async for event in session:
            if isinstance(event, events.ToolCall):
                responses = [
                    {"id": call.id, "name": call.name, "response": {"result": "ok"}}
                    for call in event.calls
                ]
                await session.send_tool_response(responses)
                answered += [call.id or "" for call in event.calls]
                print("answered", [call.name for call in event.calls])
            elif isinstance(event, events.Text):
                print(event.text, end="")
            elif isinstance(event, events.TurnComplete) and answered:
                break
    print()
    return answered


if __name__ == "__main__":
    anyio.run(main)
