"""Code execution (guide: "Kod yürütme").

With the built-in code execution tool the model writes and runs code on the server; the
code and its output arrive as their own events.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit
from agentkit import events

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"], "tools": [{"code_execution": {}}]}


async def main(base_url: str | None = None) -> list[str]:
    """Returns the code the model ran."""
    code: list[str] = []
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        await session.send_text("Compute the largest prime palindrome under 100000.")
        turn = await session.receive_turn()
    for event in turn.events:
        if isinstance(event, events.ExecutableCode):
            print("code:", event.code)
            code.append(event.code)
        elif isinstance(event, events.CodeExecutionResult):
            print("output:", event.output)
    print(turn.text)
    return code


if __name__ == "__main__":
    anyio.run(main)
