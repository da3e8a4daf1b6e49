"""GoAway (guide: "Oturum bağlantısı kesilmeden önce mesaj alma").

The server announces the end of a connection with ``GoAway`` and the time left. agentkit
then reconnects with the newest resumption handle by itself and reports ``Reconnected``;
the session, and its running tools, carry on.

Against the emulator, give connections a short life so a GoAway comes soon:
``agentkit emulator --port 8765 --lifetime 15`` (the GoAway comes 10 s before the end).
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit
from agentkit import events

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"]}


async def main(base_url: str | None = None) -> list[str]:
    """Returns what happened, in order (``goAway``, ``reconnected``, the answer)."""
    seen: list[str] = []
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        async for event in session:
            if isinstance(event, events.GoAway):
                print(f"the connection will end in {event.time_left} s")
                seen.append("goAway")
            elif isinstance(event, events.Reconnected):
                print("reconnected with handle", event.handle)
                seen.append("reconnected")
                await session.send_text("Are you still there?")
            elif isinstance(event, events.Text):
                print(event.text, end="")
            elif isinstance(event, events.TurnComplete):
                seen.append("answer")
                break
    print()
    return seen


if __name__ == "__main__":
    anyio.run(main)
