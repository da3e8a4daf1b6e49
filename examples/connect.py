"""Establishing a connection (guide: "Bağlantı kurma").

Open a live session with a TEXT response modality, and close it again. With no base URL
this connects to Google with the key in ``GEMINI_API_KEY``.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"]}


async def main(base_url: str | None = None) -> str:
    """Returns the model the session was set up with."""
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        print("Session started")
        return str(session.setup.model)


if __name__ == "__main__":
    anyio.run(main)
