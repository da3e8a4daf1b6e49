"""Session resumption (guide: "Oturum devam ettirme").

agentkit asks for resumption handles by default, keeps the newest one
(``session.resumption_handle``) and uses it on its own when the server moves the
connection. To continue a session later, in another process, pass a stored handle in the
config, as here.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit
from agentkit import events

MODEL = "gemini-2.0-flash-live-001"


async def main(base_url: str | None = None, previous_session_handle: str | None = None) -> str:
    """Returns the handle the second connection resumed from."""
    config = {
        "response_modalities": ["TEXT"],
        "session_resumption": {"handle": previous_session_handle},
    }
    print(f"Connecting to the service with handle {previous_session_handle}...")
    async with agentkit.connect(MODEL, config=config, base_url=target(base_url)) as session:
        await session.send_text("Hello world! Remember the number 42.")
        async for event in session:
            if isinstance(event, events.SessionResumptionUpdate) and event.resumable:
                print("new handle:", event.handle)
            elif isinstance(event, events.TurnComplete):
                break
        handle = session.resumption_handle
    assert handle, "the server sent no resumable handle"

    # Later: a new connection picks the conversation up where it was left.
    config["session_resumption"] = {"handle": handle}
    print(f"Connecting to the service with handle {handle}...")
    async with agentkit.connect(MODEL, config=config, base_url=target(base_url)) as session:
        await session.send_text("Which number did I ask you to remember?")
        turn = await session.receive_turn()
    print(turn.text)
    return handle


if __name__ == "__main__":
    anyio.run(main)
