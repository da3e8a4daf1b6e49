"""The ``Home`` backend interface, entity states, and the errors a home can raise."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from agentkit.errors import ToolError

__all__ = [
    "EntityState",
    "Home",
    "HomeAuthError",
    "HomeError",
    "HomeUnavailable",
    "ServiceError",
    "UnknownEntity",
]


class HomeError(ToolError):
    """A home backend refused or failed a request.

    A ``ToolError``: raised inside a tool, the model gets ``{"error": message}``. Messages
    never include the access token.
    """


class UnknownEntity(HomeError):
    """No entity with that id (or matching that name or room) exists."""


class HomeUnavailable(HomeError):
    """The home server cannot be reached (refused, timed out, DNS, ...)."""


class HomeAuthError(HomeError):
    """The home server refused the access token (HTTP 401 or 403)."""


class ServiceError(HomeError):
    """The service call was refused: unknown service, bad data, unsupported feature.

    Attributes:
        detail: The server's own words, when it gave any.
    """

    detail: str = ""


@dataclass(frozen=True, slots=True)
class EntityState:
    """One entity's state as Home Assistant reports it.

    Attributes:
        entity_id: ``"<domain>.<object_id>"``, e.g. ``"light.kitchen"``.
        state: ``"on"``, ``"off"``, ``"locked"``, ``"heat"``, ...
        attributes: Home Assistant's attributes (``friendly_name``, ``brightness``, ...).
        area: The room the entity belongs to, lower case, or None.
    """

    entity_id: str
    state: str
    attributes: Mapping[str, Any] = field(default_factory=dict)
    area: str | None = None

    @property
    def domain(self) -> str:
        """The part before the dot: ``"light"``, ``"climate"``, ..."""
        return self.entity_id.partition(".")[0]

    @property
    def name(self) -> str:
        """The friendly name, or the entity id when there is none."""
        return str(self.attributes.get("friendly_name") or self.entity_id)

    def summary(self) -> dict[str, Any]:
        """A small JSON-ready view for a model: id, name, room, state and key attributes."""
        out: dict[str, Any] = {
            "entity_id": self.entity_id,
            "name": self.name,
            "room": self.area,
            "state": self.state,
        }
        a = self.attributes
        if self.domain == "light" and self.state == "on":
            if a.get("brightness") is not None:
                out["brightness"] = round(int(a["brightness"]) * 100 / 255)
            if a.get("rgb_color") is not None:
                out["rgb_color"] = list(a["rgb_color"])
            if a.get("color_temp_kelvin") is not None:
                out["color_temp_kelvin"] = a["color_temp_kelvin"]
        elif self.domain == "climate":
            for key in ("temperature", "current_temperature", "hvac_modes"):
                if a.get(key) is not None:
                    out[key] = a[key]
        elif self.domain == "cover" and a.get("current_position") is not None:
            out["position"] = a["current_position"]
        elif self.domain == "alarm_control_panel":
            if a.get("next_state"):  # arming or pending: where it is heading
                out["next_state"] = a["next_state"]
            out["code_required"] = bool(a.get("code_format"))
        return out


class Home(abc.ABC):
    """An async home backend: read entity states and call Home Assistant-style services.

    Both implementations speak Home Assistant's vocabulary (domains, services, service
    data), so the tools work the same against the virtual home and a real server. Use as
    ``async with`` to close network resources.
    """

    #: A human-readable name for logs and the demo ("virtual home", a URL, ...).
    label: str = "home"

    @abc.abstractmethod
    async def states(self) -> list[EntityState]:
        """Every entity, with its room when known."""

    @abc.abstractmethod
    async def state(self, entity_id: str) -> EntityState:
        """One entity's current state. Raises UnknownEntity."""

    @abc.abstractmethod
    async def call_service(
        self, domain: str, service: str, entity_id: str, **data: Any
    ) -> EntityState:
        """Call ``domain.service`` on one entity and return its state afterwards.

        Raises:
            UnknownEntity: No such entity.
            ServiceError: The service or its data was refused.
        """

    @abc.abstractmethod
    async def wait_change(self, entity_id: str, previous: EntityState) -> EntityState:
        """Wait until the entity's state or attributes differ from ``previous``; return it."""

    async def areas(self) -> dict[str, list[str]]:
        """Room name to entity ids, derived from :meth:`states`."""
        rooms: dict[str, list[str]] = {}
        for s in await self.states():
            if s.area:
                rooms.setdefault(s.area, []).append(s.entity_id)
        return rooms

    async def aclose(self) -> None:  # noqa: B027 - optional for backends without resources
        """Release resources (HTTP connections). The default does nothing."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
