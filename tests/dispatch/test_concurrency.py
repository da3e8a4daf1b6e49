"""Every call starts at once in its own task; slow or sync tools never hold up the others."""

from __future__ import annotations

import threading

import anyio
import pytest
from dispatch_helpers import drain, nothing_waiting

from agentkit.dispatch import CallState, Dispatcher, Reply
from agentkit.tools import tool

pytestmark = pytest.mark.anyio


async def test_all_calls_start_before_any_finishes() -> None:
    release = anyio.Event()
    started: list[int] = []

    @tool
    async def wait(n: int) -> dict[str, int]:
        started.append(n)
        await release.wait()
        return {"n": n}

    async with Dispatcher([wait]) as dispatcher:
        for n in range(20):
            dispatcher.submit(f"c{n}", "wait", {"n": n})
        await anyio.wait_all_tasks_blocked()
        assert sorted(started) == list(range(20))
        assert nothing_waiting(dispatcher)
        release.set()
        replies = [await dispatcher.replies.receive() for _ in range(20)]
    assert sorted(r.response["n"] for r in replies) == list(range(20))
    assert {r.id for r in replies} == {f"c{n}" for n in range(20)}


async def test_slow_tool_does_not_delay_a_fast_one() -> None:
    slow_may_finish = anyio.Event()

    @tool
    async def slow() -> str:
        await slow_may_finish.wait()
        return "slow"

    @tool
    def fast() -> str:
        return "fast"

    async with Dispatcher([slow, fast]) as dispatcher:
        dispatcher.submit("s", "slow", {})
        dispatcher.submit("f", "fast", {})
        first = await dispatcher.replies.receive()
        assert first == Reply("f", "fast", {"result": "fast"})
        assert dispatcher.calls["s"].state is CallState.RUNNING
        slow_may_finish.set()
        assert (await dispatcher.replies.receive()).response == {"result": "slow"}


async def test_sync_tool_runs_in_a_thread_and_the_loop_keeps_running() -> None:
    entered = threading.Event()
    leave = threading.Event()
    loop_thread = threading.get_ident()
    seen_threads: list[int] = []

    @tool
    def blocking_io() -> str:
        seen_threads.append(threading.get_ident())
        entered.set()
        leave.wait(30)
        return "io done"

    @tool
    async def ping() -> str:
        return "pong"

    async with Dispatcher([blocking_io, ping]) as dispatcher:
        dispatcher.submit("io", "blocking_io", None)
        assert await anyio.to_thread.run_sync(entered.wait, 10)
        # The sync tool is now blocked in its thread; the loop still serves other calls.
        dispatcher.submit("p", "ping", None)
        assert (await dispatcher.replies.receive()).id == "p"
        leave.set()
        assert (await dispatcher.replies.receive()).response == {"result": "io done"}
    assert seen_threads
    assert seen_threads[0] != loop_thread


async def test_capacity_limit_bounds_running_calls_and_starts_them_in_order() -> None:
    gates = {n: anyio.Event() for n in range(5)}
    running: set[int] = set()
    peak = 0

    @tool
    async def work(n: int) -> int:
        nonlocal peak
        running.add(n)
        peak = max(peak, len(running))
        await gates[n].wait()
        running.discard(n)
        return n

    async with Dispatcher([work], max_concurrency=2) as dispatcher:
        for n in range(5):
            dispatcher.submit(str(n), "work", {"n": n})
        await anyio.wait_all_tasks_blocked()
        assert running == {0, 1}
        # Waiting for a slot is still RUNNING: the call is owed an answer.
        assert dispatcher.statistics().running == 5
        gates[1].set()
        assert (await dispatcher.replies.receive()).id == "1"
        await anyio.wait_all_tasks_blocked()
        assert running == {0, 2}  # the freed slot went to the next call submitted
        for gate in gates.values():
            gate.set()
        rest = [await dispatcher.replies.receive() for _ in range(4)]
    assert sorted(r.id for r in rest) == ["0", "2", "3", "4"]
    assert peak == 2


async def test_duplicate_id_while_running_is_not_started_twice(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = anyio.Event()
    calls = 0

    @tool
    async def once() -> str:
        nonlocal calls
        calls += 1
        await release.wait()
        return "done"

    async with Dispatcher([once]) as dispatcher:
        first = dispatcher.submit("dup", "once", {})
        second = dispatcher.submit("dup", "once", {})
        assert second is first
        await anyio.wait_all_tasks_blocked()
        assert calls == 1
        release.set()
        assert (await dispatcher.replies.receive()).id == "dup"
        await dispatcher.wait_idle()
        assert nothing_waiting(dispatcher)
    assert await drain(dispatcher) == []
    assert "already running" in caplog.text
    assert first.replies == 1


async def test_ledger_records_args_state_and_timings() -> None:
    release = anyio.Event()

    @tool
    async def add(a: int, b: int = 2) -> int:
        await release.wait()
        return a + b

    async with Dispatcher([add]) as dispatcher:
        record = dispatcher.submit("x", "add", {"a": 1})
        assert record.args == {"a": 1}
        await anyio.wait_all_tasks_blocked()
        assert record.args == {"a": 1, "b": 2}  # validated kwargs, defaults filled
        assert record.state is CallState.RUNNING
        assert record.ended_at is None
        assert record.duration is None
        assert dispatcher.calls.pending_ids == {"x"}
        assert dispatcher.calls.running() == [record]
        release.set()
        await dispatcher.replies.receive()
        await dispatcher.wait_idle()
    assert record.state is CallState.ANSWERED
    assert record.ended_at is not None
    assert record.ended_at >= record.started_at
    assert record.duration == record.ended_at - record.started_at
    assert record.result == 3
    assert record.response == {"result": 3}
    assert record.replies == 1
    assert record.error is None
    assert dict(dispatcher.calls) == {"x": record}
    assert "state='answered'" in repr(record)


async def test_answered_only_once_the_consumer_takes_the_reply() -> None:
    @tool
    async def quick() -> str:
        return "ok"

    async with Dispatcher([quick]) as dispatcher:
        record = dispatcher.submit("q", "quick", {})
        await anyio.wait_all_tasks_blocked()
        # The reply is ready but nobody took it: the call still owes its answer.
        assert dispatcher.replies.statistics().tasks_waiting_send == 1
        assert record.state is CallState.RUNNING
        assert record.replies == 0
        assert (await dispatcher.replies.receive()).id == "q"
        assert record.state is CallState.ANSWERED


async def test_wait_idle_returns_when_every_call_ended() -> None:
    release = anyio.Event()

    @tool
    async def hold() -> str:
        await release.wait()
        return "ok"

    async with Dispatcher([hold]) as dispatcher:
        await dispatcher.wait_idle()  # nothing running: returns at once
        dispatcher.submit("a", "hold", {})
        idle = False

        async def waiter() -> None:
            nonlocal idle
            await dispatcher.wait_idle()
            idle = True

        async with anyio.create_task_group() as tg:
            tg.start_soon(waiter)
            await anyio.wait_all_tasks_blocked()
            assert not idle
            release.set()
            await dispatcher.replies.receive()
        assert idle


async def test_closing_the_dispatcher_cancels_running_calls_and_ends_replies() -> None:
    saw_cancel: list[str] = []

    @tool
    async def forever() -> str:
        try:
            await anyio.sleep_forever()
        finally:
            saw_cancel.append("cancelled")
        return "never"  # pragma: no cover

    async with Dispatcher([forever]) as dispatcher:
        record = dispatcher.submit("f", "forever", {})
        await anyio.wait_all_tasks_blocked()
    assert saw_cancel == ["cancelled"]
    assert record.state is CallState.CANCELLED
    assert record.cancel_reason == "dispatcher closed"
    assert await drain(dispatcher) == []
    assert dispatcher.statistics().cancelled == 1


async def test_run_serves_in_a_host_task_group() -> None:
    @tool
    def hello() -> str:
        return "hi"

    dispatcher = Dispatcher([hello])
    async with anyio.create_task_group() as tg:
        started = await tg.start(dispatcher.run)
        assert started is dispatcher
        dispatcher.submit("h", "hello", {})
        assert (await dispatcher.replies.receive()).response == {"result": "hi"}
        tg.cancel_scope.cancel()
    assert await drain(dispatcher) == []


async def test_submit_needs_an_open_dispatcher() -> None:
    dispatcher = Dispatcher()
    with pytest.raises(RuntimeError, match="async with"):
        dispatcher.submit("a", "b", {})
    async with dispatcher:
        pass
    with pytest.raises(RuntimeError, match="entered only once"):
        async with dispatcher:
            pass  # pragma: no cover


def test_constructor_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="max_concurrency"):
        Dispatcher(max_concurrency=0)
    with pytest.raises(ValueError, match="default_timeout"):
        Dispatcher(default_timeout=0)


def test_tools_mapping_is_read_only() -> None:
    @tool
    def a() -> None: ...

    dispatcher = Dispatcher([a])
    assert list(dispatcher.tools) == ["a"]
    with pytest.raises(TypeError):
        dispatcher.tools["b"] = a  # type: ignore[index]
