"""submit_eager: a tool that cannot suspend is answered before submit_eager returns.

An ``async def`` with no ``await``, ``async with`` or ``async for`` runs to its end on the
caller's task, and its reply reaches the direct_replies sink at once. Every other call (a
tool that awaits, a sync tool, a stream, no sink, a full concurrency limit) is started as
``submit`` starts it, and keeps all of submit's guarantees.
"""

from __future__ import annotations

import contextvars
import functools
from typing import Any

import anyio
import pytest

from agentkit.dispatch import CallState, Dispatcher, Reply
from agentkit.dispatch._eager import SuspendedError, never_suspends, run_to_end
from agentkit.errors import ToolError
from agentkit.tools import Behavior, Toolbox, tool

pytestmark = pytest.mark.anyio

LAST_CALLER: contextvars.ContextVar[str] = contextvars.ContextVar("last_caller", default="none")


@tool
async def echo(n: int) -> dict[str, int]:
    """Echo n."""
    return {"n": n}


@tool
async def echo_later(n: int) -> dict[str, int]:
    """Echo n after a checkpoint."""
    await anyio.lowlevel.checkpoint()
    return {"n": n}


@tool
async def broken(n: int) -> dict[str, int]:
    """Fail."""
    raise ValueError(f"bad n {n}")


@tool
async def refused(n: int) -> dict[str, int]:
    """Refuse with a message for the model."""
    raise ToolError("the garage door is locked")


@tool
async def not_json(n: int) -> Any:
    """Return something with no JSON form."""
    return {"n": object()}


@tool
async def tags(n: int) -> dict[str, str]:
    """Set a context variable."""
    LAST_CALLER.set(f"call {n}")
    return {"caller": LAST_CALLER.get()}


@tool(behavior=Behavior.NON_BLOCKING, scheduling="SILENT")
async def note(text: str) -> str:
    """Note text quietly."""
    return text


class _Sink:
    """A direct_replies sink that records what it got and in which state the call was."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.got: list[tuple[Reply, CallState]] = []

    async def __call__(self, reply: Reply) -> None:
        self.got.append((reply, self.dispatcher.calls[reply.id].state))


async def test_a_call_that_cannot_suspend_is_answered_before_submit_eager_returns() -> None:
    async with Dispatcher([echo]) as dispatcher:
        sink = _Sink(dispatcher)
        with dispatcher.direct_replies(sink):
            record = await dispatcher.submit_eager("c1", "echo", {"n": 7})
            # No loop iteration has passed: the reply is already with the sink.
            assert [(r.id, r.response, s) for r, s in sink.got] == [
                ("c1", {"n": 7}, CallState.ANSWERED)
            ]
            assert record.state is CallState.ANSWERED
            assert record.replies == 1
            assert record.args == {"n": 7}
            assert record.result == {"n": 7}
            assert record.duration is not None
        assert dispatcher.statistics().answered == 1
        assert dispatcher.statistics().running == 0


async def test_a_tool_that_awaits_runs_in_its_own_task() -> None:
    async with Dispatcher([echo_later]) as dispatcher:
        sink = _Sink(dispatcher)
        with dispatcher.direct_replies(sink):
            record = await dispatcher.submit_eager("c1", "echo_later", {"n": 1})
            assert sink.got == []
            assert record.state is CallState.RUNNING
            await dispatcher.wait_idle()
        assert [(r.id, r.response) for r, _ in sink.got] == [("c1", {"n": 1})]


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("broken", {"n": 1}, "ValueError: bad n 1"),
        ("refused", {"n": 1}, "the garage door is locked"),
        ("echo", {"n": "many"}, "n"),
        ("echo", {"n": 1, "m": 2}, "unknown argument"),
        ("not_json", {"n": 1}, "not JSON"),
    ],
)
async def test_errors_of_an_eager_call_are_its_answer(
    name: str, args: dict[str, Any], expected: str
) -> None:
    async with Dispatcher([echo, broken, refused, not_json]) as dispatcher:
        sink = _Sink(dispatcher)
        with dispatcher.direct_replies(sink):
            record = await dispatcher.submit_eager("c1", name, args)
        assert record.state is CallState.ERROR
        [(reply, state)] = sink.got
        assert state is CallState.ERROR
        assert expected in reply.response["error"]
        assert record.error == reply.response["error"]


async def test_non_blocking_eager_replies_keep_their_scheduling() -> None:
    async with Dispatcher([note]) as dispatcher:
        sink = _Sink(dispatcher)
        with dispatcher.direct_replies(sink):
            await dispatcher.submit_eager("c1", "note", {"text": "milk"})
        [(reply, _)] = sink.got
        assert reply.response == {"result": "milk"}
        assert reply.scheduling is not None and reply.scheduling.value == "SILENT"
        assert reply.will_continue is None


async def test_a_context_variable_set_by_an_eager_tool_stays_its_own() -> None:
    async with Dispatcher([tags]) as dispatcher:
        sink = _Sink(dispatcher)
        with dispatcher.direct_replies(sink):
            await dispatcher.submit_eager("c1", "tags", {"n": 1})
        assert sink.got[0][0].response == {"caller": "call 1"}
        assert LAST_CALLER.get() == "none"


async def test_without_a_sink_the_reply_goes_through_the_stream() -> None:
    async with Dispatcher([echo]) as dispatcher:
        record = await dispatcher.submit_eager("c1", "echo", {"n": 2})
        assert record.state is CallState.RUNNING  # not taken yet: not sent yet
        reply = await dispatcher.replies.receive()
        assert (reply.id, reply.response) == ("c1", {"n": 2})
        await dispatcher.wait_idle()
        assert record.state is CallState.ANSWERED


async def test_a_full_concurrency_limit_queues_eager_calls_in_order() -> None:
    gate = anyio.Event()

    @tool
    async def hold() -> str:
        """Hold a slot until the gate opens."""
        await gate.wait()
        return "held"

    async with Dispatcher([hold, echo], max_concurrency=1) as dispatcher:
        sink = _Sink(dispatcher)
        with dispatcher.direct_replies(sink):
            await dispatcher.submit_eager("c0", "hold", {})
            await anyio.wait_all_tasks_blocked()
            record = await dispatcher.submit_eager("c1", "echo", {"n": 1})
            assert record.state is CallState.RUNNING  # waiting for the slot
            assert sink.got == []
            gate.set()
            await dispatcher.wait_idle()
        assert [r.id for r, _ in sink.got] == ["c0", "c1"]


async def test_a_duplicate_id_of_a_running_call_is_not_started_twice() -> None:
    async with Dispatcher([echo_later, echo]) as dispatcher:
        sink = _Sink(dispatcher)
        with dispatcher.direct_replies(sink):
            first = await dispatcher.submit_eager("c1", "echo_later", {"n": 1})
            again = await dispatcher.submit_eager("c1", "echo", {"n": 2})
            assert again is first
            await dispatcher.wait_idle()
        assert [(r.id, r.response) for r, _ in sink.got] == [("c1", {"n": 1})]


async def test_a_cancel_after_an_eager_answer_compensates() -> None:
    undone: list[str] = []

    @tool
    async def switch_on(room: str) -> str:
        """Switch a light on."""
        return f"{room} on"

    @switch_on.on_cancel
    async def switch_off(record: Any) -> None:
        undone.append(record.args["room"])

    async with Dispatcher([switch_on]) as dispatcher:
        sink = _Sink(dispatcher)
        with dispatcher.direct_replies(sink):
            await dispatcher.submit_eager("c1", "switch_on", {"room": "hall"})
        assert dispatcher.cancel(["c1"]) == []  # answered already: it keeps its state
        await dispatcher.wait_idle()
        await anyio.wait_all_tasks_blocked()
    assert dispatcher.calls["c1"].state is CallState.ANSWERED
    assert undone == ["hall"]


# -- the static check -------------------------------------------------------------------


async def _plain(n: int) -> int:
    return n * 2


async def _awaits(n: int) -> int:
    await anyio.lowlevel.checkpoint()
    return n


async def _async_with() -> None:
    async with anyio.Lock():
        pass


async def _async_for(items: Any) -> list[Any]:
    return [item async for item in items]


async def _async_for_loop(items: Any) -> int:
    count = 0
    async for _ in items:
        count += 1
    return count


async def _nested_await_only_inside_a_def() -> int:
    async def inner() -> int:
        await anyio.lowlevel.checkpoint()
        return 1

    return 2  # inner's await is in its own code object: this one cannot suspend


async def _generator() -> Any:
    yield 1


def _sync(n: int) -> int:
    return n


class _Lights(Toolbox):
    @tool
    async def level(self, room: str) -> int:
        """The light level of a room."""
        return len(room)


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (_plain, True),
        (_nested_await_only_inside_a_def, True),
        (_Lights().level.fn, True),
        (_awaits, False),
        (_async_with, False),
        (_async_for, False),
        (_async_for_loop, False),
        (_generator, False),
        (_sync, False),
        (functools.partial(_plain, 1), False),  # not a plain function: fails closed
        (lambda: _plain(1), False),
    ],
)
def test_never_suspends(fn: Any, expected: bool) -> None:
    assert never_suspends(fn) is expected


def test_run_to_end_returns_the_value_and_refuses_a_suspension() -> None:
    assert run_to_end(_plain(21)) == 42

    class Suspends:
        def __await__(self) -> Any:
            yield "suspended"

    async def fooled() -> None:
        await Suspends()

    with pytest.raises(SuspendedError, match="fooled"):
        run_to_end(fooled())
