"""The Live API wire protocol, sans-I/O: message models, codec, and the client state machine.

Nothing here touches sockets, event loops or clocks. Models mirror the names in
``docs/live-protocol.md``: they send lowerCamelCase, read either spelling, keep unknown
fields, and never rewrite keys inside ``args``, ``response`` or schemas.
"""

from __future__ import annotations

from . import _builders as build
from ._base import Base64Bytes, WireModel, decode_base64, parse_duration
from ._client_messages import (
    AudioTranscriptionConfig,
    AutomaticActivityDetection,
    ClientContent,
    ClientMessage,
    ContextWindowCompression,
    FunctionDeclaration,
    GenerationConfig,
    PrebuiltVoiceConfig,
    Proactivity,
    RealtimeInput,
    RealtimeInputConfig,
    SessionResumptionConfig,
    Setup,
    SlidingWindow,
    SpeechConfig,
    ThinkingConfig,
    Tool,
    ToolResponse,
    VoiceConfig,
)
from ._codec import AnyClientMessage, decode_client, decode_server, encode, wrap
from ._config import LiveConfig, load_config
from ._content import (
    Blob,
    CodeExecutionResult,
    Content,
    ExecutableCode,
    FunctionCall,
    FunctionResponse,
    Part,
)
from ._server_messages import (
    GoAway,
    ModalityTokenCount,
    ServerContent,
    ServerMessage,
    SessionResumptionUpdate,
    SetupComplete,
    ToolCall,
    ToolCallCancellation,
    Transcription,
    UsageMetadata,
    VoiceActivity,
)
from ._state import ClientProtocol, ResumePlan, Salvage, State

__all__ = [
    "AnyClientMessage",
    "AudioTranscriptionConfig",
    "AutomaticActivityDetection",
    "Base64Bytes",
    "Blob",
    "ClientContent",
    "ClientMessage",
    "ClientProtocol",
    "CodeExecutionResult",
    "Content",
    "ContextWindowCompression",
    "ExecutableCode",
    "FunctionCall",
    "FunctionDeclaration",
    "FunctionResponse",
    "GenerationConfig",
    "GoAway",
    "LiveConfig",
    "ModalityTokenCount",
    "Part",
    "PrebuiltVoiceConfig",
    "Proactivity",
    "RealtimeInput",
    "RealtimeInputConfig",
    "ResumePlan",
    "Salvage",
    "ServerContent",
    "ServerMessage",
    "SessionResumptionConfig",
    "SessionResumptionUpdate",
    "Setup",
    "SetupComplete",
    "SlidingWindow",
    "SpeechConfig",
    "State",
    "ThinkingConfig",
    "Tool",
    "ToolCall",
    "ToolCallCancellation",
    "ToolResponse",
    "Transcription",
    "UsageMetadata",
    "VoiceActivity",
    "VoiceConfig",
    "WireModel",
    "build",
    "decode_base64",
    "decode_client",
    "decode_server",
    "encode",
    "load_config",
    "parse_duration",
    "wrap",
]
