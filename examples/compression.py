"""Context window compression (guide: "Bağlam penceresi sıkıştırma").

A sliding window drops the oldest turns once the context passes ``trigger_tokens``, so a
session can run without the 15 minute (audio) or 2 minute (audio + video) limit.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {
    "response_modalities": ["TEXT"],
    "context_window_compression": {
        "trigger_tokens": 25600,
        "sliding_window": {"target_tokens": 12800},
    },
}


async def main(base_url: str | None = None) -> list[str]:
    """Returns the answers of a few turns."""
    answers = []
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        print("compression:", session.setup.context_window_compression.to_wire())
        for question in ("Hello!", "What can you do?", "Thanks, bye."):
            await session.send_text(question)
            turn = await session.receive_turn()
            print(f"> {question}\n{turn.text}")
            answers.append(turn.text)
    return answers


if __name__ == "__main__":
    anyio.run(main)
