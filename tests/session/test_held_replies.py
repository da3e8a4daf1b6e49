"""A reply held across a reconnect goes out once, and the ledger says what went out."""

from __future__ import annotations

import anyio
import pytest
from rawserver import Peer, frames_of, hold, raw_server
from session_helpers import FAST, update

import agentkit
from agentkit import events

pytestmark = pytest.mark.anyio


async def test_reply_finished_while_disconnected_is_sent_once_on_the_new_connection() -> None:
    release, returned = anyio.Event(), anyio.Event()

    @agentkit.tool
    async def thermostat(celsius: int) -> dict[str, int]:
        """Set the heating."""
        await release.wait()
        returned.set()
        return {"set": celsius}

    async def handler(peer: Peer) -> None:
        if peer.index == 0:
            await peer.setup(handle="h1")
            call = {"id": "fc-1", "name": "thermostat", "args": {"celsius": 21}}
            await peer.send({"toolCall": {"functionCalls": [call]}})
            await peer.send(update("h2"))  # the handle covers fc-1: it survives the resume
            peer.drop()
        else:
            setup = (await peer.recv())["setup"]
            assert setup["sessionResumption"] == {"handle": "h2"}
            # The tool finishes while the client has no open connection: its reply waits.
            release.set()
            await returned.wait()
            await anyio.wait_all_tasks_blocked()
            await peer.send({"setupComplete": {}})
            await peer.recv_kind("toolResponse")
            await peer.send({"serverContent": {"turnComplete": True}})
            await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, tools=[thermostat], **FAST) as session,
    ):
        seen: list[events.Event] = []
        with anyio.fail_after(10):
            async for event in session:
                seen.append(event)
                if isinstance(event, events.TurnComplete):
                    break
        record = session.calls["fc-1"]
        stats = session._dispatcher.statistics()
    sent = [
        r for p in srv.peers for f in frames_of(p, "toolResponse") for r in f["functionResponses"]
    ]
    assert sent == [{"id": "fc-1", "name": "thermostat", "response": {"set": 21}}]
    assert frames_of(srv.peers[0], "toolResponse") == []
    assert (str(record.state), record.replies) == ("answered", 1)
    assert (stats.answered, stats.errors, stats.cancelled) == (1, 0, 0)
    assert [type(e).__name__ for e in seen].count("ToolResponse") == 1


async def test_call_cancelled_by_a_resume_is_answered_once_and_counted_once() -> None:
    release = anyio.Event()

    @agentkit.tool
    async def unlock() -> str:
        """Unlock the door."""
        await release.wait()
        return "unlocked"

    async def handler(peer: Peer) -> None:
        if peer.index == 0:
            await peer.setup(handle="h1")
            await peer.send({"toolCall": {"functionCalls": [{"id": "fc-2", "name": "unlock"}]}})
            await peer.recv_kind("clientContent")
            peer.drop()
        else:
            await peer.setup()
            release.set()  # too late: the resume cancelled the call
            await peer.recv_kind("toolResponse")
            await peer.send({"serverContent": {"turnComplete": True}})
            await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, tools=[unlock], **FAST) as session,
    ):
        with anyio.fail_after(10):
            async for event in session:
                if isinstance(event, events.ToolCall):
                    await session.send_text("go")
                if isinstance(event, events.TurnComplete):
                    break
            await anyio.wait_all_tasks_blocked()
        record = session.calls["fc-2"]
        stats = session._dispatcher.statistics()
    sent = [
        r for p in srv.peers for f in frames_of(p, "toolResponse") for r in f["functionResponses"]
    ]
    assert [r["id"] for r in sent] == ["fc-2"]
    assert "error" in sent[0]["response"]
    assert (str(record.state), record.replies) == ("error", 1)
    assert (stats.answered, stats.errors, stats.cancelled, stats.running) == (0, 1, 0, 0)
