"""direct_replies: a ready consumer gets each reply from the call's own task.

The guarantees of the stream hold: a reply counts as sent when taken, a call cancelled
before that sends nothing, every call ends in one terminal state, and replies already
waiting in the stream come out first.
"""

from __future__ import annotations

import anyio
import pytest
from dispatch_helpers import nothing_waiting

from agentkit.dispatch import CallState, Dispatcher, Reply
from agentkit.tools import tool

pytestmark = pytest.mark.anyio


@tool
async def echo(n: int) -> dict[str, int]:
    """Echo n."""
    return {"n": n}


async def test_the_sink_gets_each_reply_already_answered() -> None:
    got: list[tuple[Reply, CallState, int]] = []
    async with Dispatcher([echo]) as dispatcher:

        async def sink(reply: Reply) -> None:
            record = dispatcher.calls[reply.id]
            got.append((reply, record.state, record.replies))

        with dispatcher.direct_replies(sink):
            for n in range(5):
                dispatcher.submit(f"c{n}", "echo", {"n": n})
            await dispatcher.wait_idle()
        assert nothing_waiting(dispatcher)
    # (in any order: trio starts tasks in random order)
    assert sorted((r.id, r.response["n"]) for r, _, _ in got) == [(f"c{n}", n) for n in range(5)]
    assert all(state is CallState.ANSWERED and replies == 1 for _, state, replies in got)


async def test_a_call_cancelled_before_its_reply_sends_nothing() -> None:
    release = anyio.Event()
    sent: list[str] = []

    @tool
    async def slow() -> str:
        """Wait."""
        await release.wait()
        return "late"

    async def sink(reply: Reply) -> None:
        sent.append(reply.id)

    async with Dispatcher([slow]) as dispatcher:
        with dispatcher.direct_replies(sink):
            dispatcher.submit("a", "slow", {})
            dispatcher.submit("b", "slow", {})
            await anyio.wait_all_tasks_blocked()
            release.set()
            assert dispatcher.cancel(["a"]) == ["a"]  # before a's task runs again
            await dispatcher.wait_idle()
            dispatcher.submit("c", "slow", {})
            assert dispatcher.cancel(["c"]) == ["c"]  # before its task even started
            await dispatcher.wait_idle()
    assert sent == ["b"]
    assert dispatcher.calls["a"].state is CallState.CANCELLED
    assert dispatcher.calls["c"].state is CallState.CANCELLED
    assert dispatcher.calls["a"].replies == dispatcher.calls["c"].replies == 0


async def test_waiting_replies_come_out_of_the_stream_first_then_direct() -> None:
    sent: list[str] = []

    async def sink(reply: Reply) -> None:
        sent.append(reply.id)

    async with Dispatcher([echo]) as dispatcher:
        dispatcher.submit("early", "echo", {"n": 1})
        await anyio.wait_all_tasks_blocked()  # parked in the stream: nobody took it
        with dispatcher.direct_replies(sink):
            dispatcher.submit("queued", "echo", {"n": 2})
            await anyio.wait_all_tasks_blocked()
            assert sent == []  # queued behind the waiting one, to keep the order
            assert [(await dispatcher.replies.receive()).id for _ in range(2)] == [
                "early",
                "queued",
            ]
            dispatcher.submit("later", "echo", {"n": 3})
            await dispatcher.wait_idle()
        with dispatcher.direct_replies(sink):
            second = dispatcher.direct_replies(sink)
            with pytest.raises(RuntimeError, match="already"):
                second.__enter__()
    assert sent == ["later"]
    assert {r.state for r in dispatcher.calls.values()} == {CallState.ANSWERED}
