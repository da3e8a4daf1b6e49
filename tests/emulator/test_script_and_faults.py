"""Scripted conversations and fault injection."""

from __future__ import annotations

import json

import pytest
from google.genai import errors, types
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from agentkit.emulator import (
    Emulator,
    Faults,
    Script,
    call,
    calls,
    close,
    drop,
    expect_text,
    go_away,
    interrupt,
    say,
    wait_responses,
)

from .conftest import genai_client
from .test_protocol import BETA, HOME, TEXT_SETUP, recv, refused, say_text, start, text_of, until

pytestmark = pytest.mark.anyio

LIGHTS = [
    {
        "function_declarations": [
            {
                "name": "turn_on",
                "parameters": {"type": "OBJECT", "properties": {"room": {"type": "STRING"}}},
            }
        ]
    }
]


async def test_scripted_conversation_with_google_sdk() -> None:
    script = Script(
        [
            expect_text("kitchen"),
            call("turn_on", {"room": "kitchen"}, id="call-1"),
            wait_responses(),
            say("The kitchen light is on.", chunks=2),
            go_away(time_left=5),
            close(1000, "bye"),
        ]
    )
    async with Emulator(tls=True, script=script) as emu:
        client = genai_client(emu)
        events = []
        async with client.aio.live.connect(
            model="gemini-2.0-flash-live-001",
            config={"response_modalities": ["TEXT"], "tools": LIGHTS},
        ) as s:
            await s.send_client_content(turns={"parts": [{"text": "Light up the kitchen"}]})
            async for msg in s.receive():
                if msg.tool_call:
                    fc = msg.tool_call.function_calls[0]
                    events.append(("call", fc.id, fc.name, fc.args))
                    await s.send_tool_response(
                        function_responses=[
                            types.FunctionResponse(
                                id=fc.id,
                                name=fc.name,
                                response={"output": "on"},
                                scheduling="WHEN_IDLE",
                            )
                        ]
                    )
                elif msg.text:
                    events.append(("text", msg.text))
            with pytest.raises(errors.APIError) as info:  # noqa: PT012 - the loop raises
                async for msg in s.receive():
                    if msg.go_away:
                        events.append(("go_away", msg.go_away.time_left))
        assert events == [
            ("call", "call-1", "turn_on", {"room": "kitchen"}),
            ("text", "The kitchen light "),
            ("text", "is on."),
            ("go_away", "5s"),
        ]
        assert info.value.code == 1000
        record = emu.connections[0]
        assert record.responses_for("turn_on")[0]["scheduling"] == "WHEN_IDLE"
        assert record.script_errors == []


async def test_script_expectation_failure_is_reported() -> None:
    async with Emulator(script=[expect_text("weather")]) as emu:
        ws = await start(emu)
        await say_text(ws, "something else")
        with pytest.raises(ConnectionClosed) as info:
            await ws.recv()
        assert info.value.rcvd is not None
        assert info.value.rcvd.code == 1011
        assert emu.connections[0].script_errors == [
            "expected text containing 'weather', got 'something else'"
        ]


async def test_script_interrupt_cancels_pending_calls() -> None:
    steps = [
        expect_text(),
        calls(("turn_on", {"room": "a"}), ("turn_on", {"room": "b"})),
        interrupt(),
    ]
    async with Emulator(script=steps) as emu:
        ws = await start(emu)
        await say_text(ws, "go")
        ids = [c["id"] for c in (await recv(ws))["toolCall"]["functionCalls"]]
        assert await recv(ws) == {"serverContent": {"interrupted": True}}
        assert await recv(ws) == {"toolCallCancellation": {"ids": ids}}
        assert "turnComplete" in (await recv(ws))["serverContent"]
        await ws.close()


async def test_scripts_per_connection_then_default_model() -> None:
    async with Emulator(script=[Script([say("one")]), Script([drop()])]) as emu:
        ws = await start(emu)
        assert text_of(await until(ws, "serverContent", "turnComplete")) == "one"
        await ws.close()
        ws = await start(emu)
        with pytest.raises(ConnectionClosed) as info:
            await ws.recv()
        assert info.value.rcvd is None  # dropped: no close frame
        ws = await start(emu)
        await say_text(ws, "three")
        assert text_of(await until(ws, "serverContent", "turnComplete")).startswith(
            'You said: "three"'
        )
        await ws.close()


def test_script_from_json() -> None:
    script = Script.from_json(
        [
            {"expect_text": "hi"},
            {"say": "hello"},
            {"call": {"name": "f", "args": {"x": 1}}},
            "wait_responses",
            "drop",
        ]
    )
    assert [s.kind for s in script.steps] == ["expect", "say", "call", "wait_responses", "drop"]
    with pytest.raises(ValueError, match="unknown script step"):
        Script.from_json([{"dance": 1}])


# --- faults --------------------------------------------------------------------------------


async def test_refuse_setup_per_connection() -> None:
    faults = [Faults(refuse_setup=(1011, "Internal error encountered.")), None]
    async with Emulator(faults=faults) as emu:
        assert await refused(emu, TEXT_SETUP) == (1011, "Internal error encountered.")
        await (await start(emu)).close()


async def test_drop_after_frames() -> None:
    async with Emulator(faults=Faults(drop_after_frames=2)) as emu:
        ws = await start(emu)
        await say_text(ws, "hello")
        await recv(ws)  # frame 2
        with pytest.raises(ConnectionClosed) as info:
            await ws.recv()
        assert info.value.rcvd is None
        await emu.connections[0].closed.wait()
        assert emu.connections[0].close_code == 1006


async def test_drop_after_seconds_seen_by_google_sdk() -> None:
    async with Emulator(tls=True, faults=Faults(drop_after_seconds=0.05)) as emu:
        client = genai_client(emu)
        async with client.aio.live.connect(
            model="gemini-2.0-flash-live-001", config={"response_modalities": ["TEXT"]}
        ) as s:
            with pytest.raises(errors.APIError) as info:
                async for _ in s.receive():
                    pass
        assert info.value.code == 1006


async def test_malformed_frame_and_delay() -> None:
    async with (
        Emulator(faults=Faults(malformed_after_frames=1, delay=0.001)) as emu,
        connect(emu.base_url + BETA) as ws,
    ):
        await ws.send(json.dumps(TEXT_SETUP))
        assert await recv(ws) == {"setupComplete": {}}
        frame = await ws.recv()
        with pytest.raises(ValueError):
            json.loads(frame)


async def test_duplicate_call_ids() -> None:
    async with Emulator(faults=Faults(duplicate_call_ids=True)) as emu:
        ws = await start(emu, HOME)
        await say_text(ws, "Turn on the kitchen light and set the thermostat to 20")
        ids = [c["id"] for c in (await until(ws, "toolCall"))[-1]["toolCall"]["functionCalls"]]
        assert len(ids) == 2
        assert ids[0] == ids[1]
        await ws.close()


async def test_stall_reading() -> None:
    async with Emulator(faults=Faults(stall_reading_after=1)) as emu:
        ws = await start(emu)
        await say_text(ws, "answered")
        await until(ws, "serverContent", "turnComplete")
        await say_text(ws, "never read")
        await ws.close()  # the server still sees the close while it is not reading
        record = emu.connections[0]
        await record.closed.wait()
        assert "stalled reading" in record.notes
        assert [t["text"] for t in record.user_turns] == ["answered"]
