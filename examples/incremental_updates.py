"""Incremental content updates (guide: "Artımlı içerik güncellemeleri").

Restore earlier turns into the session's context without asking for an answer
(``turn_complete=False``), then ask the actual question.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"]}


async def main(base_url: str | None = None) -> str:
    """Returns the answer to the last question."""
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        history = [
            {"role": "user", "parts": [{"text": "What is the capital of France?"}]},
            {"role": "model", "parts": [{"text": "Paris"}]},
        ]
        await session.send_content(history, turn_complete=False)
        question = [{"role": "user", "parts": [{"text": "What is the capital of Germany?"}]}]
        await session.send_content(question, turn_complete=True)
        turn = await session.receive_turn()
    print(turn.text)
    return turn.text


if __name__ == "__main__":
    anyio.run(main)
