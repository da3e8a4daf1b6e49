"""DispatcherCore: the interface the Dispatcher's mixins share, declared once for mypy."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Awaitable, Callable
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import anyio
import anyio.lowlevel
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectSendStream

from ..tools import Scheduling, Tool
from ._call import Call, Outcome
from ._records import CallState, Reply

__all__ = ["DispatcherCore"]


class DispatcherCore:
    """The base of :class:`~agentkit.dispatch.Dispatcher`'s mixins, for the type checker.

    It annotates the dispatcher state the mixins use (``Dispatcher.__init__`` sets it)
    and, for mypy only, stubs the methods one mixin calls and another part defines (mypy
    checks each stub against the real method). At runtime it is an empty class: no
    attributes, no methods.
    """

    # Execution (_execution).
    _tools: MappingProxyType[str, Tool]
    _default_timeout: float | None
    _blocking_timeout: float | None
    _tg: TaskGroup | None
    _tasks: int
    _free_slots: int
    _slot_queue: deque[Call]
    _watched: deque[Call]
    _watchdog: anyio.CancelScope | None
    # Handing replies over (_handover).
    _calls: dict[str, Call]
    _send_stream: MemoryObjectSendStream[Reply]
    _sink: Callable[[Reply], Awaitable[None]] | None
    _parked: int
    # Worker threads (_threads).
    _thread_limiter: anyio.CapacityLimiter | None
    _thread_lock: threading.Lock
    _abandoned: int
    _threads_gone: anyio.Event | None
    _token: anyio.lowlevel.EventLoopToken | None
    _now: Callable[[], float]
    # Outcomes (_outcomes).
    _redact: bool
    _warned: set[str]
    # Compensation (_compensation).
    _compensated: int
    _compensation_timeout: float

    if TYPE_CHECKING:
        # Dispatcher (_dispatcher).
        def _finish(
            self,
            call: Call,
            state: CallState,
            *,
            error: str | None = None,
            reason: str | None = None,
        ) -> bool: ...
        def _maybe_idle(self) -> None: ...

        # ExecutionMixin.
        def _release_slot(self) -> None: ...

        # StreamsMixin.
        async def _stream(
            self, call: Call, tool: Tool, kwargs: dict[str, Any], seconds: float | None
        ) -> None: ...

        # ThreadsMixin.
        async def _in_thread(
            self, call: Call, fn: Callable[[], Any], *, acts: bool = True
        ) -> Any: ...

        # OutcomesMixin.
        def _outcome(self, call: Call, tool: Tool, value: Any) -> Outcome: ...
        def _error(self, message: str, state: CallState = CallState.ERROR) -> Outcome: ...
        def _failure(self, call: Call, exc: Exception) -> Outcome: ...
        def _timed_out(self, call: Call, seconds: float | None) -> Outcome: ...
        def _done(self, streaming: bool) -> Outcome: ...

        # HandoverMixin.
        def _reply(
            self,
            call: Call,
            response: dict[str, Any],
            scheduling: Scheduling | None,
            will_continue: bool | None,
        ) -> Reply: ...
        async def _send_final(self, call: Call, outcome: Outcome, *, stream: bool) -> None: ...
        async def _send(self, call: Call, reply: Reply) -> None: ...
        def _park(self, call: Call, reply: Reply | None) -> None: ...

        # CompensationMixin.
        def _compensate(self, call: Call) -> None: ...
