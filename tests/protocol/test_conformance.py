"""Conformance with Google's SDK (google-genai, a test dependency).

Every client message agentkit can produce validates as ``types.LiveClientMessage``, and every
golden server frame (docs/live-protocol.md §15) means the same to agentkit and google-genai.

One known gap in google-genai 3.6.1: ``LiveClientSetup`` has no ``realtimeInputConfig``
field (its ``LiveConnectConfig`` does, and the SDK sends it on the wire), so that one field
is checked against ``types.RealtimeInputConfig`` on its own.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from golden_frames import golden
from google.genai import _live_converters as live_converters
from google.genai import types

from agentkit.protocol import (
    FunctionResponse,
    LiveConfig,
    build,
    decode_base64,
    decode_client,
    decode_server,
    encode,
)

RICH_CONFIG: dict[str, Any] = {
    "response_modalities": ["AUDIO"],
    "system_instruction": "You control the lights.",
    "speech_config": {
        "voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}},
        "language_code": "de-DE",
    },
    "media_resolution": "MEDIA_RESOLUTION_LOW",
    "temperature": 0.7,
    "thinking_config": {"thinking_budget": 0},
    "enable_affective_dialog": True,
    "input_audio_transcription": {},
    "output_audio_transcription": {},
    "realtime_input_config": {
        "automatic_activity_detection": {
            "disabled": False,
            "start_of_speech_sensitivity": "START_SENSITIVITY_LOW",
            "end_of_speech_sensitivity": "END_SENSITIVITY_LOW",
            "prefix_padding_ms": 20,
            "silence_duration_ms": 100,
        },
        "activity_handling": "NO_INTERRUPTION",
        "turn_coverage": "TURN_INCLUDES_ALL_INPUT",
    },
    "context_window_compression": {
        "trigger_tokens": 25600,
        "sliding_window": {"target_tokens": 12800},
    },
    "session_resumption": {"handle": "prev-handle-123"},
    "proactivity": {"proactive_audio": True},
    "tools": [{"google_search": {}}, {"code_execution": {}}, {"url_context": {}}],
}
DECLS = [
    {
        "name": "get_weather",
        "description": "Get weather",
        "behavior": "NON_BLOCKING",
        "parameters": {
            "type": "OBJECT",
            "properties": {"city": {"type": "STRING"}},
            "required": ["city"],
        },
    },
    {"name": "get_time", "parametersJsonSchema": {"type": "object", "properties": {}}},
]


def sdk_validate(frame: str) -> types.LiveClientMessage:
    """Validate one agentkit frame with google-genai (see the module docstring's gap)."""
    data = json.loads(frame)
    setup = data.get("setup")
    if setup is not None and "realtimeInputConfig" in setup:
        types.RealtimeInputConfig.model_validate(setup.pop("realtimeInputConfig"))
    types.LiveClientMessage.model_validate(data)
    return types.LiveClientMessage.model_validate_json(json.dumps(data))


def client_messages() -> dict[str, str]:
    return {
        "setup_minimal": encode(LiveConfig().to_setup("gemini-2.0-flash-live-001")),
        "setup_text_resume": encode(
            LiveConfig.model_validate({"responseModalities": ["TEXT"]}).to_setup("m", resume=True)
        ),
        "setup_rich": encode(
            LiveConfig.model_validate(RICH_CONFIG).to_setup(
                "gemini-2.5-flash-native-audio-preview-09-2025",
                function_declarations=DECLS,
                extra_instructions=["Plugin says hi."],
            )
        ),
        "setup_vad_off": encode(
            LiveConfig.model_validate(
                {
                    "response_modalities": ["TEXT"],
                    "realtime_input_config": {"automatic_activity_detection": {"disabled": True}},
                }
            ).to_setup("m")
        ),
        "text": encode(build.client_content("Turn on the lights")),
        "content_history": encode(
            build.client_content(["a", {"role": "model", "parts": [{"text": "b"}]}], False)
        ),
        "content_empty": encode(build.client_content()),
        "content_image": encode(
            build.client_content(
                {
                    "role": "user",
                    "parts": [
                        {"inline_data": {"mime_type": "image/jpeg", "data": b"\xff\xd8"}},
                        {"text": "describe"},
                    ],
                }
            )
        ),
        "realtime_text": encode(build.realtime_text("hello realtime")),
        "audio": encode(build.audio(b"\x01\x02\x03\x04", 16000)),
        "video": encode(build.video(b"\xff\xd8\xff")),
        "activity_start": encode(build.activity_start()),
        "activity_end": encode(build.activity_end()),
        "audio_stream_end": encode(build.audio_stream_end()),
        "tool_response": encode(
            build.tool_response(
                [
                    FunctionResponse(
                        id="fc-1",
                        name="get_weather",
                        response={"result": "sunny"},
                        scheduling="INTERRUPT",
                        will_continue=True,
                    ),
                    {
                        "id": "fc-2",
                        "name": "get_time",
                        "response": {"output": "12:00"},
                        "scheduling": "SILENT",
                        "will_continue": False,
                    },
                ]
            )
        ),
    }


@pytest.mark.parametrize("name", sorted(client_messages()))
def test_every_client_message_validates_in_google_genai(name: str) -> None:
    sdk_validate(client_messages()[name])


def test_rich_setup_means_the_same_to_google_genai() -> None:
    msg = sdk_validate(client_messages()["setup_rich"])
    setup = msg.setup
    assert setup is not None
    assert setup.generation_config is not None
    assert setup.model == "models/gemini-2.5-flash-native-audio-preview-09-2025"
    assert setup.generation_config.response_modalities == [types.Modality.AUDIO]
    assert (
        setup.generation_config.speech_config.voice_config.prebuilt_voice_config.voice_name
        == "Kore"
    )
    assert setup.generation_config.speech_config.language_code == "de-DE"
    assert setup.generation_config.media_resolution == types.MediaResolution.MEDIA_RESOLUTION_LOW
    assert setup.generation_config.enable_affective_dialog is True
    assert [p.text for p in setup.system_instruction.parts] == [
        "You control the lights.",
        "Plugin says hi.",
    ]
    assert setup.tools[0].google_search is not None
    assert setup.tools[2].url_context is not None
    fds = setup.tools[3].function_declarations
    assert [f.name for f in fds] == ["get_weather", "get_time"]
    assert fds[0].behavior == types.Behavior.NON_BLOCKING
    assert fds[1].parameters_json_schema == {"type": "object", "properties": {}}
    assert setup.context_window_compression.sliding_window.target_tokens == 12800
    assert setup.session_resumption.handle == "prev-handle-123"
    assert setup.proactivity.proactive_audio is True
    assert setup.input_audio_transcription is not None


def test_tool_response_means_the_same_to_google_genai() -> None:
    msg = sdk_validate(client_messages()["tool_response"])
    first, second = msg.tool_response.function_responses
    assert (first.id, first.scheduling, first.will_continue) == (
        "fc-1",
        types.FunctionResponseScheduling.INTERRUPT,
        True,
    )
    assert first.response == {"result": "sunny"}
    assert (second.scheduling, second.will_continue) == (
        types.FunctionResponseScheduling.SILENT,
        False,
    )


def test_bytes_mean_the_same_to_google_genai() -> None:
    msg = sdk_validate(client_messages()["video"])
    assert msg.realtime_input.video.data == b"\xff\xd8\xff"


def _sdk_meaning(data: dict[str, Any]) -> dict[str, Any]:
    copy_ = copy.deepcopy(data)
    setup = copy_.get("setup")
    if setup is not None:
        setup.pop("realtimeInputConfig", None)
    return types.LiveClientMessage.model_validate_json(json.dumps(copy_)).model_dump(
        exclude_none=True
    )


@pytest.mark.parametrize(
    ("file", "name"),
    [(f, n) for f in ("client_python_sdk", "client_js_sdk") for n in sorted(golden(f))],
)
def test_sdk_frames_keep_their_meaning_through_agentkit(file: str, name: str) -> None:
    original = golden(file)[name]
    ours = json.loads(encode(decode_client(json.dumps(original))))
    assert _sdk_meaning(ours) == _sdk_meaning(original)
    if "setup" in original and "realtimeInputConfig" in original["setup"]:
        assert types.RealtimeInputConfig.model_validate(
            ours["setup"]["realtimeInputConfig"]
        ) == types.RealtimeInputConfig.model_validate(original["setup"]["realtimeInputConfig"])


def _normalize(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _normalize(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    if key == "data" and isinstance(value, str):
        return decode_base64(value)
    return value


def sdk_receive(frame: str) -> types.LiveServerMessage:
    """Parse a server frame exactly as google-genai's ``AsyncSession._receive`` does."""
    response = live_converters._LiveServerMessage_from_mldev(json.loads(frame))
    return types.LiveServerMessage._from_response(
        response=response, kwargs=types.LiveServerMessage().model_dump()
    )


@pytest.mark.parametrize("name", sorted(golden("server")))
def test_server_frames_mean_the_same_in_agentkit_and_google_genai(name: str) -> None:
    frame = json.dumps(golden("server")[name])
    ours = decode_server(frame.encode()).to_wire()
    sdk = sdk_receive(frame).model_dump(mode="json", by_alias=True, exclude_none=True)
    # google-genai renames the wire's voiceActivity.type to voiceActivityType.
    if "voiceActivity" in sdk:
        sdk["voiceActivity"]["type"] = sdk["voiceActivity"].pop("voiceActivityType")
    assert _normalize(ours) == _normalize(sdk)
