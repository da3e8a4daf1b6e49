"""Small wire helpers: key normalisation, base64, paths, credentials, close reasons.

The emulator keeps its own helpers (it never depends on agentkit's client-side protocol
package) so that a bug cannot hide by being on both sides of the wire.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

__all__ = [
    "INVALID_ARGUMENT",
    "MAX_REASON_BYTES",
    "Route",
    "SetupRefused",
    "b64decode",
    "b64encode",
    "camel",
    "credential_from",
    "duration",
    "normalise",
    "parse_route",
    "truncate_reason",
]

MAX_REASON_BYTES = 123
INVALID_ARGUMENT = "Request contains an invalid argument."

# Keys whose *values* are free-form Structs: never rewrite keys below them.
_OPAQUE = frozenset(
    {
        "args",
        "response",
        "properties",
        "parametersJsonSchema",
        "responseJsonSchema",
        "labels",
        "default",
        "example",
        "enum",
    }
)

_PATH_RE = re.compile(
    r"(?:^|/)ws/google\.ai\.generativelanguage\.(v1|v1beta|v1alpha)\."
    r"GenerativeService\.(BidiGenerateContent|BidiGenerateContentConstrained)$"
)


class SetupRefused(Exception):
    """Internal: close the connection with ``code`` and ``reason`` instead of answering."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = truncate_reason(reason)


def camel(name: str) -> str:
    """``turn_complete`` -> ``turnComplete``; camelCase input is returned unchanged."""
    if "_" not in name:
        return name
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def normalise(value: Any) -> Any:
    """Rewrite every object key to lowerCamelCase, except inside free-form Struct values."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            ckey = camel(key) if isinstance(key, str) else key
            out[ckey] = item if ckey in _OPAQUE else normalise(item)
        if "properties" in out and isinstance(out["properties"], dict):
            # property *names* are user data, but each property's schema is not
            out["properties"] = {k: normalise(v) for k, v in out["properties"].items()}
        return out
    if isinstance(value, list):
        return [normalise(item) for item in value]
    return value


def b64decode(data: str) -> bytes:
    """Decode standard or URL-safe base64, with or without padding."""
    text = data.strip().replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"invalid base64 data: {exc}") from None


def b64encode(data: bytes) -> str:
    """Standard base64 (the JS SDK's ``atob`` rejects the URL-safe alphabet)."""
    return base64.b64encode(data).decode("ascii")


def truncate_reason(reason: str) -> str:
    """Cut a close reason to 123 UTF-8 bytes without splitting a character."""
    raw = reason.encode("utf-8")
    if len(raw) <= MAX_REASON_BYTES:
        return reason
    return raw[: MAX_REASON_BYTES - 3].decode("utf-8", "ignore") + "..."


def duration(seconds: float) -> str:
    """A proto3 JSON Duration: ``10s``, ``59.5s``."""
    text = f"{seconds:.3f}".rstrip("0").rstrip(".")
    return f"{text}s"


def parse_int64(value: Any) -> int | None:
    """int64 travels as a JSON number or a decimal string."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("expected an integer")
    return int(value)


class Route:
    """A parsed Live API request path."""

    __slots__ = ("method", "query", "version")

    def __init__(self, version: str, method: str, query: dict[str, list[str]]) -> None:
        self.version = version
        self.method = method
        self.query = query

    @property
    def constrained(self) -> bool:
        return self.method == "BidiGenerateContentConstrained"


def split_path(raw: str) -> tuple[str, dict[str, list[str]]]:
    """Split the query off first (``//ws/...`` fools urlsplit), then collapse slashes."""
    path, _, query = raw.partition("?")
    path = re.sub(r"/{2,}", "/", path)
    return path, parse_qs(query, keep_blank_values=True)


def parse_route(raw: str) -> Route | None:
    """Route a request path, tolerating ``//ws``, prefixes and query strings."""
    path, query = split_path(raw)
    match = _PATH_RE.search(path)
    if match is None:
        return None
    return Route(match.group(1), match.group(2), query)


def credential_from(query: Mapping[str, list[str]], headers: Mapping[str, str]) -> str | None:
    """The key or token from ``key``/``access_token`` query, ``x-goog-api-key`` or Authorization."""
    for name in ("key", "access_token"):
        values = query.get(name)
        if values and values[0]:
            return values[0]
    header = headers.get("x-goog-api-key")
    if header:
        return header.strip()
    auth = headers.get("authorization")
    if auth:
        scheme, _, token = auth.strip().partition(" ")
        if scheme.lower() in ("token", "bearer") and token.strip():
            return token.strip()
    return None


def dumps(message: Mapping[str, Any]) -> str:
    """Compact JSON for one server message."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)
