"""VirtualHome: a deterministic in-memory home that behaves like Home Assistant's services."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio

from ._backend import EntityState, Home, ServiceError, UnknownEntity

__all__ = ["Change", "VirtualHome"]

_HVAC_MODES = ["off", "heat", "cool", "heat_cool", "auto"]

_NAMED_COLORS: dict[str, tuple[int, int, int]] = {
    "red": (255, 0, 0),
    "orange": (255, 165, 0),
    "yellow": (255, 255, 0),
    "green": (0, 128, 0),
    "cyan": (0, 255, 255),
    "blue": (0, 0, 255),
    "purple": (128, 0, 128),
    "pink": (255, 192, 203),
    "white": (255, 255, 255),
}


def _initial() -> list[EntityState]:
    def light(object_id: str, name: str, area: str) -> EntityState:
        return EntityState(
            f"light.{object_id}",
            "off",
            {"friendly_name": name, "supported_color_modes": ["rgb", "color_temp"]},
            area,
        )

    return [
        light("living_room_ceiling", "Living room ceiling light", "living room"),
        light("living_room_lamp", "Living room lamp", "living room"),
        light("kitchen", "Kitchen light", "kitchen"),
        light("bedroom", "Bedroom light", "bedroom"),
        light("hallway", "Hallway light", "hallway"),
        EntityState("switch.coffee_maker", "off", {"friendly_name": "Coffee maker"}, "kitchen"),
        EntityState(
            "climate.thermostat",
            "heat",
            {
                "friendly_name": "Thermostat",
                "hvac_modes": list(_HVAC_MODES),
                "temperature": 20.0,
                "current_temperature": 19.5,
                "min_temp": 7.0,
                "max_temp": 35.0,
            },
            "living room",
        ),
        EntityState(
            "cover.living_room_blinds",
            "open",
            {"friendly_name": "Living room blinds", "current_position": 100},
            "living room",
        ),
        EntityState("lock.front_door", "locked", {"friendly_name": "Front door lock"}, "hallway"),
        EntityState(
            "binary_sensor.front_door",
            "off",
            {"friendly_name": "Front door", "device_class": "door"},
            "hallway",
        ),
        EntityState(
            "alarm_control_panel.home_alarm",
            "disarmed",
            {"friendly_name": "Home alarm", "code_format": None, "code_arm_required": False},
            "hallway",
        ),
        *(
            # As Home Assistant's scenes do, each lists the entities it sets.
            EntityState(
                scene_id, "scening", {"friendly_name": name, "entity_id": _scene_entities(scene_id)}
            )
            for scene_id, name in (
                ("scene.movie_night", "Movie night"),
                ("scene.good_morning", "Good morning"),
                ("scene.good_night", "Good night"),
            )
        ),
    ]


def _scene_entities(scene_id: str) -> list[str]:
    return list(dict.fromkeys(eid for _, _, eid, _ in _SCENES[scene_id]))


# Scene name -> list of (domain, service, entity_id, data) it applies, in order.
_SCENES: dict[str, list[tuple[str, str, str, dict[str, Any]]]] = {
    "scene.movie_night": [
        ("light", "turn_on", "light.living_room_lamp", {"brightness_pct": 20}),
        ("light", "turn_off", "light.living_room_ceiling", {}),
        ("light", "turn_off", "light.kitchen", {}),
        ("cover", "close_cover", "cover.living_room_blinds", {}),
    ],
    "scene.good_morning": [
        ("cover", "open_cover", "cover.living_room_blinds", {}),
        ("light", "turn_on", "light.kitchen", {"brightness_pct": 100}),
        ("switch", "turn_on", "switch.coffee_maker", {}),
        ("climate", "set_temperature", "climate.thermostat", {"temperature": 21.0}),
    ],
    "scene.good_night": [
        *(
            ("light", "turn_off", f"light.{room}", {})
            for room in ("living_room_ceiling", "living_room_lamp", "kitchen", "bedroom")
        ),
        ("light", "turn_on", "light.hallway", {"brightness_pct": 10}),
        ("lock", "lock", "lock.front_door", {}),
        ("climate", "set_temperature", "climate.thermostat", {"temperature": 17.0}),
    ],
}


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded state change: what the demo prints and tests assert on."""

    entity_id: str
    old: str
    new: str


class VirtualHome(Home):
    """An in-memory home: living room, kitchen, bedroom and hallway.

    Five lights, a coffee maker switch, a thermostat, living-room blinds, a front door
    lock (locked) with a door sensor (closed), an alarm panel
    (``alarm_control_panel.home_alarm``, ``disarmed``: the household is home) and three
    scenes. Services follow Home Assistant's names and data (``light.turn_on`` with
    ``brightness_pct``, ``rgb_color``, ``color_name`` or ``color_temp_kelvin``;
    ``climate.set_temperature``; ``alarm_control_panel.alarm_arm_away`` with an optional
    ``code``; ...). Every instance starts from the same state; nothing is random and
    nothing waits (the alarm arms at once, with no exit delay).

    Args:
        alarm_code: A code the alarm panel requires to arm and disarm, as Home
            Assistant's demo panel does; default none.

    Attributes:
        changes: Every state change so far, oldest first.
    """

    label = "virtual home"

    def __init__(self, *, alarm_code: str | None = None) -> None:
        self._states: dict[str, EntityState] = {s.entity_id: s for s in _initial()}
        self._alarm_code = alarm_code
        if alarm_code is not None:
            alarm = self._states["alarm_control_panel.home_alarm"]
            self._states[alarm.entity_id] = self._with(
                alarm, alarm.state, code_format="number", code_arm_required=True
            )
        self.changes: list[Change] = []
        self._changed: anyio.Event | None = None
        self._handlers: dict[tuple[str, str], Callable[[EntityState, dict[str, Any]], EntityState]]
        self._handlers = {
            ("light", "turn_on"): self._light_on,
            ("light", "turn_off"): lambda s, d: self._with(
                s, "off", brightness=None, rgb_color=None, color_temp_kelvin=None
            ),
            ("switch", "turn_on"): lambda s, d: self._with(s, "on"),
            ("switch", "turn_off"): lambda s, d: self._with(s, "off"),
            ("climate", "set_hvac_mode"): self._hvac_mode,
            ("climate", "set_temperature"): self._temperature,
            ("cover", "open_cover"): lambda s, d: self._with(s, "open", current_position=100),
            ("cover", "close_cover"): lambda s, d: self._with(s, "closed", current_position=0),
            ("cover", "set_cover_position"): self._cover_position,
            ("lock", "lock"): lambda s, d: self._with(s, "locked"),
            ("lock", "unlock"): lambda s, d: self._with(s, "unlocked"),
            ("alarm_control_panel", "alarm_disarm"): self._alarm("disarmed"),
            ("alarm_control_panel", "alarm_arm_away"): self._alarm("armed_away"),
            ("alarm_control_panel", "alarm_arm_home"): self._alarm("armed_home"),
            ("alarm_control_panel", "alarm_arm_night"): self._alarm("armed_night"),
        }

    def __repr__(self) -> str:
        return f"<VirtualHome {len(self._states)} entities, {len(self.changes)} changes>"

    # -- observing and simulating ------------------------------------------------------

    def snapshot(self) -> dict[str, str]:
        """Entity id to state string, for printing the home's final state."""
        return {eid: s.state for eid, s in sorted(self._states.items())}

    def set_state(self, entity_id: str, state: str, **attributes: Any) -> EntityState:
        """Change an entity directly, as the physical world would (a door opens)."""
        return self._store(self._with(self._get(entity_id), state, **attributes))

    # -- Home --------------------------------------------------------------------------

    async def states(self) -> list[EntityState]:
        return list(self._states.values())

    async def state(self, entity_id: str) -> EntityState:
        return self._get(entity_id)

    async def call_service(
        self, domain: str, service: str, entity_id: str, **data: Any
    ) -> EntityState:
        current = self._get(entity_id)
        if current.domain != domain:
            raise ServiceError(f"{entity_id} is not a {domain} entity")
        if domain == "scene" and service == "turn_on":
            for d, srv, eid, extra in _SCENES.get(entity_id, []):
                await self.call_service(d, srv, eid, **extra)
            return current
        if service == "toggle" and domain in ("light", "switch"):
            service = "turn_off" if current.state == "on" else "turn_on"
        handler = self._handlers.get((domain, service))
        if handler is None:
            raise ServiceError(f"service {domain}.{service} is not supported")
        return self._store(handler(current, data))

    async def wait_change(self, entity_id: str, previous: EntityState) -> EntityState:
        while True:
            current = self._get(entity_id)
            if current != previous:
                return current
            if self._changed is None:
                self._changed = anyio.Event()
            await self._changed.wait()

    # -- internals ---------------------------------------------------------------------

    def _get(self, entity_id: str) -> EntityState:
        try:
            return self._states[entity_id]
        except KeyError:
            raise UnknownEntity(f"no entity {entity_id!r} in the virtual home") from None

    def _store(self, new: EntityState) -> EntityState:
        old = self._states[new.entity_id]
        if new != old:
            self._states[new.entity_id] = new
            if new.state != old.state:
                self.changes.append(Change(new.entity_id, old.state, new.state))
            if self._changed is not None:
                self._changed.set()
                self._changed = None
        return new

    @staticmethod
    def _with(s: EntityState, state: str, **attributes: Any) -> EntityState:
        attrs = dict(s.attributes)
        for key, value in attributes.items():
            if value is None:
                attrs.pop(key, None)
            else:
                attrs[key] = value
        return EntityState(s.entity_id, state, attrs, s.area)

    def _light_on(self, s: EntityState, data: Mapping[str, Any]) -> EntityState:
        attrs: dict[str, Any] = {}
        if "brightness_pct" in data:
            pct = _number(data["brightness_pct"], "brightness_pct", 0, 100)
            attrs["brightness"] = round(pct * 255 / 100)
        elif "brightness" in data:
            attrs["brightness"] = int(_number(data["brightness"], "brightness", 0, 255))
        else:
            attrs["brightness"] = s.attributes.get("brightness", 255)
        if attrs["brightness"] == 0:
            return self._with(s, "off", brightness=None, rgb_color=None, color_temp_kelvin=None)
        if "color_name" in data:
            name = str(data["color_name"]).lower()
            if name not in _NAMED_COLORS:
                raise ServiceError(f"unknown color_name {data['color_name']!r}")
            attrs["rgb_color"], attrs["color_temp_kelvin"] = list(_NAMED_COLORS[name]), None
        elif "rgb_color" in data:
            rgb = list(data["rgb_color"])
            if len(rgb) != 3 or not all(isinstance(c, int) and 0 <= c <= 255 for c in rgb):
                raise ServiceError(f"rgb_color must be three integers 0-255, got {rgb!r}")
            attrs["rgb_color"], attrs["color_temp_kelvin"] = rgb, None
        elif "color_temp_kelvin" in data:
            kelvin = int(_number(data["color_temp_kelvin"], "color_temp_kelvin", 2000, 6500))
            attrs["color_temp_kelvin"], attrs["rgb_color"] = kelvin, None
        return self._with(s, "on", **attrs)

    def _hvac_mode(self, s: EntityState, data: Mapping[str, Any]) -> EntityState:
        mode = data.get("hvac_mode")
        if mode not in _HVAC_MODES:
            raise ServiceError(f"hvac_mode must be one of {_HVAC_MODES}, got {mode!r}")
        return self._with(s, str(mode))

    def _temperature(self, s: EntityState, data: Mapping[str, Any]) -> EntityState:
        if "temperature" not in data:
            raise ServiceError("climate.set_temperature needs 'temperature'")
        low, high = s.attributes["min_temp"], s.attributes["max_temp"]
        temp = float(_number(data["temperature"], "temperature", low, high))
        if "hvac_mode" in data:
            s = self._hvac_mode(s, data)
        return self._with(s, s.state, temperature=temp)

    def _alarm(self, state: str) -> Callable[[EntityState, dict[str, Any]], EntityState]:
        def handler(s: EntityState, data: dict[str, Any]) -> EntityState:
            if self._alarm_code is not None and data.get("code") != self._alarm_code:
                # Never echo the code that was given.
                given = "no code was given" if data.get("code") is None else "wrong code"
                raise ServiceError(f"{s.name} refused: it needs its code ({given})")
            return self._with(s, state)

        return handler

    def _cover_position(self, s: EntityState, data: Mapping[str, Any]) -> EntityState:
        pos = int(_number(data.get("position"), "position", 0, 100))
        return self._with(s, "closed" if pos == 0 else "open", current_position=pos)


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ServiceError(f"{name} must be a number, got {value!r}")
    if not low <= value <= high:
        raise ServiceError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
    return float(value)
