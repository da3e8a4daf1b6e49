"""Automatic dispatch: every toolCall runs at once, cancellations cancel exactly those ids."""

from __future__ import annotations

import anyio
import pytest
from rawserver import Peer, frames_of, hold, raw_server

import agentkit
from agentkit import Behavior, events
from agentkit.errors import LocalProtocolError
from agentkit.protocol import FunctionResponse, ToolResponse, encode

pytestmark = pytest.mark.anyio


def tool_call(*calls: tuple[str, str, dict[str, object]]) -> dict[str, object]:
    return {"toolCall": {"functionCalls": [{"id": i, "name": n, "args": a} for i, n, a in calls]}}


async def test_calls_run_concurrently_and_are_answered() -> None:
    b_started = anyio.Event()

    @agentkit.tool
    async def slow(room: str) -> dict[str, str]:
        """Waits for fast to start: deadlocks unless both run at once."""
        await b_started.wait()
        return {"room": room}

    @agentkit.tool
    async def fast() -> str:
        """Runs beside slow."""
        b_started.set()
        return "done"

    async def handler(peer: Peer) -> None:
        setup = await peer.setup()
        names = [d["name"] for d in setup["tools"][0]["functionDeclarations"]]
        assert names == ["slow", "fast"]
        await peer.send(
            tool_call(("c1", "slow", {"room_name": "x", "room": "kitchen"}), ("c2", "fast", {}))
        )
        await peer.recv_kind("toolResponse")
        await peer.recv_kind("toolResponse")
        await peer.send({"serverContent": {"turnComplete": True}})
        await hold(peer)

    async with raw_server(handler) as srv:
        async with agentkit.connect("m", base_url=srv.base_url, tools=[slow, fast]) as session:
            turn = await session.receive_turn()
            calls = dict(session.calls)
        responses = [
            r for m in frames_of(srv.peers[0], "toolResponse") for r in m["functionResponses"]
        ]
    assert [c.id for c in turn.tool_calls] == ["c1", "c2"]
    by_id = {r["id"]: r for r in responses}
    assert by_id["c2"] == {"id": "c2", "name": "fast", "response": {"result": "done"}}
    assert by_id["c1"]["name"] == "slow"
    assert "error" in by_id["c1"]["response"]  # room_name is not a parameter: a clean error
    answered = [e for e in turn.events if isinstance(e, events.ToolResponse)]
    assert {e.id for e in answered} == {"c1", "c2"}
    assert all(e.message is not None and e.message.tool_call is not None for e in answered)
    assert {k: str(v.state) for k, v in calls.items()} == {"c1": "error", "c2": "answered"}


async def test_cancellation_cancels_exactly_those_ids_and_nothing_is_answered() -> None:
    started: dict[str, anyio.Event] = {"a": anyio.Event(), "b": anyio.Event(), "c": anyio.Event()}
    cancelled: list[str] = []
    release = anyio.Event()

    @agentkit.tool(behavior=Behavior.NON_BLOCKING)
    async def wait(key: str, ctx: agentkit.ToolContext) -> str:
        """Wait until released."""
        started[key].set()
        try:
            await release.wait()
        except anyio.get_cancelled_exc_class():
            cancelled.append(ctx.id)
            raise
        return key

    async def handler(peer: Peer) -> None:
        await peer.setup()
        await peer.send(
            tool_call(
                ("a", "wait", {"key": "a"}),
                ("b", "wait", {"key": "b"}),
                ("c", "wait", {"key": "c"}),
            )
        )
        await peer.recv_kind("clientContent")  # the test's signal that all three started
        await peer.send({"toolCallCancellation": {"ids": ["a", "c"]}})
        await peer.recv_kind("clientContent")  # cancellation seen; now b may finish
        await peer.recv_kind("toolResponse")
        await peer.send({"serverContent": {"turnComplete": True}})
        await hold(peer)

    async with raw_server(handler) as srv:
        async with agentkit.connect("m", base_url=srv.base_url, tools=[wait]) as session:
            for event in started.values():
                await event.wait()
            await session.send_text("all started")
            async for event in session:
                if isinstance(event, events.ToolCallCancellation):
                    assert event.ids == ("a", "c")
                    break
            release.set()
            await session.send_text("go on")
            await session.receive_turn()
            states = {k: str(v.state) for k, v in session.calls.items()}
        responses = [
            r for m in frames_of(srv.peers[0], "toolResponse") for r in m["functionResponses"]
        ]
    assert sorted(cancelled) == ["a", "c"]
    assert [r["id"] for r in responses] == ["b"]
    assert states == {"a": "cancelled", "b": "answered", "c": "cancelled"}


async def test_manual_tool_responses() -> None:
    async def handler(peer: Peer) -> None:
        await peer.setup()
        await peer.send(tool_call(("x", "lights", {})))
        body = await peer.recv_kind("toolResponse")
        assert body == {
            "functionResponses": [
                {
                    "id": "x",
                    "name": "lights",
                    "response": {"ok": True},
                    "willContinue": False,
                    "scheduling": "SILENT",
                }
            ]
        }
        await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, auto_dispatch=False) as session,
    ):
        async for event in session:
            if isinstance(event, events.ToolCall):
                break
        assert session.pending_ids == ["x"]
        with pytest.raises(LocalProtocolError, match="no such pending call"):
            await session.send_tool_response({"id": "nope", "name": "lights", "response": {}})
        await session.send_tool_response(
            [
                {
                    "id": "x",
                    "name": "lights",
                    "response": {"ok": True},
                    "will_continue": False,
                    "scheduling": "SILENT",
                }
            ]
        )
        assert session.pending_ids == []
        assert len(session.calls) == 0
        event = await session.__anext__()
        assert isinstance(event, events.ToolResponse)
        assert event.id == "x"
        assert event.scheduling == "SILENT"


@pytest.mark.parametrize(
    "answer",
    [
        {"id": "x", "name": "lights", "response": {"ok": True, "level": 2.5}},  # the plain one
        [{"id": "x", "name": "lights", "response": {"ok": True, "level": 2.5}}],
        {"id": "x", "name": "lights", "response": {"ok": True, "level": 2.5}, "scheduling": None},
    ],
)
async def test_a_plain_manual_answer_goes_out_as_the_model_path_writes_it(answer: object) -> None:
    frames: list[str | bytes] = []
    got = anyio.Event()

    async def handler(peer: Peer) -> None:
        await peer.setup()
        await peer.send(tool_call(("x", "lights", {})))
        frames.append(await peer.ws.recv())  # the raw text, byte for byte
        got.set()
        await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, auto_dispatch=False) as session,
    ):
        async for event in session:
            if isinstance(event, events.ToolCall):
                break
        with pytest.raises(LocalProtocolError, match="no such pending call"):
            await session.send_tool_response({"id": "no", "name": "lights", "response": {}})
        await session.send_tool_response(answer)  # type: ignore[arg-type]
        event = await session.__anext__()
        assert isinstance(event, events.ToolResponse)
        assert (event.id, event.name, event.response) == ("x", "lights", {"ok": True, "level": 2.5})
        assert session.pending_ids == []
        with anyio.fail_after(5):
            await got.wait()
    expected = {"id": "x", "name": "lights", "response": {"ok": True, "level": 2.5}}
    assert frames == [encode(ToolResponse(function_responses=[FunctionResponse(**expected)]))]


async def test_the_tool_call_event_comes_before_every_answer_eager_or_not() -> None:
    @agentkit.tool
    async def level(room: str) -> dict[str, int]:
        """No await: answered on the reader's own task (Dispatcher.submit_eager)."""
        return {room: 3}

    @agentkit.tool
    async def dim(room: str) -> str:
        """Awaits: answered from its own task."""
        await anyio.sleep(0.01)
        return f"{room} dimmed"

    async def handler(peer: Peer) -> None:
        await peer.setup()
        await peer.send(
            tool_call(("c1", "dim", {"room": "hall"}), ("c2", "level", {"room": "den"}))
        )
        await peer.recv_kind("toolResponse")
        await peer.recv_kind("toolResponse")
        await peer.send({"serverContent": {"turnComplete": True}})
        await hold(peer)

    async with raw_server(handler) as srv:
        async with agentkit.connect("m", base_url=srv.base_url, tools=[dim, level]) as session:
            turn = await session.receive_turn()
        responses = [
            r for m in frames_of(srv.peers[0], "toolResponse") for r in m["functionResponses"]
        ]
    kinds = [
        (type(e).__name__, getattr(e, "id", None))
        for e in turn.events
        if isinstance(e, events.ToolCall | events.ToolResponse)
    ]
    # The eager answer goes out first, but never before its ToolCall event.
    assert kinds == [("ToolCall", None), ("ToolResponse", "c2"), ("ToolResponse", "c1")]
    assert [r["id"] for r in responses] == ["c2", "c1"]
    assert responses[0]["response"] == {"den": 3}
    assert responses[1]["response"] == {"result": "hall dimmed"}


async def test_the_ledger_keeps_the_newest_ended_calls() -> None:
    @agentkit.tool
    async def level(room: str) -> int:
        """The light level of a room."""
        return len(room)

    async def handler(peer: Peer) -> None:
        await peer.setup()
        for n in range(5):
            await peer.send(tool_call((f"c{n}", "level", {"room": "den"})))
            await peer.recv_kind("toolResponse")
        await peer.send({"serverContent": {"turnComplete": True}})
        await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, tools=[level], ledger_size=2) as session,
    ):
        await session.receive_turn()
        assert list(session.calls) == ["c3", "c4"]
