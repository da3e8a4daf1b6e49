"""agentkit-timers through agentkit's plugin loader and real Dispatcher.

Trio's MockClock with autojump makes the timers fire in virtual time: a 5-minute timer
takes no wall time, and nothing depends on how fast the machine is.
"""

from __future__ import annotations

import threading
from typing import Any

import agentkit_timers
import anyio
import pytest
from agentkit_timers import Timers, start_timer, timer_toolbox
from trio.testing import MockClock

from agentkit.dispatch import CallState, Dispatcher
from agentkit.plugins import load_plugins


@pytest.fixture
def anyio_backend() -> tuple[str, dict[str, Any]]:
    return ("trio", {"clock": MockClock(autojump_threshold=0)})


@pytest.fixture
def timer_tools() -> list[Any]:
    plugins = load_plugins(["timers"])
    assert plugins.failures == []
    return plugins.tools


async def answer(d: Dispatcher, name: str, args: dict[str, Any], id: str) -> Any:
    d.submit(id, name, args)
    reply = await d.replies.receive()
    assert reply.id == id
    return reply.response


def test_the_plugin_declares_three_tools(timer_tools: list[Any]) -> None:
    decls = {t.name: t.declaration for t in timer_tools}
    assert list(decls) == ["start_timer", "list_timers", "cancel_timer"]
    assert decls["start_timer"]["behavior"] == "NON_BLOCKING"
    assert decls["start_timer"]["parameters"]["required"] == ["seconds"]


@pytest.mark.anyio
async def test_a_timer_interrupts_when_it_fires(timer_tools: list[Any]) -> None:
    async with Dispatcher(timer_tools) as d:
        d.submit("t1", "start_timer", {"seconds": 300, "label": "pasta"})
        await anyio.wait_all_tasks_blocked()
        listed = await answer(d, "list_timers", {}, "l1")
        assert listed == {"timers": [{"label": "pasta", "seconds_left": 300}]}
        started = anyio.current_time()
        fired = await d.replies.receive()
        assert anyio.current_time() - started == pytest.approx(300)
        assert (fired.id, fired.response, fired.scheduling) == (
            "t1",
            {"timer": "pasta", "status": "done", "seconds": 300},
            "INTERRUPT",
        )
        assert await answer(d, "list_timers", {}, "l2") == {"timers": []}


@pytest.mark.anyio
async def test_cancel_timer_stops_it_quietly(timer_tools: list[Any]) -> None:
    async with Dispatcher(timer_tools) as d:
        d.submit("t1", "start_timer", {"seconds": 60, "label": "tea"})
        await anyio.wait_all_tasks_blocked()
        assert await answer(d, "cancel_timer", {"label": "tea"}, "c1") == {
            "timer": "tea",
            "status": "cancelled",
        }
        stopped = await d.replies.receive()
    assert (stopped.id, stopped.response, stopped.scheduling) == (
        "t1",
        {"timer": "tea", "status": "cancelled"},
        "SILENT",
    )


@pytest.mark.anyio
async def test_bad_requests_are_clear_errors(timer_tools: list[Any]) -> None:
    async with Dispatcher(timer_tools) as d:
        d.submit("t1", "start_timer", {"seconds": 60})
        await anyio.wait_all_tasks_blocked()
        twice = await answer(d, "start_timer", {"seconds": 5}, "t2")
        unknown = await answer(d, "cancel_timer", {"label": "eggs"}, "c1")
        negative = await answer(d, "start_timer", {"seconds": 0, "label": "x"}, "t3")
        d.cancel(["t1"])
    assert twice == {"error": "a timer named 'timer' is already running"}
    assert unknown == {"error": "no timer named 'eggs' is running (running: timer)"}
    assert "seconds" in negative["error"]


@pytest.mark.anyio
async def test_a_server_cancelled_timer_is_forgotten(timer_tools: list[Any]) -> None:
    async with Dispatcher(timer_tools) as d:
        d.submit("t1", "start_timer", {"seconds": 60, "label": "bread"})
        await anyio.wait_all_tasks_blocked()
        assert d.cancel(["t1"]) == ["t1"]
        await anyio.wait_all_tasks_blocked()
        assert await answer(d, "list_timers", {}, "l1") == {"timers": []}
        assert d.calls["t1"].state is CallState.CANCELLED


@pytest.mark.anyio
async def test_two_agents_have_their_own_timers() -> None:
    first, second = load_plugins(["timers"]).tools, load_plugins(["timers"]).tools
    async with Dispatcher(first) as a, Dispatcher(second) as b:
        a.submit("a1", "start_timer", {"seconds": 60, "label": "pasta"})
        b.submit("b1", "start_timer", {"seconds": 90, "label": "pasta"})
        await anyio.wait_all_tasks_blocked()
        assert await answer(b, "list_timers", {}, "bl") == {
            "timers": [{"label": "pasta", "seconds_left": 90}]
        }
        assert await answer(a, "cancel_timer", {"label": "pasta"}, "ac") == {
            "timer": "pasta",
            "status": "cancelled",
        }
        assert (await a.replies.receive()).response == {"timer": "pasta", "status": "cancelled"}
        # b's timer is untouched by a's cancel_timer: it still runs, and fires.
        assert await answer(b, "list_timers", {}, "bl2") == {
            "timers": [{"label": "pasta", "seconds_left": 90}]
        }
        fired = await b.replies.receive()
    assert (fired.id, fired.response["status"], fired.scheduling) == ("b1", "done", "INTERRUPT")


def test_each_hook_call_and_each_timer_toolbox_is_a_new_toolbox() -> None:
    [one], [two] = agentkit_timers.agentkit_tools(), agentkit_timers.agentkit_tools()
    assert isinstance(one, Timers) and isinstance(two, Timers) and one is not two
    assert timer_toolbox() is not timer_toolbox()
    assert [t.name for t in timer_toolbox("kitchen")] == [
        "start_timer",
        "list_timers",
        "cancel_timer",
    ]


@pytest.mark.anyio
async def test_the_standalone_start_timer_shares_nothing() -> None:
    async with Dispatcher([start_timer]) as a, Dispatcher([start_timer]) as b:
        a.submit("a1", "start_timer", {"seconds": 5})
        b.submit("b1", "start_timer", {"seconds": 5})  # same label, other agent: fine
        replies = {(await a.replies.receive()).id, (await b.replies.receive()).id}
    assert replies == {"a1", "b1"}


def test_cancel_timer_from_another_thread_is_refused() -> None:
    timers = timer_toolbox()
    started = threading.Event()
    release = threading.Event()
    result: dict[str, Any] = {}

    async def owner() -> None:
        async with Dispatcher(timers) as d:
            d.submit("t1", "start_timer", {"seconds": 3600, "label": "bread"})
            await anyio.wait_all_tasks_blocked()
            started.set()
            await anyio.to_thread.run_sync(release.wait)
            result["still"] = await answer(d, "list_timers", {}, "l1")
            d.cancel(["t1"])

    thread = threading.Thread(target=anyio.run, args=(owner,))
    thread.start()
    try:
        assert started.wait(10)

        async def intruder() -> Any:
            async with Dispatcher(timers) as d:
                return await answer(d, "cancel_timer", {"label": "bread"}, "c1")

        refused = anyio.run(intruder)
    finally:
        release.set()
        thread.join(10)
    assert refused == {
        "error": "timer 'bread' runs on another thread's event loop; "
        "give each agent its own Timers toolbox"
    }
    assert result["still"] == {"timers": [{"label": "bread", "seconds_left": 3600}]}
