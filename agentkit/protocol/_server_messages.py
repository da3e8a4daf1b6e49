"""Messages the server sends. Unknown fields and unknown message kinds are kept, never fatal."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import WireEnum, WireModel, parse_duration
from ._content import Content, FunctionCall

__all__ = [
    "GoAway",
    "ModalityTokenCount",
    "ServerContent",
    "ServerMessage",
    "SessionResumptionUpdate",
    "SetupComplete",
    "ToolCall",
    "ToolCallCancellation",
    "Transcription",
    "UsageMetadata",
    "VoiceActivity",
]


class SetupComplete(WireModel):
    """``setupComplete``: the setup was accepted (``{}`` on the Gemini API)."""

    session_id: str | None = None


class Transcription(WireModel):
    """A chunk of input or output transcript."""

    text: str | None = None
    finished: bool | None = None


class ServerContent(WireModel):
    """``serverContent``: model output, transcripts, and turn boundaries."""

    model_turn: Content | None = None
    turn_complete: bool | None = None
    interrupted: bool | None = None
    generation_complete: bool | None = None
    input_transcription: Transcription | None = None
    output_transcription: Transcription | None = None
    grounding_metadata: dict[str, Any] | None = None
    url_context_metadata: dict[str, Any] | None = None
    turn_complete_reason: WireEnum | None = None
    waiting_for_input: bool | None = None
    interim_input_transcription: Transcription | None = None
    interaction_status: WireEnum | None = None


class ToolCall(WireModel):
    """``toolCall``: one or more function calls to run concurrently."""

    function_calls: list[FunctionCall] = Field(default_factory=list)


class ToolCallCancellation(WireModel):
    """``toolCallCancellation``: calls that should not have run; answer none of them."""

    ids: list[str] = Field(default_factory=list)


class GoAway(WireModel):
    """``goAway``: the server will close this connection after ``time_left``."""

    time_left: str | None = None

    @property
    def seconds(self) -> float | None:
        """``time_left`` in seconds (the wire carries a Duration string such as ``"10s"``)."""
        return parse_duration(self.time_left)


class SessionResumptionUpdate(WireModel):
    """``sessionResumptionUpdate``: a new handle, valid when ``resumable`` is true."""

    new_handle: str | None = None
    resumable: bool | None = None
    last_consumed_client_message_index: int | None = None


class ModalityTokenCount(WireModel):
    """Tokens of one modality."""

    modality: WireEnum | None = None
    token_count: int | None = None


class UsageMetadata(WireModel):
    """Token accounting; rides beside another field, usually ``serverContent``."""

    prompt_token_count: int | None = None
    cached_content_token_count: int | None = None
    response_token_count: int | None = None
    tool_use_prompt_token_count: int | None = None
    thoughts_token_count: int | None = None
    total_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None
    response_tokens_details: list[ModalityTokenCount] | None = None
    tool_use_prompt_tokens_details: list[ModalityTokenCount] | None = None


class VoiceActivity(WireModel):
    """``voiceActivity``: server-side VAD start or end."""

    type: WireEnum | None = None
    audio_offset: str | None = None


class ServerMessage(WireModel):
    """One server frame. At most one kind is set, plus ``usage_metadata`` beside it.

    Keys agentkit does not know stay in :attr:`unknown`; they never make decoding fail.
    """

    setup_complete: SetupComplete | None = None
    server_content: ServerContent | None = None
    tool_call: ToolCall | None = None
    tool_call_cancellation: ToolCallCancellation | None = None
    go_away: GoAway | None = None
    session_resumption_update: SessionResumptionUpdate | None = None
    voice_activity: VoiceActivity | None = None
    voice_activity_detection_signal: dict[str, Any] | None = None
    usage_metadata: UsageMetadata | None = None

    @property
    def kind(self) -> str | None:
        """The camelCase name of the message kind, or None when only unknown keys came."""
        for name, wire in _SERVER_KINDS.items():
            if getattr(self, name) is not None:
                return wire
        return None

    @property
    def unknown(self) -> dict[str, Any]:
        """Top-level keys agentkit does not know, exactly as they arrived."""
        return dict(self.model_extra or {})


_SERVER_KINDS = {
    "setup_complete": "setupComplete",
    "server_content": "serverContent",
    "tool_call": "toolCall",
    "tool_call_cancellation": "toolCallCancellation",
    "go_away": "goAway",
    "session_resumption_update": "sessionResumptionUpdate",
    "voice_activity": "voiceActivity",
    "voice_activity_detection_signal": "voiceActivityDetectionSignal",
    "usage_metadata": "usageMetadata",
}
