"""encode / decode: wire models to JSON frames and back."""

from __future__ import annotations

import base64
import json
from json import encoder as json_encoder
from typing import Any

from pydantic import ValidationError

from .._json import is_plain_json
from ..errors import LocalProtocolError, RemoteProtocolError
from ._client_messages import ClientContent, ClientMessage, RealtimeInput, Setup, ToolResponse
from ._server_messages import ServerMessage

__all__ = [
    "AnyClientMessage",
    "audio_frame",
    "decode_client",
    "decode_server",
    "dump_json",
    "encode",
    "function_response_frame",
    "is_plain_json",
    "wrap",
]

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
    return dump_json(envelope.to_wire())


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# JSONEncoder.encode builds a C encoder object on every call, which costs as much as the
# encoding of a small frame. One built once, without the circular-reference check (the
# frames are dumps of models and checked plain JSON, never circular), writes the same
# text in half the time.
_make_encoder: Any = getattr(json_encoder, "c_make_encoder", None)  # None: no C speedups
_c_encode: Any = (
    None
    if _make_encoder is None
    else _make_encoder(
        None,  # markers: no circular check
        _ENCODER.default,
        json_encoder.encode_basestring,
        None,  # indent
        ":",
        ",",
        False,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan, as JSONEncoder's default
    )
)


def dump_json(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``: the frame format."""
    if _c_encode is None:
        return _ENCODER.encode(value)
    return "".join(_c_encode(value, 0))


# -- hot-path frames ----------------------------------------------------------------------
# The two frames a live session sends most (an audio chunk, a function response) written
# with json straight from their parts: building the pydantic models only to dump them again
# cost 3x the bytes' own encoding. Both write exactly what ``encode`` writes for the
# equivalent model (keys in field order, unset fields left out); the tests compare them.


def audio_frame(pcm: bytes, mime_type: str) -> str:
    """``encode(RealtimeInput(audio=Blob(mime_type=mime_type, data=pcm)))``."""
    data = base64.b64encode(pcm).decode("ascii")
    return dump_json({"realtimeInput": {"audio": {"mimeType": mime_type, "data": data}}})


def function_response_frame(
    id: str,
    name: str,
    response: dict[str, Any],
    will_continue: bool | None,
    scheduling: str | None,
) -> str:
    """``encode(ToolResponse(function_responses=[FunctionResponse(...)]))`` for plain JSON
    ``response`` (see :func:`is_plain_json`)."""
    wire: dict[str, Any] = {"id": id, "name": name, "response": response}
    if will_continue is not None:
        wire["willContinue"] = will_continue
    if scheduling is not None:
        wire["scheduling"] = scheduling
    return dump_json({"toolResponse": {"functionResponses": [wire]}})


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


# The validator itself: model_validate_json's Python wrapper costs a tenth of a frame.
_validate_server_json = ServerMessage.__pydantic_validator__.validate_json


def decode_server(frame: str | bytes | bytearray | memoryview) -> ServerMessage:
    """Parse one server frame (text or binary, camelCase or snake_case keys).

    Unknown fields and unknown message kinds are kept, never fatal.

    Raises:
        RemoteProtocolError: the frame is not a JSON object, or a known field has a
            value of the wrong shape.
    """
    if not isinstance(frame, memoryview):
        # pydantic parses and validates in one pass, ~2x faster than json.loads first.
        # Whenever it succeeds the result equals the json.loads path (the tests compare
        # both); anything it refuses (a lone surrogate escape, bad JSON, a wrong shape)
        # takes the path below, which gives the result or error it always gave.
        try:
            return _validate_server_json(frame)  # type: ignore[no-any-return]
        except ValidationError:
            pass
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
