"""agentkit: tool-calling agents on the Gemini Live API.

Public names are imported lazily, so ``from agentkit import tool`` does not pull in the
network stack.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from . import errors, events
    from .dispatch import CallRecord, CallState, Dispatcher
    from .errors import (
        AgentkitError,
        ConfigError,
        SessionClosed,
        ToolDefinitionError,
        ToolError,
    )
    from .plugins import hookimpl, hookspec
    from .protocol import LiveConfig
    from .session import LiveSession, connect
    from .tools import (
        Behavior,
        Scheduling,
        Tool,
        Toolbox,
        ToolContext,
        ToolResult,
        not_a_tool,
        tool,
    )

__all__ = [
    "AgentkitError",
    "Behavior",
    "CallRecord",
    "CallState",
    "ConfigError",
    "Dispatcher",
    "LiveConfig",
    "LiveSession",
    "Scheduling",
    "SessionClosed",
    "Tool",
    "ToolContext",
    "ToolDefinitionError",
    "ToolError",
    "ToolResult",
    "Toolbox",
    "__version__",
    "connect",
    "errors",
    "events",
    "hookimpl",
    "hookspec",
    "not_a_tool",
    "tool",
]

# A library never configures logging; silence "no handler" fallbacks (httpx does the same).
logging.getLogger("agentkit").addHandler(logging.NullHandler())

_LAZY: dict[str, str] = {
    "tool": "agentkit.tools",
    "Tool": "agentkit.tools",
    "Toolbox": "agentkit.tools",
    "ToolContext": "agentkit.tools",
    "ToolResult": "agentkit.tools",
    "Behavior": "agentkit.tools",
    "Scheduling": "agentkit.tools",
    "not_a_tool": "agentkit.tools",
    "Dispatcher": "agentkit.dispatch",
    "CallRecord": "agentkit.dispatch",
    "CallState": "agentkit.dispatch",
    "connect": "agentkit.session",
    "LiveSession": "agentkit.session",
    "LiveConfig": "agentkit.protocol",
    "hookimpl": "agentkit.plugins",
    "hookspec": "agentkit.plugins",
    "AgentkitError": "agentkit.errors",
    "ConfigError": "agentkit.errors",
    "SessionClosed": "agentkit.errors",
    "ToolDefinitionError": "agentkit.errors",
    "ToolError": "agentkit.errors",
}
_SUBMODULES = {"errors", "events"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"agentkit.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agentkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
