"""Timers that end a connection: the connection lifetime (goAway first) and session limits."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import anyio

from ._wire import duration

if TYPE_CHECKING:
    from ._connection import Connection

__all__ = ["watch_lifetime"]

_ABORTED = "The operation was aborted."


async def watch_lifetime(conn: Connection) -> None:
    """goAway then close (1008) at the connection lifetime or the session duration limit."""
    assert conn.state is not None
    assert conn.info is not None
    opened = time.monotonic()
    lifetime = conn.emu.lifetime
    warned = False
    while True:
        now = time.monotonic()
        deadlines = []
        if lifetime is not None:
            deadlines.append((opened + lifetime, "lifetime"))
        if "contextWindowCompression" not in conn.info.setup:
            limit = (
                conn.emu.session_limit_video
                if conn.state.has_video
                else conn.emu.session_limit_audio
            )
            if limit is not None:
                deadlines.append((conn.state.started + limit, "session"))
        if not deadlines:
            if "contextWindowCompression" in conn.info.setup or (
                conn.emu.session_limit_video is None and conn.emu.session_limit_audio is None
            ):
                return  # nothing can ever end this connection on a timer
            await anyio.sleep(0.5)  # a video frame may bring a limit later
            continue
        at, why = min(deadlines)
        time_left = min(conn.emu.goaway_time_left, max(0.0, at - opened))
        if not warned and now >= at - time_left:
            warned = True
            await conn.send({"goAway": {"timeLeft": duration(time_left)}})
        if now >= at:
            reason = _ABORTED if why == "lifetime" else "Session duration limit exceeded."
            await conn.close(1008, reason)
            return
        await anyio.sleep(min(0.25, max(0.001, (at - time_left if not warned else at) - now)))
