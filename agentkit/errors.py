"""Every exception agentkit raises, under one base.

::

    AgentkitError
    ├── ToolDefinitionError      a function cannot become a tool (raised at decoration time)
    ├── ToolError                raise inside a tool to send a clean {"error": ...} to the model
    ├── ConfigError              a bad session config, found before connecting
    ├── ProtocolError
    │   ├── LocalProtocolError   we were about to send something the protocol forbids now
    │   └── RemoteProtocolError  the peer sent something we cannot accept
    ├── SessionError
    │   ├── ConnectError         the connection could not be opened (carries .status)
    │   ├── SessionClosed        the server closed the socket (carries .code and .reason)
    │   │   ├── InvalidArgument      1007
    │   │   ├── PolicyViolation      1008 (unknown model, no credentials, ...)
    │   │   └── ServerError          1011
    │   └── ResumptionFailed     a resume was refused or could not be completed
    ├── PluginError              a plugin could not be loaded or broke a rule
    ├── AudioFormatError         an audio file agentkit.audio cannot read (also a ValueError)
    ├── TokenError               an ephemeral token could not be created (carries .status)
    └── ToolArgumentError        the model's arguments do not fit a tool (also a ValueError)

Messages never include credentials.
"""

from __future__ import annotations

__all__ = [
    "AgentkitError",
    "AudioFormatError",
    "ConfigError",
    "ConnectError",
    "InvalidArgument",
    "LocalProtocolError",
    "PluginError",
    "PolicyViolation",
    "ProtocolError",
    "RemoteProtocolError",
    "ResumptionFailed",
    "ServerError",
    "SessionClosed",
    "SessionError",
    "TokenError",
    "ToolArgumentError",
    "ToolDefinitionError",
    "ToolError",
    "closed_error",
]


class AgentkitError(Exception):
    """Base class of every agentkit exception."""


class ToolDefinitionError(AgentkitError, TypeError):
    """A function cannot become a tool. The message lists every problem at once."""


class ToolError(AgentkitError):
    """Raise inside a tool to answer the model with ``{"error": message}``, no traceback."""


class ConfigError(AgentkitError, ValueError):
    """A session config is invalid. Raised before any connection is attempted."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ProtocolError(AgentkitError):
    """The Live API protocol was broken by one side."""


class LocalProtocolError(ProtocolError):
    """We were about to send a message the protocol does not allow in this state."""


class RemoteProtocolError(ProtocolError):
    """The peer sent a message that cannot be understood."""


class SessionError(AgentkitError):
    """A live session failed."""


class ConnectError(SessionError):
    """The WebSocket connection could not be opened."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class SessionClosed(SessionError):
    """The server closed the connection. ``code`` and ``reason`` are the close frame's."""

    def __init__(self, code: int, reason: str = "", *, field: str | None = None) -> None:
        text = f"server closed the session with {code}"
        if reason:
            text += f": {reason}"
        if field:
            text += f" (setup field: {field})"
        super().__init__(text)
        self.code = code
        self.reason = reason
        self.field = field


class InvalidArgument(SessionClosed):
    """1007: the server rejected a message or the setup as invalid."""


class PolicyViolation(SessionClosed):
    """1008: unknown model, missing or rejected credentials, or a routine abort."""


class ServerError(SessionClosed):
    """1011: an internal error, quota, or a deadline on the server side."""


class ResumptionFailed(SessionError):
    """A session could not be resumed with its handle."""


class PluginError(AgentkitError):
    """A plugin could not be loaded, or two plugins broke a rule together."""


_BY_CODE: dict[int, type[SessionClosed]] = {
    1007: InvalidArgument,
    1008: PolicyViolation,
    1011: ServerError,
}


def closed_error(code: int, reason: str = "", *, field: str | None = None) -> SessionClosed:
    """The SessionClosed subclass for a close code (SessionClosed itself for others)."""
    return _BY_CODE.get(code, SessionClosed)(code, reason, field=field)


class AudioFormatError(AgentkitError, ValueError):
    """An audio file is not a WAV file agentkit.audio can read (the message says why)."""


class TokenError(AgentkitError):
    """An ephemeral token could not be created.

    ``status`` is the HTTP status (None when no response arrived) and ``server_message`` the
    server's own error message, if it sent one. Never contains the API key.
    """

    def __init__(
        self, message: str, *, status: int | None = None, server_message: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.server_message = server_message


class ToolArgumentError(AgentkitError, ValueError):
    """The model called a tool with arguments that do not fit its declaration.

    ``str()`` names every bad field and why, phrased for the model. ``tool`` is the tool's
    name and ``problems`` lists ``(field, reason)`` pairs (``field`` is dotted for nested values).
    """

    def __init__(self, tool: str, problems: list[tuple[str, str]]) -> None:
        text = "; ".join(f"{field}: {reason}" if field else reason for field, reason in problems)
        super().__init__(f"invalid arguments for {tool}: {text}")
        self.tool = tool
        self.problems = problems
