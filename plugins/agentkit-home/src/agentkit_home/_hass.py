"""HomeAssistant: the ``Home`` backend over Home Assistant's REST API, with httpx."""

from __future__ import annotations

import logging
from typing import Any

import anyio
import httpx

from ._backend import (
    EntityState,
    Home,
    HomeAuthError,
    HomeError,
    HomeUnavailable,
    ServiceError,
    UnknownEntity,
)
from ._hass_events import EventsUnavailable, differs, wait_for_change

__all__ = ["HomeAssistant"]

logger = logging.getLogger("agentkit_home")

# One round trip for every entity's room: through the entity's own area or its device's.
_AREA_TEMPLATE = (
    "{% for s in states %}{% set a = area_name(s.entity_id) %}"
    "{% if a %}{{ s.entity_id }}\t{{ a }}\n{% endif %}{% endfor %}"
)


class HomeAssistant(Home):
    """A real Home Assistant, driven over ``/api/states`` and ``/api/services``.

    The HTTP client is created on the first request, so building one opens nothing;
    :meth:`aclose` (or ``async with``) closes it. A closed instance refuses new requests.
    :meth:`wait_change` listens on the WebSocket API (``/api/websocket``), so a watched door
    is reported as it changes; where that API cannot be used it polls instead.

    Args:
        url: The server's base URL, e.g. ``"http://127.0.0.1:8123"`` (``HA_URL``).
        token: A long-lived access token (``HA_TOKEN``). Never logged, never in errors.
        timeout: Seconds per HTTP request.
        poll_interval: Seconds between reads while :meth:`wait_change` polls (only when
            the WebSocket API cannot be used).
        transport: An httpx transport, for tests.
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 10.0,
        poll_interval: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.label = f"Home Assistant at {self.url}"
        self.poll_interval = poll_interval
        self._token = token
        self._timeout = timeout
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._closed = False
        self._areas: dict[str, str] | None = None
        self._events = True  # False once /api/websocket answered with an HTTP error

    def __repr__(self) -> str:
        return f"HomeAssistant(url={self.url!r})"

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` ran (and the HTTP client, if any was made, is closed)."""
        return self._closed

    async def aclose(self) -> None:
        """Close the HTTP client. Safe to call twice."""
        self._closed = True
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def _http(self) -> httpx.AsyncClient:
        if self._closed:
            raise HomeUnavailable(f"this client of Home Assistant at {self.url} is closed")
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self.url,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=self._timeout,
                transport=self._transport,
            )
        return self._client

    # -- Home --------------------------------------------------------------------------

    async def states(self) -> list[EntityState]:
        raw = await self._request("GET", "/api/states")
        areas = await self._area_map(refresh=True)
        return [self._state(item, areas) for item in raw]

    async def state(self, entity_id: str) -> EntityState:
        raw = await self._request("GET", f"/api/states/{entity_id}", entity_id=entity_id)
        return self._state(raw, await self._area_map())

    async def call_service(
        self, domain: str, service: str, entity_id: str, **data: Any
    ) -> EntityState:
        # Home Assistant answers 200 to a service call on an entity that does not exist;
        # read it first so the caller gets a clear UnknownEntity.
        current = await self.state(entity_id)
        if current.domain != domain:
            raise ServiceError(f"{entity_id} is not a {domain} entity")
        try:
            await self._request(
                "POST", f"/api/services/{domain}/{service}", json={"entity_id": entity_id, **data}
            )
        except ServiceError as exc:
            # An alarm code is a secret: name it, never show it.
            shown = {k: "<hidden>" if k == "code" else v for k, v in data.items()}
            given = f" with {shown}" if shown else ""
            raise ServiceError(
                f"Home Assistant refused {domain}.{service} on {entity_id}{given} "
                f"(unknown service or invalid data): {exc.detail}"
            ) from None
        # REST service calls return once the service has run, so one read is current.
        return await self.state(entity_id)

    async def wait_change(self, entity_id: str, previous: EntityState) -> EntityState:
        if self._events:
            self._http()  # a closed client refuses here, as every request does
            try:
                return await wait_for_change(
                    self.url,
                    self._token,
                    entity_id,
                    previous,
                    read=lambda: self.state(entity_id),
                    parse=self._parse,
                    open_timeout=self._timeout,
                )
            except EventsUnavailable as exc:
                self._events = not exc.permanent
                logger.info("Home Assistant events unavailable (%s); polling %s", exc, entity_id)
        while True:
            current = await self.state(entity_id)
            if differs(current, previous):
                return current
            await anyio.sleep(self.poll_interval)

    async def _parse(self, raw: dict[str, Any]) -> EntityState:
        return self._state(raw, await self._area_map())

    async def areas(self) -> dict[str, list[str]]:
        rooms: dict[str, list[str]] = {}
        for entity_id, area in (await self._area_map(refresh=True)).items():
            rooms.setdefault(area, []).append(entity_id)
        return rooms

    async def check(self) -> str:
        """Check the URL and token (``GET /api/``); return Home Assistant's version."""
        await self._request("GET", "/api/")
        config = await self._request("GET", "/api/config")
        return str(config.get("version", "unknown"))

    # -- internals ---------------------------------------------------------------------

    @staticmethod
    def _state(raw: dict[str, Any], areas: dict[str, str]) -> EntityState:
        entity_id = str(raw["entity_id"])
        return EntityState(
            entity_id, str(raw["state"]), dict(raw.get("attributes") or {}), areas.get(entity_id)
        )

    async def _area_map(self, *, refresh: bool = False) -> dict[str, str]:
        if self._areas is None or refresh:
            text = await self._request("POST", "/api/template", json={"template": _AREA_TEMPLATE})
            areas: dict[str, str] = {}
            for line in str(text).splitlines():
                entity_id, _, area = line.partition("\t")
                if entity_id and area:
                    areas[entity_id.strip()] = area.strip().lower()
            self._areas = areas
        return self._areas

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        entity_id: str | None = None,
    ) -> Any:
        try:
            response = await self._http().request(method, path, json=json)
        except httpx.TimeoutException:
            raise HomeUnavailable(f"Home Assistant at {self.url} did not answer in time") from None
        except httpx.TransportError as exc:
            raise HomeUnavailable(
                f"cannot reach Home Assistant at {self.url} ({type(exc).__name__})"
            ) from None
        status = response.status_code
        if status in (401, 403):
            raise HomeAuthError(
                f"Home Assistant at {self.url} refused the access token (HTTP {status}); "
                "check HA_TOKEN"
            )
        if status == 404 and entity_id is not None:
            raise UnknownEntity(f"Home Assistant has no entity {entity_id!r}")
        if status == 400:
            error = ServiceError(f"Home Assistant refused {method} {path}: {_message(response)}")
            error.detail = _message(response)
            raise error
        if status >= 400:
            raise HomeError(
                f"Home Assistant answered {method} {path} with HTTP {status}: {_message(response)}"
            )
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.text


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict) and "message" in body:
        return str(body["message"])[:200]
    return str(body)[:200]
