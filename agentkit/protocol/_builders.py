"""Builders for every client message the session sends (one place, so tests cover them all)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._client_messages import ClientContent, RealtimeInput, ToolResponse
from ._content import Blob, Content, FunctionResponse, Part

__all__ = [
    "activity_end",
    "activity_start",
    "audio",
    "audio_mime",
    "audio_stream_end",
    "client_content",
    "realtime_text",
    "tool_response",
    "video",
]

TurnsLike = str | Content | Mapping[str, Any] | Sequence[str | Content | Mapping[str, Any]]


def _content(item: str | Content | Mapping[str, Any]) -> Content:
    if isinstance(item, str):
        return Content(role="user", parts=[Part(text=item)])
    if isinstance(item, Content):
        return item
    return Content.model_validate(item)


def client_content(turns: TurnsLike | None = None, turn_complete: bool = True) -> ClientContent:
    """``clientContent`` from a string (a user turn), a Content or dict, or a list of them."""
    if turns is None:
        items: list[Any] = []
    elif isinstance(turns, str | Content | Mapping):
        items = [turns]
    else:
        items = list(turns)
    contents = [_content(t) for t in items]
    return ClientContent(turns=contents or None, turn_complete=turn_complete)


def realtime_text(text: str) -> RealtimeInput:
    """``realtimeInput.text``."""
    return RealtimeInput(text=text)


def audio_mime(rate: int) -> str:
    """The mime type of PCM16LE audio at ``rate`` Hz (``audio/pcm;rate=16000``).

    Raises:
        ValueError: ``rate`` is not a positive int.
    """
    if not isinstance(rate, int) or isinstance(rate, bool) or rate <= 0:
        raise ValueError(f"rate must be a positive int (Hz), not {rate!r}")
    return f"audio/pcm;rate={rate}"


def audio(pcm: bytes, rate: int = 16000) -> RealtimeInput:
    """``realtimeInput.audio``: PCM16LE mono with its rate in the mime type."""
    return RealtimeInput(audio=Blob(mime_type=audio_mime(rate), data=bytes(pcm)))


def video(frame: bytes, mime_type: str = "image/jpeg") -> RealtimeInput:
    """``realtimeInput.video``: one encoded image."""
    return RealtimeInput(video=Blob(mime_type=mime_type, data=bytes(frame)))


def activity_start() -> RealtimeInput:
    """``realtimeInput.activityStart``."""
    return RealtimeInput(activity_start={})


def activity_end() -> RealtimeInput:
    """``realtimeInput.activityEnd``."""
    return RealtimeInput(activity_end={})


def audio_stream_end() -> RealtimeInput:
    """``realtimeInput.audioStreamEnd``."""
    return RealtimeInput(audio_stream_end=True)


def _response(item: Any) -> FunctionResponse:
    if isinstance(item, FunctionResponse):
        return item
    if hasattr(item, "to_wire"):  # the dispatcher's Reply
        item = item.to_wire()
    return FunctionResponse.model_validate(item)


def tool_response(responses: FunctionResponse | Mapping[str, Any] | Iterable[Any]) -> ToolResponse:
    """``toolResponse`` from FunctionResponses, dicts, or dispatcher replies (one or many)."""
    if isinstance(responses, FunctionResponse | Mapping) or hasattr(responses, "to_wire"):
        items: list[Any] = [responses]
    else:
        items = list(responses)
    return ToolResponse(function_responses=[_response(r) for r in items])
