"""agentkit's client against agentkit's emulator (an independent server implementation)."""

from __future__ import annotations

import ssl

import anyio
import pytest

import agentkit
from agentkit import Behavior, events
from agentkit.emulator import (
    Emulator,
    Script,
    call,
    expect_text,
    go_away,
    resumption_update,
    say,
    turn_complete,
    wait_responses,
)

pytestmark = pytest.mark.anyio


@agentkit.tool
def turn_on_the_lights(room: str = "living room") -> dict[str, str]:
    """Turn on the lights in a room."""
    return {"result": f"lights on in the {room}"}


async def test_rule_model_calls_the_tool_and_answers_in_strict_mode() -> None:
    async with (
        Emulator(strict=True, require_key=True) as emu,
        agentkit.connect(
            "gemini-2.0-flash-live-001",
            tools=[turn_on_the_lights],
            config={"response_modalities": ["TEXT"], "system_instruction": "You control lights."},
            base_url=emu.base_url,
            api_key="emulator-key",
        ) as session,
    ):
        await session.send_text("Turn on the lights please")
        turns = [await session.receive_turn()]
        while not turns[-1].text:
            turns.append(await session.receive_turn())
        calls = dict(session.calls)
    assert [c.name for t in turns for c in t.tool_calls] == ["turn_on_the_lights"]
    assert [str(r.state) for r in calls.values()] == ["answered"]
    record = emu.connections[0]
    assert record.credential == "key"
    assert record.tool_responses[0]["response"] == {"result": "lights on in the living room"}
    assert record.script_errors == []


async def test_rich_setup_is_accepted_by_the_strict_emulator() -> None:
    config = {
        "response_modalities": ["AUDIO"],
        "speech_config": {"voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}}},
        "input_audio_transcription": {},
        "output_audio_transcription": {},
        "context_window_compression": {"sliding_window": {}, "trigger_tokens": 25600},
        "realtime_input_config": {
            "automatic_activity_detection": {"disabled": True},
            "activity_handling": "NO_INTERRUPTION",
        },
        "media_resolution": "MEDIA_RESOLUTION_LOW",
        "enable_affective_dialog": True,
        "proactivity": {"proactive_audio": True},
        "tools": [{"google_search": {}}],
    }
    async with (
        Emulator(strict=True) as emu,
        agentkit.connect(
            "gemini-2.5-flash-native-audio-preview-09-2025",
            tools=[turn_on_the_lights],
            config=config,
            base_url=emu.base_url,
            api_version="v1alpha",
        ) as session,
    ):
        await session.activity_start()
        await session.send_audio(b"\x00\x10" * 1600)
        await session.activity_end()
        turn = await session.receive_turn()
    assert turn.complete
    assert emu.connections[0].setup is not None
    assert emu.connections[0].close_code in (None, 1000)


async def test_tls_emulator_with_a_trusted_ca() -> None:
    async with Emulator(tls=True) as emu:
        assert emu.base_url.startswith("wss://")
        context = ssl.create_default_context(cafile=emu.ca_file)
        async with agentkit.connect(
            "gemini-2.0-flash-live-001",
            base_url=emu.base_url,
            ssl=context,
            config={"response_modalities": ["TEXT"]},
        ) as session:
            await session.send_text("What is 2 + 3?")
            turn = await session.receive_turn()
    assert "5" in turn.text


async def test_goaway_while_a_tool_runs_with_the_emulator() -> None:
    release = anyio.Event()

    @agentkit.tool(behavior=Behavior.NON_BLOCKING)
    async def preheat_oven(celsius: int = 180) -> dict[str, int]:
        """Preheat the oven."""
        await release.wait()
        return {"celsius": celsius}

    scripts = [
        Script(
            [
                expect_text(),
                call("preheat_oven", {"celsius": 200}, id="fc-1"),
                resumption_update(),
                go_away(1),
            ]
        ),
        Script([wait_responses(["fc-1"]), say("The oven is hot."), turn_complete()]),
    ]
    async with (
        Emulator(script=scripts) as emu,
        agentkit.connect(
            "gemini-2.0-flash-live-001",
            tools=[preheat_oven],
            base_url=emu.base_url,
            config={"response_modalities": ["TEXT"]},
            reconnect_backoff=(0.01, 0.02),
        ) as session,
    ):
        await session.send_text("Preheat the oven")
        seen: list[events.Event] = []
        async for event in session:
            seen.append(event)
            if isinstance(event, events.Reconnected):
                release.set()
            if isinstance(event, events.TurnComplete):
                break
    kinds = [type(e).__name__ for e in seen]
    assert kinds.index("GoAway") < kinds.index("Reconnected") < kinds.index("ToolResponse")
    assert "The oven is hot." in "".join(e.text for e in seen if isinstance(e, events.Text))
    assert emu.connections[1].resumed
    assert [r["id"] for r in emu.connections[1].tool_responses] == ["fc-1"]
    assert emu.connections[0].tool_responses == []
