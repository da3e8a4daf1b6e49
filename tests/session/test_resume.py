"""Resumption: GoAway mid tool call, dropped sockets, refused resumes, replay.

docs/live-protocol.md §7.4, §7.5, §11.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from rawserver import Peer, frames_of, hold, raw_server
from session_helpers import FAST, until, update

import agentkit
from agentkit import events
from agentkit.errors import ResumptionFailed, ServerError, SessionClosed

pytestmark = pytest.mark.anyio


async def test_goaway_while_a_tool_runs_answers_on_the_new_connection() -> None:
    release = anyio.Event()

    @agentkit.tool
    async def thermostat(celsius: int) -> dict[str, int]:
        """Set the heating (slowly)."""
        await release.wait()
        return {"set": celsius}

    async def handler(peer: Peer) -> None:
        if peer.index == 0:
            await peer.setup(handle="h1")
            await peer.send(
                {
                    "toolCall": {
                        "functionCalls": [
                            {"id": "fc-1", "name": "thermostat", "args": {"celsius": 21}}
                        ]
                    }
                }
            )
            await peer.send(update("h2"))
            # The tool finishes only once resumed: the client waits out timeLeft less
            # its safety margin on this connection, then moves.
            await peer.send({"goAway": {"timeLeft": "0.6s"}})
            await hold(peer)
        else:
            setup = (await peer.recv())["setup"]
            assert setup["sessionResumption"] == {"handle": "h2"}
            await peer.send({"setupComplete": {}})
            release.set()
            body = await peer.recv_kind("toolResponse")
            assert body == {
                "functionResponses": [{"id": "fc-1", "name": "thermostat", "response": {"set": 21}}]
            }
            await peer.send(
                {
                    "serverContent": {
                        "modelTurn": {"parts": [{"text": "It is 21 now."}]},
                        "turnComplete": True,
                    }
                }
            )
            await hold(peer)

    async with raw_server(handler) as srv:
        async with agentkit.connect(
            "m", base_url=srv.base_url, tools=[thermostat], **FAST
        ) as session:
            seen = await until(session, events.TurnComplete)
            state = str(session.calls["fc-1"].state)
            assert session.resumption_handle == "h2"
        assert len(srv.peers) == 2
        assert frames_of(srv.peers[0], "toolResponse") == []
    kinds = [type(e).__name__ for e in seen]
    assert kinds == [
        "SetupComplete",
        "SessionResumptionUpdate",
        "ToolCall",
        "SessionResumptionUpdate",
        "GoAway",
        "Reconnected",
        "ToolResponse",
        "Text",
        "TurnComplete",
    ]
    goaway, reconnected = seen[4], seen[5]
    assert isinstance(goaway, events.GoAway)
    assert goaway.time_left == 0.6
    assert isinstance(reconnected, events.Reconnected)
    assert (reconnected.handle, reconnected.cancelled, reconnected.reason) == ("h2", (), "goAway")
    assert reconnected.message is not None
    assert reconnected.message.setup_complete is not None
    assert state == "answered"


async def test_dropped_socket_resumes_with_the_newest_handle() -> None:
    async def handler(peer: Peer) -> None:
        if peer.index == 0:
            await peer.setup(handle="h1")
            await peer.recv_kind("clientContent")
            peer.drop()
        else:
            setup = await peer.setup()
            assert setup["sessionResumption"] == {"handle": "h1"}
            await peer.send(
                {
                    "serverContent": {
                        "modelTurn": {"parts": [{"text": "back"}]},
                        "turnComplete": True,
                    }
                }
            )
            await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, **FAST) as session,
    ):
        await until(session, events.SessionResumptionUpdate)
        await session.send_text("are you there?")
        seen = await until(session, events.TurnComplete)
    reconnected = next(e for e in seen if isinstance(e, events.Reconnected))
    assert reconnected.reason.startswith("1006")
    assert reconnected.possibly_lost == ("clientContent",)
    assert reconnected.replayed == 0
    assert session.reconnects == 1


async def test_refused_resume_raises_resumption_failed() -> None:
    async def handler(peer: Peer) -> None:
        if peer.index == 0:
            await peer.setup(handle="h1")
            await peer.recv_kind("clientContent")
            peer.drop()
        else:
            await peer.recv()
            await peer.close(1008, "Session handle is invalid.")

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, **FAST) as session,
    ):
        await until(session, events.SessionResumptionUpdate)
        await session.send_text("hi")
        with pytest.raises(ResumptionFailed, match="refused to resume") as info:
            async for _ in session:
                pass
        with pytest.raises(ResumptionFailed):
            await session.send_text("again")
    assert isinstance(info.value.__cause__, SessionClosed)
    assert info.value.__cause__.reason == "Session handle is invalid."


async def test_resume_retries_a_transient_refusal_then_gives_up() -> None:
    async def handler(peer: Peer) -> None:
        if peer.index == 0:
            await peer.setup(handle="h1")
            await peer.recv_kind("clientContent")
            peer.drop()
        elif peer.index == 1:
            await peer.recv()
            await peer.close(1011, "Internal error encountered.")
        elif peer.index == 2:
            await peer.setup(handle="h2")
            await peer.send({"serverContent": {"turnComplete": True}})
            await peer.recv_kind("clientContent")
            peer.drop()
        else:
            await peer.recv()
            await peer.close(1011, "Internal error encountered.")

    async with raw_server(handler) as srv:
        async with agentkit.connect(
            "m", base_url=srv.base_url, reconnect_attempts=2, **FAST
        ) as session:
            await until(session, events.SessionResumptionUpdate)
            await session.send_text("one")
            seen = await until(session, events.TurnComplete)
            assert any(isinstance(e, events.Reconnected) for e in seen)
            await session.send_text("two")
            with pytest.raises(ResumptionFailed, match="could not resume after 2 attempt") as info:
                async for _ in session:
                    pass
        assert len(srv.peers) == 5
    assert isinstance(info.value.__cause__, ServerError)


async def test_calls_issued_after_the_handle_are_cancelled_on_resume() -> None:
    cancelled = anyio.Event()
    started = anyio.Event()

    @agentkit.tool
    async def unlock(ctx: agentkit.ToolContext) -> str:
        """Unlock the door (never finishes here)."""
        started.set()
        try:
            await anyio.sleep_forever()
        finally:
            if ctx.cancelled:
                cancelled.set()
        return "unreachable"

    async def handler(peer: Peer) -> None:
        if peer.index == 0:
            await peer.setup(handle="h1")
            await peer.send(
                {"toolCall": {"functionCalls": [{"id": "fc-9", "name": "unlock", "args": {}}]}}
            )
            await peer.recv_kind("clientContent")
            peer.drop()
        else:
            await peer.setup()
            answers.append(await peer.recv_kind("toolResponse"))
            await peer.send({"serverContent": {"turnComplete": True}})
            await hold(peer)

    answers: list[dict[str, Any]] = []
    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, tools=[unlock], **FAST) as session,
    ):
        await until(session, events.ToolCall)
        await started.wait()
        await session.send_text("ok")
        seen = await until(session, events.TurnComplete)
        await cancelled.wait()
        state = str(session.calls["fc-9"].state)
    # Cancelled (the tool stopped), yet answered with an error: a server that restored a
    # later state than the handle's still waits for fc-9; one that does not ignores it.
    assert [r["id"] for a in answers for r in a["functionResponses"]] == ["fc-9"]
    assert "cancelled" in answers[0]["functionResponses"][0]["response"]["error"]
    reconnected = next(e for e in seen if isinstance(e, events.Reconnected))
    assert reconnected.cancelled == ("fc-9",)
    assert state == "error"


async def test_transparent_resume_replays_unconsumed_messages() -> None:
    async def handler(peer: Peer) -> None:
        if peer.index == 0:
            setup = await peer.setup(handle="h1")
            assert setup["sessionResumption"] == {"transparent": True}
            for _ in range(3):
                await peer.recv_kind("realtimeInput")
            await peer.send(update("h2", lastConsumedClientMessageIndex="1"))
            await peer.close(1011, "Deadline expired before operation could complete.")
        else:
            setup = await peer.setup()
            assert setup["sessionResumption"] == {"handle": "h2", "transparent": True}
            assert await peer.recv() == {"realtimeInput": {"text": "two"}}
            assert await peer.recv() == {"realtimeInput": {"text": "three"}}
            await peer.send({"serverContent": {"turnComplete": True}})
            await hold(peer)

    config = {"session_resumption": {"transparent": True}}
    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, config=config, **FAST) as session,
    ):
        for text in ("one", "two", "three"):
            await session.send_realtime_text(text)
        seen = await until(session, events.TurnComplete)
    reconnected = next(e for e in seen if isinstance(e, events.Reconnected))
    assert (reconnected.handle, reconnected.replayed, reconnected.possibly_lost) == ("h2", 2, ())
    assert reconnected.reason == "1011 Deadline expired before operation could complete."


async def test_without_resumption_a_drop_ends_the_session() -> None:
    async def handler(peer: Peer) -> None:
        setup = await peer.setup()
        assert "sessionResumption" not in setup
        await peer.send({"goAway": {"timeLeft": "1s"}})
        await peer.recv_kind("clientContent")
        await peer.close(1008, "The operation was aborted.")

    async with raw_server(handler) as srv:
        async with agentkit.connect("m", base_url=srv.base_url, resume=False) as session:
            await until(session, events.GoAway)
            await session.send_text("still open after goAway")
            with pytest.raises(SessionClosed, match="aborted"):
                async for _ in session:
                    pass
        assert len(srv.peers) == 1


@pytest.mark.parametrize(("ping_timeout", "survives"), [(None, True), (0.05, False)])
async def test_keepalive_does_not_kill_a_slow_but_healthy_session(
    ping_timeout: float | None, survives: bool
) -> None:
    resume_reading = anyio.Event()

    async def handler(peer: Peer) -> None:
        await peer.setup()
        peer.ws.transport.pause_reading()  # pings pile up unanswered
        await peer.send({"serverContent": {"modelTurn": {"parts": [{"text": "paused"}]}}})
        await resume_reading.wait()
        peer.ws.transport.resume_reading()
        await peer.send(
            {"serverContent": {"modelTurn": {"parts": [{"text": "alive"}]}, "turnComplete": True}}
        )
        await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect(
            "m", base_url=srv.base_url, resume=False, ping_interval=0.02, ping_timeout=ping_timeout
        ) as session,
    ):
        await until(session, events.Text)
        # Letting time pass is the point here: ten ping intervals without a pong.
        await anyio.sleep(0.3)
        resume_reading.set()
        if survives:
            turn = await session.receive_turn()
            assert turn.text == "alive"
        else:
            with pytest.raises(SessionClosed):
                await session.receive_turn()
