"""The base of every wire model: camelCase out, either spelling in, unknown fields kept."""

from __future__ import annotations

import base64
import binascii
import enum
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

__all__ = ["Base64Bytes", "WireEnum", "WireModel", "decode_base64", "parse_duration"]


class WireModel(BaseModel):
    """A Live API JSON object.

    Fields are declared in snake_case and travel as lowerCamelCase. Input may use either
    spelling. Unknown keys are kept (``model_extra``) and sent back out unchanged, so a field
    newer than agentkit is never lost. Fields typed ``dict[str, Any]`` are free-form data
    (``args``, ``response``, schemas): their keys are never rewritten.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="allow",
    )

    def to_wire(self) -> dict[str, Any]:
        """This object as camelCase JSON-ready data (unset fields left out)."""
        return self.model_dump(mode="json", exclude_none=True)


def decode_base64(value: str) -> bytes:
    """Decode standard or URL-safe base64, with or without padding."""
    try:
        # The fast path: what servers send (standard, padded, no whitespace). Whatever this
        # accepts, the normalisation below would leave unchanged, so the result is the same;
        # it skips a regex pass that cost 4x the decoding itself on audio chunks.
        return binascii.a2b_base64(value, strict_mode=True)
    except (binascii.Error, ValueError):
        pass
    text = re.sub(r"\s+", "", value)
    text = text.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"invalid base64 data: {exc}") from None


def _to_bytes(value: Any) -> Any:
    if isinstance(value, str):
        return decode_base64(value)
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return value


def _enum_value(value: Any) -> Any:
    # Google's SDK enums (and ours) are str enums; the wire wants the bare name.
    if isinstance(value, enum.Enum):
        return value.value
    return value


Base64Bytes = Annotated[
    bytes,
    BeforeValidator(_to_bytes),
    PlainSerializer(
        lambda b: base64.b64encode(b).decode("ascii"), return_type=str, when_used="json"
    ),
]
"""Bytes that travel as standard base64 and are read from either base64 alphabet."""

WireEnum = Annotated[str, BeforeValidator(_enum_value)]
"""An enum sent by name; accepts plain strings and str enums (agentkit's or google-genai's)."""

_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d*)?|-?\.\d+)s\s*$")


def parse_duration(value: str | float | int | None) -> float | None:
    """Seconds from a proto3 JSON Duration (``"10s"``, ``"59.5s"``); None if absent or bad."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    match = _DURATION.match(value)
    if match is None:
        return None
    return float(match.group(1))
