"""A server that ends every resumed connection at once must not cause a reconnect storm."""

from __future__ import annotations

import anyio
import pytest
from rawserver import Peer, hold, raw_server

import agentkit
from agentkit import events
from agentkit.errors import ResumptionFailed

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("how", ["goAway", "drop"])
async def test_connections_ending_right_after_setup_back_off_then_give_up(how: str) -> None:
    async def handler(peer: Peer) -> None:
        await peer.setup(handle="h1")
        if how == "goAway":
            await peer.send({"goAway": {"timeLeft": "10s"}})
            await hold(peer)
        else:
            peer.drop()

    async with raw_server(handler) as srv:
        with pytest.raises(ResumptionFailed, match="3 connection"):  # noqa: PT012
            async with agentkit.connect(
                "m", base_url=srv.base_url, reconnect_attempts=3, reconnect_backoff=(0.01, 0.02)
            ) as session:
                with anyio.fail_after(10):
                    async for _ in session:
                        pass
        # The first connection and two resumes end at once: the third failure gives up.
        assert len(srv.peers) == 3


async def test_a_connection_with_model_output_resets_the_count() -> None:
    async def handler(peer: Peer) -> None:
        await peer.setup(handle=f"h{peer.index}")
        if peer.index < 4:
            await peer.send({"serverContent": {"modelTurn": {"parts": [{"text": "."}]}}})
            await peer.send({"serverContent": {"turnComplete": True}})
            peer.drop()
        else:
            await peer.send({"serverContent": {"turnComplete": True}})
            await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect(
            "m", base_url=srv.base_url, reconnect_attempts=2, reconnect_backoff=(0.01, 0.02)
        ) as session,
    ):
        reconnects = 0
        with anyio.fail_after(10):
            async for event in session:
                if isinstance(event, events.Reconnected):
                    reconnects += 1
                    if reconnects == 4:
                        break
    assert reconnects == 4
