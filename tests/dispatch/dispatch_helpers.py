"""Helpers shared by the dispatch tests (pytest puts this folder on sys.path)."""

from __future__ import annotations

import anyio

from agentkit.dispatch import Dispatcher, Reply


async def drain(dispatcher: Dispatcher) -> list[Reply]:
    """Every reply still in the stream, up to its end (use after the dispatcher closed)."""
    return [reply async for reply in dispatcher.replies]


def nothing_waiting(dispatcher: Dispatcher) -> bool:
    """True if no reply can be taken right now."""
    try:
        reply = dispatcher.replies.receive_nowait()
    except (anyio.WouldBlock, anyio.EndOfStream):
        return True
    raise AssertionError(f"unexpected reply {reply!r}")
