"""The dispatcher's lifetime: tools it accepts, the context it injects, how it shuts down."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import anyio
import anyio.lowlevel
import pytest
from dispatch_helpers import drain

from agentkit.dispatch import CallRecord, CallState, Dispatcher, Reply, ReplyStream
from agentkit.tools import Behavior, Toolbox, ToolContext, tool

pytestmark = pytest.mark.anyio


async def test_toolboxes_and_plain_functions_are_tools() -> None:
    def plain(x: int) -> int:
        """Double it."""
        return 2 * x

    @tool
    def boxed() -> str:
        return "in a box"

    async with Dispatcher([plain, Toolbox("box", [boxed])]) as dispatcher:
        assert sorted(dispatcher.tools) == ["boxed", "plain"]
        dispatcher.submit("a", "plain", {"x": 21})
        dispatcher.submit("b", "boxed", None)
        replies = {r.id: r.response for r in [await dispatcher.replies.receive() for _ in "ab"]}
    assert replies == {"a": {"result": 42}, "b": {"result": "in a box"}}


async def test_context_carries_id_name_and_session() -> None:
    session = object()
    seen: list[tuple[str, str, object]] = []

    @tool
    async def whoami(ctx: ToolContext) -> None:
        seen.append((ctx.id, ctx.name, ctx.session))

    async with Dispatcher([whoami], session=session) as dispatcher:
        record = dispatcher.submit("fc-9", "whoami", {})
        await dispatcher.replies.receive()
    assert seen == [("fc-9", "whoami", session)]
    assert record.args == {}  # the context is never an argument


async def test_host_cancellation_closes_the_dispatcher_without_compensating() -> None:
    """Shutdown voids no request of the model's: the oven stays on, no on_cancel runs."""
    undone: list[str] = []
    saw: list[str] = []

    @tool
    async def unlock(ctx: ToolContext) -> None:
        ctx.mark_acted()
        try:
            await anyio.sleep_forever()
        finally:
            saw.append("cancelled")

    @unlock.on_cancel
    async def relock(record: CallRecord) -> None:
        await anyio.lowlevel.checkpoint()  # shielded from the teardown: awaits work
        undone.append(record.id)

    dispatcher = Dispatcher([unlock])
    async with anyio.create_task_group() as tg:
        await tg.start(dispatcher.run)
        record = dispatcher.submit("u", "unlock", {})
        await anyio.wait_all_tasks_blocked()
        tg.cancel_scope.cancel()
    assert saw == ["cancelled"]
    assert undone == []
    assert not record.compensated
    assert record.state is CallState.CANCELLED
    assert record.cancel_reason == "dispatcher closed"
    assert await drain(dispatcher) == []


async def test_consumer_closing_the_stream_cancels_what_cannot_be_answered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @tool
    async def answer() -> str:
        return "42"

    async with Dispatcher([answer]) as dispatcher:
        record = dispatcher.submit("a", "answer", {})
        await anyio.wait_all_tasks_blocked()
        dispatcher.replies.close()
        await dispatcher.wait_idle()
    assert record.state is CallState.CANCELLED
    assert record.cancel_reason == "replies stream closed"
    assert "cannot be answered" in caplog.text


async def test_cancelled_sync_generator_is_closed_in_its_thread() -> None:
    loop_thread = threading.get_ident()
    closed_in: list[int] = []

    @tool(behavior=Behavior.NON_BLOCKING)
    def frames() -> Iterator[int]:
        try:
            yield 1
            yield 2
            yield 3  # pragma: no cover
        finally:
            closed_in.append(threading.get_ident())

    async with Dispatcher([frames]) as dispatcher:
        record = dispatcher.submit("f", "frames", {})
        assert (await dispatcher.replies.receive()).response == {"result": 1}
        # Wait until the second frame is parked, unsent: the generator is suspended.
        # (A generator cannot signal after its yield, so poll the stream's own count.)
        while dispatcher.replies.statistics().tasks_waiting_send == 0:  # noqa: ASYNC110
            await anyio.sleep(0.001)
        dispatcher.cancel(["f"])
        await dispatcher.wait_idle()
    assert len(closed_in) == 1
    assert closed_in[0] != loop_thread
    assert record.replies == 1
    assert await drain(dispatcher) == []


async def test_cloned_reply_stream_is_gated_too() -> None:
    @tool
    async def quick() -> str:
        return "ok"

    async with Dispatcher([quick]) as dispatcher:
        clone = dispatcher.replies.clone()
        assert isinstance(clone, ReplyStream)
        record = dispatcher.submit("q", "quick", {})
        await anyio.wait_all_tasks_blocked()
        dispatcher.cancel(["q"])
        with pytest.raises(anyio.WouldBlock):
            clone.receive_nowait()
        dispatcher.submit("r", "quick", {})
        assert await clone.receive() == Reply("r", "quick", {"result": "ok"})
        clone.close()
    assert record.state is CallState.CANCELLED


async def test_reused_id_after_the_first_call_ended_starts_a_new_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @tool
    async def echo(word: str) -> str:
        return word

    async with Dispatcher([echo]) as dispatcher:
        first = dispatcher.submit("same", "echo", {"word": "one"})
        await dispatcher.replies.receive()
        second = dispatcher.submit("same", "echo", {"word": "two"})
        assert (await dispatcher.replies.receive()).response == {"result": "two"}
    assert second is not first
    assert dispatcher.calls["same"] is second
    assert first.state is second.state is CallState.ANSWERED
    assert "reused" in caplog.text
