"""Token counts (guide: "Jeton sayısı").

The server reports usage (``usageMetadata``) with its messages; agentkit surfaces it as
``Usage`` events.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit
from agentkit import events

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"]}


async def main(base_url: str | None = None) -> int:
    """Returns the total token count last reported."""
    total = 0
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        await session.send_text("Hello, how are you?")
        async for event in session:
            if isinstance(event, events.Usage):
                usage = event.usage
                total = usage.total_token_count or 0
                print(f"Used {total} tokens in total. Response token breakdown:")
                for detail in usage.response_tokens_details or []:
                    print(f"{detail.modality}: {detail.token_count}")
            elif isinstance(event, events.TurnComplete):
                break
    return total


if __name__ == "__main__":
    anyio.run(main)
