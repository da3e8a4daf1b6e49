"""Ephemeral tokens (guide: "İstemci kimlik doğrulaması").

A server that holds the real key mints a short-lived, single-use token locked to a model
and config; the client (a browser, a phone) connects with the token instead of the key.
Tokens work on ``v1alpha`` only.
"""

from __future__ import annotations

from datetime import timedelta

import anyio
from _common import target

import agentkit
from agentkit import auth

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"]}


async def main(base_url: str | None = None, api_key: str | None = None) -> str:
    """Returns the answer of a session opened with the token."""
    base_url = target(base_url)
    # On your server, with the real key (api_key, else GEMINI_API_KEY):
    token = await auth.acreate_token(
        api_key=api_key,
        uses=1,
        expire_time=timedelta(minutes=30),
        new_session_expire_time=timedelta(minutes=1),
        model=MODEL,
        config=CONFIG,
        base_url=base_url,
    )
    print("minted", token)  # the repr hides the token itself

    # On the client, with only the token:
    async with agentkit.connect(
        MODEL, config=CONFIG, api_key=token.name, api_version="v1alpha", base_url=base_url
    ) as session:
        await session.send_text("Hello from a client that never saw the API key.")
        turn = await session.receive_turn()
    print(turn.text)
    return turn.text


if __name__ == "__main__":
    anyio.run(main)
