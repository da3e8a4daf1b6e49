"""Events nobody reads: the session keeps at most ``max_events`` and drops the oldest.

The reader never waits for the user (tool calls and keepalive must go on), so without a
bound a program that never iterates the session would hold every audio chunk forever.
"""

from __future__ import annotations

import logging

import anyio
import pytest
from rawserver import Peer, hold, raw_server

import agentkit
from agentkit.errors import ConfigError
from agentkit.session._queue import EventQueue

pytestmark = pytest.mark.anyio


def text(n: int) -> dict[str, object]:
    return {"serverContent": {"modelTurn": {"parts": [{"text": f"t{n} "}]}}}


async def test_unread_events_beyond_the_bound_drop_the_oldest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    all_sent = anyio.Event()
    answered: list[str] = []

    @agentkit.tool
    async def ping() -> str:
        """Still answered while nobody reads events."""
        answered.append("ping")
        return "pong"

    async def handler(peer: Peer) -> None:
        await peer.setup()
        for n in range(50):
            await peer.send(text(n))
        await peer.send({"toolCall": {"functionCalls": [{"id": "c1", "name": "ping"}]}})
        await peer.recv_kind("toolResponse")
        await peer.send({"serverContent": {"turnComplete": True}})
        all_sent.set()
        await hold(peer)

    caplog.set_level(logging.WARNING, logger="agentkit.session")
    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, tools=[ping], max_events=5) as session,
    ):
        with anyio.fail_after(10):
            await all_sent.wait()
            await anyio.sleep(0.05)  # the last frame reaches the session
        turn = await session.receive_turn()
    # The tool call went on; the stream kept only the newest five events.
    assert answered == ["ping"]
    kinds = [type(e).__name__ for e in turn.events]
    assert kinds == ["Text", "Text", "ToolCall", "ToolResponse", "TurnComplete"]
    assert turn.text == "t48 t49 "
    warnings = [r for r in caplog.records if "not read" in r.getMessage()]
    assert len(warnings) == 1  # logged once, not per dropped event


async def test_the_queue_counts_what_it_dropped() -> None:
    queue: EventQueue[int] = EventQueue(maxsize=3)
    for n in range(10):
        queue.put(n)
    assert queue.dropped == 7
    assert [queue.get_nowait() for _ in range(3)] == [7, 8, 9]
    assert queue.get_nowait() is None


async def test_no_bound_keeps_everything() -> None:
    queue: EventQueue[int] = EventQueue(maxsize=None)
    for n in range(20_000):
        queue.put(n)
    assert queue.dropped == 0
    assert queue.get_nowait() == 0


@pytest.mark.parametrize("value", [0, -1, 2.5])
async def test_a_bad_bound_is_refused_before_connecting(value: object) -> None:
    with pytest.raises(ConfigError) as info:
        async with agentkit.connect("m", base_url="ws://127.0.0.1:9", max_events=value):  # type: ignore[arg-type]
            pass
    assert info.value.field == "max_events"
