"""ToolResult: a tool's answer with per-result scheduling and streaming flags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._enums import Scheduling

__all__ = ["ToolResult"]


@dataclass(frozen=True, slots=True)
class ToolResult:
    """Return (or yield) this from a tool to choose how one result is delivered.

    Args:
        response: The result; converted like any other return value.
        scheduling: For NON_BLOCKING tools: when the model should speak about it.
        will_continue: For streaming tools: more results follow for this call.
    """

    response: Any
    scheduling: Scheduling | None = None
    will_continue: bool = False
