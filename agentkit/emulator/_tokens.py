"""Ephemeral tokens: ``POST /v1alpha/auth_tokens`` and their use on the constrained method."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from typing import Any

from ._wire import SetupRefused, camel, normalise

__all__ = ["Token", "TokenStore"]

_UNREGISTERED = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _parse_time(value: Any, default: datetime.datetime) -> datetime.datetime:
    if not value:
        return default
    text = str(value).replace("Z", "+00:00")
    parsed = datetime.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


@dataclass
class Token:
    """One issued token (``name`` is what clients pass as their key)."""

    name: str
    uses: int
    expire_time: datetime.datetime
    new_session_expire_time: datetime.datetime
    setup: dict[str, Any] | None
    field_mask: list[str] | None
    sessions_started: int = 0
    body: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "uses": self.uses,
            "expireTime": self.expire_time.isoformat().replace("+00:00", "Z"),
            "newSessionExpireTime": self.new_session_expire_time.isoformat().replace("+00:00", "Z"),
        }
        if self.setup is not None:
            out["bidiGenerateContentSetup"] = self.setup
        return out


class TokenStore:
    """Issues tokens and checks them when a session starts."""

    def __init__(self) -> None:
        self.tokens: dict[str, Token] = {}

    def create(self, body: dict[str, Any]) -> Token:
        """Create from a REST body (camelCase or snake_case); raise ValueError if malformed."""
        body = normalise(body)
        now = _now()
        uses = body.get("uses", 1)
        if uses is None:
            uses = 1
        setup = body.get("bidiGenerateContentSetup") or body.get("liveConnectConstraints")
        if setup is not None and not isinstance(setup, dict):
            raise ValueError("bidiGenerateContentSetup must be an object")
        mask = body.get("fieldMask")
        fields = None
        if mask:
            fields = [
                ".".join(camel(p) for p in path.strip().split("."))
                for path in str(mask).split(",")
                if path.strip()
            ]
        token = Token(
            name="auth_tokens/" + secrets.token_hex(16),
            uses=int(uses),
            expire_time=_parse_time(body.get("expireTime"), now + datetime.timedelta(minutes=30)),
            new_session_expire_time=_parse_time(
                body.get("newSessionExpireTime"), now + datetime.timedelta(minutes=1)
            ),
            setup=setup,
            field_mask=fields,
            body=body,
        )
        self.tokens[token.name] = token
        return token

    def admit(self, name: str, *, resuming: bool) -> Token:
        """Check a token for a new (or resumed) session; count the use."""
        token = self.tokens.get(name)
        now = _now()
        if token is None or now > token.expire_time:
            raise SetupRefused(1008, _UNREGISTERED)
        if not resuming:
            if now > token.new_session_expire_time:
                raise SetupRefused(1008, _UNREGISTERED)
            if token.uses and token.sessions_started >= token.uses:
                raise SetupRefused(1008, _UNREGISTERED)
            token.sessions_started += 1
        return token


def apply_constraints(setup: dict[str, Any], token: Token) -> dict[str, Any]:
    """Locked fields of the token's setup override what the client sent."""
    if not token.setup:
        return setup
    locked = normalise(token.setup)
    merged = dict(normalise(setup))
    if token.field_mask is None:
        for key, value in locked.items():
            merged[key] = value
        return merged
    for path in token.field_mask:
        parts = path.split(".")
        source: Any = locked
        for part in parts:
            source = source.get(part) if isinstance(source, dict) else None
        if source is None:
            continue
        target = merged
        for part in parts[:-1]:
            child = target.get(part)
            child = dict(child) if isinstance(child, dict) else {}
            target[part] = child
            target = child
        target[parts[-1]] = source
    return merged
