"""A BLOCKING tool running across a resume: cancelled, yet answered on the new connection.

The newest resumable handle predates the call (servers send ``resumable: false`` while a
BLOCKING call is pending), so the client cancels the call on resume; a server that restored
a later state still waits for the id, so the call is answered with an error as well.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from session_helpers import FAST

import agentkit
from agentkit import events
from agentkit.emulator import Emulator, Faults

pytestmark = pytest.mark.anyio

ANSWER = (
    "cancelled: the connection was resumed before this call finished; ask again if still needed"
)


def _blocking_tool(started: anyio.Event, cancelled: anyio.Event) -> agentkit.Tool:
    @agentkit.tool
    async def turn_on_the_lights(ctx: agentkit.ToolContext, room: str = "kitchen") -> str:
        """Turn on the lights in a room (this one never finishes by itself)."""
        started.set()
        try:
            await anyio.sleep_forever()
        finally:
            if ctx.cancelled:
                cancelled.set()
        return "unreachable"

    return turn_on_the_lights


async def _run_turn(emu: Emulator, tool: agentkit.Tool, **kw: Any) -> tuple[list[Any], Any]:
    async with agentkit.connect(
        "gemini-2.0-flash-live-001",
        tools=[tool],
        base_url=emu.base_url,
        config={"response_modalities": ["TEXT"]},
        **FAST,
        **kw,
    ) as session:
        await session.send_text("Turn on the lights please")
        seen: list[events.Event] = []
        with anyio.fail_after(20):
            async for event in session:
                seen.append(event)
                if isinstance(event, events.TurnComplete) and any(
                    isinstance(e, events.Reconnected) for e in seen
                ):
                    break
        return seen, dict(session.calls)


@pytest.mark.parametrize(
    "emulator",
    [
        pytest.param({"lifetime": 1.5, "goaway_time_left": 1.0}, id="goaway"),
        pytest.param({"faults": [Faults(drop_after_seconds=0.5), None]}, id="drop"),
    ],
)
async def test_blocking_call_across_a_resume_is_cancelled_and_answered(
    emulator: dict[str, Any],
) -> None:
    started, cancelled = anyio.Event(), anyio.Event()
    tool = _blocking_tool(started, cancelled)
    async with Emulator(**emulator) as emu:
        seen, calls = await _run_turn(emu, tool)
        assert cancelled.is_set()  # the tool stopped acting
        (record,) = calls.values()
        assert str(record.state) == "error"
        assert record.error == ANSWER
        resumed = [c for c in emu.connections if c.resumed]
        assert resumed
        answered = [r for c in resumed for r in c.tool_responses]
        assert [r["id"] for r in answered] == [record.id]
        assert answered[0]["response"] == {"error": ANSWER}
    kinds = [type(e).__name__ for e in seen]
    assert kinds.index("ToolCall") < kinds.index("Reconnected") < kinds.index("ToolResponse")
    reconnected = next(e for e in seen if isinstance(e, events.Reconnected))
    assert reconnected.cancelled == (record.id,)
    assert kinds[-1] == "TurnComplete"


async def test_manual_dispatch_sees_a_cancellation_for_calls_lost_in_a_resume() -> None:
    async with (
        Emulator(faults=[Faults(drop_after_seconds=0.5), None]) as emu,
        agentkit.connect(
            "gemini-2.0-flash-live-001",
            tools=[_blocking_tool(anyio.Event(), anyio.Event())],
            base_url=emu.base_url,
            config={"response_modalities": ["TEXT"]},
            auto_dispatch=False,
            **FAST,
        ) as session,
    ):
        await session.send_text("Turn on the lights please")
        seen: list[events.Event] = []
        with anyio.fail_after(20):
            async for event in session:
                seen.append(event)
                if isinstance(event, events.TurnComplete) and any(
                    isinstance(e, events.Reconnected) for e in seen
                ):
                    break
    call_ids = [c.id for e in seen if isinstance(e, events.ToolCall) for c in e.calls]
    cancellations = [e for e in seen if isinstance(e, events.ToolCallCancellation)]
    assert [c.ids for c in cancellations] == [tuple(call_ids)]
    assert cancellations[0].message is None
    assert session.pending_ids == []
