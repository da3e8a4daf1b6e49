"""Everything decided before connecting: credentials, the URL, the setup, the options."""

from __future__ import annotations

import os
import re
import ssl as _ssl
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .._version import __version__
from ..errors import ConfigError
from ..protocol import LiveConfig, Setup, load_config

__all__ = ["GOOGLE_BASE_URL", "Options", "Secret", "build_url", "field_from_reason", "resolve_key"]

GOOGLE_BASE_URL = "wss://generativelanguage.googleapis.com"
_SCHEMES = {"ws": "ws", "wss": "wss", "http": "ws", "https": "wss"}
_VERSION = re.compile(r"^v\d+(alpha|beta)?\d*$")


class Secret:
    """A credential that never shows itself in a repr, a log line or an exception."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one header that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def resolve_key(api_key: str | None) -> Secret | None:
    """``api_key``, else ``GEMINI_API_KEY``, else ``GOOGLE_API_KEY``, else None."""
    for value in (api_key, os.environ.get("GEMINI_API_KEY"), os.environ.get("GOOGLE_API_KEY")):
        if value:
            return Secret(value.strip())
    return None


def build_url(base_url: str | None, api_version: str, method: str) -> str:
    """The WebSocket URL of ``method``; http(s) bases map to ws(s). No credentials in it.

    Raises:
        ConfigError: the base URL or the API version is unusable.
    """
    if not _VERSION.match(api_version):
        raise ConfigError(
            f"api_version must look like 'v1beta' or 'v1alpha', not {api_version!r}",
            field="api_version",
        )
    parts = urlsplit(base_url or GOOGLE_BASE_URL)
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None or not parts.hostname:
        raise ConfigError(
            f"base_url must be a ws://, wss://, http:// or https:// URL with a host, "
            f"not {_redact_url(base_url or '')!r}",
            field="base_url",
        )
    if parts.username or parts.password or parts.query:
        raise ConfigError(
            "base_url must not carry credentials or a query string; pass api_key instead",
            field="base_url",
        )
    path = parts.path.rstrip("/")
    path += f"/ws/google.ai.generativelanguage.{api_version}.GenerativeService.{method}"
    return urlunsplit((scheme, parts.netloc, path, "", ""))


def _redact_url(url: str) -> str:
    return re.sub(r"[?#].*$", "?…", url)


_UNKNOWN_NAME = re.compile(r"""Unknown name "([^"]+)" at '([^']+)'""")
_AT_PATH = re.compile(r"""at '((?:setup|tool_response|client_content|realtime_input)[^']*)'""")
_MODEL = re.compile(r"models/\S+ is not found")


def field_from_reason(reason: str) -> str | None:
    """The setup field a close reason names, if it names one (``setup.proactivity``)."""
    match = _UNKNOWN_NAME.search(reason)
    if match:
        return f"{match.group(2)}.{match.group(1)}"
    match = _AT_PATH.search(reason)
    if match:
        return match.group(1)
    if _MODEL.search(reason):
        return "setup.model"
    if "non-audio request" in reason:
        return "setup.generation_config.response_modalities"
    return None


@dataclass(slots=True)
class Options:
    """The validated inputs of one session; built (and checked) before any I/O."""

    model: str
    config: LiveConfig
    setup: Setup
    url: str
    headers: dict[str, str] = field(repr=False)
    key: Secret | None = field(repr=False)
    tools: list[Any] = field(default_factory=list)
    plugins: Any = None
    ssl: _ssl.SSLContext | None = None
    auto_dispatch: bool = True
    resume: bool = True
    max_concurrency: int = 256
    redact_errors: bool = False
    default_timeout: float | None = None
    reconnect_attempts: int = 5
    reconnect_backoff: tuple[float, float] = (0.5, 10.0)
    goaway_margin: float = 0.5
    min_uptime: float = 1.0
    open_timeout: float = 10.0
    setup_timeout: float = 30.0
    close_timeout: float = 5.0
    ping_interval: float | None = 20.0
    ping_timeout: float | None = None
    max_events: int | None = 10_000

    @property
    def secrets(self) -> tuple[str, ...]:
        """The strings no log line may contain."""
        return (self.key.reveal(),) if self.key else ()


def build_options(
    model: str,
    *,
    tools: Iterable[Any],
    config: Any,
    api_key: str | None,
    base_url: str | None,
    api_version: str,
    plugins: bool | str | Sequence[str],
    headers: Mapping[str, str] | None,
    resume: bool,
    **rest: Any,
) -> Options:
    """Validate everything and build the first setup. Raises ConfigError; never does I/O."""
    if not isinstance(model, str) or not model.strip():
        raise ConfigError("model must be a non-empty model name", field="model")
    live = load_config(config)
    key = resolve_key(api_key)
    method = "BidiGenerateContent"
    version = api_version
    if key is not None and key.reveal().startswith("auth_tokens/"):
        # Ephemeral tokens work only on the constrained v1alpha method (as google-genai does).
        method = "BidiGenerateContentConstrained"
        version = "v1alpha"
    url = build_url(base_url, version, method)
    google = base_url is None or urlsplit(url).hostname == urlsplit(GOOGLE_BASE_URL).hostname
    if google and key is None:
        raise ConfigError(
            "no API key: pass api_key=, or set GEMINI_API_KEY or GOOGLE_API_KEY "
            "(a custom base_url such as a local emulator may run without one)",
            field="api_key",
        )
    if google and version != "v1alpha" and live.needs_v1alpha:
        name = live.needs_v1alpha[0]
        raise ConfigError(
            f"{name} needs api_version='v1alpha' on the Gemini API (v1beta rejects it with 1007)",
            field=name,
        )
    if rest.get("reconnect_attempts", 0) < 0:
        raise ConfigError("reconnect_attempts must be >= 0", field="reconnect_attempts")
    max_events = rest.get("max_events")
    if max_events is not None and (type(max_events) is not int or max_events < 1):
        raise ConfigError("max_events must be a positive int or None", field="max_events")
    all_headers = {"user-agent": f"agentkit/{__version__}"}
    all_headers.update(headers or {})
    if key is not None:
        all_headers["x-goog-api-key"] = key.reveal()
        if method == "BidiGenerateContentConstrained":
            all_headers["authorization"] = f"Token {key.reveal()}"
    tool_list = list(tools)
    loaded = None
    extra_instructions: list[str] = []
    if plugins:
        from ..plugins import load_plugins

        if plugins is True:
            selection: bool | list[str] = True
        elif isinstance(plugins, str):
            selection = [plugins]  # one name, not its characters
        else:
            selection = list(plugins)
        loaded = load_plugins(selection)
        tool_list.extend(loaded.tools)
        extra_instructions = loaded.system_instructions()
    from ..tools import collect_tools

    declarations = [t.declaration for t in collect_tools(tool_list)]
    setup = live.to_setup(
        model,
        function_declarations=declarations,
        extra_instructions=extra_instructions,
        resume=resume,
    )
    return Options(
        model=setup.model,
        config=live,
        setup=setup,
        url=url,
        headers=all_headers,
        key=key,
        tools=tool_list,
        plugins=loaded,
        resume=resume,
        **rest,
    )
