"""HomeAssistant.wait_change over the WebSocket API, against a loopback stand-in.

A websockets server on loopback speaks Home Assistant's ``/api/websocket`` exchange
(auth_required, auth, auth_ok or auth_invalid, subscribe_trigger, result, event); REST
goes through an httpx MockTransport holding the same states. test_home_assistant.py
covers the same path on a real Home Assistant.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
import pytest
from agentkit_home import HomeAssistant, HomeAuthError
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

TOKEN = "secret-token-abcdefghijklmnopqrstuvwxyz-0123456789"
DOOR = "lock.front_door"

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def door(state: str) -> dict[str, Any]:
    return {"entity_id": DOOR, "state": state, "attributes": {"friendly_name": "Front Door"}}


@dataclass
class FakeHome:
    """The states both APIs serve, and what the WebSocket side saw."""

    states: dict[str, dict[str, Any]] = field(default_factory=lambda: {DOOR: door("locked")})
    websocket_status: int | None = None  # answer /api/websocket with this HTTP status
    connections: int = 0
    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    subscribed: anyio.Event = field(default_factory=anyio.Event)
    push: anyio.Event = field(default_factory=anyio.Event)

    def rest(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, text="401: Unauthorized")
        if request.url.path == "/api/template":
            return httpx.Response(200, text="lock.front_door\tHallway\n")
        entity_id = request.url.path.removeprefix("/api/states/")
        return httpx.Response(200, json=self.states[entity_id])

    def refuse_upgrade(self, connection: ServerConnection, request: Request) -> Response | None:
        if self.websocket_status is None:
            return None
        return Response(self.websocket_status, "Not Found", Headers(), b"")

    async def websocket(self, ws: ServerConnection) -> None:
        self.connections += 1
        await ws.send(json.dumps({"type": "auth_required", "ha_version": "2024.3.3"}))
        auth = json.loads(await ws.recv())
        if auth.get("access_token") != TOKEN:
            await ws.send(json.dumps({"type": "auth_invalid", "message": "Invalid access"}))
            return
        await ws.send(json.dumps({"type": "auth_ok", "ha_version": "2024.3.3"}))
        subscription = json.loads(await ws.recv())
        self.subscriptions.append(subscription)
        await ws.send(json.dumps({"id": subscription["id"], "type": "result", "success": True}))
        self.subscribed.set()
        async with anyio.create_task_group() as tg:

            async def until_closed() -> None:
                await ws.wait_closed()  # the client left: stop waiting for a push
                tg.cancel_scope.cancel()

            tg.start_soon(until_closed)
            await self.push.wait()
            entity_id = subscription["trigger"]["entity_id"]
            to_state = self.states[entity_id]
            trigger = {"platform": "state", "entity_id": entity_id, "to_state": to_state}
            event = {"variables": {"trigger": trigger}}
            await ws.send(json.dumps({"id": subscription["id"], "type": "event", "event": event}))


@asynccontextmanager
async def home_assistant(
    fake: FakeHome, token: str = TOKEN, poll_interval: float = 60.0
) -> AsyncIterator[HomeAssistant]:
    async with serve(fake.websocket, "127.0.0.1", 0, process_request=fake.refuse_upgrade) as server:
        port = server.sockets[0].getsockname()[1]
        async with HomeAssistant(
            f"http://127.0.0.1:{port}",
            token,
            poll_interval=poll_interval,
            transport=httpx.MockTransport(fake.rest),
        ) as ha:
            yield ha


async def test_a_change_arrives_as_an_event_not_by_polling(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeHome()
    async with home_assistant(fake, poll_interval=60.0) as ha:
        previous = await ha.state(DOOR)
        got = []

        async def watch() -> None:
            got.append(await ha.wait_change(DOOR, previous))

        with anyio.fail_after(5):  # a poll would take 60 s
            async with anyio.create_task_group() as tg:
                tg.start_soon(watch)
                await fake.subscribed.wait()
                fake.states[DOOR] = door("unlocked")
                fake.push.set()
    [changed] = got
    assert (changed.state, changed.area) == ("unlocked", "hallway")
    assert fake.subscriptions == [
        {"id": 1, "type": "subscribe_trigger", "trigger": {"platform": "state", "entity_id": DOOR}}
    ]
    assert TOKEN not in caplog.text  # the auth frame never reaches a log line


async def test_a_change_before_the_subscription_is_not_missed() -> None:
    fake = FakeHome()
    async with home_assistant(fake) as ha:
        previous = await ha.state(DOOR)
        fake.states[DOOR] = door("unlocked")  # changed before anyone listened
        with anyio.fail_after(5):
            changed = await ha.wait_change(DOOR, previous)
    assert changed.state == "unlocked"
    assert fake.connections == 1


async def test_a_refused_token_is_an_auth_error() -> None:
    fake = FakeHome()
    async with home_assistant(fake, token=TOKEN) as ha:
        previous = await ha.state(DOOR)
        ha._token = "wrong-token"  # REST keeps its client (and header); the socket refuses
        with pytest.raises(HomeAuthError, match="refused the access token"), anyio.fail_after(5):
            await ha.wait_change(DOOR, previous)


async def test_without_the_websocket_api_it_polls(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="agentkit_home")
    fake = FakeHome(websocket_status=404)
    async with home_assistant(fake, poll_interval=0.05) as ha:
        previous = await ha.state(DOOR)
        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:

                async def later() -> None:
                    await anyio.sleep(0.2)
                    fake.states[DOOR] = door("unlocked")

                tg.start_soon(later)
                changed = await ha.wait_change(DOOR, previous)
            fake.states[DOOR] = door("locked")
            again = await ha.wait_change(DOOR, changed)
    assert (changed.state, again.state) == ("unlocked", "locked")
    assert "polling lock.front_door" in caplog.text
    assert fake.connections == 0  # refused at the upgrade, and not asked again
