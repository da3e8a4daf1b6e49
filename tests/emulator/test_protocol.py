"""Protocol fidelity, driven with a raw websockets client and raw JSON."""

from __future__ import annotations

import base64
import json
import sys
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from agentkit.emulator import Emulator, ModelInfo
from agentkit.emulator._wire import truncate_reason

from .conftest import silence, tone

pytestmark = pytest.mark.anyio

BETA = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
TEXT_SETUP = {
    "setup": {
        "model": "models/gemini-2.0-flash-live-001",
        "generationConfig": {"responseModalities": ["TEXT"]},
    }
}


async def recv(ws: ClientConnection) -> dict[str, Any]:
    raw = await ws.recv()
    assert isinstance(raw, bytes), "the emulator answers with binary frames by default"
    message: dict[str, Any] = json.loads(raw)
    return message


async def until(ws: ClientConnection, key: str, sub: str | None = None) -> list[dict[str, Any]]:
    """Every message up to and including the first with ``key`` (``serverContent.sub``)."""
    seen = []
    while True:
        message = await recv(ws)
        seen.append(message)
        if key in message and (sub is None or sub in message[key]):
            return seen


def text_of(seen: list[dict[str, Any]]) -> str:
    """The model's text across streamed chunks."""
    return "".join(
        part.get("text", "")
        for m in seen
        for part in m.get("serverContent", {}).get("modelTurn", {}).get("parts", [])
    )


async def start(
    emu: Emulator, setup: dict[str, Any] = TEXT_SETUP, path: str = BETA, **kw: Any
) -> ClientConnection:
    ws = await connect(emu.base_url + path, **kw)
    await ws.send(json.dumps(setup))
    assert await recv(ws) == {"setupComplete": {}}
    return ws


async def refused(
    emu: Emulator, setup: dict[str, Any], path: str = BETA, **kw: Any
) -> tuple[int, str]:
    async with connect(emu.base_url + path, **kw) as ws:
        await ws.send(json.dumps(setup))
        with pytest.raises(ConnectionClosed) as info:
            await ws.recv()
    assert info.value.rcvd is not None
    return info.value.rcvd.code, info.value.rcvd.reason


async def close_code(ws: ClientConnection) -> int | None:
    """Read until the server closes; the code it sent (None: dropped without a close frame)."""
    try:
        while True:
            await ws.recv()
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd is not None else None


async def say_text(ws: ClientConnection, text: str, *, snake: bool = False) -> None:
    if snake:
        await ws.send(
            json.dumps(
                {"client_content": {"turns": [{"parts": [{"text": text}]}], "turn_complete": True}}
            )
        )
    else:
        await ws.send(
            json.dumps(
                {
                    "clientContent": {
                        "turns": [{"role": "user", "parts": [{"text": text}]}],
                        "turnComplete": True,
                    }
                }
            )
        )


@pytest.fixture
async def emu() -> Any:
    async with Emulator() as emu:
        yield emu


@pytest.mark.parametrize(
    "path",
    [
        BETA,
        "//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=js-key",
        "/c1007/ws/google.ai.generativelanguage.v1.GenerativeService.BidiGenerateContent",
        "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContent",
    ],
)
async def test_paths_the_sdks_use(emu: Emulator, path: str) -> None:
    ws = await start(emu, path=path)
    await ws.close()
    assert emu.connections[0].version in ("v1", "v1beta", "v1alpha")


async def test_unknown_path_is_404(emu: Emulator) -> None:
    with pytest.raises(InvalidStatus) as info:
        await connect(emu.base_url + "/ws/nope")
    assert info.value.response.status_code == 404


async def test_text_turn_sequence_and_usage(emu: Emulator) -> None:
    ws = await start(emu)
    await say_text(ws, "hello there", snake=True)  # snake_case top-level key, as the Python SDK
    seen = await until(ws, "serverContent", "turnComplete")
    texts = [
        m["serverContent"]["modelTurn"]["parts"][0]["text"]
        for m in seen
        if "modelTurn" in m.get("serverContent", {})
    ]
    assert len(texts) > 1
    assert "".join(texts).startswith('You said: "hello there"')
    assert seen[-2] == {"serverContent": {"generationComplete": True}}
    usage = seen[-1]["usageMetadata"]
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["responseTokenCount"]
    await ws.close()


async def test_text_frames_option() -> None:
    async with Emulator(text_frames=True) as emu, connect(emu.base_url + BETA) as ws:
        await ws.send(json.dumps(TEXT_SETUP))
        assert await ws.recv() == '{"setupComplete":{}}'


async def test_struct_keys_are_not_rewritten(emu: Emulator) -> None:
    setup = {
        "setup": {
            "model": "models/gemini-2.0-flash-live-001",
            "generation_config": {"response_modalities": ["TEXT"]},
            "tools": [
                {
                    "function_declarations": [
                        {
                            "name": "set_mode",
                            "parameters": {
                                "type": "OBJECT",
                                "properties": {
                                    "snake_name": {"type": "STRING", "enum": ["eco_mode", "boost"]}
                                },
                            },
                        }
                    ]
                }
            ],
        }
    }
    ws = await start(emu, setup)
    await say_text(ws, "set mode to eco mode")
    call = (await until(ws, "toolCall"))[-1]["toolCall"]["functionCalls"][0]
    assert call["args"] == {"snake_name": "eco_mode"}
    await ws.send(
        json.dumps(
            {
                "tool_response": {
                    "function_responses": [
                        {
                            "id": call["id"],
                            "name": "set_mode",
                            "response": {"snake_key": 1},
                            "will_continue": False,
                        }
                    ]
                }
            }
        )
    )
    await until(ws, "serverContent", "turnComplete")
    record = emu.connections[0]
    assert record.declaration("set_mode")["parameters"]["properties"] == {
        "snake_name": {"type": "STRING", "enum": ["eco_mode", "boost"]}
    }
    assert record.tool_responses[0]["response"] == {"snake_key": 1}
    assert record.tool_responses[0]["willContinue"] is False
    await ws.close()


async def test_url_safe_base64_audio(emu: Emulator) -> None:
    ws = await start(emu)
    pcm = tone(0.5) + silence(0.8)
    data = base64.urlsafe_b64encode(pcm).decode().rstrip("=")
    await ws.send(
        json.dumps(
            {"realtime_input": {"audio": {"data": data, "mime_type": "audio/pcm;rate=16000"}}}
        )
    )
    seen = await until(ws, "serverContent", "turnComplete")
    assert "I heard 0.5 seconds" in json.dumps(seen)
    await ws.close()


# --- setup refusals ----------------------------------------------------------------------


def _setup(model: str = "gemini-2.0-flash-live-001", **extra: Any) -> dict[str, Any]:
    return {"setup": {"model": f"models/{model}", **extra}}


@pytest.mark.parametrize(
    ("setup", "code", "reason"),
    [
        (
            _setup("gemini-9-nope"),
            1008,
            "models/gemini-9-nope is not found for API version v1beta, "
            "or is not supported for bidiGenerateContent.",
        ),
        (
            _setup(generationConfig={"responseModalities": ["AUDIO", "TEXT"]}),
            1007,
            "Request contains an invalid argument.",
        ),
        (
            _setup(
                "gemini-2.5-flash-native-audio-preview-09-2025",
                generationConfig={"responseModalities": ["TEXT"]},
            ),
            1007,
            "Cannot extract voices from a non-audio request",
        ),
        (
            _setup(
                "gemini-3.1-flash-live-preview", generationConfig={"responseModalities": ["TEXT"]}
            ),
            1011,
            "Internal error encountered.",
        ),
        (
            _setup(proactivity={"proactiveAudio": True}),
            1007,
            "Invalid JSON payload received. "
            "Unknown name \"proactivity\" at 'setup': Cannot find field.",
        ),
        (
            _setup(sessionResumption={"transparent": True}),
            1007,
            "Invalid JSON payload received. "
            "Unknown name \"transparent\" at 'setup.session_resumption': Cannot find field.",
        ),
        (
            _setup(generationConfig={"inputAudioTranscription": {}}),
            1007,
            'Invalid JSON payload received. Unknown name "inputAudioTranscription" '
            "at 'setup.generation_config': Cannot find field.",
        ),
        (
            _setup(
                tools=[
                    {
                        "functionDeclarations": [
                            {
                                "name": "f",
                                "parameters": {"type": "OBJECT", "additionalProperties": False},
                            }
                        ]
                    }
                ]
            ),
            1007,
            'Invalid JSON payload received. Unknown name "additionalProperties" at '
            "'setup.tools[0].function_declarations[0].parameters': Cannot find field.",
        ),
    ],
    ids=[
        "unknown-model",
        "two-modalities",
        "text-on-native",
        "text-on-3.1",
        "proactivity-v1beta",
        "transparent",
        "nested-transcription",
        "additionalProperties",
    ],
)
async def test_setup_refusals(emu: Emulator, setup: dict[str, Any], code: int, reason: str) -> None:
    got = await refused(emu, setup)
    assert got == (code, truncate_reason(reason))
    assert len(got[1].encode()) <= 123
    assert emu.connections[0].setup is None  # no setupComplete was sent


@pytest.mark.parametrize(
    ("model", "tool"),
    [
        ("gemini-2.5-flash-native-audio-preview-12-2025", {"codeExecution": {}}),
        ("gemini-2.5-flash-native-audio-preview-12-2025", {"urlContext": {}}),
        (
            "gemini-2.5-flash-exp-native-audio-thinking-dialog",
            {"functionDeclarations": [{"name": "f"}]},
        ),
        (
            "gemini-3.1-flash-live-preview",
            {"functionDeclarations": [{"name": "f", "behavior": "NON_BLOCKING"}]},
        ),
        ("gemini-2.0-flash-live-001", {"googleMaps": {}}),
    ],
)
async def test_per_model_tool_table(emu: Emulator, model: str, tool: dict[str, Any]) -> None:
    assert await refused(emu, _setup(model, tools=[tool])) == (
        1007,
        "Request contains an invalid argument.",
    )


async def test_per_model_tool_table_accepts(emu: Emulator) -> None:
    ws = await start(
        emu,
        _setup(
            "gemini-2.5-flash-native-audio-preview-12-2025",
            tools=[{"googleSearch": {}}, {"functionDeclarations": [{"name": "f"}]}],
        ),
    )
    await ws.close()


async def test_strict_mode_unknown_field_and_lenient_default(emu: Emulator) -> None:
    ws = await start(emu, _setup(generationConfig={"responseModalities": ["TEXT"], "shiny": 1}))
    await ws.close()
    async with Emulator(strict=True) as strict:
        code, reason = await refused(strict, _setup(generationConfig={"shiny": 1}))
        assert (code, reason) == (
            1007,
            "Invalid JSON payload received. "
            "Unknown name \"shiny\" at 'setup.generation_config': Cannot find field.",
        )
        ws = await start(strict)
        await ws.send(
            json.dumps({"clientContent": {"turnComplete": True}, "realtimeInput": {"text": "x"}})
        )
        assert await close_code(ws) == 1007


async def test_close_reason_is_cut_to_123_bytes(emu: Emulator) -> None:
    long_name = "g" * 200
    emu.models[long_name] = ModelInfo(retired=True)
    code, reason = await refused(emu, _setup(long_name))
    assert code == 1008
    assert len(reason.encode()) <= 123
    assert reason.endswith("...")


# --- credentials ---------------------------------------------------------------------------


async def test_keys_lenient_by_default_and_never_recorded(emu: Emulator) -> None:
    await (await start(emu)).close()
    await (await start(emu, additional_headers={"x-goog-api-key": "secret-key-1"})).close()
    assert [c.credential for c in emu.connections] == [None, "key"]
    assert "secret-key-1" not in repr(emu.connections)


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("?key=k1", {}),
        ("", {"x-goog-api-key": "k1"}),
        ("", {"Authorization": "Bearer k1"}),
        ("", {"Authorization": "Token k1"}),
    ],
)
async def test_require_key_sources(query: str, headers: dict[str, str]) -> None:
    async with Emulator(require_key=True, api_keys=["k1"]) as emu:
        await (await start(emu, path=BETA + query, additional_headers=headers)).close()


async def test_require_key_refusals() -> None:
    async with Emulator(require_key=True, api_keys=["k1"]) as emu:
        code, reason = await refused(emu, TEXT_SETUP)
        assert code == 1008
        assert reason.startswith("Method doesn't allow unregistered callers")
        assert await refused(emu, TEXT_SETUP, path=BETA + "?key=wrong") == (
            1007,
            "API key not valid. Please pass a valid API key.",
        )


# --- tools ---------------------------------------------------------------------------------

HOME = {
    "setup": {
        "model": "models/gemini-2.0-flash-live-001",
        "generationConfig": {"responseModalities": ["TEXT"]},
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "turn_on",
                        "description": "Turn on the light in a room",
                        "parameters": {
                            "type": "OBJECT",
                            "properties": {
                                "room": {
                                    "type": "STRING",
                                    "enum": ["kitchen", "living room", "bedroom"],
                                }
                            },
                        },
                    },
                    {
                        "name": "set_thermostat",
                        "description": "Set the thermostat temperature",
                        "parameters": {
                            "type": "OBJECT",
                            "properties": {
                                "temperature": {"type": "NUMBER"},
                                "unit": {
                                    "type": "STRING",
                                    "enum": ["celsius", "fahrenheit"],
                                    "default": "celsius",
                                },
                            },
                        },
                    },
                    {
                        "name": "start_timer",
                        "behavior": "NON_BLOCKING",
                        "parameters": {
                            "type": "OBJECT",
                            "properties": {"seconds": {"type": "INTEGER"}},
                        },
                    },
                ]
            }
        ],
    }
}


async def test_two_calls_in_one_tool_call_then_summary(emu: Emulator) -> None:
    ws = await start(emu, HOME)
    await say_text(ws, "Turn on the kitchen light and set the thermostat to 21 degrees")
    calls = (await until(ws, "toolCall"))[-1]["toolCall"]["functionCalls"]
    assert [(c["name"], c["args"]) for c in calls] == [
        ("turn_on", {"room": "kitchen"}),
        ("set_thermostat", {"temperature": 21.0, "unit": "celsius"}),
    ]
    assert len({c["id"] for c in calls}) == 2
    # responses may arrive split across messages; the model waits for both (BLOCKING)
    for c, result in zip(calls, ["light on", "21 degrees"], strict=True):
        await ws.send(
            json.dumps(
                {
                    "toolResponse": {
                        "functionResponses": [
                            {"id": c["id"], "name": c["name"], "response": {"output": result}}
                        ]
                    }
                }
            )
        )
    seen = await until(ws, "serverContent", "turnComplete")
    text = "".join(
        m["serverContent"].get("modelTurn", {}).get("parts", [{}])[0].get("text", "") for m in seen
    )
    assert text == "Done: turn on returned light on; set thermostat returned 21 degrees."
    await ws.close()


async def _timer_call(ws: ClientConnection) -> dict[str, Any]:
    await say_text(ws, "start a timer for 5 seconds")
    seen = await until(ws, "serverContent", "turnComplete")  # NON_BLOCKING: the turn goes on
    calls = [m["toolCall"]["functionCalls"][0] for m in seen if "toolCall" in m]
    assert calls[0]["args"] == {"seconds": 5}
    return calls[0]


@pytest.mark.parametrize("scheduling", ["WHEN_IDLE", "INTERRUPT", "SILENT"])
async def test_non_blocking_scheduling(emu: Emulator, scheduling: str) -> None:
    ws = await start(emu, HOME)
    call = await _timer_call(ws)
    for more in (True, False):  # a willContinue stream: two results for one call
        await ws.send(
            json.dumps(
                {
                    "toolResponse": {
                        "functionResponses": [
                            {
                                "id": call["id"],
                                "name": "start_timer",
                                "response": {"output": f"tick {more}"},
                                "scheduling": scheduling,
                                "willContinue": more,
                            }
                        ]
                    }
                }
            )
        )
        if scheduling != "SILENT":
            seen = await until(ws, "serverContent", "turnComplete")
            assert f"start timer returned tick {more}" in text_of(seen)
    await say_text(ws, "ping")
    seen = await until(ws, "serverContent", "turnComplete")
    assert text_of(seen).startswith('You said: "ping"')  # SILENT produced nothing before this
    # a response after the final one is ignored
    await ws.send(
        json.dumps(
            {
                "toolResponse": {
                    "functionResponses": [{"id": call["id"], "name": "start_timer", "response": {}}]
                }
            }
        )
    )
    await ws.close()
    await emu.connections[0].closed.wait()
    assert len(emu.connections[0].ignored_responses) == 1


async def test_interrupt_scheduling_cuts_current_generation() -> None:
    async with Emulator(chunk_interval=0.3) as emu:
        ws = await start(emu, HOME)
        call = await _timer_call(ws)
        await say_text(ws, "tell me a long story about nothing at all " * 5)
        first = await recv(ws)
        assert "modelTurn" in first["serverContent"]
        await ws.send(
            json.dumps(
                {
                    "toolResponse": {
                        "functionResponses": [
                            {
                                "id": call["id"],
                                "name": "start_timer",
                                "response": {"output": "done"},
                                "scheduling": "INTERRUPT",
                            }
                        ]
                    }
                }
            )
        )
        seen = await until(ws, "serverContent", "interrupted")
        assert not any("generationComplete" in m.get("serverContent", {}) for m in seen)
        after = await until(ws, "serverContent", "turnComplete")
        after += await until(ws, "serverContent", "turnComplete")
        assert "start timer returned done" in text_of(after)
        await ws.close()


async def test_barge_in_during_output_with_audio() -> None:
    # slow output (cut short by the barge-in, so the test stays fast)
    async with Emulator(chunk_interval=0.3) as emu:
        ws = await start(emu)
        await say_text(ws, "please talk for a while " * 10)
        assert "modelTurn" in (await recv(ws))["serverContent"]
        speech = base64.b64encode(tone(0.3)).decode()
        await ws.send(
            json.dumps(
                {"realtimeInput": {"audio": {"data": speech, "mimeType": "audio/pcm;rate=16000"}}}
            )
        )
        seen = await until(ws, "serverContent", "interrupted")
        nxt = await recv(ws)
        assert "turnComplete" in nxt["serverContent"]
        assert not any("generationComplete" in m.get("serverContent", {}) for m in seen)
        await ws.close()


async def test_no_interruption_setting_queues_the_turn() -> None:
    setup = _setup(
        generationConfig={"responseModalities": ["TEXT"]},
        realtimeInputConfig={"activityHandling": "NO_INTERRUPTION"},
    )
    async with Emulator(chunk_interval=0.02) as emu:
        ws = await start(emu, setup)
        await say_text(ws, "first " * 20)
        await recv(ws)
        await ws.send(json.dumps({"realtimeInput": {"text": "second"}}))
        first = await until(ws, "serverContent", "turnComplete")
        second = await until(ws, "serverContent", "turnComplete")
        assert not any("interrupted" in m.get("serverContent", {}) for m in first + second)
        assert 'You said: \\"second\\"' in json.dumps(second)
        await ws.close()


# --- VAD -----------------------------------------------------------------------------------


async def test_vad_audio_stream_end_flushes(emu: Emulator) -> None:
    ws = await start(emu)
    speech = base64.b64encode(tone(0.7)).decode()  # no trailing silence
    await ws.send(
        json.dumps(
            {"realtimeInput": {"audio": {"data": speech, "mimeType": "audio/pcm;rate=16000"}}}
        )
    )
    await ws.send(json.dumps({"realtimeInput": {"audioStreamEnd": True}}))
    assert "I heard 0.7 seconds" in json.dumps(await until(ws, "serverContent", "turnComplete"))
    await ws.close()


async def test_vad_start_sensitivity(emu: Emulator) -> None:
    quiet = base64.b64encode(tone(0.5, amp=800) + silence(1.0)).decode()
    for sensitivity, answered in (
        ("START_SENSITIVITY_LOW", False),
        ("START_SENSITIVITY_HIGH", True),
    ):
        setup = _setup(
            generationConfig={"responseModalities": ["TEXT"]},
            realtimeInputConfig={
                "automaticActivityDetection": {"startOfSpeechSensitivity": sensitivity}
            },
        )
        ws = await start(emu, setup)
        await ws.send(
            json.dumps(
                {"realtimeInput": {"audio": {"data": quiet, "mimeType": "audio/pcm;rate=16000"}}}
            )
        )
        await ws.send(
            json.dumps(
                {
                    "clientContent": {
                        "turns": [{"parts": [{"text": "marker"}]}],
                        "turnComplete": True,
                    }
                }
            )
        )
        seen = json.dumps(await until(ws, "serverContent", "turnComplete"))
        assert ("I heard" in seen) is answered
        await ws.close()


async def test_audio_at_another_sample_rate(emu: Emulator) -> None:
    ws = await start(emu)
    pcm = tone(0.5, rate=48_000) + silence(1.0, rate=48_000)
    await ws.send(
        json.dumps(
            {
                "realtimeInput": {
                    "mediaChunks": [
                        {"data": base64.b64encode(pcm).decode(), "mimeType": "audio/pcm;rate=48000"}
                    ]
                }
            }
        )
    )
    assert "I heard 0.5 seconds" in json.dumps(await until(ws, "serverContent", "turnComplete"))
    await ws.close()


async def test_context_update_replaces_tools(emu: Emulator) -> None:
    ws = await start(emu, HOME)
    await ws.send(
        json.dumps(
            {
                "contextUpdate": {
                    "systemInstruction": {"parts": [{"text": "New instruction"}]},
                    "tools": {"tools": []},
                }
            }
        )
    )
    await say_text(ws, "turn on the kitchen light")
    seen = await until(ws, "serverContent", "turnComplete")
    assert not any("toolCall" in m for m in seen)  # no functions left to call
    await ws.close()


async def test_keys_never_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="agentkit.emulator")
    async with Emulator() as emu:
        ws = await start(
            emu,
            path=BETA + "?key=query-secret",
            additional_headers={"x-goog-api-key": "hdr-secret"},
        )
        await ws.close()
    assert "GET" in caplog.text  # the handshake was logged...
    assert "query-secret" not in caplog.text  # ...without the credentials
    assert "hdr-secret" not in caplog.text


async def test_tls_without_cryptography_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "cryptography", None)
    with pytest.raises(ImportError, match="pip install cryptography"):
        async with Emulator(tls=True):
            pass


async def test_when_idle_waits_for_the_current_turn() -> None:
    async with Emulator(chunk_interval=0.1) as emu:
        ws = await start(emu, HOME)
        call = await _timer_call(ws)
        await say_text(ws, "tell me something long " * 4)
        assert "modelTurn" in (await recv(ws))["serverContent"]
        response = {"id": call["id"], "name": "start_timer", "response": {"output": "rang"}}
        await ws.send(json.dumps({"toolResponse": {"functionResponses": [response]}}))
        current = await until(ws, "serverContent", "turnComplete")
        assert text_of(current).endswith("so this is a canned reply.")  # finished, not cut
        assert not any("interrupted" in m.get("serverContent", {}) for m in current)
        after = await until(ws, "serverContent", "turnComplete")
        assert text_of(after) == "Done: start timer returned rang."
        assert emu.connections[0].tool_responses[0]["effectiveScheduling"] == "WHEN_IDLE"
        await ws.close()


async def test_vad_prefix_padding(emu: Emulator) -> None:
    setup = _setup(
        generationConfig={"responseModalities": ["TEXT"]},
        realtimeInputConfig={
            "automaticActivityDetection": {"prefixPaddingMs": 300, "silenceDurationMs": 200}
        },
    )
    ws = await start(emu, setup)
    click = tone(0.2) + silence(0.5)  # shorter than the padding: not speech
    speech = tone(0.5) + silence(0.5)
    for pcm in (click, speech):
        data = base64.b64encode(pcm).decode()
        await ws.send(
            json.dumps(
                {"realtimeInput": {"audio": {"data": data, "mimeType": "audio/pcm;rate=16000"}}}
            )
        )
    seen = await until(ws, "serverContent", "turnComplete")
    assert text_of(seen).startswith("I heard 0.5 seconds of audio")
    assert len(emu.connections[0].user_turns) == 1
    await ws.close()
