"""Frames leave in the order they are sent, without a lock.

The session numbers each client message (resumption replays by that number) and writes it
with no suspension in between; that keeps the wire order equal to the numbering only
because ``Connection.send`` writes before it first suspends. These tests pin that.
"""

from __future__ import annotations

import anyio
import pytest
from rawserver import Peer, frames_of, hold, raw_server

import agentkit
from agentkit import events
from agentkit._transport import open_connection

pytestmark = pytest.mark.anyio


async def test_connection_send_writes_before_it_first_suspends() -> None:
    got: list[str] = []
    done = anyio.Event()

    async def handler(peer: Peer) -> None:
        for _ in range(3):
            got.append((await peer.recv())["n"])
        done.set()
        await hold(peer)

    async with raw_server(handler) as srv:
        conn = await open_connection(srv.base_url, headers={})
        try:
            for n in ("a", "b", "c"):
                coro = conn.send(f'{{"n": "{n}"}}')
                # Run it by hand: it must finish in one step (the write happened, drain did
                # not wait), or the lock-free ordering the session relies on is gone.
                with pytest.raises(StopIteration):
                    coro.send(None)
            with anyio.fail_after(5):
                await done.wait()
        finally:
            await conn.aclose()
    assert got == ["a", "b", "c"]


async def test_concurrent_senders_and_tool_replies_all_arrive_in_send_order() -> None:
    @agentkit.tool
    async def echo(n: int) -> dict[str, int]:
        """Echo n."""
        return {"n": n}

    total = 40

    async def handler(peer: Peer) -> None:
        await peer.setup()
        await peer.send(
            {
                "toolCall": {
                    "functionCalls": [
                        {"id": f"c{n}", "name": "echo", "args": {"n": n}} for n in range(total)
                    ]
                }
            }
        )
        while (
            len(frames_of(peer, "toolResponse")) < total
            or len(frames_of(peer, "realtimeInput")) < 2 * total
        ):
            await peer.recv()
        await peer.send({"serverContent": {"turnComplete": True}})
        await hold(peer)

    async def talk(session: agentkit.LiveSession, who: int) -> None:
        for n in range(total):
            await session.send_realtime_text(f"{who}:{n}")

    async with raw_server(handler) as srv:
        async with agentkit.connect("m", base_url=srv.base_url, tools=[echo]) as session:
            async with anyio.create_task_group() as tg:
                tg.start_soon(talk, session, 0)
                tg.start_soon(talk, session, 1)
            turn = await session.receive_turn()
            sent = session.statistics()["sent"]
        peer = srv.peers[0]
    assert turn.complete
    texts = [m["text"] for m in frames_of(peer, "realtimeInput")]
    for who in (0, 1):  # each sender's frames arrive in the order it sent them
        assert [t for t in texts if t.startswith(f"{who}:")] == [f"{who}:{n}" for n in range(total)]
    replies = [r["id"] for m in frames_of(peer, "toolResponse") for r in m["functionResponses"]]
    assert sorted(replies) == sorted(f"c{n}" for n in range(total))
    assert len(replies) == len(set(replies))  # each answered exactly once
    assert sent == len(peer.received) - 1  # every numbered message reached the wire (not setup)
    states = {str(r.state) for r in session.calls.values()}
    assert states == {"answered"}
    answered = [e for e in turn.events if isinstance(e, events.ToolResponse)]
    assert len(answered) == total
