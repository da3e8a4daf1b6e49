"""encode / decode: wire models to JSON frames and back."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from ..errors import LocalProtocolError, RemoteProtocolError
from ._client_messages import ClientContent, ClientMessage, RealtimeInput, Setup, ToolResponse
from ._server_messages import ServerMessage

__all__ = ["AnyClientMessage", "decode_client", "decode_server", "encode", "wrap"]

AnyClientMessage = ClientMessage | Setup | ClientContent | RealtimeInput | ToolResponse

_WRAP: dict[type[Any], str] = {
    Setup: "setup",
    ClientContent: "client_content",
    RealtimeInput: "realtime_input",
    ToolResponse: "tool_response",
}


def wrap(msg: AnyClientMessage) -> ClientMessage:
    """Put a bare ``Setup``/``ClientContent``/... into its :class:`ClientMessage` envelope."""
    if isinstance(msg, ClientMessage):
        return msg
    field = _WRAP.get(type(msg))
    if field is None:
        raise TypeError(f"not a client message: {type(msg).__name__}")
    return ClientMessage.model_validate({field: msg})


def encode(msg: AnyClientMessage) -> str:
    """One client message as a camelCase JSON text frame.

    Raises:
        LocalProtocolError: the envelope carries no kind, or more than one.
    """
    envelope = wrap(msg)
    kinds = envelope.kinds
    if len(kinds) != 1:
        raise LocalProtocolError(
            f"a client message carries exactly one of setup, clientContent, realtimeInput, "
            f"toolResponse; this one has {kinds or 'none'}"
        )
    return json.dumps(envelope.to_wire(), ensure_ascii=False, separators=(",", ":"))


def _load(frame: str | bytes | bytearray | memoryview) -> dict[str, Any]:
    if isinstance(frame, bytearray | memoryview):
        frame = bytes(frame)
    if isinstance(frame, bytes):
        try:
            frame = frame.decode("utf-8")
        except UnicodeDecodeError:
            raise RemoteProtocolError(
                f"binary frame of {len(frame)} bytes is not UTF-8 JSON"
            ) from None
    try:
        data = json.loads(frame)
    except ValueError:
        raise RemoteProtocolError(f"frame is not JSON: {_preview(frame)}") from None
    if not isinstance(data, dict):
        raise RemoteProtocolError(f"frame is not a JSON object: {_preview(frame)}")
    return data


def _preview(text: str) -> str:
    return repr(text[:80] + ("…" if len(text) > 80 else ""))


def decode_server(frame: str | bytes | bytearray | memoryview) -> ServerMessage:
    """Parse one server frame (text or binary, camelCase or snake_case keys).

    Unknown fields and unknown message kinds are kept, never fatal.

    Raises:
        RemoteProtocolError: the frame is not a JSON object, or a known field has a
            value of the wrong shape.
    """
    data = _load(frame)
    try:
        return ServerMessage.model_validate(data)
    except ValidationError as exc:
        raise RemoteProtocolError(f"malformed server message: {_first_error(exc)}") from None


def decode_client(frame: str | bytes | bytearray | memoryview) -> ClientMessage:
    """Parse one client frame (for servers and tests); same leniency as :func:`decode_server`."""
    data = _load(frame)
    try:
        return ClientMessage.model_validate(data)
    except ValidationError as exc:
        raise RemoteProtocolError(f"malformed client message: {_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors(include_url=False, include_input=False)[0]
    loc = ".".join(str(p) for p in err["loc"])
    return f"{loc}: {err['msg']}"
