"""agentkit.events.from_message: one server message, its events, in reading order."""

from __future__ import annotations

import dataclasses
import json

import pytest
from golden_frames import golden

from agentkit import events
from agentkit.protocol import decode_server


def evs(frame: object) -> list[events.Event]:
    return events.from_message(decode_server(json.dumps(frame)))


def test_every_event_keeps_its_message() -> None:
    for name, frame in golden("server").items():
        msg = decode_server(json.dumps(frame))
        out = events.from_message(msg)
        assert out, name
        assert all(e.message is msg for e in out), name


def test_text_audio_code_and_transcripts() -> None:
    assert evs(golden("server")["model_turn_text"]) == [events.Text("The lights are on.")]
    (audio,) = evs(golden("server")["model_turn_audio"])
    assert audio == events.Audio(b"\x00\x00\x01\x00\x02\x00\xff\x7f", 24000, "audio/pcm;rate=24000")
    (urlsafe,) = evs(golden("server")["model_turn_audio_urlsafe"])
    assert isinstance(urlsafe, events.Audio)
    assert urlsafe.data == b"\xfb\xff\xbf\xfe"
    assert evs(golden("server")["model_turn_code"]) == [
        events.ExecutableCode("print(1+1)", "PYTHON"),
        events.CodeExecutionResult("OUTCOME_OK", "2\n"),
    ]
    assert evs(golden("server")["input_transcription"]) == [
        events.InputTranscription("turn on the lights")
    ]
    assert evs({"serverContent": {"outputTranscription": {"text": "ok", "finished": True}}}) == [
        events.OutputTranscription("ok", True)
    ]
    assert evs({"serverContent": {"modelTurn": {"parts": [{"text": "hmm", "thought": True}]}}}) == [
        events.Text("hmm", thought=True)
    ]


def test_usage_comes_before_turn_complete() -> None:
    out = evs(
        {
            "serverContent": {
                "modelTurn": {"parts": [{"text": "end"}]},
                "generationComplete": True,
                "turnComplete": True,
            },
            "usageMetadata": {"totalTokenCount": 3},
        }
    )
    assert [type(e) for e in out] == [
        events.Text,
        events.GenerationComplete,
        events.Usage,
        events.TurnComplete,
    ]
    usage = out[2]
    assert isinstance(usage, events.Usage)
    assert usage.total_tokens == 3
    assert evs(golden("server")["turn_complete_reason"]) == [
        events.TurnComplete("NEED_MORE_INPUT", True)
    ]


def test_control_messages() -> None:
    (tool_call,) = evs(golden("server")["tool_call_two"])
    assert isinstance(tool_call, events.ToolCall)
    assert tool_call.ids == ("fc-1", "fc-2")
    assert tool_call.calls[0].args == {"city": "Paris"}
    assert evs(golden("server")["tool_call_cancellation"]) == [
        events.ToolCallCancellation(("fc-1",))
    ]
    assert evs(golden("server")["go_away"]) == [events.GoAway(10.0)]
    assert evs(golden("server")["interrupted"]) == [events.Interrupted()]
    assert evs(golden("server")["resumption_update"]) == [
        events.SessionResumptionUpdate("0b5f-opaque", True)
    ]
    assert evs(golden("server")["resumption_not_resumable"]) == [
        events.SessionResumptionUpdate(None, False)
    ]
    assert evs(golden("server")["setup_complete"]) == [events.SetupComplete()]
    assert evs(golden("server")["voice_activity"]) == [
        events.VoiceActivity("ACTIVITY_START", "13.16s")
    ]


def test_unknown_kinds_and_fields_surface_as_unknown() -> None:
    assert evs({"brandNew": {"x": 1}}) == [events.Unknown("brandNew", {"x": 1})]
    assert evs({"serverContent": {"shinyField": 2}}) == [
        events.Unknown("serverContent.shinyField", 2)
    ]
    out = evs(
        {
            "serverContent": {
                "modelTurn": {
                    "parts": [
                        {"inlineData": {"mimeType": "image/png", "data": "AA=="}},
                        {"newPart": {}},
                    ]
                }
            }
        }
    )
    assert [e.kind for e in out if isinstance(e, events.Unknown)] == [
        "serverContent.modelTurn.inlineData",
        "serverContent.modelTurn.parts.newPart",
    ]


def test_events_are_frozen() -> None:
    text = events.Text("x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        text.text = "y"  # type: ignore[misc]
    assert "data" not in repr(events.Audio(b"\x00" * 10))
