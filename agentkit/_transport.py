"""The one seam over the WebSocket library (websockets' asyncio client).

Everything websockets-specific the session needs lives here: opening with generous frame
and keepalive limits, receiving text or binary frames, closing, and the close code and
reason of a finished connection. Swap this module to change the I/O library.
"""

from __future__ import annotations

import logging
import ssl as _ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as _ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from .errors import ConnectError

__all__ = ["Closed", "Connection", "ConnectionLost", "open_connection"]

MAX_FRAME = 64 * 2**20  # audio frames can be large; the Live API sets no small limit

logger = logging.getLogger("agentkit.transport")


@dataclass(frozen=True, slots=True)
class Closed:
    """How a connection ended: the close code and reason the peer sent (1006 if none)."""

    code: int
    reason: str
    by_us: bool = False


class ConnectionLost(Exception):
    """The connection is closed (by either side); ``Connection.closed()`` says how."""


class _Redacting(logging.LoggerAdapter):  # type: ignore[type-arg]
    """websockets logs handshake headers at DEBUG; this replaces secrets before they land."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__(logging.getLogger("websockets.client"), {})
        self._secrets = tuple(s for s in secrets if s)

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if self.isEnabledFor(level):
            args = tuple(self._scrub(a) for a in args)
            msg = self._scrub(msg)
            self.logger.log(level, msg, *args, **kwargs)

    def _scrub(self, value: object) -> object:
        if isinstance(value, str):
            for secret in self._secrets:
                value = value.replace(secret, "***")
        return value


class Connection:
    """An open WebSocket: send text, receive text or bytes, close."""

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._closing = False

    async def send(self, frame: str) -> None:
        """Send one text frame; raises :class:`ConnectionLost` once closed.

        The frame is written to the socket before the first suspension (websockets 17
        writes in ``send_context`` and only then awaits ``drain``, which waits when the
        write buffer is over its high-water mark). The session relies on it: frames go
        out in the order ``send`` is called, with no lock. ``tests/session`` pins it.
        """
        try:
            await self._ws.send(frame)
        except ConnectionClosed:
            raise ConnectionLost from None

    async def recv(self) -> str | bytes:
        """The next frame, text or binary; raises :class:`ConnectionLost` once closed."""
        try:
            return await self._ws.recv()
        except ConnectionClosed:
            raise ConnectionLost from None

    async def aclose(self, code: int = 1000, reason: str = "") -> None:
        """Close (politely, with a bounded wait)."""
        self._closing = True
        await self._ws.close(code, reason)

    def closed(self) -> Closed:
        """The close code and reason once the connection has ended."""
        rcvd = self._ws.protocol.close_rcvd
        if rcvd is not None:
            return Closed(rcvd.code, rcvd.reason, by_us=self._closing)
        return Closed(1006, "", by_us=self._closing)


async def open_connection(
    url: str,
    *,
    headers: Mapping[str, str],
    secrets: tuple[str, ...] = (),
    ssl: _ssl.SSLContext | None = None,
    open_timeout: float | None = 10.0,
    ping_interval: float | None = 20.0,
    ping_timeout: float | None = None,
    max_size: int | None = MAX_FRAME,
) -> Connection:
    """Open a WebSocket to ``url``.

    ``ping_timeout=None`` by default: keepalive pings still flow (and keep NATs open), but a
    slow pong never closes a healthy session with 1011, a failure mode seen in the field.

    Raises:
        ConnectError: the connection or the upgrade failed (``status`` set for HTTP answers).
    """
    kwargs: dict[str, Any] = {}
    if ssl is not None and url.startswith("wss://"):
        kwargs["ssl"] = ssl
    try:
        ws = await _ws_connect(
            url,
            additional_headers=dict(headers),
            open_timeout=open_timeout,
            ping_interval=ping_interval,
            ping_timeout=ping_timeout,
            max_size=max_size,
            max_queue=64,
            proxy=None,
            logger=_Redacting(secrets),
            **kwargs,
        )
    except InvalidStatus as exc:
        status = exc.response.status_code
        raise ConnectError(
            f"the server refused the WebSocket upgrade with HTTP {status}", status=status
        ) from None
    except (InvalidHandshake, ConnectionClosed) as exc:
        raise ConnectError(f"WebSocket handshake failed: {type(exc).__name__}") from None
    except TimeoutError:
        raise ConnectError(f"timed out opening the WebSocket after {open_timeout}s") from None
    except OSError as exc:
        raise ConnectError(f"could not connect: {exc.strerror or type(exc).__name__}") from None
    return Connection(ws)
