"""Ephemeral tokens: short-lived credentials a browser or phone can use instead of your key.

Your server holds the real API key and mints a token per end-user session; the client
connects with the token, which can be locked to one model and config::

    from agentkit import auth

    token = auth.create_token(
        uses=1,
        expire_time=timedelta(minutes=30),
        new_session_expire_time=timedelta(minutes=1),
        model="gemini-2.0-flash-live-001",
        config={"response_modalities": ["TEXT"], "temperature": 0.7},
    )
    # hand token.name to the client, which connects with it:
    async with agentkit.connect(model, api_key=token.name, api_version="v1alpha") as s: ...

This is ``POST {base_url}/v1alpha/auth_tokens`` with the ``x-goog-api-key`` header (see
docs/live-protocol.md §12). :func:`acreate_token` is the async twin. The key comes from
``api_key``, else ``GEMINI_API_KEY``, else ``GOOGLE_API_KEY``, and appears in no repr,
log or exception; neither does the token, which is a credential too.
"""

from __future__ import annotations

import os
import ssl as _ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from .errors import ConfigError, TokenError

if TYPE_CHECKING:
    from .protocol import LiveConfig

__all__ = ["DEFAULT_BASE_URL", "AuthToken", "acreate_token", "build_request", "create_token"]

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
_PATH = "/v1alpha/auth_tokens"
_KEY_VARS = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}

# GenerationConfig fields of the Live setup: a bare name in ``lock_additional_fields`` is
# locked as ``generationConfig.<name>``, as Google's SDK does.
_GENERATION_FIELDS = frozenset(
    {
        "candidateCount",
        "enableAffectiveDialog",
        "frequencyPenalty",
        "maxOutputTokens",
        "mediaResolution",
        "presencePenalty",
        "responseModalities",
        "seed",
        "speechConfig",
        "temperature",
        "thinkingConfig",
        "topK",
        "topP",
    }
)

Expiry = datetime | timedelta | str | None
"""An absolute time (timezone-aware datetime or RFC 3339 string) or a delay from now."""


@dataclass(frozen=True, repr=False)
class AuthToken:
    """An ephemeral token. ``name`` (``auth_tokens/…``) is what the client uses as its key.

    ``raw`` is the server's JSON response as received. The repr hides the token.
    """

    name: str
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def expire_time(self) -> str | None:
        """When sessions using the token stop working (RFC 3339), if the server said."""
        value = self.raw.get("expireTime")
        return value if isinstance(value, str) else None

    @property
    def new_session_expire_time(self) -> str | None:
        """When the token stops opening new sessions (RFC 3339), if the server said."""
        value = self.raw.get("newSessionExpireTime")
        return value if isinstance(value, str) else None

    def __repr__(self) -> str:
        prefix = self.name.split("/", 1)[0] + "/" if "/" in self.name else ""
        return f"AuthToken(name='{prefix}***', expire_time={self.expire_time!r})"

    __str__ = __repr__


def build_request(
    *,
    uses: int | None = 1,
    expire_time: Expiry = None,
    new_session_expire_time: Expiry = None,
    model: str | None = None,
    config: LiveConfig | Mapping[str, Any] | None = None,
    lock_additional_fields: Sequence[str] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The JSON body of a token request (exposed for inspection and tests).

    ``model``/``config`` constrain the sessions the token may open (the
    ``bidiGenerateContentSetup``; ``config`` as for :func:`agentkit.connect`).
    ``lock_additional_fields`` follows Google's SDK: None (default) locks every field of
    that setup (no ``fieldMask``); ``[]`` locks only the fields set; a list of names locks
    the set fields plus those (bare generation fields such as ``"temperature"`` become
    ``generationConfig.temperature``).
    """
    now = now or datetime.now(UTC)
    body: dict[str, Any] = {}
    if uses is not None:
        if isinstance(uses, bool) or not isinstance(uses, int) or uses < 0:
            raise ConfigError(
                f"uses must be an int >= 0 (0 = unlimited), got {uses!r}", field="uses"
            )
        body["uses"] = uses
    for name, wire, value in (
        ("expire_time", "expireTime", expire_time),
        ("new_session_expire_time", "newSessionExpireTime", new_session_expire_time),
    ):
        if value is not None:
            body[wire] = _timestamp(name, value, now)
    setup = _setup(model, config)
    if setup:
        body["bidiGenerateContentSetup"] = setup
    mask = _field_mask(setup, lock_additional_fields)
    if mask:
        body["fieldMask"] = mask
    return body


def create_token(
    *,
    api_key: str | None = None,
    uses: int | None = 1,
    expire_time: Expiry = None,
    new_session_expire_time: Expiry = None,
    model: str | None = None,
    config: LiveConfig | Mapping[str, Any] | None = None,
    lock_additional_fields: Sequence[str] | None = None,
    base_url: str | None = None,
    timeout: float = 30.0,
    ssl: _ssl.SSLContext | None = None,
    client: httpx.Client | None = None,
) -> AuthToken:
    """Create an ephemeral token (blocking). Arguments as in :func:`build_request`.

    Raises:
        ConfigError: no API key, or an invalid argument (nothing was sent).
        TokenError: the request failed; ``.status`` and ``.server_message`` say why.
    """
    key, url = _resolve_key(api_key), _endpoint(base_url)
    body = build_request(
        uses=uses,
        expire_time=expire_time,
        new_session_expire_time=new_session_expire_time,
        model=model,
        config=config,
        lock_additional_fields=lock_additional_fields,
    )
    try:
        if client is not None:
            response = client.post(url, json=body, headers=_headers(key), timeout=timeout)
        else:
            with httpx.Client(verify=_verify(ssl), timeout=timeout) as own:
                response = own.post(url, json=body, headers=_headers(key))
    except httpx.HTTPError as exc:
        raise _transport_error(exc, key) from None
    return _parse(response, key)


async def acreate_token(
    *,
    api_key: str | None = None,
    uses: int | None = 1,
    expire_time: Expiry = None,
    new_session_expire_time: Expiry = None,
    model: str | None = None,
    config: LiveConfig | Mapping[str, Any] | None = None,
    lock_additional_fields: Sequence[str] | None = None,
    base_url: str | None = None,
    timeout: float = 30.0,  # noqa: ASYNC109 - the HTTP timeout, passed to httpx
    ssl: _ssl.SSLContext | None = None,
    client: httpx.AsyncClient | None = None,
) -> AuthToken:
    """Create an ephemeral token without blocking the event loop. See :func:`create_token`."""
    key, url = _resolve_key(api_key), _endpoint(base_url)
    body = build_request(
        uses=uses,
        expire_time=expire_time,
        new_session_expire_time=new_session_expire_time,
        model=model,
        config=config,
        lock_additional_fields=lock_additional_fields,
    )
    try:
        if client is not None:
            response = await client.post(url, json=body, headers=_headers(key), timeout=timeout)
        else:
            async with httpx.AsyncClient(verify=_verify(ssl), timeout=timeout) as own:
                response = await own.post(url, json=body, headers=_headers(key))
    except httpx.HTTPError as exc:
        raise _transport_error(exc, key) from None
    return _parse(response, key)


# -- internals ---------------------------------------------------------------------------


def _resolve_key(api_key: str | None) -> str:
    key = api_key or next((os.environ[v] for v in _KEY_VARS if os.environ.get(v)), None)
    if not key:
        raise ConfigError(
            "no API key: pass api_key= or set GEMINI_API_KEY (or GOOGLE_API_KEY)", field="api_key"
        )
    if key.startswith("auth_tokens/"):
        raise ConfigError(
            "an ephemeral token cannot create tokens: use the real API key on your server",
            field="api_key",
        )
    return key


def _endpoint(base_url: str | None) -> str:
    base = (base_url or DEFAULT_BASE_URL).rstrip("/")
    scheme, sep, rest = base.partition("://")
    if not sep or scheme.lower() not in _SCHEMES:
        raise ConfigError(
            f"base_url must start with http://, https://, ws:// or wss://, got {base_url!r}",
            field="base_url",
        )
    return f"{_SCHEMES[scheme.lower()]}://{rest}{_PATH}"


def _headers(key: str) -> dict[str, str]:
    return {"x-goog-api-key": key, "content-type": "application/json"}


def _verify(context: _ssl.SSLContext | None) -> _ssl.SSLContext | bool:
    return context if context is not None else True


def _timestamp(name: str, value: datetime | timedelta | str, now: datetime) -> str:
    if isinstance(value, timedelta):
        value = now + value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ConfigError(
                f"{name} must be timezone-aware (e.g. tzinfo=timezone.utc)", field=name
            )
        return value.isoformat()
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ConfigError(f"{name} is not an RFC 3339 time: {value!r}", field=name) from None
        return value
    raise ConfigError(f"{name} must be a datetime, timedelta or RFC 3339 string", field=name)


def _setup(model: str | None, config: LiveConfig | Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``bidiGenerateContentSetup`` constraints, camelCase, model prefixed."""
    setup: dict[str, Any] = {}
    if model:
        setup["model"] = (
            model if model.startswith(("models/", "tunedModels/")) else f"models/{model}"
        )
    if config is not None:
        setup.update(_config_to_setup(config))
    return setup


def _config_to_setup(config: LiveConfig | Mapping[str, Any]) -> dict[str, Any]:
    # Lazy: plain tokens need no pydantic models. load_config raises ConfigError naming the field.
    from .protocol import load_config

    # to_setup wants a model; the token's model (if any) is set by _setup, not here.
    wire: dict[str, Any] = load_config(config).to_setup("models/-").to_wire()
    wire.pop("model", None)
    return wire


def _field_mask(setup: Mapping[str, Any], extra: Sequence[str] | None) -> str:
    if extra is None:
        return ""  # no fieldMask: the server locks every field of the setup
    if isinstance(extra, str):
        raise ConfigError(
            "lock_additional_fields must be a list of names, not a string",
            field="lock_additional_fields",
        )
    paths: list[str] = []
    for key, value in setup.items():
        if isinstance(value, Mapping) and value:
            paths.extend(f"{key}.{sub}" for sub in value)
        else:
            paths.append(key)
    for name in extra:
        path = ".".join(_camel(part) for part in name.split("."))
        if path in _GENERATION_FIELDS:
            path = f"generationConfig.{path}"
        if path not in paths:
            paths.append(path)
    return ",".join(paths)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _redact(text: str, key: str) -> str:
    return text.replace(key, "***") if key else text


def _transport_error(exc: httpx.HTTPError, key: str) -> TokenError:
    detail = _redact(str(exc) or type(exc).__name__, key)
    return TokenError(f"could not create an ephemeral token: {type(exc).__name__}: {detail}")


def _parse(response: httpx.Response, key: str) -> AuthToken:
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.is_success:
        name = data.get("name") if isinstance(data, dict) else None
        if not isinstance(name, str) or not name:
            raise TokenError(
                f"the server answered HTTP {response.status_code} without a token name",
                status=response.status_code,
            )
        return AuthToken(name=name, raw=data)
    error = data.get("error") if isinstance(data, dict) else None
    message, reason = "", ""
    if isinstance(error, dict):
        message = str(error.get("message") or "")
        reason = str(error.get("status") or "")
    if not message:
        message = response.text[:500]
    message = _redact(message, key)
    text = f"could not create an ephemeral token: HTTP {response.status_code}"
    if reason:
        text += f" {reason}"
    if message:
        text += f": {message}"
    raise TokenError(text, status=response.status_code, server_message=message)
