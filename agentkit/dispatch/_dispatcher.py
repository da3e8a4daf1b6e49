"""Dispatcher: each function call in its own task and cancel scope, answered through a stream."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import MappingProxyType, TracebackType
from typing import Any, Self

import anyio
import anyio.lowlevel
from anyio.abc import TaskGroup, TaskStatus

from ..tools import Tool, Toolbox, ToolContext, collect_tools
from ._call import Call, Outcome
from ._compensation import CompensationMixin
from ._eager import never_suspends, run_to_end
from ._execution import ExecutionMixin
from ._handover import HandoverMixin
from ._outcomes import OutcomesMixin
from ._records import CallLedger, CallRecord, CallState, DispatchStatistics, Reply
from ._replies import ReplyStream, reply_stream
from ._streams import StreamsMixin
from ._threads import ThreadsMixin

__all__ = ["Dispatcher"]

logger = logging.getLogger("agentkit.dispatch")


class Dispatcher(
    ExecutionMixin,
    StreamsMixin,
    ThreadsMixin,
    OutcomesMixin,
    HandoverMixin,
    CompensationMixin,
):
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
            are always kept), so a long session's memory stays flat. None: all of them. A
            forgotten call is unknown to :meth:`cancel`, so this also bounds how late a
            server cancel can still compensate an answered call.
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
        self._by_name = {t.name: t for t in collect_tools(tools)}
        self._tools = MappingProxyType(self._by_name)
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
        self._now: Callable[[], float] = anyio.current_time  # the backend's own, on entry
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
        # The backend's clock, looked up once (anyio.current_time() finds the backend on
        # every call): the watchdog's deadlines and sleeps must share it.
        self._now = self._token.backend_class.current_time
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
        tool = self._by_name.get(name)  # a dict: the public proxy costs twice per get
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
