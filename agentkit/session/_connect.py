"""Opening a connection: the WebSocket, then the setup handshake up to ``setupComplete``.

``connect()`` opens the first connection this way before the user gets the session (so a
refused setup raises from ``async with`` itself), and every resume opens its connection the
same way (see :mod:`agentkit.session._resume`). :class:`ConnectMixin` holds these methods;
:class:`~agentkit.session._live.LiveSession` inherits them and owns the state they use.
"""

from __future__ import annotations

import logging

import anyio

from .._transport import Connection, ConnectionLost, open_connection
from ..errors import ConnectError, RemoteProtocolError
from ..protocol import ServerMessage
from ._core import SessionCore
from ._resume import _error_for

__all__ = ["ConnectMixin"]

logger = logging.getLogger("agentkit.session")


class ConnectMixin(SessionCore):
    """Opening and closing the connections of :class:`LiveSession`."""

    async def _open(self) -> tuple[Connection, list[ServerMessage]]:
        """Open a connection and complete the setup handshake."""
        opts = self._options
        conn = await open_connection(
            opts.url,
            headers=opts.headers,
            secrets=opts.secrets,
            ssl=opts.ssl,
            open_timeout=opts.open_timeout,
            ping_interval=opts.ping_interval,
            ping_timeout=opts.ping_timeout,
        )
        early: list[ServerMessage] = []
        try:
            await conn.send(self._protocol.setup_frame())
            with anyio.fail_after(opts.setup_timeout):
                while True:
                    frame = await conn.recv()
                    try:
                        msg = self._protocol.receive(frame)
                    except RemoteProtocolError as exc:
                        logger.warning("ignored a malformed frame during setup: %s", exc)
                        continue
                    early.append(msg)
                    if msg.setup_complete is not None:
                        break
        except ConnectionLost:
            self._protocol.connection_lost()
            raise _error_for(conn.closed()) from None
        except TimeoutError:
            self._protocol.connection_lost()
            await self._close_quietly(conn)
            raise ConnectError(f"no setupComplete within {opts.setup_timeout}s") from None
        except BaseException:
            self._protocol.connection_lost()
            await self._close_quietly(conn)
            raise
        logger.info("connected to %s (%s)", opts.url, opts.model)
        return conn, early

    async def _close_quietly(self, conn: Connection) -> None:
        with anyio.CancelScope(shield=True), anyio.move_on_after(self._options.close_timeout):
            try:
                await conn.aclose()
            except Exception:
                logger.debug("error while closing the connection", exc_info=True)
