"""Dispatcher: each function call in its own task and cancel scope, answered through a stream."""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from functools import partial
from types import MappingProxyType, TracebackType
from typing import Any, Self

import anyio
import anyio.lowlevel
import anyio.to_thread
from anyio.abc import TaskGroup, TaskStatus

from .._json import is_plain_json
from ..errors import ToolArgumentError, ToolError
from ..tools import (
    Behavior,
    Scheduling,
    Tool,
    Toolbox,
    ToolContext,
    ToolResult,
    collect_tools,
    normalize_result,
)
from ._call import (
    THREAD_IDLE,
    THREAD_PENDING,
    THREAD_RUNNING,
    THREAD_SKIP,
    Call,
    Outcome,
    ReplyStreamClosed,
    deadline,
    is_async_callable,
    step_async,
    step_sync,
)
from ._eager import never_suspends, run_to_end
from ._records import CallLedger, CallRecord, CallState, DispatchStatistics, Reply
from ._replies import ReplyStream, reply_stream
from ._safety import json_safe_result, scrub, scrubbed_traceback

__all__ = ["Dispatcher"]

logger = logging.getLogger("agentkit.dispatch")

# The closing reply of a stream that ended with nothing new to say.
_STREAM_DONE = {"result": "done"}
# How long a cancelled generator may take to run its cleanup (close() / aclose()).
_CLOSE_GRACE = 5.0


class _Pending:
    """An awaitable a sync tool returned, boxed on its way out of the worker thread."""

    __slots__ = ("awaitable",)

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self.awaitable = awaitable


class Dispatcher:
    """Runs tool calls concurrently and produces their FunctionResponses.

    Every submitted call starts at once in its own task and cancel scope, inside the task
    group the dispatcher opens on ``async with``. Sync tools run in worker threads. Each
    call ends in exactly one terminal :class:`CallState`; its FunctionResponses come out
    of :attr:`replies`, and a cancelled call never sends one.

    Example::

        async with Dispatcher([get_weather]) as dispatcher:
            dispatcher.submit("fc-1", "get_weather", {"city": "Paris"})
            reply = await dispatcher.replies.receive()   # Reply(id="fc-1", ...)

    ``submit`` and ``cancel`` are synchronous and must be called from the event loop's
    thread.

    Args:
        tools: Tools, toolboxes, or plain functions (made into tools).
        max_concurrency: How many calls may run at once; later calls wait for a slot.
        redact_errors: Answer a tool's exception with ``{"error": "tool failed"}`` only,
            keeping the exception's text out of the model's context.
        session: The object every ``ToolContext.session`` points to.
        default_timeout: Seconds a call may run when its tool has no ``timeout``.
        blocking_timeout: Seconds a BLOCKING call may run when neither its tool's
            ``timeout`` nor ``default_timeout`` is set: a hung BLOCKING tool would
            otherwise stall the model's turn forever. NON_BLOCKING tools (timers,
            watchers) are not limited by it. None: no limit. Precedence:
            ``tool.timeout`` > ``default_timeout`` > ``blocking_timeout``.
        compensation_timeout: Seconds the ``on_cancel`` hooks of one call may take.
        ledger_size: How many ended calls :attr:`calls` keeps (the newest; running calls
            are always kept), so a long session's memory stays flat. None: all of them.
    """

    def __init__(
        self,
        tools: Iterable[Tool | Toolbox | Callable[..., Any]] = (),
        *,
        max_concurrency: int = 256,
        redact_errors: bool = False,
        session: Any = None,
        default_timeout: float | None = None,
        blocking_timeout: float | None = 120.0,
        compensation_timeout: float = 30.0,
        ledger_size: int | None = 1000,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, not {max_concurrency!r}")
        if ledger_size is not None and ledger_size < 0:
            raise ValueError(f"ledger_size must be at least 0 or None, not {ledger_size!r}")
        for label, value in (
            ("default_timeout", default_timeout),
            ("blocking_timeout", blocking_timeout),
            ("compensation_timeout", compensation_timeout),
        ):
            if value is not None and not value > 0:
                raise ValueError(f"{label} must be a positive number of seconds, not {value!r}")
        self._tools = MappingProxyType({t.name: t for t in collect_tools(tools)})
        # Tools that cannot suspend (see _eager): submit_eager() runs them at once.
        self._eager = frozenset(
            name
            for name, t in self._tools.items()
            if t.is_async and not t.is_async_generator and never_suspends(t.fn)
        )
        self._max_concurrency = max_concurrency
        self._redact = redact_errors
        self._session = session
        self._default_timeout = default_timeout
        self._blocking_timeout = blocking_timeout
        self._compensation_timeout = compensation_timeout
        self._ledger_size = ledger_size
        self._ended: deque[CallRecord] = deque()  # ended calls in the ledger, oldest first
        self._calls: dict[str, Call] = {}
        self._records: dict[str, CallRecord] = {}
        self._ledger = CallLedger(self._records)
        self._counts: Counter[CallState] = Counter()
        self._compensated = 0
        self._running = 0  # calls not yet in a terminal state
        self._tasks = 0  # call tasks not yet exited (a cancelled call may still unwind)
        self._send_stream, self._replies = reply_stream(self._take)
        self._tg: TaskGroup | None = None
        self._entered = False
        self._idle: anyio.Event | None = None
        # Slots are handed out in submission order: waiting on a CapacityLimiter would let
        # the backend's scheduling order (random on trio) decide which call runs first.
        self._free_slots = max_concurrency
        self._slot_queue: deque[Call] = deque()
        self._thread_limiter: anyio.CapacityLimiter | None = None
        self._sink: Callable[[Reply], Awaitable[None]] | None = None
        self._parked = 0  # replies waiting in the stream, not taken yet (see _park)
        # Guards Call.thread: a worker thread and the loop agree on who saw its end.
        self._thread_lock = threading.Lock()
        self._abandoned = 0  # abandoned worker threads still running
        self._threads_gone: anyio.Event | None = None
        self._token: anyio.lowlevel.EventLoopToken | None = None
        self._warned: set[str] = set()  # tools already warned about (_warn_once)
        self._watched: deque[Call] = deque()  # calls under blocking_timeout (_watch)
        self._watchdog: anyio.CancelScope | None = None

    @property
    def tools(self) -> Mapping[str, Tool]:
        """The tools this dispatcher can call, by name (read-only)."""
        return self._tools

    @property
    def calls(self) -> CallLedger:
        """The calls seen so far, by id (read-only): every running call, and the newest
        ``ledger_size`` ended ones."""
        return self._ledger

    @property
    def replies(self) -> ReplyStream:
        """The FunctionResponses to send, in the order the consumer takes them.

        The stream is unbuffered: a reply counts as sent when the consumer takes it, and a
        call whose reply was not taken before it was cancelled sends nothing. The stream
        ends (``EndOfStream``) when the dispatcher's ``async with`` block exits.
        """
        return self._replies

    # -- lifetime -------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        if self._entered:
            raise RuntimeError("a Dispatcher can be entered only once")
        self._entered = True
        # anyio's default thread limiter (40) would be a second, lower concurrency limit.
        self._thread_limiter = anyio.CapacityLimiter(self._max_concurrency)
        self._token = anyio.lowlevel.current_token()
        tg = anyio.create_task_group()
        await tg.__aenter__()
        self._tg = tg
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        tg = self._tg
        assert tg is not None, "__aexit__ without __aenter__"
        try:
            # A shutdown voids no request of the model's: no compensation (see cancel()).
            self._cancel(self._ledger.pending_ids, "dispatcher closed", compensate=False)
            if self._watchdog is not None:
                self._watchdog.cancel()
            return await tg.__aexit__(exc_type, exc, tb)
        finally:
            self._tg = None
            self._send_stream.close()

    async def run(self, *, task_status: TaskStatus[Self] = anyio.TASK_STATUS_IGNORED) -> None:
        """Serve until cancelled: ``dispatcher = await task_group.start(dispatcher.run)``."""
        async with self:
            task_status.started(self)
            await anyio.sleep_forever()

    # -- the public operations ------------------------------------------------------------

    def submit(self, id: str, name: str, args: Mapping[str, Any] | None) -> CallRecord:
        """Start one function call now, in its own task, and return its record.

        A call whose id is still running is not started twice: its record is returned.

        Args:
            id: The ``functionCall.id``; every reply echoes it.
            name: The function name to call.
            args: Its arguments as the model sent them (None or ``{}`` for none).
        """
        tg = self._tg
        if tg is None:
            raise RuntimeError("Dispatcher.submit() needs an open dispatcher: use 'async with'")
        call, new = self._new_call(id, name, args)
        if not new:
            return call.record
        call.scope = anyio.CancelScope()
        self._tasks += 1
        if self._free_slots:
            self._free_slots -= 1
            call.has_slot = True
        else:
            call.slot = anyio.Event()
            self._slot_queue.append(call)
        tg.start_soon(self._run, call, args, name=f"agentkit call {name} ({id})")
        return call.record

    async def submit_eager(self, id: str, name: str, args: Mapping[str, Any] | None) -> CallRecord:
        """:meth:`submit`, but a call that can end at once ends here, on the caller's task.

        That is a call to an ``async def`` tool with no ``await``, ``async with`` or
        ``async for`` in its body (it cannot suspend, so no cancel scope or timeout could
        act on it), while replies go to a :meth:`direct_replies` sink with none waiting
        and a concurrency slot is free. It runs to its end, its reply is taken (it counts
        as sent) and handed to the sink before this returns: no task is started and no
        loop iteration passes between the call and its reply. Any other call is started
        as :meth:`submit` starts it.
        """
        sink = self._sink
        if (
            name not in self._eager
            or sink is None
            or self._parked
            or not self._free_slots
            or self._tg is None
        ):
            return self.submit(id, name, args)
        call, new = self._new_call(id, name, args)
        if not new:
            return call.record
        assert call.tool is not None
        prepared = self._prepare(call, args)
        if isinstance(prepared, Outcome):
            outcome = prepared
        else:
            try:
                value = run_to_end(call.tool.fn(**prepared))
                call.returned = True
                outcome = self._outcome(call, call.tool, value)
            except Exception as exc:
                outcome = self._failure(call, exc)
            except BaseException:
                call.exited = True
                self._abandon(call, "interrupted")
                raise
        call.exited = True  # no task to unwind: on_cancel hooks need not wait for one
        reply = self._final_reply(call, outcome, stream=False)
        self._delivered(call, reply)
        await sink(reply)
        return call.record

    def _new_call(self, id: str, name: str, args: Mapping[str, Any] | None) -> tuple[Call, bool]:
        """Record a new RUNNING call: ``(call, True)``; or ``(running call, False)`` when
        a call with this id is still running."""
        existing = self._calls.get(id)
        if existing is not None:
            if existing.record.state is CallState.RUNNING:
                logger.warning("call %r to %r is already running; duplicate ignored", id, name)
                return existing, False
            logger.warning("call id %r reused for %r; the ledger keeps the new call", id, name)
            del self._records[id]  # so the ledger's order follows submission
        tool = self._tools.get(name)
        # The caller's dict, not a copy: the ledger shows it until validation replaces it.
        raw = args if type(args) is dict else dict(args) if isinstance(args, Mapping) else {}
        record = CallRecord(id, name, raw, behavior=tool.behavior if tool else None)
        needs_ctx = tool is not None and tool.context_param is not None
        call = Call(record, tool, ToolContext(id, name, self._session) if needs_ctx else None)
        self._calls[id] = call
        self._records[id] = record
        self._running += 1
        return call, True

    def cancel(
        self,
        ids: Iterable[str],
        *,
        reason: str = "cancelled by server",
        answer: str | None = None,
    ) -> list[str]:
        """Cancel calls by id; return the ids that were running and are now CANCELLED.

        A cancelled call sends no reply (not even one already waiting for the consumer),
        its async tool sees cancellation at its next await, and its sync tool's thread is
        abandoned with ``ctx.cancelled`` set. If the call had already acted (it returned
        or yielded, called ``ctx.mark_acted()``, or was answered), its tool's ``on_cancel``
        hooks run with its record; an answered call keeps its state. A sync tool whose
        abandoned thread acts after the cancel (it returns, or calls ``ctx.mark_acted()``)
        is compensated when that thread ends. Unknown ids are ignored.

        Compensation is for cancellations that void the model's request (the server's
        ``toolCallCancellation``, calls lost across a resumption): every ``cancel()``.
        Closing the dispatcher cancels its running calls without compensating them; the
        app stopped listening, the model's request still stands.

        ``answer``: the caller answers these calls itself, with ``{"error": answer}`` (the
        session does, for calls a resumed server may still wait for). They are cancelled
        just the same, but end as ERROR with that response, not as CANCELLED.
        """
        return self._cancel(ids, reason, compensate=True, answer=answer)

    def _cancel(
        self, ids: Iterable[str], reason: str, *, compensate: bool, answer: str | None = None
    ) -> list[str]:
        cancelled: list[str] = []
        for id in ids:
            call = self._calls.get(id)
            if call is None:
                logger.debug("cancel for unknown call id %r ignored", id)
                continue
            if call.record.state is CallState.RUNNING:
                call.compensable = compensate
                self._park(call, None)
                call.set_cancelled()
                if call.scope is not None:
                    call.scope.cancel()
                if answer is None:
                    self._finish(call, CallState.CANCELLED, reason=reason)
                else:
                    call.record.response = {"error": answer}
                    call.record.replies += 1
                    self._finish(call, CallState.ERROR, error=answer, reason=reason)
                cancelled.append(id)
            elif call.record.state is CallState.CANCELLED:
                continue
            if compensate and call.acted:
                self._compensate(call)
        return cancelled

    async def wait_idle(self) -> None:
        """Wait until no call is running and every call's task has exited.

        Every call is then answered or cancelled, and no tool code runs any more (except
        in a sync tool's abandoned thread).
        """
        await anyio.lowlevel.checkpoint()
        while not self._is_idle():
            # Made here, not on every busy/idle flip: most dispatchers are never waited on.
            if self._idle is None or self._idle.is_set():
                self._idle = anyio.Event()
            await self._idle.wait()

    def _is_idle(self) -> bool:
        return self._running == 0 and self._tasks == 0

    def _maybe_idle(self) -> None:
        if self._is_idle() and self._idle is not None:
            self._idle.set()

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

    def statistics(self) -> DispatchStatistics:
        """Counts of calls by outcome, of calls compensated, and of abandoned threads."""
        return DispatchStatistics(
            running=self._running,
            answered=self._counts[CallState.ANSWERED],
            errors=self._counts[CallState.ERROR],
            cancelled=self._counts[CallState.CANCELLED],
            timed_out=self._counts[CallState.TIMED_OUT],
            compensated=self._compensated,
            abandoned=self._abandoned,
        )

    def __repr__(self) -> str:
        return f"<Dispatcher {len(self._tools)} tools, {self._running} running>"

    # -- the one place a call reaches its terminal state -----------------------------------

    def _finish(
        self,
        call: Call,
        state: CallState,
        *,
        error: str | None = None,
        reason: str | None = None,
    ) -> bool:
        record = call.record
        if record.state is not CallState.RUNNING:
            logger.warning(
                "call %r to %r is already %s; refusing to make it %s",
                record.id,
                record.name,
                record.state,
                state,
            )
            return False
        if state is CallState.RUNNING:
            raise ValueError(f"{state} is not a terminal state")
        record.state = state
        record.ended_at = time.monotonic()
        record.error = error
        record.cancel_reason = reason
        self._counts[state] += 1
        self._running -= 1
        if self._idle is not None:
            self._maybe_idle()
        if self._ledger_size is not None:
            self._retire(record, self._ledger_size)
        return True

    def _retire(self, record: CallRecord, size: int) -> None:
        """Keep ``record`` in the ledger; forget the oldest ended call beyond ledger_size.

        A forgotten call is unknown to :meth:`cancel` from then on (too old to compensate);
        its task or thread, if still unwinding, holds its own reference.
        """
        ended = self._ended
        ended.append(record)
        while len(ended) > size:
            old = ended.popleft()
            if self._records.get(old.id) is old:  # the id may have been reused since
                del self._records[old.id]
            call = self._calls.get(old.id)
            if call is not None and call.record is old:
                del self._calls[old.id]

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
            call.watch_until = anyio.current_time() + self._blocking_timeout
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
                delay = call.watch_until - anyio.current_time()
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

    def _outcome(self, call: Call, tool: Tool, value: Any) -> Outcome:
        """The final reply for a tool's return value (raises if it has no JSON form)."""
        call.record.result = value
        if type(value) is dict and is_plain_json(value):
            return Outcome(value)  # the common case, with nothing to convert
        result = json_safe_result(value)
        if result.will_continue:
            self._warn_once(
                tool,
                "tool %r returned will_continue=True but is not a generator: "
                "its one reply closes the call",
            )
            if tool.behavior is Behavior.NON_BLOCKING:
                return Outcome(result.response, scheduling=result.scheduling, will_continue=False)
        return Outcome(result.response, scheduling=result.scheduling)

    def _warn_once(self, tool: Tool, message: str) -> None:
        if tool.name not in self._warned:
            self._warned.add(tool.name)
            logger.warning(message, tool.name)

    async def _stream(
        self, call: Call, tool: Tool, kwargs: dict[str, Any], seconds: float | None
    ) -> None:
        streaming = tool.behavior is Behavior.NON_BLOCKING
        ends = deadline(seconds)
        outcome: Outcome | None = None
        last: Outcome | None = None
        generator = tool.fn(**kwargs)  # creating a generator runs none of its code
        step: Callable[[], Awaitable[tuple[bool, Any]]]
        if tool.is_async_generator:
            step = partial(step_async, generator)
        else:
            step = partial(self._in_thread, call, partial(step_sync, generator))
        try:
            while outcome is None:
                item: Outcome | None = None
                with anyio.CancelScope(deadline=ends) as limit:
                    try:
                        finished, value = await step()
                        if finished and value is None:
                            outcome = last or self._done(streaming)
                        else:
                            call.returned = True
                            call.record.result = value
                            result = json_safe_result(value)
                            item = Outcome(result.response, scheduling=result.scheduling)
                            if finished:  # a sync generator's return value closes the call
                                outcome = item
                            elif (
                                streaming
                                and isinstance(value, ToolResult)
                                and value.will_continue is False
                            ):
                                outcome = item  # the tool says it is the last: it closes
                            elif not streaming:
                                last = item  # a BLOCKING generator answers once, at its end
                    except Exception as exc:
                        outcome = self._failure(call, exc)
                if limit.cancelled_caught:
                    outcome = self._timed_out(call, seconds)
                elif outcome is None and streaming and item is not None:
                    await self._send(call, self._reply(call, item.response, item.scheduling, True))
        finally:
            await self._close_generator(call, generator)
        await self._send_final(call, outcome, stream=streaming)

    async def _close_generator(self, call: Call, generator: Any) -> None:
        try:
            if inspect.isasyncgen(generator):
                # Shielded: a cancelled call's generator still gets to run its cleanup.
                with anyio.move_on_after(_CLOSE_GRACE, shield=True):
                    await generator.aclose()
            elif inspect.isgenerator(generator):
                # Finished, or still running in an abandoned thread: nothing to close.
                if generator.gi_frame is None or generator.gi_running:
                    return
                with anyio.move_on_after(_CLOSE_GRACE, shield=True):
                    await self._in_thread(call, generator.close, acts=False)
        except Exception as exc:
            logger.warning("closing the generator of a tool failed\n%s", scrubbed_traceback(exc))

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

    # -- building replies -----------------------------------------------------------------

    def _error(self, message: str, state: CallState = CallState.ERROR) -> Outcome:
        return Outcome({"error": message}, state=state, error=message)

    def _failure(self, call: Call, exc: Exception) -> Outcome:
        record = call.record
        if isinstance(exc, ToolError):
            return self._error(str(exc))
        # The traceback goes to the log as scrubbed text, never as exc_info: its last line
        # is the exception's message, which may carry a URL with a key in it.
        logger.warning(
            "tool %r (call %r) raised %s\n%s",
            record.name,
            record.id,
            type(exc).__name__,
            scrubbed_traceback(exc),
        )
        if self._redact:
            return self._error("tool failed")
        text = scrub(str(exc))  # URLs with keys, bearer tokens: not for the model
        return self._error(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)

    def _timed_out(self, call: Call, seconds: float | None) -> Outcome:
        assert seconds is not None
        call.set_cancelled()  # so a sync tool's abandoned thread can stop
        message = f"function {call.record.name!r} timed out after {seconds:g}s"
        return self._error(message, CallState.TIMED_OUT)

    def _done(self, streaming: bool) -> Outcome:
        if streaming:
            return Outcome(dict(_STREAM_DONE), scheduling=Scheduling.SILENT)
        return Outcome(normalize_result(None).response)

    def _reply(
        self,
        call: Call,
        response: dict[str, Any],
        scheduling: Scheduling | None,
        will_continue: bool | None,
    ) -> Reply:
        record = call.record
        tool = call.tool
        if tool is None or tool.behavior is not Behavior.NON_BLOCKING:
            return Reply(record.id, record.name, response)
        scheduling = scheduling or tool.scheduling or Scheduling.WHEN_IDLE
        return Reply(record.id, record.name, response, scheduling, will_continue)

    # -- handing replies over -------------------------------------------------------------

    async def _send_final(self, call: Call, outcome: Outcome, *, stream: bool) -> None:
        await self._send(call, self._final_reply(call, outcome, stream=stream))

    def _final_reply(self, call: Call, outcome: Outcome, *, stream: bool) -> Reply:
        call.final = (outcome.state, outcome.error)
        will_continue = False if stream else outcome.will_continue
        return self._reply(call, outcome.response, outcome.scheduling, will_continue)

    async def _send(self, call: Call, reply: Reply) -> None:
        # Sent from inside the call's cancel scope: a cancel before the consumer takes the
        # reply means it never goes out.
        if call.record.state is not CallState.RUNNING:
            # cancel() ended the call (and cancelled its scope): it sends nothing, and the
            # scope takes its cancellation here.
            await anyio.lowlevel.checkpoint_if_cancelled()
            return
        sink = self._sink
        if sink is not None and not self._parked:
            # The consumer is ready to send at once: the call's own task hands the reply
            # over, saving the wake-up of a consumer task and its loop iterations.
            self._delivered(call, reply)  # taken now: it counts as sent
            await sink(reply)
            return
        self._park(call, reply)
        try:
            await self._send_stream.send(reply)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            self._park(call, None)
            raise ReplyStreamClosed from None
        except BaseException:
            if call.in_flight is reply:
                self._park(call, None)
            raise
        if call.in_flight is reply:  # handed straight to a consumer that was waiting
            self._park(call, None)
            self._delivered(call, reply)

    def _park(self, call: Call, reply: Reply | None) -> None:
        """Set the reply a call has waiting in the stream (None: taken or withdrawn).

        ``_parked`` counts them, exactly, from the moment a reply waits to the moment it
        is taken: while any wait, :meth:`direct_replies` queues new replies behind them.
        """
        if (call.in_flight is None) != (reply is None):
            self._parked += 1 if reply is not None else -1
        call.in_flight = reply

    @contextmanager
    def direct_replies(self, sink: Callable[[Reply], Awaitable[None]]) -> Iterator[None]:
        """Inside this block, hand each reply to ``sink`` from the call's own task.

        For a consumer that can send a reply at once (the live session while its
        connection is up). Instead of waiting in :attr:`replies` for a consumer task, the
        reply is taken by the call's task itself (it counts as sent, and the call reaches
        its terminal state) and then ``await sink(reply)`` runs there. A call cancelled
        before that sends nothing, as ever. Replies already waiting in :attr:`replies`
        keep coming out of it, and while any wait, new ones queue behind them; so the
        consumer must keep reading :attr:`replies` as well. ``sink`` should do its work
        before its first suspension: the call's cancel scope still surrounds it.
        """
        if self._sink is not None:
            raise RuntimeError("replies already go to a sink")
        self._sink = sink
        try:
            yield
        finally:
            if self._sink is sink:
                self._sink = None

    def stop_direct_replies(self) -> None:
        """End :meth:`direct_replies` now (say, the connection broke): later replies wait
        in :attr:`replies` again."""
        self._sink = None

    def _take(self, reply: Reply) -> bool:
        """The gate of :class:`ReplyStream`: runs as a consumer takes a parked reply."""
        call = self._calls.get(reply.id)
        if call is None or call.in_flight is not reply:
            return False  # its call was cancelled while the reply waited
        self._park(call, None)
        self._delivered(call, reply)
        return True

    def _delivered(self, call: Call, reply: Reply) -> None:
        record = call.record
        record.replies += 1
        record.response = reply.response
        if not reply.will_continue:
            state, error = call.final
            self._finish(call, state, error=error)

    # -- compensation ---------------------------------------------------------------------

    def _compensate(self, call: Call) -> None:
        if call.tool is None or not call.tool.cancel_hooks or call.record.compensated:
            return
        if self._tg is None:
            logger.warning("dispatcher closed: on_cancel hooks of call %r not run", call.record.id)
            return
        call.record.compensated = True
        self._compensated += 1
        self._tg.start_soon(self._run_hooks, call, name=f"agentkit on_cancel {call.record.id}")

    async def _run_hooks(self, call: Call) -> None:
        assert call.tool is not None
        record = call.record
        # Shielded: compensation must run even while the dispatcher is being torn down.
        with anyio.move_on_after(self._compensation_timeout, shield=True) as scope:
            if not call.exited:  # let the cancelled call unwind before undoing its work
                if call.done is None:
                    call.done = anyio.Event()
                await call.done.wait()
            for hook in call.tool.cancel_hooks:
                try:
                    if is_async_callable(hook):
                        await hook(record)
                    else:
                        await anyio.to_thread.run_sync(hook, record, abandon_on_cancel=True)
                except Exception as exc:
                    logger.warning(
                        "on_cancel hook %s of %r (call %r) failed\n%s",
                        getattr(hook, "__qualname__", repr(hook)),
                        record.name,
                        record.id,
                        scrubbed_traceback(exc),
                    )
        if scope.cancelled_caught:
            logger.warning(
                "on_cancel hooks of %r (call %r) did not finish within %gs",
                record.name,
                record.id,
                self._compensation_timeout,
            )
