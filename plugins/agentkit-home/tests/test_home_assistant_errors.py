"""HomeAssistant error paths against a real HTTP server on loopback (no Home Assistant needed).

A small stdlib server in a thread answers like Home Assistant does for each case: 401 for a
bad token, 404 for an unknown entity, 400 for refused service data, 500 on a crash. The
integration tests in test_home_assistant.py cover the same paths on a real Home Assistant.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from agentkit_home import (
    HomeAssistant,
    HomeAuthError,
    HomeError,
    HomeUnavailable,
    ServiceError,
    UnknownEntity,
    home_toolbox,
)

TOKEN = "good-token-0123456789"
KITCHEN = {"entity_id": "light.kitchen", "state": "off", "attributes": {"friendly_name": "K"}}


class FakeHomeAssistant(BaseHTTPRequestHandler):
    def _answer(self, status: int, body: object, content_type: str = "application/json") -> None:
        data = (json.dumps(body) if content_type == "application/json" else str(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer(401, "401: Unauthorized", "text/plain")
        if self.path == "/api/":
            return self._answer(200, {"message": "API running."})
        if self.path == "/api/config":
            return self._answer(200, {"version": "2024.3.3", "state": "RUNNING"})
        if self.path == "/api/states":
            return self._answer(200, [KITCHEN])
        if self.path == "/api/states/light.kitchen":
            return self._answer(200, KITCHEN)
        if self.path.startswith("/api/states/"):
            return self._answer(404, {"message": "Entity not found."})
        if self.path == "/api/template":
            return self._answer(200, "light.kitchen\tKitchen\n", "text/plain")
        if self.path == "/api/services/light/turn_on":
            return self._answer(400, "400: Bad Request", "text/plain")
        return self._answer(500, "500 Internal Server Error", "text/plain")

    do_GET = do_POST = _route

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHomeAssistant)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more


@pytest.mark.anyio
async def test_reads_states_and_rooms(server_url: str) -> None:
    async with HomeAssistant(server_url, TOKEN) as ha:
        assert await ha.check() == "2024.3.3"
        [kitchen] = await ha.states()
    assert (kitchen.entity_id, kitchen.area, kitchen.name) == ("light.kitchen", "kitchen", "K")


@pytest.mark.anyio
async def test_bad_token_is_a_clear_error_that_never_shows_the_token(server_url: str) -> None:
    secret = "wrong-secret-token-42"
    async with HomeAssistant(server_url, secret) as ha:
        assert secret not in repr(ha)
        with pytest.raises(HomeAuthError, match=r"refused the access token \(HTTP 401\)") as info:
            await ha.states()
    assert secret not in str(info.value)
    assert secret not in repr(info.value)


@pytest.mark.anyio
async def test_unknown_entity(server_url: str) -> None:
    async with HomeAssistant(server_url, TOKEN) as ha:
        with pytest.raises(UnknownEntity, match=r"^Home Assistant has no entity 'light\.nope'$"):
            await ha.state("light.nope")
        with pytest.raises(UnknownEntity):
            await ha.call_service("light", "turn_on", "light.nope")


@pytest.mark.anyio
async def test_refused_service_data(server_url: str) -> None:
    async with HomeAssistant(server_url, TOKEN) as ha:
        with pytest.raises(
            ServiceError,
            match=r"^Home Assistant refused light\.turn_on on light\.kitchen with "
            r"\{'brightness': 'abc'\} \(unknown service or invalid data\): 400: Bad Request$",
        ):
            await ha.call_service("light", "turn_on", "light.kitchen", brightness="abc")


@pytest.mark.anyio
async def test_server_error(server_url: str) -> None:
    async with HomeAssistant(server_url, TOKEN) as ha:
        with pytest.raises(HomeError, match=r"HTTP 500"):
            await ha.call_service("light", "turn_off", "light.kitchen")


@pytest.mark.anyio
async def test_unreachable_server(closed_port_url: str) -> None:
    async with HomeAssistant(closed_port_url, TOKEN) as ha:
        with pytest.raises(
            HomeUnavailable, match=rf"^cannot reach Home Assistant at {closed_port_url} \("
        ) as info:
            await ha.states()
    assert TOKEN not in str(info.value)


@pytest.mark.anyio
async def test_a_tool_turns_backend_errors_into_clean_answers(closed_port_url: str) -> None:
    from agentkit.dispatch import Dispatcher

    async with (
        HomeAssistant(closed_port_url, TOKEN) as ha,
        Dispatcher([home_toolbox(ha)]) as d,
    ):
        d.submit("c1", "get_state", {"device": "kitchen"})
        reply = await d.replies.receive()
    assert reply.response["error"].startswith("cannot reach Home Assistant at ")
    assert TOKEN not in reply.response["error"]


@pytest.mark.anyio
async def test_the_plugin_closes_its_home_assistant_client(
    server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentkit.dispatch import Dispatcher
    from agentkit.plugins import load_plugins

    monkeypatch.setenv("HA_URL", server_url)
    monkeypatch.setenv("HA_TOKEN", TOKEN)
    async with load_plugins(["home"]) as plugins:
        [box] = plugins.toolboxes
        home = box.home  # type: ignore[attr-defined]
        assert isinstance(home, HomeAssistant)
        assert home._client is None  # loading opens nothing (`agentkit tools` never closes)
        async with Dispatcher(plugins.tools) as d:
            d.submit("c1", "get_state", {"device": "kitchen"})
            reply = await d.replies.receive()
        assert reply.response["devices"][0]["entity_id"] == "light.kitchen"
        client = home._client
        assert client is not None and not client.is_closed
    assert client.is_closed and home.closed
    assert plugins.toolboxes == []


@pytest.mark.anyio
async def test_a_closed_home_assistant_refuses_requests_clearly(server_url: str) -> None:
    ha = HomeAssistant(server_url, TOKEN)
    async with home_toolbox(ha, close_home=True) as box:
        assert box.home is ha
        assert await ha.check() == "2024.3.3"
    assert ha.closed
    with pytest.raises(HomeUnavailable, match=r"^this client of Home Assistant at .* is closed$"):
        await ha.states()
    await ha.aclose()  # twice is fine


@pytest.mark.anyio
async def test_a_toolbox_closes_only_a_home_it_owns(server_url: str) -> None:
    async with HomeAssistant(server_url, TOKEN) as ha:
        async with home_toolbox(ha):
            await ha.states()
        assert not ha.closed  # the caller's home: the caller closes it
        await ha.states()
    assert ha.closed


@pytest.mark.anyio
async def test_service_errors_never_show_an_alarm_code(server_url: str) -> None:
    async with HomeAssistant(server_url, TOKEN) as ha:
        with pytest.raises(ServiceError) as info:
            await ha.call_service("light", "turn_on", "light.kitchen", code="271828")
    assert "271828" not in str(info.value)
    assert "{'code': '<hidden>'}" in str(info.value)
