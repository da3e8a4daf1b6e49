"""What the emulator saw on each connection, for assertions in tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio

__all__ = ["ConnectionRecord"]


@dataclass(eq=False)
class ConnectionRecord:
    """One WebSocket connection: the normalised (camelCase) setup and every message.

    Credentials are never stored: ``credential`` is ``"key"``, ``"token"`` or ``None``.
    """

    index: int
    path: str
    version: str = ""
    method: str = ""
    credential: str | None = None
    user_agent: str | None = None
    setup: dict[str, Any] | None = None
    resumed: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    tool_responses: list[dict[str, Any]] = field(default_factory=list)
    ignored_responses: list[dict[str, Any]] = field(default_factory=list)
    user_turns: list[dict[str, Any]] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str | None = None
    closed: anyio.Event = field(default_factory=anyio.Event, repr=False)

    @property
    def declarations(self) -> list[dict[str, Any]]:
        """Every FunctionDeclaration the client sent in ``setup``."""
        out: list[dict[str, Any]] = []
        for tool in (self.setup or {}).get("tools") or []:
            out.extend(tool.get("functionDeclarations") or [])
        return out

    def declaration(self, name: str) -> dict[str, Any]:
        """One declaration by name (KeyError if the client did not declare it)."""
        for decl in self.declarations:
            if decl.get("name") == name:
                return decl
        raise KeyError(
            f"no function declared as {name!r}; declared: "
            f"{[d.get('name') for d in self.declarations]}"
        )

    @property
    def function_calls(self) -> list[dict[str, Any]]:
        """Every function call the emulator sent, in order."""
        out: list[dict[str, Any]] = []
        for message in self.sent:
            out.extend((message.get("toolCall") or {}).get("functionCalls") or [])
        return out

    def responses_for(self, name: str) -> list[dict[str, Any]]:
        """The FunctionResponses received for calls of function ``name``."""
        return [r for r in self.tool_responses if r.get("name") == name]

    def sent_kinds(self) -> list[str]:
        """The oneof field of every server message sent (``serverContent.turnComplete`` style)."""
        kinds: list[str] = []
        for message in self.sent:
            for key, value in message.items():
                if key == "usageMetadata":
                    continue
                if key == "serverContent" and isinstance(value, dict):
                    kinds.extend(f"serverContent.{k}" for k in value)
                else:
                    kinds.append(key)
        return kinds
