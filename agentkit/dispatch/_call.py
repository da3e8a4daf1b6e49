"""One call as the dispatcher runs it: its private handle, its outcome, and step helpers."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread

from ..tools import Scheduling, Tool, ToolContext
from ._records import CallRecord, CallState, Reply

__all__ = [
    "THREAD_IDLE",
    "THREAD_PENDING",
    "THREAD_RUNNING",
    "THREAD_SKIP",
    "Call",
    "Outcome",
    "ReplyStreamClosed",
    "call_hook",
    "deadline",
    "is_async_callable",
    "step_async",
    "step_sync",
]


# Call.thread: no thread / asked for one / running / asked for but abandoned before it started.
THREAD_IDLE = 0
THREAD_PENDING = 1
THREAD_RUNNING = 2
THREAD_SKIP = 3


class ReplyStreamClosed(Exception):
    """The consumer closed the receiving end of ``replies``; nothing can be answered."""


@dataclass(slots=True)
class Outcome:
    """A call's final reply, before it is sent."""

    response: dict[str, Any]
    state: CallState = CallState.ANSWERED
    scheduling: Scheduling | None = None
    error: str | None = None
    # willContinue of a one-shot NON_BLOCKING reply: None (left out), or False when the
    # tool asked for True, which a call that answers once cannot honour.
    will_continue: bool | None = None


class Call:
    """The dispatcher's private handle on one call; its public face is ``record``."""

    __slots__ = (
        "abandoned",
        "compensable",
        "ctx",
        "done",
        "exited",
        "final",
        "has_slot",
        "in_flight",
        "overdue",
        "record",
        "returned",
        "scope",
        "slot",
        "thread",
        "tool",
        "watch_until",
    )

    def __init__(self, record: CallRecord, tool: Tool | None, ctx: ToolContext | None) -> None:
        self.record = record
        self.tool = tool
        # Only a tool that asks for a ToolContext gets one (it holds a threading.Event,
        # the costliest object of a call); None otherwise.
        self.ctx = ctx
        # The call's own cancel scope, made as its task is started (an eager call,
        # which cannot suspend, has none).
        self.scope: anyio.CancelScope | None = None
        # Events are made only when someone waits (creating one costs more than the rest
        # of a no-op call's bookkeeping): ``slot`` for a call queued behind
        # max_concurrency, ``done`` for compensation hooks waiting for the task to exit.
        self.has_slot = False  # the call may run (max_concurrency)
        self.slot: anyio.Event | None = None
        self.exited = False  # the call's task has exited
        self.done: anyio.Event | None = None
        # The reply parked in the stream, until the consumer takes it or the call is cancelled.
        self.in_flight: Reply | None = None
        # The terminal state the final reply brings once it is taken.
        self.final: tuple[CallState, str | None] = (CallState.ANSWERED, None)
        # The function returned (or yielded) a value: it may have changed the world.
        self.returned = False
        # Cancelled by cancel() (the model's request is void), not by a shutdown: only
        # then do the on_cancel hooks run.
        self.compensable = False
        # Its worker thread: one of THREAD_* (written under the dispatcher's thread
        # lock), and whether it was abandoned while it ran (written by the loop only).
        self.thread = THREAD_IDLE
        self.abandoned = False
        # blocking_timeout: the deadline the watchdog holds the running tool to (None:
        # not watched, or done running), and whether the watchdog cancelled it.
        self.watch_until: float | None = None
        self.overdue = False

    @property
    def acted(self) -> bool:
        """The call may have changed the world, so a cancel should compensate."""
        acted = self.ctx is not None and self.ctx.acted
        return self.returned or acted or self.record.state is CallState.ANSWERED

    def set_cancelled(self) -> None:
        """Tell the tool's ToolContext, if it has one, that the call was cancelled."""
        if self.ctx is not None:
            self.ctx._set_cancelled()


def deadline(timeout: float | None) -> float:
    """The absolute deadline ``timeout`` seconds from now (infinite for None)."""
    return math.inf if timeout is None else anyio.current_time() + timeout


def step_sync(generator: Generator[Any, None, Any]) -> tuple[bool, Any]:
    """One step of a sync generator: ``(False, item)`` or ``(True, its return value)``."""
    try:
        return False, next(generator)
    except StopIteration as stop:
        return True, stop.value


async def step_async(generator: Any) -> tuple[bool, Any]:
    """One step of an async generator: ``(False, item)`` or ``(True, None)``."""
    try:
        return False, await generator.__anext__()
    except StopAsyncIteration:
        return True, None


async def call_hook(hook: Callable[[Any], Any], record: CallRecord) -> None:
    """Run one ``on_cancel`` hook with ``record``: awaited if async, else in a worker thread
    (abandoned, not stopped, if the caller is cancelled)."""
    if is_async_callable(hook):
        await hook(record)
    else:
        await anyio.to_thread.run_sync(hook, record, abandon_on_cancel=True)


def is_async_callable(obj: object) -> bool:
    """True for a coroutine function, or an object whose ``__call__`` is one."""
    return inspect.iscoroutinefunction(obj) or inspect.iscoroutinefunction(
        getattr(obj, "__call__", None)  # noqa: B004 - an object with an async __call__
    )
