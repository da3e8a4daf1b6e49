"""Timers that end a connection: the connection lifetime (goAway first) and session limits."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import anyio

from ._wire import SetupRefused, duration

if TYPE_CHECKING:
    from ._connection import Connection
    from ._server import Emulator
    from ._session_state import SessionState

__all__ = ["check_time_left", "session_deadline", "watch_lifetime"]

_ABORTED = "The operation was aborted."
_LIMIT = "Session duration limit exceeded."
# a goAway announcing less than this would read "0s": the close follows instead
_MIN_TIME_LEFT = 0.001


def session_deadline(emu: Emulator, setup: dict[str, Any], state: SessionState) -> float | None:
    """When the session hits its duration limit (monotonic clock), or None if it has none.

    The limit counts from the session's first connection, across resumptions, and applies
    only without context window compression (15 min audio, 2 min with video by default).
    """
    if "contextWindowCompression" in setup:
        return None
    limit = emu.session_limit_video if state.has_video else emu.session_limit_audio
    return None if limit is None else state.started + limit


def check_time_left(emu: Emulator, setup: dict[str, Any], state: SessionState) -> None:
    """Refuse (1008) a connection that would have to end as soon as it starts.

    A resumed session already past its duration limit is refused before ``setupComplete``
    rather than accepted and sent ``goAway`` with nothing left: an auto-reconnecting client
    would otherwise resume in a tight loop.
    """
    if emu.lifetime is not None and emu.lifetime < _MIN_TIME_LEFT:
        raise SetupRefused(1008, _ABORTED)
    deadline = session_deadline(emu, setup, state)
    if deadline is not None and time.monotonic() + _MIN_TIME_LEFT >= deadline:
        raise SetupRefused(1008, _LIMIT)


async def watch_lifetime(conn: Connection, opened: float) -> None:
    """goAway then close (1008) at the connection lifetime or the session duration limit.

    ``opened`` is when setup was accepted. A goAway is sent only if it can announce some
    time left; a deadline reached with less than a millisecond of warning just closes.
    """
    assert conn.state is not None
    assert conn.info is not None
    lifetime = conn.emu.lifetime
    warned = False
    grace: float | None = None  # a deadline found already passed, moved to after a goAway
    while True:
        now = time.monotonic()
        deadlines = []
        if lifetime is not None:
            deadlines.append((opened + lifetime, "lifetime"))
        session_at = session_deadline(conn.emu, conn.info.setup, conn.state)
        if session_at is not None:
            deadlines.append((session_at, "session"))
        if not deadlines:
            if "contextWindowCompression" in conn.info.setup or (
                conn.emu.session_limit_video is None and conn.emu.session_limit_audio is None
            ):
                return  # nothing can ever end this connection on a timer
            await anyio.sleep(0.5)  # a video frame may bring a limit later
            continue
        at, why = min(deadlines)
        if grace is not None:
            at = grace
        time_left = min(conn.emu.goaway_time_left, max(0.0, at - opened))
        if not warned and now >= at - time_left:
            warned = True
            if at - now < _MIN_TIME_LEFT and time_left >= _MIN_TIME_LEFT:
                # e.g. a video frame brought a limit that has already passed: warn first
                grace = at = now + time_left
            if time_left >= _MIN_TIME_LEFT:
                await conn.send({"goAway": {"timeLeft": duration(time_left)}})
        if now >= at:
            await conn.close(1008, _ABORTED if why == "lifetime" else _LIMIT)
            return
        await anyio.sleep(min(0.25, max(0.001, (at - time_left if not warned else at) - now)))
