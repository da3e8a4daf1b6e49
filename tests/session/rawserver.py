"""A small raw WebSocket server for session tests: exact frames, scripted faults."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed


@dataclass
class Peer:
    """One accepted connection, seen from the server."""

    ws: ServerConnection
    index: int
    received: list[dict[str, Any]] = field(default_factory=list)

    @property
    def path(self) -> str:
        assert self.ws.request is not None
        return self.ws.request.path

    @property
    def headers(self) -> Any:
        assert self.ws.request is not None
        return self.ws.request.headers

    async def recv(self) -> dict[str, Any]:
        """The next client frame, parsed (also kept in ``received``)."""
        raw = await self.ws.recv()
        assert isinstance(raw, str), "clients send text frames"
        msg = json.loads(raw)
        self.received.append(msg)
        return msg

    async def recv_kind(self, kind: str) -> dict[str, Any]:
        """Skip to the next client frame of ``kind`` and return its body."""
        while True:
            msg = await self.recv()
            if kind in msg:
                return msg[kind]

    async def send(self, obj: Any, *, binary: bool = True) -> None:
        """Send one server frame (binary UTF-8 JSON by default, like Google)."""
        text = obj if isinstance(obj, str) else json.dumps(obj)
        await self.ws.send(text.encode() if binary else text)

    async def setup(self, *, handle: str | None = None) -> dict[str, Any]:
        """Read the setup, answer setupComplete (and a handle if given); return the setup."""
        msg = await self.recv()
        assert list(msg) == ["setup"], msg
        await self.send({"setupComplete": {}})
        if handle is not None:
            await self.send({"sessionResumptionUpdate": {"newHandle": handle, "resumable": True}})
        return msg["setup"]

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.ws.close(code, reason)

    def drop(self) -> None:
        """Kill the TCP connection without a close frame (the client sees 1006)."""
        self.ws.transport.abort()

    async def wait_closed(self) -> None:
        try:
            while True:
                await self.ws.recv()
        except ConnectionClosed:
            pass


Handler = Callable[[Peer], Awaitable[None]]


@dataclass
class RawServer:
    base_url: str
    peers: list[Peer]


@asynccontextmanager
async def raw_server(handler: Handler) -> AsyncIterator[RawServer]:
    """Serve ``handler(peer)`` per connection on 127.0.0.1 (port 0)."""
    peers: list[Peer] = []
    errors: list[BaseException] = []

    async def on_connect(ws: ServerConnection) -> None:
        peer = Peer(ws, len(peers))
        peers.append(peer)
        try:
            await handler(peer)
        except ConnectionClosed:
            pass
        except Exception as exc:  # a failed server-side assert fails the test at exit
            errors.append(exc)
            raise

    async with serve(on_connect, "127.0.0.1", 0, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        yield RawServer(f"ws://127.0.0.1:{port}", peers)
        server.close(close_connections=True)
    if errors:
        raise errors[0]


async def hold(peer: Peer) -> None:
    """Keep a connection open until the client goes away."""
    await peer.wait_closed()


def frames_of(peer: Peer, kind: str) -> list[dict[str, Any]]:
    return [m[kind] for m in peer.received if kind in m]


__all__ = ["Peer", "RawServer", "frames_of", "hold", "raw_server"]
