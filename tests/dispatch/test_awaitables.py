"""A tool that looks sync but returns an awaitable: awaited on the loop, in its cancel scope."""

from __future__ import annotations

from collections.abc import Awaitable

import anyio
import pytest
from dispatch_helpers import drain, nothing_waiting

from agentkit.dispatch import CallState, Dispatcher
from agentkit.tools import tool

pytestmark = pytest.mark.anyio


async def test_sync_tool_returning_a_coroutine_is_awaited() -> None:
    async def fetch(city: str) -> str:
        await anyio.lowlevel.checkpoint()
        return f"sunny in {city}"

    @tool
    def get_weather(city: str) -> Awaitable[str]:  # an async function behind a plain wrapper
        return fetch(city)

    async with Dispatcher([get_weather]) as dispatcher:
        record = dispatcher.submit("w", "get_weather", {"city": "Paris"})
        reply = await dispatcher.replies.receive()
    assert reply.response == {"result": "sunny in Paris"}
    assert record.state is CallState.ANSWERED
    assert record.result == "sunny in Paris"


async def test_awaitable_of_a_sync_tool_is_cancelled_with_its_call() -> None:
    started = anyio.Event()
    saw: list[str] = []

    async def poll() -> str:
        started.set()
        try:
            await anyio.sleep_forever()
        finally:
            saw.append("cancelled")
        return "never"  # pragma: no cover

    class Poller:
        def __call__(self) -> Awaitable[str]:
            return poll()

    async with Dispatcher([tool(name="poll")(Poller())]) as dispatcher:
        record = dispatcher.submit("p", "poll", {})
        await started.wait()
        assert dispatcher.cancel(["p"]) == ["p"]
        await dispatcher.wait_idle()
        assert nothing_waiting(dispatcher)
    assert saw == ["cancelled"]
    assert await drain(dispatcher) == []
    assert record.state is CallState.CANCELLED
    assert not record.compensated
