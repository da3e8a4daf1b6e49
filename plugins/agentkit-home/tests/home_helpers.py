"""What the home tool tests share: asking a tool through a Dispatcher, waiting for a state."""

from __future__ import annotations

from typing import Any

import anyio
from agentkit_home import EntityState, VirtualHome

from agentkit.dispatch import Dispatcher


async def call(d: Dispatcher, name: str, args: dict[str, Any], id: str = "c1") -> Any:
    """Submit one call and return its reply's response."""
    d.submit(id, name, args)
    with anyio.fail_after(10):
        reply = await d.replies.receive()
    assert reply.id == id
    return reply.response


async def settled(home: VirtualHome, entity_id: str, state: str) -> EntityState:
    """Wait (event-driven, bounded) until ``entity_id`` reaches ``state``."""
    with anyio.fail_after(10):
        current = await home.state(entity_id)
        while current.state != state:
            current = await home.wait_change(entity_id, current)
    return current


__all__ = ["call", "settled"]
