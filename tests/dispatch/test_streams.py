"""NON_BLOCKING tools: scheduling rules, and generators that stream with willContinue."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import anyio
import anyio.lowlevel
import pytest
from dispatch_helpers import drain, nothing_waiting

from agentkit.dispatch import CallState, Dispatcher, Reply
from agentkit.errors import ToolError
from agentkit.tools import Behavior, Scheduling, ToolResult, tool

pytestmark = pytest.mark.anyio

NB = Behavior.NON_BLOCKING


async def run_one(tool_obj: object, args: dict[str, object] | None = None) -> list[Reply]:
    """Every reply of one call, in order, until the call ends."""
    async with Dispatcher([tool_obj]) as dispatcher:  # type: ignore[list-item]
        record = dispatcher.submit("s1", tool_obj.name, args or {})  # type: ignore[attr-defined]
        replies = []
        while record.state is CallState.RUNNING:
            replies.append(await dispatcher.replies.receive())
    return replies


# -- scheduling ------------------------------------------------------------------------------


async def test_blocking_tool_sends_no_scheduling_and_no_will_continue() -> None:
    @tool
    def lights() -> ToolResult:
        return ToolResult({"ok": True}, scheduling=Scheduling.INTERRUPT)

    [reply] = await run_one(lights)
    assert reply == Reply("s1", "lights", {"ok": True}, None, None)
    assert reply.to_wire() == {"id": "s1", "name": "lights", "response": {"ok": True}}


async def test_non_blocking_defaults_to_when_idle() -> None:
    @tool(behavior=NB)
    async def lookup() -> str:
        return "found"

    [reply] = await run_one(lookup)
    assert reply.scheduling is Scheduling.WHEN_IDLE
    assert reply.will_continue is None
    assert reply.to_wire() == {
        "id": "s1",
        "name": "lookup",
        "response": {"result": "found"},
        "scheduling": "WHEN_IDLE",
    }


async def test_non_blocking_uses_the_tool_default() -> None:
    @tool(behavior=NB, scheduling=Scheduling.SILENT)
    async def log_event() -> None:
        return None

    [reply] = await run_one(log_event)
    assert reply.scheduling is Scheduling.SILENT
    assert reply.response == {"result": "ok"}


async def test_result_scheduling_wins_over_the_tool_default() -> None:
    @tool(behavior=NB, scheduling=Scheduling.SILENT)
    async def timer() -> ToolResult:
        return ToolResult({"result": "timer done"}, scheduling=Scheduling.INTERRUPT)

    [reply] = await run_one(timer)
    assert reply.scheduling is Scheduling.INTERRUPT
    assert "scheduling" not in reply.response  # never inside the response object
    assert reply.to_wire()["scheduling"] == "INTERRUPT"


async def test_error_of_a_non_blocking_tool_uses_its_scheduling() -> None:
    @tool(behavior=NB, scheduling=Scheduling.INTERRUPT)
    async def fail() -> None:
        raise ToolError("no signal")

    [reply] = await run_one(fail)
    assert reply.response == {"error": "no signal"}
    assert reply.scheduling is Scheduling.INTERRUPT


# -- generators ------------------------------------------------------------------------------


async def test_async_generator_streams_then_closes_once() -> None:
    @tool(behavior=NB)
    async def countdown(n: int) -> AsyncIterator[dict[str, int]]:
        for i in range(n, 0, -1):
            yield {"left": i}

    replies = await run_one(countdown, {"n": 3})
    assert [(r.response, r.will_continue) for r in replies] == [
        ({"left": 3}, True),
        ({"left": 2}, True),
        ({"left": 1}, True),
        ({"result": "done"}, False),
    ]
    assert [r.scheduling for r in replies] == [Scheduling.WHEN_IDLE] * 3 + [Scheduling.SILENT]
    assert replies[-1].to_wire()["willContinue"] is False


async def test_sync_generator_streams_from_a_thread() -> None:
    import threading

    loop_thread = threading.get_ident()
    threads: set[int] = set()

    @tool(behavior=NB, scheduling=Scheduling.SILENT)
    def scan() -> Iterator[ToolResult | str]:
        threads.add(threading.get_ident())
        yield "room 1"
        yield ToolResult("room 2", scheduling=Scheduling.INTERRUPT, will_continue=True)

    replies = await run_one(scan)
    assert [(r.response, r.scheduling, r.will_continue) for r in replies] == [
        ({"result": "room 1"}, Scheduling.SILENT, True),
        ({"result": "room 2"}, Scheduling.INTERRUPT, True),
        ({"result": "done"}, Scheduling.SILENT, False),
    ]
    assert loop_thread not in threads


async def test_sync_generator_return_value_is_the_closing_reply() -> None:
    @tool(behavior=NB)
    def survey() -> Iterator[str]:
        yield "halfway"
        return "3 rooms"  # the closing reply carries it

    replies = await run_one(survey)
    assert [(r.response, r.will_continue) for r in replies] == [
        ({"result": "halfway"}, True),
        ({"result": "3 rooms"}, False),
    ]
    assert replies[-1].scheduling is Scheduling.WHEN_IDLE


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_generator_error_rides_in_the_one_closing_reply(kind: str) -> None:
    if kind == "sync":

        @tool(behavior=NB)
        def feed() -> Iterator[str]:
            yield "frame 1"
            raise OSError("camera unplugged")

    else:

        @tool(behavior=NB)
        async def feed() -> AsyncIterator[str]:  # type: ignore[misc]
            yield "frame 1"
            raise OSError("camera unplugged")

    async with Dispatcher([feed]) as dispatcher:
        record = dispatcher.submit("s1", "feed", {})
        replies = [await dispatcher.replies.receive() for _ in range(2)]
        await dispatcher.wait_idle()
    assert [(r.response, r.will_continue) for r in replies] == [
        ({"result": "frame 1"}, True),
        ({"error": "OSError: camera unplugged"}, False),
    ]
    assert record.state is CallState.ERROR
    assert record.replies == 2


async def test_empty_generator_sends_only_the_closing_reply() -> None:
    @tool(behavior=NB)
    async def nothing() -> AsyncIterator[str]:
        return
        yield  # pragma: no cover

    [reply] = await run_one(nothing)
    assert (reply.response, reply.will_continue, reply.scheduling) == (
        {"result": "done"},
        False,
        Scheduling.SILENT,
    )


async def test_non_json_yield_ends_the_stream_with_an_error() -> None:
    @tool(behavior=NB)
    async def bad() -> AsyncIterator[object]:
        yield "fine"
        yield object()
        yield "never sent"  # pragma: no cover

    replies = await run_one(bad)
    assert [r.will_continue for r in replies] == [True, False]
    assert replies[-1].response["error"].startswith("TypeError")


async def test_stream_record_counts_every_reply() -> None:
    @tool(behavior=NB)
    async def ticks() -> AsyncIterator[int]:
        for i in range(5):
            yield i

    async with Dispatcher([ticks]) as dispatcher:
        record = dispatcher.submit("t", "ticks", {})
        replies = [await dispatcher.replies.receive() for _ in range(6)]
        await dispatcher.wait_idle()
    assert record.replies == 6 == len(replies)
    assert record.result == 4
    assert record.response == {"result": "done"}
    assert record.state is CallState.ANSWERED
    assert [r.will_continue for r in replies].count(False) == 1


# -- a ToolResult that says it is the last ----------------------------------------------------


@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_yielded_tool_result_with_will_continue_false_closes_the_stream(kind: str) -> None:
    closed: list[str] = []

    async def agen() -> AsyncIterator[object]:
        try:
            yield "10 %"
            yield ToolResult(
                {"progress": "100 %"}, scheduling=Scheduling.INTERRUPT, will_continue=False
            )
            yield "never sent"  # pragma: no cover
        finally:
            closed.append("closed")

    def gen() -> Iterator[object]:
        try:
            yield "10 %"
            yield ToolResult(
                {"progress": "100 %"}, scheduling=Scheduling.INTERRUPT, will_continue=False
            )
            yield "never sent"  # pragma: no cover
        finally:
            closed.append("closed")

    download = tool(name="download", behavior=NB)(agen if kind == "async" else gen)
    replies = await run_one(download)
    assert [(r.response, r.scheduling, r.will_continue) for r in replies] == [
        ({"result": "10 %"}, Scheduling.WHEN_IDLE, True),
        ({"progress": "100 %"}, Scheduling.INTERRUPT, False),  # no extra closing reply
    ]
    assert closed == ["closed"]


async def test_non_stream_asking_will_continue_warns_once_and_closes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @tool(behavior=NB)
    async def start_timer() -> ToolResult:
        return ToolResult("started", will_continue=True)

    async with Dispatcher([start_timer]) as dispatcher:
        replies = []
        for id in ("t1", "t2"):
            dispatcher.submit(id, "start_timer", {})
            replies.append(await dispatcher.replies.receive())
        await dispatcher.wait_idle()
        assert all(r.state is CallState.ANSWERED for r in dispatcher.calls.values())
    assert [(r.response, r.will_continue) for r in replies] == [({"result": "started"}, False)] * 2
    assert caplog.text.count("will_continue=True but is not a generator") == 1


async def test_blocking_tool_asking_will_continue_sends_none() -> None:
    @tool
    def lookup() -> ToolResult:
        return ToolResult("x", will_continue=True)

    (reply,) = await run_one(lookup)
    assert (reply.response, reply.will_continue, reply.scheduling) == ({"result": "x"}, None, None)


async def test_cancelled_async_generator_runs_its_async_cleanup() -> None:
    cleaned: list[str] = []

    @tool(behavior=NB)
    async def watch() -> AsyncIterator[str]:
        try:
            yield "tick"
            yield "never"  # pragma: no cover
        finally:
            await anyio.lowlevel.checkpoint()  # cleanup that awaits (closing a connection)
            cleaned.append("cleaned")

    async with Dispatcher([watch]) as dispatcher:
        record = dispatcher.submit("w", "watch", {})
        await anyio.wait_all_tasks_blocked()  # its first reply waits for the consumer
        assert dispatcher.cancel(["w"]) == ["w"]
        await dispatcher.wait_idle()
        assert nothing_waiting(dispatcher)
    assert cleaned == ["cleaned"]  # the generator was closed, its cleanup not cut off
    assert await drain(dispatcher) == []
    assert record.replies == 0
