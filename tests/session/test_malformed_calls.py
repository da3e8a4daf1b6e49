"""A malformed toolCall is surfaced and answered, never dropped silently."""

from __future__ import annotations

import anyio
import pytest
from rawserver import Peer, hold, raw_server

import agentkit
from agentkit import events

pytestmark = pytest.mark.anyio


@agentkit.tool
def ping(host: str = "localhost") -> str:
    """Ping a host."""
    return f"pong from {host}"


async def test_malformed_call_is_answered_with_an_error_and_the_good_one_runs() -> None:
    answers: list[dict[str, object]] = []

    async def handler(peer: Peer) -> None:
        await peer.setup()
        await peer.send(
            {
                "toolCall": {
                    "functionCalls": [
                        {"id": "a", "name": "ping", "args": "oops"},
                        {"id": "b", "name": "ping", "args": {"host": "x"}},
                    ]
                }
            }
        )
        for _ in range(2):
            body = await peer.recv_kind("toolResponse")
            answers.extend(body["functionResponses"])
        await peer.send({"serverContent": {"turnComplete": True}})
        await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, tools=[ping]) as session,
    ):
        with anyio.fail_after(10):
            turn = await session.receive_turn()
        pending = session.pending_ids
    by_id = {a["id"]: a["response"] for a in answers}
    assert by_id["b"] == {"result": "pong from x"}
    error = by_id["a"]["error"]  # type: ignore[index]
    assert error.startswith("malformed function call: args")
    unknown = [e for e in turn.events if isinstance(e, events.Unknown)]
    assert [u.kind for u in unknown] == ["malformed"]
    assert unknown[0].data["frame"]["toolCall"]["functionCalls"][0]["args"] == "oops"
    assert [c.id for c in turn.tool_calls] == ["b"]
    assert pending == []


async def test_malformed_call_without_auto_dispatch_is_answered_too() -> None:
    async def handler(peer: Peer) -> None:
        await peer.setup()
        await peer.send({"toolCall": {"functionCalls": [{"id": "a", "name": "ping", "args": 7}]}})
        body = await peer.recv_kind("toolResponse")
        assert body["functionResponses"][0]["id"] == "a"
        await peer.send({"serverContent": {"turnComplete": True}})
        await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, auto_dispatch=False) as session,
    ):
        with anyio.fail_after(10):
            turn = await session.receive_turn()
    kinds = [type(e).__name__ for e in turn.events]
    assert kinds == ["SetupComplete", "Unknown", "ToolResponse", "TurnComplete"]
