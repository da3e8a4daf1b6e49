"""The :class:`Emulator` server: WebSocket routing, TLS, REST tokens on the same port."""

from __future__ import annotations

import base64
import binascii
import http
import itertools
import json
import logging
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import anyio
from anyio.abc import TaskGroup
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from ._connection import Connection
from ._faults import Faults
from ._model import RuleModel
from ._records import ConnectionRecord
from ._script import Script, Step
from ._session_state import Sessions
from ._setup import MODELS, ModelInfo
from ._tls import mint_certificate, server_context
from ._tokens import TokenStore
from ._wire import credential_from, parse_route, split_path

__all__ = ["Emulator"]

logger = logging.getLogger("agentkit.emulator")

_SECRET_QUERY = re.compile(r"((?:^|[?&])(?:key|access_token)=)[^&\s'\"]*", re.IGNORECASE)
_SECRET_HEADER = re.compile(
    r"^([<>] (?:x-goog-api-key|authorization|x-agentkit-rest-body): ).*$", re.IGNORECASE
)


class _RedactSecrets(logging.Filter):
    """websockets logs request lines and headers at DEBUG: keep keys and tokens out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET_HEADER.sub(r"\1<redacted>", _SECRET_QUERY.sub(r"\1<redacted>", message))
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


logger.addFilter(_RedactSecrets())

_REST_METHOD = "X-Agentkit-Rest-Method"
_REST_BODY = "X-Agentkit-Rest-Body"
_MAX_REST_BODY = 64 * 1024

ScriptSpec = Script | Sequence[Step] | Sequence[Script] | None
FaultSpec = Faults | Sequence[Faults | None] | Callable[[int], Faults | None] | None


class _RestAwareConnection(ServerConnection):
    """Lets plain ``POST`` requests through websockets' GET-only handshake parser.

    A complete POST is rewritten into a GET carrying the method and body in two private
    headers; ``process_request`` answers it with an ordinary HTTP response.
    """

    _first = True
    _rest: bytearray | None = None

    def data_received(self, data: bytes) -> None:
        if self._first:
            self._first = False
            if data[:5].upper() == b"POST ":
                self._rest = bytearray()
        if self._rest is None:
            super().data_received(data)
            return
        self._rest += data
        converted = _post_as_get(bytes(self._rest))
        if converted is not None:
            self._rest = None
            super().data_received(converted)


def _post_as_get(raw: bytes) -> bytes | None:
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        return None if len(raw) < 16 * 1024 else b"GET /too-large HTTP/1.1\r\n\r\n"
    lines = head.split(b"\r\n")
    method, _, rest = lines[0].partition(b" ")
    length = 0
    kept = []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        lowered = name.strip().lower()
        if lowered == b"content-length":
            length = int(value.strip() or b"0")
        elif lowered not in (
            b"transfer-encoding",
            _REST_METHOD.lower().encode(),
            _REST_BODY.lower().encode(),
        ):
            kept.append(line)
    if length > _MAX_REST_BODY:
        return b"GET /too-large HTTP/1.1\r\n\r\n"
    if len(body) < length:
        return None
    encoded = base64.b64encode(body[:length])
    kept.append(_REST_METHOD.encode() + b": " + method)
    kept.append(_REST_BODY.encode() + b": " + encoded)
    return b"GET " + rest + b"\r\n" + b"\r\n".join(kept) + b"\r\n\r\n"


def _json_response(status: int, payload: Any) -> Response:
    body = json.dumps(payload).encode()
    phrase = http.HTTPStatus(status).phrase
    headers = Headers(
        [
            ("Content-Type", "application/json; charset=UTF-8"),
            ("Content-Length", str(len(body))),
            ("Connection", "close"),
        ]
    )
    return Response(status, phrase, headers, body)


def _error(status: int, message: str) -> Response:
    return _json_response(
        status,
        {"error": {"code": status, "message": message, "status": http.HTTPStatus(status).name}},
    )


class Emulator:
    """An offline Live API server that Google's SDKs and agentkit's client accept.

    ``async with Emulator() as emu:`` serves on ``emu.base_url`` (``ws://127.0.0.1:PORT``),
    or ``wss://`` with ``tls=True`` (then trust ``emu.ca_file``; Google's Python SDK wants
    ``emu.http_base_url``). ``emu.connections`` records what every client sent.

    Options:

    - ``model``: the default :class:`RuleModel` or your own instance of it.
    - ``script``: a :class:`Script` (or list of steps) every connection runs instead of the
      model; a list of scripts is used one per connection, then the model takes over.
    - ``strict``: refuse unknown fields, early or doubled messages with 1007, like the
      real service. The lenient default refuses only what the real service always refuses;
      a message carrying several oneof fields is logged (a warning, and a note on the
      connection record) and handled field by field in the order ``toolResponse``,
      ``contextUpdate``, ``clientContent``, ``realtimeInput``, whatever its JSON order.
      Empty user input (no text, an activity without audio) is never answered, and
      ``interrupted`` is sent only when a generation has already sent something.
    - ``lifetime``: seconds before ``goAway`` + close (1008); ``goaway_time_left`` sets the
      warning. ``session_limit_audio``/``session_limit_video`` apply without compression,
      counted from the session's start across resumptions: resuming a session already past
      its limit is refused with 1008 "Session duration limit exceeded." (no
      ``setupComplete``, no ``goAway``), and no ``goAway`` ever announces ``0s``.
    - ``faults``: :class:`Faults` for every connection, or a list / ``f(index)`` per connection.
    - ``require_key``: refuse connections without a credential (1008). ``api_keys``: the
      only keys accepted (others get 1007). By default any key, or none, is accepted.
    - ``scheduling_in_response``: also honour a ``scheduling`` *inside* ``response`` when
      the top-level field is absent (the guide's example does that; recorded per response).
    - ``text_frames``: answer with text frames instead of binary ones.
    - ``chunk_interval``: seconds between streamed chunks (0 = as fast as possible).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tls: bool = False,
        model: RuleModel | None = None,
        script: ScriptSpec = None,
        strict: bool = False,
        lifetime: float | None = None,
        goaway_time_left: float = 10.0,
        session_limit_audio: float | None = 900.0,
        session_limit_video: float | None = 120.0,
        faults: FaultSpec = None,
        require_key: bool = False,
        api_keys: Iterable[str] | None = None,
        scheduling_in_response: bool = True,
        text_frames: bool = False,
        chunk_interval: float = 0.0,
        handle_ttl: float = 7200.0,
        script_timeout: float = 30.0,
        models: dict[str, ModelInfo] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.tls = tls
        self.model = model or RuleModel()
        self._script_all, self._script_each = _scripts(script)
        self.strict = strict
        self.lifetime = lifetime
        self.goaway_time_left = goaway_time_left
        self.session_limit_audio = session_limit_audio
        self.session_limit_video = session_limit_video
        self.faults = faults
        self.require_key = require_key
        self.api_keys = frozenset(api_keys) if api_keys is not None else None
        self.scheduling_in_response = scheduling_in_response
        self.text_frames = text_frames
        self.chunk_interval = chunk_interval
        self.script_timeout = script_timeout
        self.models = {**MODELS, **(models or {})}
        self.sessions = Sessions(handle_ttl)
        self.tokens = TokenStore()
        self.connections: list[ConnectionRecord] = []
        self.ca_file: Path | None = None
        self._call_ids = itertools.count(1)
        self._server: Server | None = None
        self._tg: TaskGroup | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def __repr__(self) -> str:
        state = self.base_url if self._server is not None else "stopped"
        return f"<Emulator {state} connections={len(self.connections)}>"

    # --- addresses ---------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """``ws://host:port`` (``wss://`` with TLS), for agentkit and raw clients."""
        return f"{'wss' if self.tls else 'ws'}://{self._authority()}"

    @property
    def http_base_url(self) -> str:
        """``http(s)://host:port``: the ``base_url`` Google's SDKs take."""
        return f"{'https' if self.tls else 'http'}://{self._authority()}"

    def _authority(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running; use 'async with Emulator() as emu'")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def next_call_id(self) -> str:
        """A fresh function-call id, unique for this emulator."""
        return f"fc-{next(self._call_ids)}"

    # --- lifecycle -----------------------------------------------------------------------
    async def __aenter__(self) -> Emulator:
        tg = anyio.create_task_group()
        await tg.__aenter__()
        self._tg = tg
        try:
            await self._listen()
        except BaseException:
            self._tg = None
            tg.cancel_scope.cancel()
            await tg.__aexit__(None, None, None)
            if self._tmp is not None:
                self._tmp.cleanup()
                self._tmp = None
            raise
        return self

    async def _listen(self) -> None:
        ssl_ctx = None
        if self.tls:
            self._tmp = tempfile.TemporaryDirectory(prefix="agentkit-emulator-")
            cert, key = mint_certificate(Path(self._tmp.name), self.host)
            ssl_ctx = server_context(cert, key)
            self.ca_file = cert
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            ssl=ssl_ctx,
            process_request=self._process_request,
            create_connection=_RestAwareConnection,
            max_size=32 * 1024 * 1024,
            ping_interval=None,
            logger=logger,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every connection (1001), stop listening, end every connection task."""
        server, self._server = self._server, None
        tg, self._tg = self._tg, None
        try:
            if server is not None:
                server.close()
                await server.wait_closed()
        finally:
            if tg is not None:
                tg.cancel_scope.cancel()
                await tg.__aexit__(None, None, None)
            if self._tmp is not None:
                self._tmp.cleanup()
                self._tmp = None

    # --- HTTP side -------------------------------------------------------------------------
    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        method = request.headers.get(_REST_METHOD)
        if method is not None:
            return self._rest(method, request)
        if request.path.startswith("/too-large"):
            return _error(413, "Request body too large.")
        if parse_route(request.path) is None:
            return _error(404, f"No Live API method at {split_path(request.path)[0]}.")
        return None

    def _rest(self, method: str, request: Request) -> Response:
        path, query = split_path(request.path)
        if method.upper() != "POST" or not path.rstrip("/").endswith(
            ("/v1alpha/auth_tokens", "/v1beta/auth_tokens")
        ):
            return _error(404, f"No REST method {method} {path}.")
        credential = credential_from(query, request.headers)
        if credential is None and self.require_key:
            return _error(403, "Method doesn't allow unregistered callers.")
        if credential is not None and self.api_keys is not None and credential not in self.api_keys:
            return _error(400, "API key not valid. Please pass a valid API key.")
        try:
            raw = base64.b64decode(request.headers.get(_REST_BODY, ""), validate=True)
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            token = self.tokens.create(body)
        except (ValueError, binascii.Error, TypeError) as exc:
            return _error(400, f"Invalid JSON payload received. {exc}")
        return _json_response(200, token.as_json())

    # --- WebSocket side ---------------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        index = len(self.connections)
        request = ws.request
        assert request is not None
        record = ConnectionRecord(index=index, path=request.path.split("?", 1)[0])
        self.connections.append(record)
        script = self._script_all
        if script is None and index < len(self._script_each):
            script = self._script_each[index]
        connection = Connection(self, ws, record, self._faults_for(index), script)
        if self._tg is None:  # shutting down
            await ws.close(1001)
            return
        # The emulator's task group owns every connection's work; this websockets handler
        # only keeps the socket open until that work is done.
        self._tg.start_soon(connection.run)
        await record.closed.wait()

    def _faults_for(self, index: int) -> Faults:
        spec = self.faults
        if spec is None:
            return Faults()
        if isinstance(spec, Faults):
            return spec
        if callable(spec):
            return spec(index) or Faults()
        return (spec[index] if index < len(spec) else None) or Faults()


def _scripts(spec: ScriptSpec) -> tuple[Script | None, list[Script]]:
    """One script for every connection, or one per connection in order."""
    if spec is None:
        return None, []
    if isinstance(spec, Script):
        return spec, []
    items = list(spec)
    if all(isinstance(i, Step) for i in items):
        return Script(items), []  # type: ignore[arg-type]
    if all(isinstance(i, Script) for i in items):
        return None, items  # type: ignore[return-value]
    raise TypeError("script must be a Script, a list of steps, or a list of Scripts")
