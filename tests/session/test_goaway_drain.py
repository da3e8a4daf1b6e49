"""After a goAway the old connection keeps serving the turn in progress, then resumes."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from rawserver import Peer, hold, raw_server
from session_helpers import FAST

import agentkit
from agentkit import events

pytestmark = pytest.mark.anyio


def text(t: str) -> dict[str, Any]:
    return {"serverContent": {"modelTurn": {"parts": [{"text": t}]}}}


async def test_goaway_mid_turn_keeps_the_rest_of_the_turn() -> None:
    async def handler(peer: Peer) -> None:
        if peer.index == 0:
            await peer.setup(handle="h1")
            await peer.recv_kind("clientContent")
            await peer.send(text("Hel"))
            await peer.send({"goAway": {"timeLeft": "30s"}})
            await peer.send(text("lo"))
            await peer.send({"serverContent": {"turnComplete": True}})
            await hold(peer)  # the client leaves once the turn is complete
        else:
            setup = await peer.setup()
            assert setup["sessionResumption"] == {"handle": "h1"}
            await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, **FAST) as session,
    ):
        await session.send_text("hi")
        with anyio.fail_after(10):
            turn = await session.receive_turn()
            after = await session.__anext__()
    assert turn.text == "Hello"
    assert turn.complete
    assert [type(e) for e in turn.events] == [
        events.SetupComplete,
        events.SessionResumptionUpdate,
        events.Text,
        events.GoAway,
        events.Text,
        events.TurnComplete,
    ]
    assert isinstance(after, events.Reconnected)
    assert after.reason == "goAway"


async def test_goaway_waits_for_a_blocking_reply_and_sends_it_on_the_old_connection() -> None:
    release = anyio.Event()

    @agentkit.tool
    async def thermostat(celsius: int) -> dict[str, int]:
        """Set the heating."""
        await release.wait()
        return {"set": celsius}

    async def handler(peer: Peer) -> None:
        if peer.index == 0:
            await peer.setup(handle="h1")
            call = {"id": "fc-1", "name": "thermostat", "args": {"celsius": 21}}
            await peer.send({"toolCall": {"functionCalls": [call]}})
            await peer.send({"goAway": {"timeLeft": "30s"}})
            body = await peer.recv_kind("toolResponse")
            assert body["functionResponses"][0]["id"] == "fc-1"
            await peer.send(update_h2)
            await peer.send(text("Set."))
            await peer.send({"serverContent": {"turnComplete": True}})
            await hold(peer)
        else:
            setup = await peer.setup()
            assert setup["sessionResumption"] == {"handle": "h2"}
            await hold(peer)

    update_h2 = {"sessionResumptionUpdate": {"newHandle": "h2", "resumable": True}}
    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, tools=[thermostat], **FAST) as session,
    ):
        seen: list[events.Event] = []
        with anyio.fail_after(10):
            async for event in session:
                seen.append(event)
                if isinstance(event, events.GoAway):
                    release.set()
                if isinstance(event, events.Reconnected):
                    break
        state = str(session.calls["fc-1"].state)
    kinds = [type(e).__name__ for e in seen]
    assert kinds == [
        "SetupComplete",
        "SessionResumptionUpdate",
        "ToolCall",
        "GoAway",
        "ToolResponse",
        "SessionResumptionUpdate",
        "Text",
        "TurnComplete",
        "Reconnected",
    ]
    assert state == "answered"
    assert seen[-1].cancelled == ()  # type: ignore[attr-defined]


async def test_goaway_leaves_before_time_left_runs_out() -> None:
    async def handler(peer: Peer) -> None:
        if peer.index == 0:
            await peer.setup(handle="h1")
            await peer.send(text("an endless turn..."))
            await peer.send({"goAway": {"timeLeft": "0.6s"}})
            await hold(peer)  # never completes the turn
        else:
            await peer.setup()
            await peer.send(text("resumed"))
            await peer.send({"serverContent": {"turnComplete": True}})
            await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, **FAST) as session,
    ):
        with anyio.fail_after(10):
            turn = await session.receive_turn()
    kinds = [type(e).__name__ for e in turn.events]
    assert kinds == [
        "SetupComplete",
        "SessionResumptionUpdate",
        "Text",
        "GoAway",
        "Reconnected",
        "Text",
        "TurnComplete",
    ]
    assert turn.text.endswith("resumed")


async def test_goaway_mid_turn_with_the_emulator() -> None:
    from agentkit.emulator import Emulator

    # goAway 0.2 s after setup, while the reply streams in 50 ms chunks.
    async with (
        Emulator(lifetime=1.2, goaway_time_left=1.0, chunk_interval=0.05) as emu,
        agentkit.connect(
            "gemini-2.0-flash-live-001",
            base_url=emu.base_url,
            config={"response_modalities": ["TEXT"]},
            **FAST,
        ) as session,
    ):
        await session.send_text(
            "Please tell me something about the weather in the mountains today and tomorrow"
        )
        with anyio.fail_after(10):
            turn = await session.receive_turn()
            after = [await session.__anext__()]
            while not isinstance(after[-1], events.Reconnected):
                after.append(await session.__anext__())
    kinds = [type(e).__name__ for e in turn.events]
    assert turn.complete
    assert "Text" in kinds[kinds.index("GoAway") :]  # the reply went on after the goAway
    assert turn.text.endswith("canned reply.")
    assert emu.connections[1].resumed


async def test_goaway_before_the_answer_to_a_sent_turn_waits_for_it() -> None:
    async def handler(peer: Peer) -> None:
        if peer.index == 0:
            await peer.setup(handle="h1")
            await peer.recv_kind("clientContent")
            await peer.send({"goAway": {"timeLeft": "30s"}})
            await peer.send(text("Hi!"))
            await peer.send({"serverContent": {"turnComplete": True}})
            await hold(peer)
        else:
            await peer.setup()
            await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, **FAST) as session,
    ):
        await session.send_text("hello")
        with anyio.fail_after(10):
            turn = await session.receive_turn()
            after = await session.__anext__()
    assert turn.text == "Hi!"
    assert isinstance(after, events.Reconnected)
