"""Lenient handling of odd client frames, empty input, and the scope of a barge-in."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from agentkit.emulator import Emulator, RuleModel

from .test_protocol import HOME, _setup, recv, say_text, start, text_of, until

pytestmark = pytest.mark.anyio


def _kinds(seen: list[dict[str, Any]]) -> list[str]:
    return [k for m in seen for k in m.get("serverContent", {})]


async def _next_reply(ws: ClientConnection) -> list[dict[str, Any]]:
    return await until(ws, "serverContent", "turnComplete")


# --- two oneof fields in one frame (lenient mode) -------------------------------------------


async def test_empty_turn_complete_next_to_realtime_text() -> None:
    async with Emulator() as emu:
        ws = await start(emu)
        # the JSON order puts realtimeInput first; clientContent is handled first anyway
        await ws.send(
            json.dumps(
                {"realtimeInput": {"text": "hi there"}, "clientContent": {"turnComplete": True}}
            )
        )
        seen = await _next_reply(ws)
        assert "interrupted" not in _kinds(seen)
        assert text_of(seen).startswith('You said: "hi there"')
        await say_text(ws, "ping")  # nothing else was queued: no reply to an empty turn
        assert text_of(await _next_reply(ws)).startswith('You said: "ping"')
        await ws.close()
        await emu.connections[0].closed.wait()
        assert [t["text"] for t in emu.connections[0].user_turns] == ["hi there", "ping"]
        assert any("clientContent, realtimeInput" in n for n in emu.connections[0].notes)


async def test_two_fields_with_text_are_both_answered_in_order() -> None:
    async with Emulator() as emu:
        ws = await start(emu)
        await ws.send(
            json.dumps(
                {
                    "realtimeInput": {"text": "second"},
                    "clientContent": {
                        "turns": [{"role": "user", "parts": [{"text": "first"}]}],
                        "turnComplete": True,
                    },
                }
            )
        )
        first = await _next_reply(ws)
        second = await _next_reply(ws)
        # nothing was playing when the realtime text arrived: no interruption
        assert "interrupted" not in _kinds(first + second)
        assert text_of(first).startswith('You said: "first"')
        assert text_of(second).startswith('You said: "second"')
        await ws.close()


async def test_empty_user_input_gets_no_reply() -> None:
    manual = _setup(
        generationConfig={"responseModalities": ["TEXT"]},
        realtimeInputConfig={"automaticActivityDetection": {"disabled": True}},
    )
    async with Emulator() as emu:
        ws = await start(emu, manual)
        for message in (
            {"realtimeInput": {"text": ""}},
            {"realtimeInput": {"text": "   "}},
            {"clientContent": {"turnComplete": True}},
            {"clientContent": {"turns": [{"role": "user", "parts": []}], "turnComplete": True}},
            {"realtimeInput": {"activityStart": {}}},
            {"realtimeInput": {"activityEnd": {}}},  # an activity without any audio
        ):
            await ws.send(json.dumps(message))
        await say_text(ws, "ping")
        first = await recv(ws)  # the first thing the emulator says answers "ping"
        seen = [first, *await _next_reply(ws)]
        assert text_of(seen).startswith('You said: "ping"')
        await ws.close()
        await emu.connections[0].closed.wait()
        assert [t["text"] for t in emu.connections[0].user_turns] == ["ping"]


async def test_turn_complete_alone_answers_the_context_it_completes() -> None:
    async with Emulator() as emu:
        ws = await start(emu)
        turns = [{"role": "user", "parts": [{"text": "what now"}]}]
        await ws.send(json.dumps({"clientContent": {"turns": turns, "turnComplete": False}}))
        await ws.send(json.dumps({"clientContent": {"turnComplete": True}}))
        assert text_of(await _next_reply(ws)).startswith('You said: "what now"')
        await ws.close()


# --- barge-in scope (live-protocol §8.4) ---------------------------------------------------


async def _calls(ws: ClientConnection, text: str) -> list[dict[str, Any]]:
    await say_text(ws, text)
    calls: list[dict[str, Any]] = (await until(ws, "toolCall"))[-1]["toolCall"]["functionCalls"]
    return calls


async def _respond(ws: ClientConnection, call: dict[str, Any], output: str) -> None:
    response = {"id": call["id"], "name": call["name"], "response": {"output": output}}
    await ws.send(json.dumps({"toolResponse": {"functionResponses": [response]}}))


async def test_barge_in_keeps_non_blocking_calls_of_earlier_turns() -> None:
    async with Emulator(chunk_interval=0.3) as emu:
        ws = await start(emu, HOME)
        [timer] = await _calls(ws, "start a timer for 5 seconds")
        await _next_reply(ws)  # NON_BLOCKING: "I've started start timer." ends the turn
        await say_text(ws, "tell me a long story about nothing at all " * 5)
        assert "modelTurn" in (await recv(ws))["serverContent"]
        await ws.send(json.dumps({"realtimeInput": {"text": "stop"}}))
        cut = await until(ws, "serverContent", "interrupted")
        cut += await _next_reply(ws)
        assert not any("toolCallCancellation" in m for m in cut)  # the timer runs on
        assert text_of(await _next_reply(ws)).startswith('You said: "stop"')
        # the timer's later response is still honoured
        await _respond(ws, timer, "rang")
        assert text_of(await _next_reply(ws)) == "Done: start timer returned rang."
        await ws.close()
        await emu.connections[0].closed.wait()
        assert emu.connections[0].ignored_responses == []
        assert [r["id"] for r in emu.connections[0].tool_responses] == [timer["id"]]


async def test_barge_in_cancels_only_the_interrupted_turns_calls() -> None:
    async with Emulator() as emu:
        ws = await start(emu, HOME)
        [timer] = await _calls(ws, "start a timer for 5 seconds")
        await _next_reply(ws)
        [light] = await _calls(ws, "turn on the kitchen light")  # BLOCKING: the model waits
        await ws.send(json.dumps({"realtimeInput": {"text": "never mind"}}))
        cut = await until(ws, "serverContent", "interrupted")
        cut += await until(ws, "toolCallCancellation")
        assert cut[-1] == {"toolCallCancellation": {"ids": [light["id"]]}}
        assert "turnComplete" in (await recv(ws))["serverContent"]
        assert text_of(await _next_reply(ws)).startswith('You said: "never mind"')
        await _respond(ws, light, "on")  # too late: the call was cancelled
        await _respond(ws, timer, "rang")
        assert text_of(await _next_reply(ws)) == "Done: start timer returned rang."
        await ws.close()
        await emu.connections[0].closed.wait()
        assert [r["id"] for r in emu.connections[0].ignored_responses] == [light["id"]]


async def test_barge_in_cancels_a_non_blocking_call_of_the_interrupted_turn() -> None:
    async with Emulator(chunk_interval=0.3, model=RuleModel(words_per_chunk=1)) as emu:
        ws = await start(emu, HOME)
        [timer] = await _calls(ws, "start a timer for 5 seconds")
        assert "modelTurn" in (await recv(ws))["serverContent"]  # "I've started ..." streams
        await ws.send(json.dumps({"realtimeInput": {"text": "actually no"}}))
        cut = await until(ws, "toolCallCancellation")
        assert cut[-1] == {"toolCallCancellation": {"ids": [timer["id"]]}}
        await ws.close()


async def test_a_turn_with_only_an_image_is_answered_honestly() -> None:
    async with Emulator() as emu:
        ws = await start(emu)
        image = {"inlineData": {"mimeType": "image/jpeg", "data": "_9j_"}}
        turns = [{"role": "user", "parts": [image]}]
        await ws.send(json.dumps({"clientContent": {"turns": turns, "turnComplete": True}}))
        reply = text_of(await _next_reply(ws))
        assert reply.startswith("I received your input, but it holds no text")
        await ws.close()
