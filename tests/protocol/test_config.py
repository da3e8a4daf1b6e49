"""LiveConfig: every option of the Live API guide, in either spelling; errors name the field."""

from __future__ import annotations

import json

import pytest
from google.genai import types

from agentkit.errors import ConfigError
from agentkit.protocol import LiveConfig, encode, load_config


def setup_json(config: object, **kw: object) -> dict[str, object]:
    return json.loads(encode(load_config(config).to_setup("gemini-2.0-flash-live-001", **kw)))[
        "setup"
    ]  # type: ignore[arg-type]


def test_guide_examples_snake_and_camel_give_the_same_setup() -> None:
    snake = {
        "response_modalities": ["AUDIO"],
        "speech_config": {
            "voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}},
            "language_code": "de-DE",
        },
        "system_instruction": "You are a helpful assistant and answer in a friendly tone.",
        "output_audio_transcription": {},
        "input_audio_transcription": {},
        "context_window_compression": {"sliding_window": {}},
        "session_resumption": {"handle": None},
        "media_resolution": "MEDIA_RESOLUTION_LOW",
        "realtime_input_config": {"automatic_activity_detection": {"disabled": True}},
        "tools": [{"google_search": {}}, {"code_execution": {}}, {"url_context": {}}],
    }
    camel = {
        "responseModalities": ["AUDIO"],
        "speechConfig": {
            "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}},
            "languageCode": "de-DE",
        },
        "systemInstruction": "You are a helpful assistant and answer in a friendly tone.",
        "outputAudioTranscription": {},
        "inputAudioTranscription": {},
        "contextWindowCompression": {"slidingWindow": {}},
        "sessionResumption": {"handle": None},
        "mediaResolution": "MEDIA_RESOLUTION_LOW",
        "realtimeInputConfig": {"automaticActivityDetection": {"disabled": True}},
        "tools": [{"googleSearch": {}}, {"codeExecution": {}}, {"urlContext": {}}],
    }
    assert (
        setup_json(snake)
        == setup_json(camel)
        == {
            "model": "models/gemini-2.0-flash-live-001",
            "generationConfig": {
                "responseModalities": ["AUDIO"],
                "mediaResolution": "MEDIA_RESOLUTION_LOW",
                "speechConfig": {
                    "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}},
                    "languageCode": "de-DE",
                },
            },
            "systemInstruction": {
                "parts": [{"text": "You are a helpful assistant and answer in a friendly tone."}]
            },
            "tools": [{"googleSearch": {}}, {"codeExecution": {}}, {"urlContext": {}}],
            "realtimeInputConfig": {"automaticActivityDetection": {"disabled": True}},
            "sessionResumption": {},
            "contextWindowCompression": {"slidingWindow": {}},
            "inputAudioTranscription": {},
            "outputAudioTranscription": {},
        }
    )


def test_google_genai_objects_and_enums_are_accepted() -> None:
    config = {
        "response_modalities": [types.Modality.AUDIO],
        "media_resolution": types.MediaResolution.MEDIA_RESOLUTION_LOW,
        "context_window_compression": types.ContextWindowCompressionConfig(
            sliding_window=types.SlidingWindow(), trigger_tokens=1000
        ),
        "realtime_input_config": {
            "automatic_activity_detection": {
                "start_of_speech_sensitivity": types.StartSensitivity.START_SENSITIVITY_LOW,
                "end_of_speech_sensitivity": types.EndSensitivity.END_SENSITIVITY_LOW,
            },
            "activity_handling": "no_interruption",
        },
    }
    setup = setup_json(config)
    assert setup["contextWindowCompression"] == {"triggerTokens": 1000, "slidingWindow": {}}
    assert setup["realtimeInputConfig"] == {
        "automaticActivityDetection": {
            "startOfSpeechSensitivity": "START_SENSITIVITY_LOW",
            "endOfSpeechSensitivity": "END_SENSITIVITY_LOW",
        },
        "activityHandling": "NO_INTERRUPTION",
    }
    whole = load_config(types.LiveConnectConfig(response_modalities=["TEXT"], temperature=0.5))
    assert whole.generation() is not None
    assert whole.generation().to_wire() == {"responseModalities": ["TEXT"], "temperature": 0.5}  # type: ignore[union-attr]


def test_affective_dialog_proactivity_and_thinking() -> None:
    setup = setup_json(
        {
            "response_modalities": ["AUDIO"],
            "enable_affective_dialog": True,
            "proactivity": {"proactive_audio": True},
            "thinking_config": {"thinking_budget": 0},
        }
    )
    assert setup["generationConfig"] == {
        "responseModalities": ["AUDIO"],
        "thinkingConfig": {"thinkingBudget": 0},
        "enableAffectiveDialog": True,
    }
    assert setup["proactivity"] == {"proactiveAudio": True}
    assert load_config({"proactivity": {}, "enable_affective_dialog": True}).needs_v1alpha == [
        "proactivity",
        "enable_affective_dialog",
    ]


def test_voice_shortcut_and_instruction_list() -> None:
    setup = setup_json({"speech_config": "Puck", "system_instruction": ["a", {"text": "b"}]})
    assert setup["generationConfig"] == {
        "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Puck"}}}
    }
    assert setup["systemInstruction"] == {"parts": [{"text": "a"}, {"text": "b"}]}


def test_resume_adds_session_resumption_and_handle() -> None:
    assert setup_json({}, resume=True)["sessionResumption"] == {}
    assert setup_json({}, handle="h-1")["sessionResumption"] == {"handle": "h-1"}
    assert "sessionResumption" not in setup_json({})
    assert setup_json({}, extra_instructions=["x"])["systemInstruction"] == {
        "parts": [{"text": "x"}]
    }


@pytest.mark.parametrize(
    ("config", "field", "match"),
    [
        ({"response_modalities": ["AUDIO", "TEXT"]}, "response_modalities", "exactly one modality"),
        ({"response_modalities": []}, "response_modalities", "exactly one modality"),
        ({"responseModalities": ["VIDEO"]}, "response_modalities", "exactly one modality"),
        ({"respone_modalities": ["TEXT"]}, "respone_modalities", "unknown config option"),
        ({"temperature": "hot"}, "temperature", "valid number"),
        ({"media_resolution": "HUGE"}, "media_resolution", "MEDIA_RESOLUTION_LOW"),
        (
            {"realtime_input_config": {"turn_coverage": "ALL"}},
            "realtime_input_config.turn_coverage",
            "'ALL' is not one of",
        ),
        (
            {
                "realtime_input_config": {
                    "automatic_activity_detection": {"start_of_speech_sensitivity": "LOUD"}
                }
            },
            "realtime_input_config.automatic_activity_detection.start_of_speech_sensitivity",
            "START_SENSITIVITY_LOW",
        ),
        (
            {"context_window_compression": {"trigger_tokens": "many"}},
            "context_window_compression.trigger_tokens",
            "valid integer",
        ),
    ],
)
def test_bad_config_names_the_field(config: dict[str, object], field: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        load_config(config)
    assert info.value.field == field
    assert repr(field) in str(info.value)


def test_model_validate_and_passthrough() -> None:
    config = LiveConfig.model_validate({"responseModalities": ["text"]})
    assert config.response_modalities == ["TEXT"]
    assert load_config(config) is config
    assert load_config(None) == LiveConfig()
    assert LiveConfig().to_setup("models/x").model == "models/x"


@pytest.mark.parametrize(
    ("config", "field"),
    [
        (
            {"speech_config": {"voice_config": {"prebuilt_voice_config": {"voice_nam": "Kore"}}}},
            "speech_config.voice_config.prebuilt_voice_config.voice_nam",
        ),
        (
            {"realtimeInputConfig": {"automaticActivityDetection": {"disabledd": True}}},
            "realtime_input_config.automatic_activity_detection.disabledd",
        ),
        (
            {"generation_config": {"speechConfig": {"languageCod": "en-US"}}},
            "generation_config.speech_config.language_cod",
        ),
        ({"tools": [{"google_search": {}}, {"codeExecutio": {}}]}, "tools.1.code_executio"),
        (
            {"context_window_compression": {"sliding_window": {"targetToken": 9}}},
            "context_window_compression.sliding_window.target_token",
        ),
        ({"system_instruction": {"parts": [{"txt": "hi"}]}}, "system_instruction.parts.0.txt"),
    ],
)
def test_nested_typos_are_refused_naming_the_dotted_path(
    config: dict[str, object], field: str
) -> None:
    with pytest.raises(ConfigError, match="unknown config option") as info:
        load_config(config)
    assert info.value.field == field
    assert field in str(info.value)


def test_free_form_fields_keep_their_own_keys() -> None:
    decl = {"name": "x", "parameters": {"type": "OBJECT", "anyKey": {"deep_key": 1}}}
    config = load_config({"tools": [{"function_declarations": [decl]}, {"google_search": {}}]})
    tools = config.to_setup("m").to_wire()["tools"]
    assert tools == [
        {"functionDeclarations": [decl]},
        {"googleSearch": {}},
    ]


def test_google_genai_nested_objects_still_load() -> None:
    config = types.LiveConnectConfig(
        response_modalities=[types.Modality.AUDIO],
        speech_config=types.SpeechConfig(
            voice_config=types.VoiceConfig(
                prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name="Kore")
            ),
            language_code="en-US",
        ),
        realtime_input_config=types.RealtimeInputConfig(
            automatic_activity_detection=types.AutomaticActivityDetection(
                disabled=False, silence_duration_ms=100
            )
        ),
        context_window_compression=types.ContextWindowCompressionConfig(
            sliding_window=types.SlidingWindow(target_tokens=10)
        ),
        tools=[types.Tool(google_search=types.GoogleSearch())],
    )
    setup = load_config(config).to_setup("m").to_wire()
    assert setup["generationConfig"]["speechConfig"]["languageCode"] == "en-US"
    assert setup["realtimeInputConfig"]["automaticActivityDetection"]["silenceDurationMs"] == 100
