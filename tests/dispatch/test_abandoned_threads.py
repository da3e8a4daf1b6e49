"""Sync tools whose threads outlive their call: late compensation, and the concurrency bound."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import anyio
import anyio.to_thread
import pytest
from dispatch_helpers import drain, nothing_waiting

from agentkit.dispatch import CallRecord, CallState, Dispatcher
from agentkit.tools import Tool, ToolContext, tool

pytestmark = pytest.mark.anyio


@dataclass
class Seen:
    """What a non-cooperative unlock tool and its on_cancel hook saw."""

    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    hooked: threading.Event = field(default_factory=threading.Event)
    cancelled: list[bool] = field(default_factory=list)
    undone: list[str] = field(default_factory=list)


def _unlock_tool(*, mark_acted: bool, returns: bool) -> tuple[Tool, Seen]:
    """A sync tool blocked on an Event it alone decides to leave, ignoring the cancel."""
    seen = Seen()

    @tool
    def unlock(ctx: ToolContext) -> str:
        seen.entered.set()
        seen.release.wait(30)
        seen.cancelled.append(ctx.cancelled)
        if mark_acted:
            ctx.mark_acted()
        if not returns:
            ctx.check_cancelled()  # raises CallCancelled
        return "unlocked"

    @unlock.on_cancel
    def relock(record: CallRecord) -> None:
        seen.undone.append(record.id)
        seen.hooked.set()

    return unlock, seen


@pytest.mark.parametrize(
    ("mark_acted", "returns"), [(False, True), (True, False)], ids=["returned", "mark_acted"]
)
async def test_sync_tool_acting_after_the_cancel_is_compensated_once(
    mark_acted: bool, returns: bool
) -> None:
    unlock, seen = _unlock_tool(mark_acted=mark_acted, returns=returns)
    async with Dispatcher([unlock]) as dispatcher:
        record = dispatcher.submit("u", "unlock", {})
        assert await anyio.to_thread.run_sync(seen.entered.wait, 10)
        assert dispatcher.cancel(["u"]) == ["u"]
        await dispatcher.wait_idle()
        assert not record.compensated  # it has not acted yet
        assert dispatcher.statistics().abandoned == 1
        seen.release.set()
        await dispatcher.wait_abandoned()
        assert record.compensated
        assert await anyio.to_thread.run_sync(seen.hooked.wait, 10)
        assert dispatcher.cancel(["u"]) == []  # a second cancel compensates nothing more
        assert nothing_waiting(dispatcher)
    assert seen.cancelled == [True]  # the tool saw the cancel...
    assert await drain(dispatcher) == []  # ...and no reply went out
    assert seen.undone == ["u"]
    assert record.state is CallState.CANCELLED
    stats = dispatcher.statistics()
    assert (stats.compensated, stats.abandoned) == (1, 0)


async def test_abandoned_thread_that_did_not_act_is_not_compensated() -> None:
    unlock, seen = _unlock_tool(mark_acted=False, returns=False)
    async with Dispatcher([unlock]) as dispatcher:
        record = dispatcher.submit("u", "unlock", {})
        assert await anyio.to_thread.run_sync(seen.entered.wait, 10)
        dispatcher.cancel(["u"])
        await dispatcher.wait_idle()  # the call's task let go of the thread
        assert dispatcher.statistics().abandoned == 1
        seen.release.set()
        await dispatcher.wait_abandoned()
        assert not record.compensated
    assert seen.cancelled == [True]
    assert seen.undone == []
    assert await drain(dispatcher) == []


async def test_shutdown_does_not_compensate_a_thread_acting_later() -> None:
    unlock, seen = _unlock_tool(mark_acted=False, returns=True)
    async with Dispatcher([unlock]) as dispatcher:
        record = dispatcher.submit("u", "unlock", {})
        assert await anyio.to_thread.run_sync(seen.entered.wait, 10)
    assert record.cancel_reason == "dispatcher closed"
    seen.release.set()
    await dispatcher.wait_abandoned()
    assert seen.cancelled == [True]
    assert not record.compensated
    assert seen.undone == []


async def test_abandoned_threads_keep_their_concurrency_slot() -> None:
    gate = threading.Event()
    lock = threading.Lock()
    entered = threading.Event()
    state = {"now": 0, "max": 0, "blocked": 0}
    ran_before_gate: list[bool] = []

    @tool
    def work(block: bool, ctx: ToolContext) -> str:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            if block:
                state["blocked"] += 1
                if state["blocked"] == 4:
                    entered.set()
            else:
                ran_before_gate.append(not gate.is_set())
        try:
            if block:
                gate.wait(30)  # non-cooperative: ignores ctx.cancelled
            return "done"
        finally:
            with lock:
                state["now"] -= 1

    async with Dispatcher([work], max_concurrency=4) as dispatcher:
        blocked = [f"b{i}" for i in range(4)]
        for id in blocked:
            dispatcher.submit(id, "work", {"block": True})
        queued = [dispatcher.submit(f"q{i}", "work", {"block": False}) for i in range(4)]
        assert await anyio.to_thread.run_sync(entered.wait, 10)
        assert dispatcher.cancel(blocked) == blocked
        await anyio.wait_all_tasks_blocked()
        # The four threads still run: the queued calls must not start beside them.
        assert dispatcher.statistics().abandoned == 4
        assert all(r.state is CallState.RUNNING for r in queued)
        gate.set()
        replies = [await dispatcher.replies.receive() for _ in queued]
        await dispatcher.wait_abandoned()
        assert dispatcher.statistics().abandoned == 0
    assert sorted(r.id for r in replies) == [r.id for r in queued]
    assert ran_before_gate == [False] * 4
    assert state["max"] <= 4
