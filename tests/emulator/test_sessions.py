"""Resumption handles, GoAway, duration limits, compression: raw websockets + raw JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from agentkit.emulator import Emulator

from .test_protocol import (
    BETA,
    HOME,
    close_code,
    recv,
    refused,
    say_text,
    start,
    text_of,
    until,
)

pytestmark = pytest.mark.anyio


def _with_resumption(setup: dict[str, Any], handle: str | None = None) -> dict[str, Any]:
    body = dict(setup["setup"])
    body["sessionResumption"] = {"handle": handle} if handle else {}
    return {"setup": body}


async def test_resume_restores_history_and_pending_call() -> None:
    async with Emulator() as emu:
        ws = await start(emu, _with_resumption(HOME))
        first = await recv(ws)
        handle = first["sessionResumptionUpdate"]["newHandle"]
        assert first["sessionResumptionUpdate"]["resumable"] is True
        await say_text(ws, "turn on the light in the bedroom")
        call = (await until(ws, "toolCall"))[-1]["toolCall"]["functionCalls"][0]
        await ws.close()  # dropped while the BLOCKING call is pending

        ws2 = await start(emu, _with_resumption(HOME, handle))
        update = await recv(ws2)
        # a blocking call is still expected: not resumable at this point
        assert update == {"sessionResumptionUpdate": {"resumable": False}}
        await ws2.send(
            json.dumps(
                {
                    "toolResponse": {
                        "functionResponses": [
                            {"id": call["id"], "name": "turn_on", "response": {"output": "on"}}
                        ]
                    }
                }
            )
        )
        seen = await until(ws2, "serverContent", "turnComplete")
        assert text_of(seen) == "Done: turn on returned on."
        # the turn ends with a fresh, resumable handle
        assert (await recv(ws2))["sessionResumptionUpdate"]["resumable"] is True
        await ws2.close()
        assert emu.connections[1].resumed
        assert emu.connections[1].tool_responses[0]["id"] == call["id"]


async def test_unknown_and_expired_handles_are_refused() -> None:
    async with Emulator(handle_ttl=0.0) as emu:
        code, reason = await refused(emu, _with_resumption(HOME, "no-such-handle"))
        assert code == 1008
        assert "handle" in reason
        ws = await start(emu, _with_resumption(HOME))
        handle = (await recv(ws))["sessionResumptionUpdate"]["newHandle"]
        await ws.close()
        await emu.connections[-1].closed.wait()
        code, _ = await refused(emu, _with_resumption(HOME, handle))  # ttl 0: expired at once
        assert code == 1008


async def test_resume_with_another_model_is_refused() -> None:
    async with Emulator() as emu:
        ws = await start(emu, _with_resumption(HOME))
        handle = (await recv(ws))["sessionResumptionUpdate"]["newHandle"]
        await ws.close()
        other = {
            "setup": {
                "model": "models/gemini-2.5-flash-native-audio-latest",
                "sessionResumption": {"handle": handle},
            }
        }
        assert (await refused(emu, other))[0] == 1007


async def test_go_away_before_lifetime_close() -> None:
    async with Emulator(lifetime=0.4, goaway_time_left=0.2) as emu:
        ws = await start(emu)
        assert await recv(ws) == {"goAway": {"timeLeft": "0.2s"}}
        with pytest.raises(ConnectionClosed) as info:
            await ws.recv()
        assert info.value.rcvd is not None
        assert (info.value.rcvd.code, info.value.rcvd.reason) == (
            1008,
            "The operation was aborted.",
        )


async def test_session_limit_without_compression_only() -> None:
    async with Emulator(session_limit_audio=0.3, goaway_time_left=0.1) as emu:
        ws = await start(emu)
        assert await recv(ws) == {"goAway": {"timeLeft": "0.1s"}}
        with pytest.raises(ConnectionClosed) as info:
            await ws.recv()
        assert info.value.rcvd is not None
        assert info.value.rcvd.code == 1008
        setup = {"setup": {**HOME["setup"], "contextWindowCompression": {"slidingWindow": {}}}}
        ws = await start(emu, setup)
        await say_text(ws, "hello")
        await until(ws, "serverContent", "turnComplete")  # still alive past the limit
        await ws.close()


async def test_resume_past_the_session_limit_is_refused() -> None:
    # an auto-reconnecting client used to get setupComplete + goAway "0s" on every resume
    async with Emulator(session_limit_audio=0.3, goaway_time_left=0.1) as emu:
        ws = await start(emu, _with_resumption(HOME))
        handle = (await recv(ws))["sessionResumptionUpdate"]["newHandle"]
        assert await recv(ws) == {"goAway": {"timeLeft": "0.1s"}}
        assert await close_code(ws) == 1008
        # the limit counts from the session's start, across resumptions
        assert await refused(emu, _with_resumption(HOME, handle)) == (
            1008,
            "Session duration limit exceeded.",
        )
        assert emu.connections[1].sent == []  # no setupComplete, no goAway
        assert not emu.connections[1].resumed
        # with compression there is no duration limit: the same handle resumes
        compressed = _with_resumption(HOME, handle)
        compressed["setup"]["contextWindowCompression"] = {"slidingWindow": {}}
        ws = await start(emu, compressed)
        assert (await recv(ws))["sessionResumptionUpdate"]["resumable"] is True
        await say_text(ws, "still there?")
        seen = await until(ws, "serverContent", "turnComplete")
        assert not any("goAway" in m for m in seen)
        await ws.close()


@pytest.mark.parametrize("limits", [{"lifetime": 0.0}, {"session_limit_audio": 0.0}])
async def test_no_go_away_with_nothing_left_on_a_fresh_connection(limits: dict[str, float]) -> None:
    async with Emulator(goaway_time_left=5.0, **limits) as emu:
        code, _ = await refused(emu, HOME)
        assert code == 1008
        assert not any("goAway" in m for m in emu.connections[0].sent)


async def test_video_session_limit_is_shorter() -> None:
    async with Emulator(
        session_limit_audio=60, session_limit_video=0.2, goaway_time_left=0.05
    ) as emu:
        ws = await start(emu)
        await ws.send(
            json.dumps({"realtimeInput": {"video": {"data": "_9j_", "mimeType": "image/jpeg"}}})
        )
        assert "goAway" in await recv(ws)


async def test_compression_drops_oldest_turns() -> None:
    setup = {
        "setup": {
            **HOME["setup"],
            "contextWindowCompression": {
                "triggerTokens": "60",
                "slidingWindow": {"targetTokens": 30},
            },
        }
    }
    async with Emulator() as emu:
        ws = await start(emu, setup)
        prompts = []
        for i in range(4):
            await say_text(ws, f"message number {i} " + "padding " * 10)
            seen = await until(ws, "serverContent", "turnComplete")
            prompts.append(seen[-1]["usageMetadata"]["promptTokenCount"])
        await ws.close()
        assert max(prompts) <= 60
        assert any("compressed" in note for note in emu.connections[0].notes)


async def test_path_variant_v1_default_of_python_sdk() -> None:
    async with Emulator() as emu:
        ws = await start(emu, path=BETA.replace("v1beta", "v1"))
        await ws.close()
        assert emu.connections[0].version == "v1"


async def test_refuse_resume_fault_like_an_immediate_resume() -> None:
    from agentkit.emulator import Faults

    async with Emulator(
        faults=[None, Faults(refuse_resume=(1011, "Internal error encountered."))]
    ) as emu:
        ws = await start(emu, _with_resumption(HOME))
        handle = (await recv(ws))["sessionResumptionUpdate"]["newHandle"]
        await ws.close()
        assert await refused(emu, _with_resumption(HOME, handle)) == (
            1011,
            "Internal error encountered.",
        )
        ws = await start(emu, _with_resumption(HOME, handle))  # the retry works
        await ws.close()
