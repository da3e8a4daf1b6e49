"""The home tools: a Toolbox bound to one ``Home`` backend.

Every actuating tool records the previous state of what it touches, marks the call as
acted (``ctx.mark_acted()``) just before it asks the backend for a change, and registers
an ``on_cancel`` hook that puts the previous state back (see ``_acting``): a light turned
on by a call the server cancelled is turned off again. Locking is the one action not
undone: a locked door is the safe state.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any, Literal

import anyio
from pydantic import Field

from agentkit import Behavior, Scheduling, Toolbox, ToolContext, ToolResult, tool
from agentkit.tools import not_a_tool

from ._acting import Acting, Previous, Restore
from ._alarm import ALARM, alarm_tools
from ._backend import EntityState, Home, ServiceError
from ._resolve import resolve

__all__ = ["HomeTools", "home_toolbox"]

Color = Literal[
    "red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "white",
    "warm white", "cool white",
]  # fmt: skip
HvacMode = Literal["off", "heat", "cool", "heat_cool", "auto"]
Kind = Literal["light", "switch", "thermostat", "cover", "lock", "alarm", "scene", "sensor"]

_RGB: dict[str, list[int]] = {
    "red": [255, 0, 0],
    "orange": [255, 165, 0],
    "yellow": [255, 255, 0],
    "green": [0, 128, 0],
    "cyan": [0, 255, 255],
    "blue": [0, 0, 255],
    "purple": [128, 0, 128],
    "pink": [255, 192, 203],
    "white": [255, 255, 255],
}
_KELVIN = {"warm white": 2700, "cool white": 6500}
_KIND_DOMAINS = {
    "light": ("light",),
    "switch": ("switch",),
    "thermostat": ("climate",),
    "cover": ("cover",),
    "lock": ("lock",),
    "alarm": (ALARM,),
    "scene": ("scene",),
    "sensor": ("binary_sensor", "sensor"),
}
_ALL_DOMAINS = (
    "light", "switch", "climate", "cover", "lock", ALARM, "scene", "binary_sensor", "sensor",
)  # fmt: skip
_DOOR_DOMAINS = ("binary_sensor", "lock", "cover")
_OPEN_WORDS = {"on": "open", "off": "closed"}  # binary_sensor door states
_TRANSITIONAL = frozenset({"locking", "unlocking", "opening", "closing"})

DeviceArg = Annotated[
    str, Field(description="A room ('kitchen') or a device name ('bed light', 'blinds')")
]
DoorArg = Annotated[str, Field(description="Which door, e.g. 'front door'")]
Confirm = Annotated[
    bool,
    Field(description="Must be true, and only after the user explicitly confirmed"),
]


class HomeTools(Toolbox):
    """The home tools bound to one backend; made by :func:`home_toolbox`.

    ``aclose()`` (or ``async with``) closes the backend when the toolbox owns it
    (``close_home=True``, as the plugin's toolboxes do); it is not a tool.

    Attributes:
        home: The backend the tools act on.
    """

    def __init__(self, home: Home, name: str, tools: list[Any], *, close_home: bool) -> None:
        self.home = home
        self._close_home = close_home
        super().__init__(name, tools)

    def __repr__(self) -> str:
        return f"<HomeTools {self.name!r} on {self.home.label}: {len(self)} tools>"

    @not_a_tool
    async def aclose(self) -> None:
        """Close the backend if this toolbox owns it; otherwise do nothing."""
        if self._close_home:
            await self.home.aclose()


def home_toolbox(home: Home, *, name: str = "home", close_home: bool = False) -> HomeTools:
    """Tools a model uses to run ``home``: list, read, lights, switches, thermostat,
    covers, locks and the alarm (with confirmation), scenes, and a NON_BLOCKING door
    watcher.

    Args:
        home: The backend the tools act on.
        name: The toolbox's name.
        close_home: The toolbox owns ``home``: its ``aclose()`` closes it.
    """
    acting = Acting()
    act, done, compensate = acting.act, acting.done, acting.compensate

    async def find(query: str, domains: tuple[str, ...]) -> list[EntityState]:
        return resolve(await home.states(), query, domains)

    # -- reading ---------------------------------------------------------------------

    @tool
    async def list_devices(
        room: Annotated[str | None, Field(description="Only this room, e.g. 'kitchen'")] = None,
        kind: Annotated[Kind | None, Field(description="Only this kind of device")] = None,
    ) -> dict[str, Any]:
        """List the home's devices with their room and current state."""
        states = await home.states()
        domains = _KIND_DOMAINS[kind] if kind else _ALL_DOMAINS
        found = [s for s in states if s.domain in domains]
        if room:
            found = resolve(found, room, domains)
        return {"devices": [s.summary() for s in found]}

    @tool
    async def get_state(device: DeviceArg) -> dict[str, Any]:
        """Read the current state of a device, or of every device in a room."""
        return {"devices": [s.summary() for s in await find(device, _ALL_DOMAINS)]}

    # -- lights ----------------------------------------------------------------------

    def light_before(s: EntityState) -> dict[str, Any]:
        a = s.attributes
        before: dict[str, Any] = {"entity_id": s.entity_id, "state": s.state}
        if s.state == "on":
            before["brightness"] = a.get("brightness")
            if a.get("color_mode") == "color_temp" or (
                a.get("color_temp_kelvin") and not a.get("rgb_color")
            ):
                before["color_temp_kelvin"] = a.get("color_temp_kelvin")
            elif a.get("rgb_color"):
                before["rgb_color"] = list(a["rgb_color"])
        return before

    async def restore_lights(previous: Previous) -> None:
        for before in previous:
            eid = before["entity_id"]
            if before["state"] != "on":
                await home.call_service("light", "turn_off", eid)
                continue
            data = {
                k: before[k]
                for k in ("brightness", "rgb_color", "color_temp_kelvin")
                if before.get(k) is not None
            }
            await home.call_service("light", "turn_on", eid, **data)

    @tool
    async def turn_on_light(
        room: DeviceArg,
        ctx: ToolContext,
        brightness: Annotated[
            int | None, Field(ge=1, le=100, description="Brightness in percent")
        ] = None,
        color: Annotated[Color | None, Field(description="Light colour")] = None,
    ) -> dict[str, Any]:
        """Turn on the lights in a room, or one light by name, optionally dimmed or coloured."""
        data: dict[str, Any] = {}
        if brightness is not None:
            data["brightness_pct"] = brightness
        if color in _RGB:
            data["rgb_color"] = _RGB[color]
        elif color in _KELVIN:
            data["color_temp_kelvin"] = _KELVIN[color]
        targets = await find(room, ("light",))
        after, previous = await act(
            ctx,
            targets,
            lambda s: home.call_service("light", "turn_on", s.entity_id, **data),
            light_before,
        )
        return done(ctx, {"lights": after, "previous": previous})

    @tool
    async def turn_off_light(room: DeviceArg, ctx: ToolContext) -> dict[str, Any]:
        """Turn off the lights in a room, or one light by name."""
        targets = await find(room, ("light",))
        after, previous = await act(
            ctx,
            targets,
            lambda s: home.call_service("light", "turn_off", s.entity_id),
            light_before,
        )
        return done(ctx, {"lights": after, "previous": previous})

    compensate(turn_on_light, restore_lights)
    compensate(turn_off_light, restore_lights)

    # -- switches --------------------------------------------------------------------

    def state_before(s: EntityState) -> dict[str, Any]:
        return {"entity_id": s.entity_id, "state": s.state}

    async def restore_switches(previous: Previous) -> None:
        for before in previous:
            service = "turn_on" if before["state"] == "on" else "turn_off"
            await home.call_service("switch", service, before["entity_id"])

    @tool
    async def set_switch(
        device: DeviceArg,
        on: Annotated[bool, Field(description="True to switch on, false to switch off")],
        ctx: ToolContext,
    ) -> dict[str, Any]:
        """Switch a plug or appliance (a switch) on or off."""
        service = "turn_on" if on else "turn_off"
        targets = await find(device, ("switch",))
        after, previous = await act(
            ctx,
            targets,
            lambda s: home.call_service("switch", service, s.entity_id),
            state_before,
        )
        return done(ctx, {"switches": after, "previous": previous})

    compensate(set_switch, restore_switches)

    # -- climate ---------------------------------------------------------------------

    def climate_before(s: EntityState) -> dict[str, Any]:
        return {
            "entity_id": s.entity_id,
            "state": s.state,
            "temperature": s.attributes.get("temperature"),
        }

    async def restore_climate(previous: Previous) -> None:
        for before in previous:
            eid = before["entity_id"]
            await home.call_service("climate", "set_hvac_mode", eid, hvac_mode=before["state"])
            if before.get("temperature") is not None:
                await home.call_service(
                    "climate", "set_temperature", eid, temperature=before["temperature"]
                )

    @tool
    async def set_thermostat(
        ctx: ToolContext,
        mode: Annotated[HvacMode | None, Field(description="Heating/cooling mode")] = None,
        temperature: Annotated[
            float | None, Field(ge=10, le=30, description="Target temperature in °C")
        ] = None,
        thermostat: Annotated[
            str | None, Field(description="Which thermostat, when the home has several")
        ] = None,
    ) -> dict[str, Any]:
        """Set the thermostat's mode and/or target temperature."""
        if mode is None and temperature is None:
            raise ServiceError("give a mode, a temperature, or both")
        if thermostat:
            targets = await find(thermostat, ("climate",))
        else:
            targets = [s for s in await home.states() if s.domain == "climate"]
            if len(targets) != 1:
                names = ", ".join(repr(s.name) for s in targets) or "none"
                raise ServiceError(f"say which thermostat: {names}")
        for t in targets:
            modes = t.attributes.get("hvac_modes")
            if mode is not None and modes and mode not in modes:
                raise ServiceError(f"{t.name} supports the modes {modes}, not {mode!r}")

        async def apply(s: EntityState) -> EntityState:
            new = s
            if mode is not None and mode != s.state:
                new = await home.call_service(
                    "climate", "set_hvac_mode", s.entity_id, hvac_mode=mode
                )
            if temperature is not None:
                new = await home.call_service(
                    "climate", "set_temperature", s.entity_id, temperature=temperature
                )
            return new

        after, previous = await act(ctx, targets, apply, climate_before)
        return done(ctx, {"thermostats": after, "previous": previous})

    compensate(set_thermostat, restore_climate)

    # -- covers ----------------------------------------------------------------------

    async def restore_covers(previous: Previous) -> None:
        for before in previous:
            eid = before["entity_id"]
            if before.get("position") is not None:
                await home.call_service(
                    "cover", "set_cover_position", eid, position=before["position"]
                )
            else:
                service = "close_cover" if before["state"] == "closed" else "open_cover"
                await home.call_service("cover", service, eid)

    def cover_before(s: EntityState) -> dict[str, Any]:
        return {
            "entity_id": s.entity_id,
            "state": s.state,
            "position": s.attributes.get("current_position"),
        }

    @tool
    async def open_cover(
        device: DeviceArg,
        ctx: ToolContext,
        position: Annotated[
            int | None, Field(ge=0, le=100, description="How far open, in percent")
        ] = None,
    ) -> dict[str, Any]:
        """Open blinds, curtains, windows or a garage door (fully, or to a position)."""
        targets = await find(device, ("cover",))

        def service(s: EntityState) -> Awaitable[EntityState]:
            if position is None:
                return home.call_service("cover", "open_cover", s.entity_id)
            return home.call_service("cover", "set_cover_position", s.entity_id, position=position)

        after, previous = await act(ctx, targets, service, cover_before)
        return done(ctx, {"covers": after, "previous": previous})

    @tool
    async def close_cover(device: DeviceArg, ctx: ToolContext) -> dict[str, Any]:
        """Close blinds, curtains, windows or a garage door."""
        targets = await find(device, ("cover",))
        after, previous = await act(
            ctx,
            targets,
            lambda s: home.call_service("cover", "close_cover", s.entity_id),
            cover_before,
        )
        return done(ctx, {"covers": after, "previous": previous})

    compensate(open_cover, restore_covers)
    compensate(close_cover, restore_covers)

    # -- locks -----------------------------------------------------------------------

    async def lock_action(
        ctx: ToolContext, door: str, service: str, confirm: bool
    ) -> dict[str, Any]:
        targets = await find(door, ("lock",))
        verb = "lock" if service == "lock" else "unlock"
        if not confirm:
            names = " and ".join(t.name for t in targets)
            return {
                "status": "needs_confirmation",
                "message": f"Ask the user to confirm: {verb} {names}? Then call again with "
                "confirm=true. Nothing was changed.",
            }
        after, previous = await act(
            ctx,
            targets,
            lambda s: home.call_service("lock", service, s.entity_id),
            lambda s: {"entity_id": s.entity_id, "state": s.state},
        )
        return done(ctx, {"locks": after, "previous": previous})

    @tool
    async def lock_door(
        ctx: ToolContext, door: DoorArg = "front door", confirm: Confirm = False
    ) -> dict[str, Any]:
        """Lock a door. Acts only with confirm=true, after the user explicitly confirmed."""
        return await lock_action(ctx, door, "lock", confirm)

    @tool
    async def unlock_door(
        ctx: ToolContext, door: DoorArg = "front door", confirm: Confirm = False
    ) -> dict[str, Any]:
        """Unlock a door. Acts only with confirm=true, after the user explicitly confirmed."""
        return await lock_action(ctx, door, "unlock", confirm)

    async def relock(previous: Previous) -> None:
        for before in previous:
            if before["state"] == "locked":
                await home.call_service("lock", "lock", before["entity_id"])

    compensate(unlock_door, relock)

    # -- scenes ----------------------------------------------------------------------

    # What a scene's compensation restores, by domain. Locks and the alarm are left as the
    # scene set them: an interrupted "good night" must not unlock the front door.
    scene_parts: dict[str, tuple[Callable[[EntityState], dict[str, Any]], Restore]] = {
        "light": (light_before, restore_lights),
        "switch": (state_before, restore_switches),
        "climate": (climate_before, restore_climate),
        "cover": (cover_before, restore_covers),
    }

    async def restore_scenes(previous: Previous) -> None:
        for before in previous:
            by_domain: dict[str, Previous] = {}
            for entity in before.get("entities", []):
                by_domain.setdefault(entity["entity_id"].split(".", 1)[0], []).append(entity)
            for domain, entities in by_domain.items():
                await scene_parts[domain][1](entities)

    @tool
    async def activate_scene(
        scene: Annotated[str, Field(description="The scene's name, e.g. 'movie night'")],
        ctx: ToolContext,
    ) -> dict[str, Any]:
        """Activate a scene: a saved set of device states."""
        states = await home.states()
        targets = resolve(states, scene, ("scene",))
        if len(targets) > 1:
            names = ", ".join(repr(t.name) for t in targets)
            raise ServiceError(f"{scene!r} matches several scenes: {names}")
        by_id = {s.entity_id: s for s in states}

        def scene_before(s: EntityState) -> dict[str, Any]:
            # The states of the entities the scene sets (Home Assistant lists them in the
            # scene's ``entity_id`` attribute), so that a cancel can put them back.
            entities = []
            for eid in s.attributes.get("entity_id") or []:
                entity = by_id.get(eid)
                if entity is not None and entity.domain in scene_parts:
                    entities.append(scene_parts[entity.domain][0](entity))
            return {"entity_id": s.entity_id, "entities": entities}

        _, previous = await act(
            ctx,
            targets[:1],
            lambda s: home.call_service("scene", "turn_on", s.entity_id),
            scene_before,
        )
        return done(ctx, {"scene": targets[0].name, "status": "activated", "previous": previous})

    compensate(activate_scene, restore_scenes)

    # -- watching --------------------------------------------------------------------

    def door_word(s: EntityState) -> str:
        return _OPEN_WORDS.get(s.state, s.state) if s.domain == "binary_sensor" else s.state

    @tool(behavior=Behavior.NON_BLOCKING, scheduling=Scheduling.WHEN_IDLE)
    async def watch_door(
        door: DoorArg = "front door",
        changes: Annotated[int, Field(ge=1, le=20, description="Stop after this many changes")] = 1,
        minutes: Annotated[
            float, Field(gt=0, le=120, description="Stop watching after this long")
        ] = 10,
    ) -> AsyncIterator[ToolResult]:
        """Watch a door and report each time it opens, closes, locks or unlocks."""
        targets = await find(door, _DOOR_DOMAINS)
        current = targets[0]
        yield ToolResult(
            {"watching": current.name, "state": door_word(current)},
            scheduling=Scheduling.SILENT,
            will_continue=True,
        )
        seen = 0
        reported = current.state
        deadline = anyio.current_time() + minutes * 60
        while seen < changes:
            new = None
            with anyio.move_on_after(deadline - anyio.current_time()):
                new = await home.wait_change(current.entity_id, current)
            if new is None:
                break
            # "unlocking" or "opening" is not news; the state it settles in is.
            if new.state != reported and new.state not in _TRANSITIONAL:
                reported = new.state
                seen += 1
                yield ToolResult(
                    {"door": new.name, "state": door_word(new), "change": seen},
                    scheduling=Scheduling.INTERRUPT,
                    will_continue=True,
                )
            current = new
        yield ToolResult(
            {
                "door": current.name,
                "state": door_word(current),
                "changes": seen,
                "status": "done watching",
            },
            scheduling=Scheduling.SILENT,
        )

    return HomeTools(
        home,
        name,
        [
            list_devices,
            get_state,
            turn_on_light,
            turn_off_light,
            set_switch,
            set_thermostat,
            open_cover,
            close_cover,
            lock_door,
            unlock_door,
            *alarm_tools(home, acting, find),
            activate_scene,
            watch_door,
        ],
        close_home=close_home,
    )
