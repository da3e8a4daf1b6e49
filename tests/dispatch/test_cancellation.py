"""toolCallCancellation: the tool sees it, and no reply goes out. Compensation for acted calls."""

from __future__ import annotations

import threading

import anyio
import pytest
from dispatch_helpers import drain, nothing_waiting

from agentkit.dispatch import CallRecord, CallState, Dispatcher
from agentkit.tools import Behavior, ToolContext, tool

pytestmark = pytest.mark.anyio


async def test_cancel_async_tool_at_its_next_await_and_send_nothing() -> None:
    saw: list[str] = []

    @tool
    async def long_poll() -> str:
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            saw.append("cancelled")
            raise
        return "never"  # pragma: no cover

    async with Dispatcher([long_poll]) as dispatcher:
        record = dispatcher.submit("fc-1", "long_poll", {})
        await anyio.wait_all_tasks_blocked()
        assert dispatcher.cancel(["fc-1"]) == ["fc-1"]
        assert record.state is CallState.CANCELLED  # at once, synchronously
        await dispatcher.wait_idle()
        assert saw == ["cancelled"]
        assert nothing_waiting(dispatcher)
    assert await drain(dispatcher) == []
    assert record.cancel_reason == "cancelled by server"
    assert record.replies == 0
    assert record.response is None
    assert dispatcher.statistics().cancelled == 1


async def test_cancel_sync_tool_abandons_its_thread_and_sets_ctx_cancelled() -> None:
    entered = threading.Event()
    finished = threading.Event()
    seen: list[bool] = []

    @tool
    def unlock(ctx: ToolContext) -> str:
        entered.set()
        seen.append(ctx.wait_cancelled(30))
        finished.set()
        return "unlocked"

    async with Dispatcher([unlock]) as dispatcher:
        record = dispatcher.submit("u", "unlock", {})
        assert await anyio.to_thread.run_sync(entered.wait, 10)
        assert dispatcher.cancel(["u"], reason="barge-in") == ["u"]
        await dispatcher.wait_idle()  # the thread was abandoned: no need to wait for it
        assert await anyio.to_thread.run_sync(finished.wait, 10)
        await anyio.wait_all_tasks_blocked()
        assert nothing_waiting(dispatcher)
    assert seen == [True]
    assert await drain(dispatcher) == []
    assert record.state is CallState.CANCELLED
    assert record.cancel_reason == "barge-in"


async def test_cooperative_sync_tool_stops_at_check_cancelled() -> None:
    entered = threading.Event()
    stopped = threading.Event()
    steps: list[int] = []

    @tool
    def copy_files(ctx: ToolContext) -> str:
        for step in range(1000):
            ctx.check_cancelled()  # raises CallCancelled once cancelled
            steps.append(step)
            entered.set()
            if ctx.wait_cancelled(30):
                stopped.set()
        return "copied"  # pragma: no cover

    async with Dispatcher([copy_files]) as dispatcher:
        dispatcher.submit("c", "copy_files", {})
        assert await anyio.to_thread.run_sync(entered.wait, 10)
        dispatcher.cancel(["c"])
        assert await anyio.to_thread.run_sync(stopped.wait, 10)
    assert steps == [0]
    assert await drain(dispatcher) == []


async def test_cancel_while_the_reply_waits_for_the_consumer_sends_nothing() -> None:
    @tool
    async def quick() -> str:
        return "ok"

    async with Dispatcher([quick]) as dispatcher:
        record = dispatcher.submit("q", "quick", {})
        await anyio.wait_all_tasks_blocked()
        assert dispatcher.replies.statistics().tasks_waiting_send == 1  # reply parked
        assert dispatcher.cancel(["q"]) == ["q"]
        # Taken in the same breath as the cancel: it must not go out.
        assert nothing_waiting(dispatcher)
        await dispatcher.wait_idle()
    assert await drain(dispatcher) == []
    assert record.state is CallState.CANCELLED
    assert record.replies == 0


async def test_cancel_after_the_reply_was_taken_keeps_answered() -> None:
    undone: list[CallRecord] = []

    @tool
    async def oven_on() -> str:
        return "on"

    @oven_on.on_cancel
    async def oven_off(record: CallRecord) -> None:
        undone.append(record)

    async with Dispatcher([oven_on]) as dispatcher:
        record = dispatcher.submit("o", "oven_on", {})
        assert (await dispatcher.replies.receive()).response == {"result": "on"}
        assert dispatcher.cancel(["o"]) == []  # nothing left to cancel...
        await dispatcher.wait_idle()
    assert undone == [record]  # ...but it had acted: compensated
    assert record.state is CallState.ANSWERED
    assert record.compensated
    assert dispatcher.statistics().compensated == 1
    assert dispatcher.statistics().cancelled == 0


async def test_compensation_runs_for_a_call_that_acted_and_not_for_one_that_did_not() -> None:
    acted = anyio.Event()
    compensated: list[str] = []

    @tool
    async def unlock(door: str, ctx: ToolContext) -> str:
        if door == "front":
            ctx.mark_acted()
            acted.set()
        await anyio.sleep_forever()
        return "never"  # pragma: no cover

    @unlock.on_cancel
    def relock(record: CallRecord) -> None:
        compensated.append(f"{record.id}:{record.args['door']}:{record.state}")

    async with Dispatcher([unlock]) as dispatcher:
        front = dispatcher.submit("front", "unlock", {"door": "front"})
        back = dispatcher.submit("back", "unlock", {"door": "back"})
        await acted.wait()
        await anyio.wait_all_tasks_blocked()
        assert sorted(dispatcher.cancel(["front", "back"])) == ["back", "front"]
    assert compensated == ["front:front:cancelled"]
    assert front.compensated
    assert not back.compensated
    assert await drain(dispatcher) == []


async def test_sync_hook_runs_in_a_worker_thread_after_the_call_unwound() -> None:
    loop_thread = threading.get_ident()
    order: list[str] = []
    hook_threads: list[int] = []

    @tool
    async def arm(ctx: ToolContext) -> str:
        ctx.mark_acted()
        try:
            await anyio.sleep_forever()
        finally:
            order.append("call unwound")
        return "never"  # pragma: no cover

    @arm.on_cancel
    def disarm(record: CallRecord) -> None:
        hook_threads.append(threading.get_ident())
        order.append("hook")

    async with Dispatcher([arm]) as dispatcher:
        dispatcher.submit("a", "arm", {})
        await anyio.wait_all_tasks_blocked()
        dispatcher.cancel(["a"])
    assert order == ["call unwound", "hook"]
    assert hook_threads
    assert hook_threads[0] != loop_thread


async def test_failing_hook_is_logged_and_the_next_hook_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[str] = []

    @tool
    def set_alarm() -> str:
        return "set"

    @set_alarm.on_cancel
    async def broken(record: CallRecord) -> None:
        raise RuntimeError("hook broke")

    @set_alarm.on_cancel
    async def fine(record: CallRecord) -> None:
        ran.append(record.id)

    async with Dispatcher([set_alarm]) as dispatcher:
        dispatcher.submit("s", "set_alarm", {})
        await dispatcher.replies.receive()
        dispatcher.cancel(["s"])
    assert ran == ["s"]
    assert "on_cancel hook" in caplog.text
    assert "hook broke" in caplog.text


async def test_compensation_runs_once_even_if_cancelled_twice() -> None:
    count = 0

    @tool
    async def order_pizza() -> str:
        return "ordered"

    @order_pizza.on_cancel
    async def call_back(record: CallRecord) -> None:
        nonlocal count
        count += 1

    async with Dispatcher([order_pizza]) as dispatcher:
        dispatcher.submit("p", "order_pizza", {})
        await dispatcher.replies.receive()
        dispatcher.cancel(["p"])
        dispatcher.cancel(["p"])
    assert count == 1


async def test_cancel_of_unknown_and_finished_ids_is_ignored() -> None:
    @tool
    async def noop() -> None:
        return None

    async with Dispatcher([noop]) as dispatcher:
        dispatcher.submit("n", "noop", {})
        await dispatcher.replies.receive()
        assert dispatcher.cancel(["nobody", "n"]) == []
        assert dispatcher.calls["n"].state is CallState.ANSWERED
        assert "nobody" not in dispatcher.calls


async def test_cancel_before_a_slot_is_free_never_runs_the_tool() -> None:
    release = anyio.Event()
    ran: list[str] = []

    @tool
    async def job(name: str) -> str:
        ran.append(name)
        await release.wait()
        return name

    async with Dispatcher([job], max_concurrency=1) as dispatcher:
        dispatcher.submit("a", "job", {"name": "a"})
        waiting = dispatcher.submit("b", "job", {"name": "b"})
        await anyio.wait_all_tasks_blocked()
        dispatcher.cancel(["b"])
        release.set()
        assert (await dispatcher.replies.receive()).id == "a"
        await dispatcher.wait_idle()
    assert ran == ["a"]
    assert waiting.state is CallState.CANCELLED
    assert await drain(dispatcher) == []


async def test_cancelled_stream_sends_nothing_more() -> None:
    next_item = anyio.Event()
    closed: list[str] = []

    @tool(behavior=Behavior.NON_BLOCKING)
    async def progress():  # type: ignore[no-untyped-def]
        try:
            yield {"percent": 10}
            await next_item.wait()
            yield {"percent": 20}  # pragma: no cover
        finally:
            closed.append("closed")

    async with Dispatcher([progress]) as dispatcher:
        record = dispatcher.submit("p", "progress", {})
        first = await dispatcher.replies.receive()
        assert first.will_continue is True
        await anyio.wait_all_tasks_blocked()
        dispatcher.cancel(["p"])
        next_item.set()
        await dispatcher.wait_idle()
        assert nothing_waiting(dispatcher)
    assert await drain(dispatcher) == []
    assert closed == ["closed"]
    assert record.state is CallState.CANCELLED
    assert record.replies == 1


async def test_exactly_one_terminal_state_second_transition_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @tool
    async def ok() -> str:
        return "ok"

    async with Dispatcher([ok]) as dispatcher:
        record = dispatcher.submit("k", "ok", {})
        await dispatcher.replies.receive()
        call = dispatcher._calls["k"]
        assert dispatcher._finish(call, CallState.CANCELLED, reason="late") is False
        assert dispatcher._finish(call, CallState.ERROR, error="late") is False
    assert record.state is CallState.ANSWERED
    assert record.cancel_reason is None
    stats = dispatcher.statistics()
    assert (stats.answered, stats.cancelled, stats.errors) == (1, 0, 0)
    assert "already answered; refusing to make it cancelled" in caplog.text


async def test_every_call_ends_in_exactly_one_terminal_state() -> None:
    """A mixed batch: answers, errors, cancels, before and after the reply was taken."""
    gates = {n: anyio.Event() for n in range(30)}

    @tool
    async def step(n: int) -> int:
        await gates[n].wait()
        if n % 5 == 0:
            raise ValueError(n)
        return n

    taken: list[str] = []
    async with Dispatcher([step]) as dispatcher:
        for n in range(30):
            dispatcher.submit(str(n), "step", {"n": n})
        dispatcher.submit("x", "missing", {})
        for n in range(30):
            gates[n].set()
            if n % 3 == 0:
                dispatcher.cancel([str(n)])
            if n % 4 == 0:
                reply = await dispatcher.replies.receive()
                taken.append(reply.id)
                dispatcher.cancel([reply.id])  # too late to cancel: stays answered
        while dispatcher.calls.pending_ids:
            taken.append((await dispatcher.replies.receive()).id)
    records = list(dispatcher.calls.values())
    assert all(r.state.terminal for r in records)
    answered = {r.id for r in records if r.state in (CallState.ANSWERED, CallState.ERROR)}
    assert answered == set(taken)  # answered exactly when a reply was taken
    assert all(r.replies == 1 for r in records if r.id in answered)
    assert all(r.replies == 0 for r in records if r.state is CallState.CANCELLED)
    stats = dispatcher.statistics()
    assert stats.answered + stats.errors + stats.cancelled == len(records) == 31
