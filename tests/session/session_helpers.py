"""What several session test files share: fast reconnects, resumption frames, event waits."""

from __future__ import annotations

from typing import Any

import agentkit
from agentkit import events

# Reconnect backoff short enough for tests, long enough to be a real backoff.
FAST: dict[str, Any] = {"reconnect_backoff": (0.01, 0.02)}


def update(handle: str, **extra: object) -> dict[str, object]:
    """A resumable ``sessionResumptionUpdate`` frame (``extra``: more of its fields)."""
    return {"sessionResumptionUpdate": {"newHandle": handle, "resumable": True, **extra}}


async def until(session: agentkit.LiveSession, kind: type[events.Event]) -> list[events.Event]:
    """The events up to and including the first ``kind``; fails if the stream ends first."""
    seen: list[events.Event] = []
    async for event in session:
        seen.append(event)
        if isinstance(event, kind):
            return seen
    raise AssertionError(f"stream ended before {kind.__name__}: {seen}")


__all__ = ["FAST", "until", "update"]
