"""Waiting for a state change through Home Assistant's WebSocket API (``/api/websocket``).

One connection per wait: authenticate, ``subscribe_trigger`` on the entity's state, then
read the state once more over REST (a change may have landed before the subscription did)
and take the first event that differs. A door watcher waits minutes between changes; a
connection per change costs nothing next to polling twice a second.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus, WebSocketException

from ._backend import EntityState, HomeAuthError, UnknownEntity

__all__ = ["EventsUnavailable", "differs", "wait_for_change", "websocket_url"]

logger = logging.getLogger("agentkit_home")


class EventsUnavailable(Exception):
    """The WebSocket API cannot be used for this wait; ``permanent``: nor for any other."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class _Quiet(logging.LoggerAdapter):  # type: ignore[type-arg]
    """websockets' logger for these connections: its DEBUG lines would show the frames,
    and the auth frame carries the token; so no DEBUG, and the token scrubbed from the rest."""

    def __init__(self, token: str) -> None:
        super().__init__(logging.getLogger("agentkit_home.websocket"), {})
        self._token = token

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and self.logger.isEnabledFor(level)

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if self.isEnabledFor(level):
            text = (str(msg) % args if args else str(msg)).replace(self._token, "***")
            self.logger.log(level, "%s", text, **kwargs)


def websocket_url(base_url: str) -> str:
    """``http(s)://host:port`` -> ``ws(s)://host:port/api/websocket``."""
    scheme, _, rest = base_url.partition("://")
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest.rstrip('/')}/api/websocket"


def differs(a: EntityState, b: EntityState) -> bool:
    """A change worth reporting: the state or an attribute."""
    return (a.state, dict(a.attributes)) != (b.state, dict(b.attributes))


async def wait_for_change(
    url: str,
    token: str,
    entity_id: str,
    previous: EntityState,
    *,
    read: Callable[[], Awaitable[EntityState]],
    parse: Callable[[dict[str, Any]], Awaitable[EntityState]],
    open_timeout: float,
) -> EntityState:
    """The entity's next state that differs from ``previous``.

    Args:
        read: Reads the current state (over REST).
        parse: Turns an event's ``to_state`` into an EntityState.

    Raises:
        HomeAuthError: Home Assistant refused the token.
        UnknownEntity: the entity was removed while we waited.
        EventsUnavailable: the WebSocket API cannot serve this wait (poll instead).
    """
    try:
        async with connect(
            websocket_url(url),
            open_timeout=open_timeout,
            max_size=None,
            proxy=None,
            logger=_Quiet(token),
        ) as ws:
            await _authenticate(ws, token)
            subscribe = {
                "id": 1,
                "type": "subscribe_trigger",
                "trigger": {"platform": "state", "entity_id": entity_id},
            }
            await ws.send(json.dumps(subscribe))
            result = await _next(ws, lambda m: m.get("id") == 1 and m.get("type") == "result")
            if not result.get("success"):
                error = (result.get("error") or {}).get("message", "refused")
                raise EventsUnavailable(f"subscribe_trigger failed: {error}")
            current = await read()
            if differs(current, previous):
                return current
            while True:
                event = await _next(ws, lambda m: m.get("id") == 1 and m.get("type") == "event")
                trigger = ((event.get("event") or {}).get("variables") or {}).get("trigger") or {}
                to_state = trigger.get("to_state")
                if to_state is None:
                    raise UnknownEntity(f"Home Assistant removed {entity_id!r}")
                current = await parse(to_state)
                if differs(current, previous):
                    return current
    except InvalidStatus as exc:
        status = exc.response.status_code
        raise EventsUnavailable(f"HTTP {status} on /api/websocket", permanent=True) from None
    except (OSError, TimeoutError, WebSocketException, ValueError, KeyError) as exc:
        raise EventsUnavailable(type(exc).__name__) from None


async def _authenticate(ws: ClientConnection, token: str) -> None:
    await _next(ws, lambda m: m.get("type") == "auth_required")
    await ws.send(json.dumps({"type": "auth", "access_token": token}))
    answer = await _next(ws, lambda m: m.get("type") in ("auth_ok", "auth_invalid"))
    if answer["type"] == "auth_invalid":
        raise HomeAuthError("Home Assistant refused the access token (WebSocket); check HA_TOKEN")


async def _next(ws: ClientConnection, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The next message ``wanted`` accepts (others, such as pongs, are skipped)."""
    while True:
        message = json.loads(await ws.recv())
        if isinstance(message, dict) and wanted(message):
            return message
