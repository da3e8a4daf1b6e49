"""Content, parts and blobs: the shapes both directions share."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import Base64Bytes, WireEnum, WireModel

__all__ = [
    "Blob",
    "CodeExecutionResult",
    "Content",
    "ExecutableCode",
    "FunctionCall",
    "FunctionResponse",
    "Part",
]


class Blob(WireModel):
    """Inline bytes with their mime type (``audio/pcm;rate=16000``, ``image/jpeg``)."""

    mime_type: str | None = None
    data: Base64Bytes = b""


class FunctionCall(WireModel):
    """One call the model wants made. ``args`` is data: its keys are never rewritten."""

    id: str | None = None
    name: str = ""
    args: dict[str, Any] | None = None


class FunctionResponse(WireModel):
    """The answer to one call. ``scheduling`` and ``will_continue`` sit beside ``response``."""

    id: str | None = None
    name: str | None = None
    response: dict[str, Any] | None = None
    will_continue: bool | None = None
    scheduling: WireEnum | None = None
    parts: list[dict[str, Any]] | None = None


class ExecutableCode(WireModel):
    """Code the model ran with the code execution tool."""

    language: WireEnum | None = None
    code: str = ""
    id: str | None = None


class CodeExecutionResult(WireModel):
    """The outcome of :class:`ExecutableCode`."""

    outcome: WireEnum | None = None
    output: str | None = None
    id: str | None = None


class Part(WireModel):
    """One piece of a :class:`Content`; usually exactly one field is set."""

    text: str | None = None
    thought: bool | None = None
    inline_data: Blob | None = None
    function_call: FunctionCall | None = None
    function_response: FunctionResponse | None = None
    executable_code: ExecutableCode | None = None
    code_execution_result: CodeExecutionResult | None = None
    file_data: dict[str, Any] | None = None


class Content(WireModel):
    """A turn: a role (``user`` or ``model``) and its parts."""

    role: str | None = None
    parts: list[Part] = Field(default_factory=list)
