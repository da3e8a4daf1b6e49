"""Messages the client sends: setup, client content, realtime input, tool responses."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import WireEnum, WireModel
from ._content import Blob, Content, FunctionResponse

__all__ = [
    "AudioTranscriptionConfig",
    "AutomaticActivityDetection",
    "ClientContent",
    "ClientMessage",
    "ContextWindowCompression",
    "FunctionDeclaration",
    "GenerationConfig",
    "PrebuiltVoiceConfig",
    "Proactivity",
    "RealtimeInput",
    "RealtimeInputConfig",
    "SessionResumptionConfig",
    "Setup",
    "SlidingWindow",
    "SpeechConfig",
    "ThinkingConfig",
    "Tool",
    "ToolResponse",
    "VoiceConfig",
]


class PrebuiltVoiceConfig(WireModel):
    """``{"voiceName": "Kore"}``."""

    voice_name: str | None = None


class VoiceConfig(WireModel):
    """Which voice speaks."""

    prebuilt_voice_config: PrebuiltVoiceConfig | None = None


class SpeechConfig(WireModel):
    """Voice and language of audio output."""

    voice_config: VoiceConfig | None = None
    language_code: str | None = None


class ThinkingConfig(WireModel):
    """Thinking budget (0 off, -1 auto), thought summaries, thinking level."""

    thinking_budget: int | None = None
    include_thoughts: bool | None = None
    thinking_level: WireEnum | None = None


class GenerationConfig(WireModel):
    """The Live subset of ``generationConfig``."""

    response_modalities: list[WireEnum] | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: float | None = None
    max_output_tokens: int | None = None
    candidate_count: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None
    media_resolution: WireEnum | None = None
    speech_config: SpeechConfig | None = None
    thinking_config: ThinkingConfig | None = None
    enable_affective_dialog: bool | None = None


class FunctionDeclaration(WireModel):
    """A function the model may call. Schemas are data and are sent exactly as given."""

    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    parameters_json_schema: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    response_json_schema: dict[str, Any] | None = None
    behavior: WireEnum | None = None


class Tool(WireModel):
    """One element of ``setup.tools``: function declarations or one built-in tool."""

    function_declarations: list[FunctionDeclaration] | None = None
    google_search: dict[str, Any] | None = None
    code_execution: dict[str, Any] | None = None
    url_context: dict[str, Any] | None = None
    google_search_retrieval: dict[str, Any] | None = None


class AutomaticActivityDetection(WireModel):
    """Server-side voice activity detection settings (or ``disabled``)."""

    disabled: bool | None = None
    start_of_speech_sensitivity: WireEnum | None = None
    end_of_speech_sensitivity: WireEnum | None = None
    prefix_padding_ms: int | None = None
    silence_duration_ms: int | None = None


class RealtimeInputConfig(WireModel):
    """How realtime input is segmented into turns and whether it interrupts."""

    automatic_activity_detection: AutomaticActivityDetection | None = None
    activity_handling: WireEnum | None = None
    turn_coverage: WireEnum | None = None


class SlidingWindow(WireModel):
    """Sliding-window compression; ``{}`` uses the server's defaults."""

    target_tokens: int | None = None


class ContextWindowCompression(WireModel):
    """Context window compression: when to trigger, and the sliding window."""

    trigger_tokens: int | None = None
    sliding_window: SlidingWindow | None = None


class SessionResumptionConfig(WireModel):
    """``{}`` turns resumption updates on; ``handle`` resumes a previous session."""

    handle: str | None = None
    transparent: bool | None = None


class AudioTranscriptionConfig(WireModel):
    """Transcription of input or output audio; usually empty."""


class Proactivity(WireModel):
    """Proactive audio (v1alpha, native audio models)."""

    proactive_audio: bool | None = None
    proactive_video: bool | None = None


class Setup(WireModel):
    """``setup``: the first and only configuration message of a connection."""

    model: str
    generation_config: GenerationConfig | None = None
    system_instruction: Content | None = None
    tools: list[Tool] | None = None
    realtime_input_config: RealtimeInputConfig | None = None
    session_resumption: SessionResumptionConfig | None = None
    context_window_compression: ContextWindowCompression | None = None
    input_audio_transcription: AudioTranscriptionConfig | None = None
    output_audio_transcription: AudioTranscriptionConfig | None = None
    proactivity: Proactivity | None = None
    history_config: dict[str, Any] | None = None


class ClientContent(WireModel):
    """``clientContent``: ordered turns appended to the conversation."""

    turns: list[Content] | None = None
    turn_complete: bool | None = None


class RealtimeInput(WireModel):
    """``realtimeInput``: streamed audio, video, text or activity signals (one per message)."""

    audio: Blob | None = None
    video: Blob | None = None
    text: str | None = None
    activity_start: dict[str, Any] | None = None
    activity_end: dict[str, Any] | None = None
    audio_stream_end: bool | None = None
    media_chunks: list[Blob] | None = None


class ToolResponse(WireModel):
    """``toolResponse``: answers to pending function calls."""

    function_responses: list[FunctionResponse] = Field(default_factory=list)


class ClientMessage(WireModel):
    """One client frame: exactly one of its fields is set."""

    setup: Setup | None = None
    client_content: ClientContent | None = None
    realtime_input: RealtimeInput | None = None
    tool_response: ToolResponse | None = None
    context_update: dict[str, Any] | None = None

    @property
    def kinds(self) -> list[str]:
        """The camelCase names of the fields that are set (known and unknown)."""
        names = [to for name, to in _CLIENT_KINDS.items() if getattr(self, name) is not None]
        return names + list(self.model_extra or {})

    @property
    def kind(self) -> str | None:
        """The one message kind this frame carries (camelCase), or None if it has none."""
        kinds = self.kinds
        return kinds[0] if kinds else None


_CLIENT_KINDS = {
    "setup": "setup",
    "client_content": "clientContent",
    "realtime_input": "realtimeInput",
    "tool_response": "toolResponse",
    "context_update": "contextUpdate",
}
