"""The ledger: running calls always, and the newest ``ledger_size`` ended ones."""

from __future__ import annotations

import anyio
import pytest

from agentkit.dispatch import CallState, Dispatcher, Reply
from agentkit.tools import tool

pytestmark = pytest.mark.anyio


@tool
async def echo(n: int) -> dict[str, int]:
    """Echo n."""
    return {"n": n}


async def _answer_all(dispatcher: Dispatcher, ids: list[str]) -> None:
    """One after the other, so they end in this order (trio starts tasks in any order)."""
    for id_ in ids:
        dispatcher.submit(id_, "echo", {"n": 1})
        await dispatcher.replies.receive()
        await dispatcher.wait_idle()


async def test_only_the_newest_ended_calls_are_kept() -> None:
    async with Dispatcher([echo], ledger_size=3) as dispatcher:
        await _answer_all(dispatcher, [f"c{n}" for n in range(10)])
        assert list(dispatcher.calls) == ["c7", "c8", "c9"]
        assert all(r.state is CallState.ANSWERED for r in dispatcher.calls.values())
        stats = dispatcher.statistics()
        assert stats.answered == 10  # the counts still count every call
        # A call too old to remember is unknown: cancelling it does nothing.
        assert dispatcher.cancel(["c0"]) == []


async def test_running_calls_are_never_forgotten() -> None:
    gate = anyio.Event()

    @tool
    async def hold() -> str:
        """Wait for the gate."""
        await gate.wait()
        return "held"

    async with Dispatcher([hold, echo], ledger_size=1) as dispatcher:
        dispatcher.submit("long", "hold", {})
        for id_ in ("a", "b", "c"):
            dispatcher.submit(id_, "echo", {"n": 1})
        for _ in range(3):
            await dispatcher.replies.receive()
        # (which of a, b, c ended last depends on the backend's scheduling order)
        assert len(dispatcher.calls) == 2
        assert "long" in dispatcher.calls
        assert dispatcher.calls["long"].state is CallState.RUNNING
        gate.set()
        reply = await dispatcher.replies.receive()
        assert reply.id == "long"
        await dispatcher.wait_idle()
        assert list(dispatcher.calls) == ["long"]


async def test_a_reused_id_keeps_its_new_record() -> None:
    async with Dispatcher([echo], ledger_size=2) as dispatcher:
        await _answer_all(dispatcher, ["x", "y"])
        first = dispatcher.calls["x"]
        await _answer_all(dispatcher, ["x"])  # the model reused the id
        assert dispatcher.calls["x"] is not first
        await _answer_all(dispatcher, ["z"])  # forgets the oldest ended record: y
        assert list(dispatcher.calls) == ["x", "z"]


async def test_none_keeps_every_call() -> None:
    async with Dispatcher([echo], ledger_size=None) as dispatcher:
        await _answer_all(dispatcher, [f"c{n}" for n in range(1500)])
        assert len(dispatcher.calls) == 1500


async def test_the_default_keeps_a_thousand() -> None:
    async with Dispatcher([echo]) as dispatcher:
        await _answer_all(dispatcher, [f"c{n}" for n in range(1001)])
        assert len(dispatcher.calls) == 1000
        assert "c0" not in dispatcher.calls


def test_a_negative_ledger_size_is_refused() -> None:
    with pytest.raises(ValueError, match="ledger_size"):
        Dispatcher([echo], ledger_size=-1)


async def test_a_call_the_caller_answers_itself_ends_as_an_error() -> None:
    gate = anyio.Event()
    got: list[Reply] = []

    @tool
    async def hold() -> str:
        """Wait for the gate."""
        await gate.wait()
        return "held"

    async with Dispatcher([hold]) as dispatcher:
        dispatcher.submit("h", "hold", {})
        await anyio.wait_all_tasks_blocked()
        assert dispatcher.cancel(["h"], reason="resumed", answer="gone: ask again") == ["h"]
        gate.set()
        await dispatcher.wait_idle()
        with anyio.move_on_after(0.05):
            got.append(await dispatcher.replies.receive())
    record = dispatcher.calls["h"]
    assert got == []  # the dispatcher sends nothing: the caller answers it
    assert record.state is CallState.ERROR
    assert record.error == "gone: ask again"
    assert record.response == {"error": "gone: ask again"}
    assert record.cancel_reason == "resumed"
    stats = dispatcher.statistics()
    assert (stats.errors, stats.cancelled, stats.running) == (1, 0, 0)
