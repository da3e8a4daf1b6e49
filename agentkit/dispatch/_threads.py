"""Worker threads of sync tools: run in a thread, abandoned (not stopped) on cancel."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from contextlib import suppress
from functools import partial
from typing import Any

import anyio
import anyio.lowlevel
import anyio.to_thread

from ._call import THREAD_IDLE, THREAD_PENDING, THREAD_RUNNING, THREAD_SKIP, Call
from ._core import DispatcherCore

__all__ = ["ThreadsMixin", "_Pending"]


class _Pending:
    """An awaitable a sync tool returned, boxed on its way out of the worker thread."""

    __slots__ = ("awaitable",)

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self.awaitable = awaitable


class ThreadsMixin(DispatcherCore):
    """:class:`~agentkit.dispatch.Dispatcher`'s worker threads and the abandoned ones."""

    async def wait_abandoned(self) -> None:
        """Wait until no abandoned worker thread runs any more.

        A cancelled or timed-out sync tool's thread cannot be stopped; it keeps its call's
        concurrency slot until it ends (see ``statistics().abandoned``).
        """
        await anyio.lowlevel.checkpoint()
        while self._abandoned:
            if self._threads_gone is None or self._threads_gone.is_set():
                self._threads_gone = anyio.Event()
            await self._threads_gone.wait()

    async def _in_thread(self, call: Call, fn: Callable[[], Any], *, acts: bool = True) -> Any:
        """Run ``fn`` in a worker thread, abandoned (not stopped) if the call is cancelled."""
        call.thread = THREAD_PENDING
        try:
            return await anyio.to_thread.run_sync(
                partial(self._threaded, call, fn, acts),
                abandon_on_cancel=True,
                limiter=self._thread_limiter,
            )
        except BaseException:
            with self._thread_lock:
                if call.thread == THREAD_RUNNING:
                    call.abandoned = True
                    self._abandoned += 1
                elif call.thread == THREAD_PENDING:
                    call.thread = THREAD_SKIP  # if it starts after all, it runs nothing
            raise

    def _threaded(self, call: Call, fn: Callable[[], Any], acts: bool) -> Any:
        """In the worker thread: run ``fn``; if the loop abandoned it, tell the loop it ended."""
        with self._thread_lock:
            if call.thread == THREAD_SKIP:
                call.thread = THREAD_IDLE
                return None
            call.thread = THREAD_RUNNING
        pending: _Pending | None = None
        try:
            value = fn()
            if inspect.isawaitable(value):
                pending = _Pending(value)  # no work done yet (trio refuses to return it)
                return pending
            if acts:
                call.returned = True  # even if abandoned: it may have changed the world
            return value
        finally:
            with self._thread_lock:
                call.thread = THREAD_IDLE
                abandoned = call.abandoned
            if abandoned and pending is not None:  # nobody will await it: close it quietly
                close = getattr(pending.awaitable, "close", None)
                if callable(close):
                    close()
            token = self._token
            if abandoned and token is not None:
                # If the event loop is gone, there is nobody left to tell.
                with suppress(Exception):
                    token.backend_class.run_sync_soon(
                        self._thread_ended, (call,), token.native_token
                    )

    def _thread_ended(self, call: Call) -> None:
        """On the loop: an abandoned thread of ``call`` ended."""
        if not call.abandoned:
            return
        call.abandoned = False
        self._abandoned -= 1
        if call.exited and call.has_slot:
            call.has_slot = False
            self._release_slot()
        if call.compensable and call.acted:
            self._compensate(call)  # it acted after the cancel: undo it now
        if not self._abandoned and self._threads_gone is not None:
            self._threads_gone.set()
