"""What a live session yields: one small frozen dataclass per thing that happened.

Each event keeps ``message``: the :class:`~agentkit.protocol.ServerMessage` it came from
(for :class:`ToolResponse`, the ``toolCall`` it answers; for :class:`Reconnected`, the new
connection's ``setupComplete``). :func:`from_message` turns one server message into events,
in the order a reader expects: content, transcripts, interruption, generation end, usage,
turn end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, final

from .protocol import FunctionCall, ServerMessage, UsageMetadata

__all__ = [
    "Audio",
    "CodeExecutionResult",
    "Event",
    "ExecutableCode",
    "GenerationComplete",
    "GoAway",
    "InputTranscription",
    "Interrupted",
    "OutputTranscription",
    "Reconnected",
    "SessionResumptionUpdate",
    "SetupComplete",
    "Text",
    "ToolCall",
    "ToolCallCancellation",
    "ToolResponse",
    "TurnComplete",
    "Unknown",
    "Usage",
    "VoiceActivity",
    "from_message",
]

_RATE = re.compile(r"rate=(\d+)")
DEFAULT_OUTPUT_RATE = 24000


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every event."""

    message: ServerMessage | None = field(default=None, kw_only=True, repr=False, compare=False)


@final
@dataclass(frozen=True, slots=True)
class SetupComplete(Event):
    """The server accepted the setup; the session is open."""

    session_id: str | None = None


@final
@dataclass(frozen=True, slots=True)
class Text(Event):
    """A chunk of model text. ``thought`` marks a thinking summary."""

    text: str
    thought: bool = False


@final
@dataclass(frozen=True, slots=True)
class Audio(Event):
    """A chunk of model audio: raw PCM16LE mono at ``rate`` Hz."""

    data: bytes = field(repr=False)
    rate: int = DEFAULT_OUTPUT_RATE
    mime_type: str = "audio/pcm"


@final
@dataclass(frozen=True, slots=True)
class InputTranscription(Event):
    """A chunk of the transcript of what the user said."""

    text: str
    finished: bool = False


@final
@dataclass(frozen=True, slots=True)
class OutputTranscription(Event):
    """A chunk of the transcript of what the model said."""

    text: str
    finished: bool = False


@final
@dataclass(frozen=True, slots=True)
class ExecutableCode(Event):
    """Code the model ran with the code execution tool."""

    code: str
    language: str | None = None


@final
@dataclass(frozen=True, slots=True)
class CodeExecutionResult(Event):
    """The outcome and output of :class:`ExecutableCode`."""

    outcome: str | None
    output: str | None = None


@final
@dataclass(frozen=True, slots=True)
class ToolCall(Event):
    """The model asked for one or more function calls (running now under auto dispatch)."""

    calls: tuple[FunctionCall, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """The call ids, in order."""
        return tuple(c.id or "" for c in self.calls)


@final
@dataclass(frozen=True, slots=True)
class ToolResponse(Event):
    """One FunctionResponse went out to the server.

    ``reply`` is the dispatcher's ``Reply`` under automatic dispatch, else None.
    """

    id: str
    name: str | None
    response: dict[str, Any]
    scheduling: str | None = None
    will_continue: bool = False
    reply: Any = field(default=None, repr=False, compare=False)


@final
@dataclass(frozen=True, slots=True)
class ToolCallCancellation(Event):
    """The server cancelled these calls; none of them will be answered."""

    ids: tuple[str, ...]


@final
@dataclass(frozen=True, slots=True)
class Interrupted(Event):
    """The user barged in: the generation was cut off. Flush queued playback."""


@final
@dataclass(frozen=True, slots=True)
class GenerationComplete(Event):
    """The model finished generating (playback may still be running)."""


@final
@dataclass(frozen=True, slots=True)
class TurnComplete(Event):
    """The model's turn is over; it waits for new input."""

    reason: str | None = None
    waiting_for_input: bool = False


@final
@dataclass(frozen=True, slots=True)
class Usage(Event):
    """Token accounting."""

    usage: UsageMetadata

    @property
    def total_tokens(self) -> int | None:
        """``totalTokenCount``."""
        return self.usage.total_token_count


@final
@dataclass(frozen=True, slots=True)
class GoAway(Event):
    """The server will close this connection in ``time_left`` seconds (None if unreadable)."""

    time_left: float | None


@final
@dataclass(frozen=True, slots=True)
class SessionResumptionUpdate(Event):
    """A resumption handle; usable only when ``resumable``."""

    handle: str | None
    resumable: bool


@final
@dataclass(frozen=True, slots=True)
class Reconnected(Event):
    """The session moved to a new connection and resumed with ``handle``.

    Attributes:
        handle: The resumption handle used.
        replayed: How many client messages were sent again on the new connection.
        possibly_lost: Kinds of client messages (``realtimeInput``, ``clientContent``, ...)
            sent after the handle that the resumed model may not have seen.
        cancelled: Call ids issued after the handle, cancelled because the resumed model
            never saw them.
        reason: Why the old connection ended (``"goAway"``, or the close code and reason).
    """

    handle: str
    replayed: int = 0
    possibly_lost: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()
    reason: str = ""


@final
@dataclass(frozen=True, slots=True)
class VoiceActivity(Event):
    """Server-side voice activity (``ACTIVITY_START`` / ``ACTIVITY_END``)."""

    type: str | None
    audio_offset: str | None = None


@final
@dataclass(frozen=True, slots=True)
class Unknown(Event):
    """Something agentkit does not know yet, kept as it arrived.

    ``kind`` is its dotted camelCase path (``"newMessage"``, ``"serverContent.newField"``).
    """

    kind: str
    data: Any = None


def _rate(mime_type: str | None) -> int:
    match = _RATE.search(mime_type or "")
    return int(match.group(1)) if match else DEFAULT_OUTPUT_RATE


_TOOL_CALL_ONLY = frozenset({"tool_call"})


def _extras(prefix: str, model: Any, msg: ServerMessage) -> list[Event]:
    return [
        Unknown(f"{prefix}.{key}", value, message=msg)
        for key, value in (model.model_extra or {}).items()
    ]


def from_message(msg: ServerMessage) -> list[Event]:
    """The events one server message carries, in reading order."""
    if (
        msg.tool_call is not None
        and msg.model_fields_set == _TOOL_CALL_ONLY
        and not msg.model_extra
    ):
        # The message a live tool loop waits for, alone: one event.
        return [ToolCall(tuple(msg.tool_call.function_calls), message=msg)]
    out: list[Event] = []
    if msg.setup_complete is not None:
        out.append(SetupComplete(msg.setup_complete.session_id, message=msg))
    content = msg.server_content
    if content is not None:
        for part in content.model_turn.parts if content.model_turn else []:
            if part.text is not None:
                out.append(Text(part.text, bool(part.thought), message=msg))
            elif part.inline_data is not None:
                blob = part.inline_data
                mime = blob.mime_type or "audio/pcm"
                if mime.startswith("audio/"):
                    out.append(Audio(blob.data, _rate(mime), mime, message=msg))
                else:
                    out.append(Unknown("serverContent.modelTurn.inlineData", blob, message=msg))
            elif part.executable_code is not None:
                code = part.executable_code
                out.append(ExecutableCode(code.code, code.language, message=msg))
            elif part.code_execution_result is not None:
                res = part.code_execution_result
                out.append(CodeExecutionResult(res.outcome, res.output, message=msg))
            else:
                out.extend(_extras("serverContent.modelTurn.parts", part, msg))
        if content.input_transcription is not None:
            t = content.input_transcription
            out.append(InputTranscription(t.text or "", bool(t.finished), message=msg))
        if content.output_transcription is not None:
            t = content.output_transcription
            out.append(OutputTranscription(t.text or "", bool(t.finished), message=msg))
        out.extend(_extras("serverContent", content, msg))
        if content.interrupted:
            out.append(Interrupted(message=msg))
        if content.generation_complete:
            out.append(GenerationComplete(message=msg))
    if msg.tool_call is not None:
        out.append(ToolCall(tuple(msg.tool_call.function_calls), message=msg))
    if msg.tool_call_cancellation is not None:
        out.append(ToolCallCancellation(tuple(msg.tool_call_cancellation.ids), message=msg))
    if msg.go_away is not None:
        out.append(GoAway(msg.go_away.seconds, message=msg))
    if msg.session_resumption_update is not None:
        upd = msg.session_resumption_update
        out.append(SessionResumptionUpdate(upd.new_handle, bool(upd.resumable), message=msg))
    if msg.voice_activity is not None:
        va = msg.voice_activity
        out.append(VoiceActivity(va.type, va.audio_offset, message=msg))
    if msg.voice_activity_detection_signal is not None:
        out.append(
            Unknown(
                "voiceActivityDetectionSignal", msg.voice_activity_detection_signal, message=msg
            )
        )
    if msg.model_extra:
        for key, value in msg.model_extra.items():
            out.append(Unknown(key, value, message=msg))
    if msg.usage_metadata is not None:
        out.append(Usage(msg.usage_metadata, message=msg))
    if content is not None and content.turn_complete:
        out.append(
            TurnComplete(content.turn_complete_reason, bool(content.waiting_for_input), message=msg)
        )
    return out
