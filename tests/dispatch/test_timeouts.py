"""Timeouts: answered with an error, the tool sees cancellation. Mock clock on trio."""

from __future__ import annotations

import math
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest
from dispatch_helpers import drain

from agentkit.dispatch import CallState, Dispatcher
from agentkit.tools import Behavior, ToolContext, tool

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio+mockclock"])
def anyio_backend(request: pytest.FixtureRequest) -> Any:
    if request.param == "asyncio":
        return "asyncio"
    from trio.testing import MockClock

    return ("trio", {"clock": MockClock(autojump_threshold=0)})


async def test_async_tool_times_out_and_sees_cancellation() -> None:
    saw: list[str] = []

    @tool(timeout=0.05)
    async def hang() -> str:
        try:
            await anyio.sleep_forever()
        finally:
            saw.append("cancelled")
        return "never"  # pragma: no cover

    async with Dispatcher([hang]) as dispatcher:
        record = dispatcher.submit("h", "hang", {})
        reply = await dispatcher.replies.receive()
    assert reply.response == {"error": "function 'hang' timed out after 0.05s"}
    assert saw == ["cancelled"]
    assert record.state is CallState.TIMED_OUT
    assert record.error == "function 'hang' timed out after 0.05s"
    assert dispatcher.statistics().timed_out == 1
    assert await drain(dispatcher) == []


async def test_sync_tool_times_out_its_thread_is_abandoned_and_told() -> None:
    entered = threading.Event()
    told = threading.Event()

    @tool(timeout=0.05)
    def stuck(ctx: ToolContext) -> str:
        entered.set()
        if ctx.wait_cancelled(30):
            told.set()
        return "too late"

    async with Dispatcher([stuck]) as dispatcher:
        record = dispatcher.submit("s", "stuck", {})
        reply = await dispatcher.replies.receive()
        # Its thread, if it started before the deadline (the mock clock may jump first,
        # and then the tool never runs at all), runs until it sees the cancellation.
        await dispatcher.wait_abandoned()
        assert told.is_set() == entered.is_set()
        await anyio.wait_all_tasks_blocked()
    assert reply.response == {"error": "function 'stuck' timed out after 0.05s"}
    assert record.state is CallState.TIMED_OUT
    assert await drain(dispatcher) == []  # the late result was dropped


async def test_default_timeout_applies_to_tools_without_one() -> None:
    @tool
    async def hang() -> None:
        await anyio.sleep_forever()

    @tool(timeout=1000)
    async def patient() -> str:
        await anyio.sleep(0.2)
        return "finished"

    async with Dispatcher([hang, patient], default_timeout=0.1) as dispatcher:
        dispatcher.submit("h", "hang", {})
        dispatcher.submit("p", "patient", {})
        replies = {r.id: r for r in [await dispatcher.replies.receive() for _ in range(2)]}
    assert replies["h"].response == {"error": "function 'hang' timed out after 0.1s"}
    assert replies["p"].response == {"result": "finished"}


async def test_timeout_does_not_count_time_waiting_for_the_consumer() -> None:
    @tool(timeout=0.05)
    async def quick() -> str:
        return "ok"

    async with Dispatcher([quick]) as dispatcher:
        record = dispatcher.submit("q", "quick", {})
        await anyio.sleep(0.2)  # the reply waits, parked, well past the timeout
        reply = await dispatcher.replies.receive()
    assert reply.response == {"result": "ok"}
    assert record.state is CallState.ANSWERED


async def test_stream_timeout_closes_with_one_error_reply() -> None:
    @tool(behavior=Behavior.NON_BLOCKING, timeout=0.05)
    async def watch() -> AsyncIterator[str]:
        yield "door closed"
        await anyio.sleep_forever()
        yield "never"  # pragma: no cover

    async with Dispatcher([watch]) as dispatcher:
        record = dispatcher.submit("w", "watch", {})
        replies = [await dispatcher.replies.receive() for _ in range(2)]
    assert [(r.response, r.will_continue) for r in replies] == [
        ({"result": "door closed"}, True),
        ({"error": "function 'watch' timed out after 0.05s"}, False),
    ]
    assert record.state is CallState.TIMED_OUT
    assert await drain(dispatcher) == []


def manual_clock() -> Any:
    """On trio's MockClock, stop autojumping and return the clock; None on asyncio.

    A worker thread's work races virtual time when the clock autojumps, so a test that
    needs a thread to get somewhere before the deadline moves time by hand.
    """
    try:
        import trio
        from trio.testing import MockClock

        clock = trio.lowlevel.current_clock()
    except RuntimeError:  # not running under trio
        return None
    assert isinstance(clock, MockClock)
    clock.autojump_threshold = math.inf
    return clock


async def test_sync_stream_timeout_closes_with_one_error_reply() -> None:
    entered = threading.Event()
    told = threading.Event()

    @tool(behavior=Behavior.NON_BLOCKING, timeout=0.2)
    def poll(ctx: ToolContext) -> Iterator[str]:
        entered.set()
        if ctx.wait_cancelled(30):
            told.set()
        yield "late"

    clock = manual_clock()
    async with Dispatcher([poll]) as dispatcher:
        record = dispatcher.submit("p", "poll", {})
        assert await anyio.to_thread.run_sync(entered.wait, 10)
        if clock is not None:
            clock.jump(1)
        reply = await dispatcher.replies.receive()
        assert await anyio.to_thread.run_sync(told.wait, 10)
    assert reply.will_continue is False
    assert reply.response == {"error": "function 'poll' timed out after 0.2s"}
    assert record.state is CallState.TIMED_OUT
    assert await drain(dispatcher) == []


async def test_blocking_timeout_limits_blocking_tools_only() -> None:
    release = anyio.Event()

    @tool
    async def hang() -> None:
        await anyio.sleep_forever()

    @tool(behavior=Behavior.NON_BLOCKING)
    async def timer() -> str:
        await release.wait()
        return "rang"

    @tool(timeout=1000)
    async def patient() -> str:
        await release.wait()
        return "finished"

    async with Dispatcher([hang, timer, patient], blocking_timeout=0.1) as dispatcher:
        for name in ("hang", "timer", "patient"):
            dispatcher.submit(name, name, {})
        first = await dispatcher.replies.receive()
        assert (first.id, first.response) == (
            "hang",
            {"error": "function 'hang' timed out after 0.1s"},
        )
        await anyio.sleep(0.3)  # well past blocking_timeout
        assert dispatcher.calls["timer"].state is CallState.RUNNING  # NON_BLOCKING: no limit
        assert dispatcher.calls["patient"].state is CallState.RUNNING  # its own timeout wins
        release.set()
        rest = {r.id: r.response for r in [await dispatcher.replies.receive() for _ in range(2)]}
    assert rest == {"timer": {"result": "rang"}, "patient": {"result": "finished"}}
    assert dispatcher.calls["hang"].state is CallState.TIMED_OUT


async def test_default_timeout_comes_before_blocking_timeout() -> None:
    @tool
    async def hang() -> None:
        await anyio.sleep_forever()

    async with Dispatcher([hang], default_timeout=0.1, blocking_timeout=1000) as dispatcher:
        dispatcher.submit("h", "hang", {})
        reply = await dispatcher.replies.receive()
    assert reply.response == {"error": "function 'hang' timed out after 0.1s"}


async def test_blocking_timeout_abandons_a_hung_sync_tool() -> None:
    entered = threading.Event()
    told = threading.Event()

    @tool
    def stuck(ctx: ToolContext) -> str:
        entered.set()
        if ctx.wait_cancelled(30):
            told.set()
        return "too late"

    async with Dispatcher([stuck], blocking_timeout=0.05) as dispatcher:
        record = dispatcher.submit("s", "stuck", {})
        reply = await dispatcher.replies.receive()
        await dispatcher.wait_abandoned()
        assert told.is_set() == entered.is_set()  # if it ran, it was told
    assert reply.response == {"error": "function 'stuck' timed out after 0.05s"}
    assert record.state is CallState.TIMED_OUT
    assert await drain(dispatcher) == []
