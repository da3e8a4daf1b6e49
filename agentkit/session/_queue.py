"""EventQueue: the session's stream of events to the user."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Generic, TypeVar

import anyio

__all__ = ["EventQueue"]

logger = logging.getLogger("agentkit.session")

T = TypeVar("T")


class EventQueue(Generic[T]):
    """A queue with an end, read by ``async for`` over the session.

    Putting never blocks: the session's reader must keep reading the socket (tool calls,
    keepalive) whether or not anybody reads the events. So the queue holds at most
    ``maxsize`` events, and a full queue drops its oldest one (counted in ``dropped``,
    and logged once), so that a program that never reads events keeps flat memory.

    It replaces an unbounded memory object stream, whose ``receive`` always goes once round
    the event loop, even with events waiting: two extra loop iterations for every model
    turn or tool call. Here, as with ``asyncio.Queue.get``, an event that is waiting is
    taken at once, and only an empty queue suspends (the cancellation point). The session
    runs on asyncio only, so a reader waits on a bare asyncio future of its own: anyio's
    Event costs a backend lookup per wait, and asyncio's Event one more object.
    """

    __slots__ = ("_closed", "_ended", "_items", "_waiters", "dropped")

    def __init__(self, maxsize: int | None = None) -> None:
        self._items: deque[T] = deque(maxlen=maxsize)
        self.dropped = 0  # events dropped because nobody read them
        self._waiters: list[asyncio.Future[None]] = []
        self._ended = False  # no more items will come; the waiting ones still can be read
        self._closed = False  # the reading side is gone; nothing can be read

    def put(self, item: T) -> None:
        """Add ``item`` (dropped once the queue was ended or closed)."""
        if self._ended or self._closed:
            return
        items = self._items
        if len(items) == items.maxlen:  # full: append() drops the oldest
            self.dropped += 1
            if self.dropped == 1:
                logger.warning(
                    "%d session events were not read: dropping the oldest from now on "
                    "(iterate the session, or raise connect(max_events=...))",
                    len(items),
                )
        items.append(item)
        if self._waiters:
            self._wake()

    def end(self) -> None:
        """No more items: readers get the waiting ones, then ``anyio.EndOfStream``."""
        self._ended = True
        self._wake()

    def close(self) -> None:
        """Close the reading side: waiting items are dropped, readers get
        ``anyio.ClosedResourceError``."""
        self._closed = True
        self._items.clear()
        self._wake()

    def get_nowait(self) -> T | None:
        """The next waiting item, or None when none waits (or the queue was closed)."""
        if self._items and not self._closed:
            return self._items.popleft()
        return None

    async def get(self) -> T:
        """The next item, waiting for one if none is there.

        Raises:
            anyio.EndOfStream: the queue was ended and is empty.
            anyio.ClosedResourceError: the queue was closed.
        """
        while True:
            if self._closed:
                raise anyio.ClosedResourceError
            if self._items:
                return self._items.popleft()
            if self._ended:
                raise anyio.EndOfStream
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if self._waiters and waiter in self._waiters:  # cancelled while waiting
                    self._waiters.remove(waiter)

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
