"""Running one call: its slot, its arguments, its tool, its timeout and the watchdog."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

import anyio
import anyio.lowlevel

from ..errors import ToolArgumentError
from ..tools import Behavior, Tool
from ._call import Call, Outcome, ReplyStreamClosed, deadline
from ._core import DispatcherCore
from ._records import CallState
from ._threads import _Pending

__all__ = ["ExecutionMixin"]

logger = logging.getLogger("agentkit.dispatch")


class ExecutionMixin(DispatcherCore):
    """How :class:`~agentkit.dispatch.Dispatcher` runs one call, in its task."""

    # -- running one call -----------------------------------------------------------------

    async def _run(self, call: Call, args: object) -> None:
        assert call.scope is not None
        try:
            with call.scope:
                if call.slot is not None:
                    await call.slot.wait()
                if call.scope.cancel_called:
                    # Cancelled before its task started: the scope takes the cancellation
                    # here, before the tool runs. (Only then a checkpoint: a call that may
                    # run at once costs no backend lookup.)
                    await anyio.lowlevel.checkpoint_if_cancelled()
                if call.record.state is not CallState.RUNNING:
                    return
                await self._execute(call, args)
            if call.overdue and call.record.state is CallState.RUNNING:
                # The watchdog cut the tool off (blocking_timeout): answer in a new scope.
                call.scope = anyio.CancelScope()
                with call.scope:
                    outcome = self._timed_out(call, self._blocking_timeout)
                    await self._send_final(call, outcome, stream=False)
        except ReplyStreamClosed:
            logger.warning(
                "replies stream closed: call %r to %r cannot be answered",
                call.record.id,
                call.record.name,
            )
            self._abandon(call, "replies stream closed")
        except Exception:
            logger.exception("dispatcher failed on call %r to %r", call.record.id, call.record.name)
            self._abandon(call, "internal error")
        finally:
            # Cancelled from outside (the host's scope), before __aexit__ could cancel it.
            self._abandon(call, "dispatcher closed")
            # An abandoned thread keeps the slot until it ends (_thread_ended).
            if call.has_slot and not call.abandoned:
                call.has_slot = False
                self._release_slot()
            call.exited = True
            if call.done is not None:
                call.done.set()
            self._tasks -= 1
            self._maybe_idle()

    def _release_slot(self) -> None:
        while self._slot_queue:
            waiting = self._slot_queue.popleft()
            if waiting.record.state is CallState.RUNNING:  # not cancelled while it waited
                assert waiting.slot is not None
                waiting.has_slot = True
                waiting.slot.set()
                return
        self._free_slots += 1

    def _abandon(self, call: Call, reason: str) -> None:
        """End a call that cannot be answered, as cancel() would."""
        self._park(call, None)
        if call.record.state is CallState.RUNNING:
            call.set_cancelled()
            self._finish(call, CallState.CANCELLED, reason=reason)

    def _prepare(self, call: Call, args: object) -> dict[str, Any] | Outcome:
        """The keyword arguments to call the tool with, or the error that answers instead."""
        record = call.record
        tool = call.tool
        if tool is None:
            available = ", ".join(sorted(self._tools)) or "none"
            return self._error(f"unknown function {record.name!r}; available: {available}")
        if args is not None and type(args) is not dict and not isinstance(args, Mapping):
            return self._error(f"arguments of {record.name!r} must be a JSON object")
        try:
            kwargs = tool.validate(args)
        except ToolArgumentError as exc:  # its text is written for the model
            return self._error(str(exc))
        except Exception as exc:
            return self._failure(call, exc)
        # The validator's dict is new and the call gets its own (** unpacks it): the ledger
        # may keep it, as long as the context goes only into a copy.
        record.args = kwargs
        if tool.context_param is not None:
            assert call.ctx is not None
            kwargs = {**kwargs, tool.context_param: call.ctx}
        return kwargs

    async def _execute(self, call: Call, args: object) -> None:
        prepared = self._prepare(call, args)
        if isinstance(prepared, Outcome):
            await self._send_final(call, prepared, stream=False)
            return
        tool = call.tool
        assert tool is not None
        kwargs = prepared
        timeout = tool.timeout if tool.timeout is not None else self._default_timeout
        watched = (
            timeout is None
            and self._blocking_timeout is not None
            and tool.behavior is Behavior.BLOCKING
        )
        if tool.is_generator or tool.is_async_generator:
            await self._stream(call, tool, kwargs, self._blocking_timeout if watched else timeout)
        elif watched:
            # One watchdog task for every call under blocking_timeout, instead of a timeout
            # scope per call: its deadlines come in submission order, a deque holds them.
            assert self._blocking_timeout is not None
            call.watch_until = self._now() + self._blocking_timeout
            queue = self._watched
            while queue and queue[0].watch_until is None:  # drop the ones done in time
                queue.popleft()
            queue.append(call)
            if self._watchdog is None:
                assert self._tg is not None
                self._watchdog = anyio.CancelScope()
                self._tg.start_soon(
                    self._watch, self._watchdog, self._blocking_timeout, name="agentkit watchdog"
                )
            try:
                outcome = await self._attempt(call, tool, kwargs)
            finally:
                call.watch_until = None
            await self._send_final(call, outcome, stream=False)
        else:
            await self._call_once(call, tool, kwargs, timeout)

    async def _watch(self, scope: anyio.CancelScope, seconds: float) -> None:
        """Time out calls that outrun blocking_timeout, oldest first, until the dispatcher
        closes (cancelling ``scope``)."""
        watched = self._watched
        with scope:
            while True:
                if not watched:
                    # A call submitted from now on is due ``seconds`` later at the earliest.
                    await anyio.sleep(seconds)
                    continue
                call = watched[0]
                if call.watch_until is None:  # it finished running in time
                    watched.popleft()
                    continue
                delay = call.watch_until - self._now()
                if delay > 0:
                    await anyio.sleep(delay)
                    continue
                watched.popleft()
                call.overdue = True
                call.set_cancelled()
                if call.scope is not None:
                    call.scope.cancel()

    async def _call_once(
        self, call: Call, tool: Tool, kwargs: dict[str, Any], seconds: float | None
    ) -> None:
        if seconds is None:  # no deadline, so no timeout scope to enter and leave
            outcome = await self._attempt(call, tool, kwargs)
        else:
            with anyio.CancelScope(deadline=deadline(seconds)) as limit:
                outcome = await self._attempt(call, tool, kwargs)
            if limit.cancelled_caught:
                outcome = self._timed_out(call, seconds)
        await self._send_final(call, outcome, stream=False)

    async def _attempt(self, call: Call, tool: Tool, kwargs: dict[str, Any]) -> Outcome:
        try:
            if tool.is_async:
                value = await tool.fn(**kwargs)
                call.returned = True
            else:
                value = await self._in_thread(call, partial(tool.fn, **kwargs))
                if isinstance(value, _Pending):
                    # An async callable that does not look async (an object with an async
                    # __call__, a coroutine function behind a plain decorator): the thread
                    # only made the awaitable; it runs here, in the call's cancel scope.
                    call.returned = False
                    value = await value.awaitable
                    call.returned = True
            return self._outcome(call, tool, value)
        except Exception as exc:
            return self._failure(call, exc)
