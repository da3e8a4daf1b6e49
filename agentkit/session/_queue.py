"""EventQueue: the session's unbounded stream of events to the user."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

import anyio
import anyio.lowlevel

__all__ = ["EventQueue"]

T = TypeVar("T")


class EventQueue(Generic[T]):
    """An unbounded queue with an end, read by ``async for`` over the session.

    It replaces an unbounded memory object stream, whose ``receive`` always goes once round
    the event loop, even with events waiting and even before it waits: two extra loop
    iterations for every model turn or tool call. Here an event that is waiting is taken
    at once (as ``asyncio.Queue.get`` does), and only an empty queue suspends.
    """

    __slots__ = ("_closed", "_ended", "_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[T] = deque()
        self._waiter: asyncio.Event | None = None
        self._ended = False  # no more items will come; the waiting ones still can be read
        self._closed = False  # the reading side is gone; nothing can be read

    def put(self, item: T) -> None:
        """Add ``item`` (dropped once the queue was ended or closed)."""
        if self._ended or self._closed:
            return
        self._items.append(item)
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

    async def get(self) -> T:
        """The next item, waiting for one if none is there (a cancellation point).

        Raises:
            anyio.EndOfStream: the queue was ended and is empty.
            anyio.ClosedResourceError: the queue was closed.
        """
        await anyio.lowlevel.checkpoint_if_cancelled()
        while True:
            if self._closed:
                raise anyio.ClosedResourceError
            if self._items:
                return self._items.popleft()
            if self._ended:
                raise anyio.EndOfStream
            waiter = self._waiter
            if waiter is None:
                # asyncio's own Event: the session runs on asyncio only, and anyio's
                # costs a backend lookup per wait. Cancellation still works (anyio cancels
                # asyncio tasks).
                waiter = self._waiter = asyncio.Event()
            await waiter.wait()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            waiter.set()
