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
    └── PluginError              a plugin could not be loaded or broke a rule

Messages never include credentials.
"""

from __future__ import annotations

__all__ = [
    "AgentkitError",
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
