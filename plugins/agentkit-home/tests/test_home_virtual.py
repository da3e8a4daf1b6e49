"""VirtualHome: the in-memory backend behaves like Home Assistant's services."""

from __future__ import annotations

import anyio
import pytest
from agentkit_home import Change, EntityState, ServiceError, UnknownEntity, VirtualHome
from anyio import wait_all_tasks_blocked
from anyio.lowlevel import checkpoint


def test_every_virtual_home_starts_the_same(home: VirtualHome) -> None:
    assert home.snapshot() == VirtualHome().snapshot()
    assert home.snapshot()["lock.front_door"] == "locked"
    assert home.snapshot()["binary_sensor.front_door"] == "off"
    assert home.snapshot()["light.kitchen"] == "off"
    assert home.changes == []


@pytest.mark.anyio
async def test_rooms_cover_the_demo_layout(home: VirtualHome) -> None:
    rooms = await home.areas()
    assert set(rooms) == {"living room", "kitchen", "bedroom", "hallway"}
    assert "lock.front_door" in rooms["hallway"]
    assert "climate.thermostat" in rooms["living room"]


@pytest.mark.anyio
async def test_light_on_with_brightness_and_colour_then_off(home: VirtualHome) -> None:
    on = await home.call_service(
        "light", "turn_on", "light.kitchen", brightness_pct=50, color_name="blue"
    )
    assert (on.state, on.attributes["brightness"], on.attributes["rgb_color"]) == (
        "on",
        128,
        [0, 0, 255],
    )
    assert on.summary()["brightness"] == 50
    off = await home.call_service("light", "turn_off", "light.kitchen")
    assert off.state == "off"
    assert "brightness" not in off.attributes
    assert home.changes == [
        Change("light.kitchen", "off", "on"),
        Change("light.kitchen", "on", "off"),
    ]


@pytest.mark.anyio
async def test_thermostat_mode_and_temperature(home: VirtualHome) -> None:
    await home.call_service("climate", "set_hvac_mode", "climate.thermostat", hvac_mode="cool")
    s = await home.call_service(
        "climate", "set_temperature", "climate.thermostat", temperature=22.5
    )
    assert (s.state, s.attributes["temperature"]) == ("cool", 22.5)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("domain", "service", "entity_id", "data", "error", "message"),
    [
        ("light", "turn_on", "light.garage", {}, UnknownEntity,
         r"^no entity 'light\.garage' in the virtual home$"),
        ("light", "explode", "light.kitchen", {}, ServiceError,
         r"^service light\.explode is not supported$"),
        ("lock", "unlock", "light.kitchen", {}, ServiceError,
         r"^light\.kitchen is not a lock entity$"),
        ("climate", "set_temperature", "climate.thermostat", {"temperature": 99}, ServiceError,
         r"^temperature must be between 7 and 35, got 99$"),
        ("light", "turn_on", "light.kitchen", {"brightness_pct": "bright"}, ServiceError,
         r"^brightness_pct must be a number, got 'bright'$"),
        ("light", "turn_on", "light.kitchen", {"color_name": "octarine"}, ServiceError,
         r"^unknown color_name 'octarine'$"),
    ],
)  # fmt: skip
async def test_bad_requests_are_refused_and_change_nothing(
    home: VirtualHome,
    domain: str,
    service: str,
    entity_id: str,
    data: dict[str, object],
    error: type[Exception],
    message: str,
) -> None:
    before = home.snapshot()
    with pytest.raises(error, match=message):
        await home.call_service(domain, service, entity_id, **data)
    assert home.snapshot() == before
    assert home.changes == []


@pytest.mark.anyio
async def test_scene_applies_its_states(home: VirtualHome) -> None:
    await home.call_service("scene", "turn_on", "scene.good_night")
    snap = home.snapshot()
    assert snap["lock.front_door"] == "locked"
    assert snap["light.hallway"] == "on"
    assert snap["light.kitchen"] == "off"
    assert (await home.state("climate.thermostat")).attributes["temperature"] == 17.0


@pytest.mark.anyio
async def test_cover_position(home: VirtualHome) -> None:
    s = await home.call_service(
        "cover", "set_cover_position", "cover.living_room_blinds", position=0
    )
    assert (s.state, s.summary()["position"]) == ("closed", 0)


@pytest.mark.anyio
async def test_wait_change_wakes_when_the_world_changes(home: VirtualHome) -> None:
    closed = await home.state("binary_sensor.front_door")
    got: list[EntityState] = []

    async def waiter() -> None:
        got.append(await home.wait_change("binary_sensor.front_door", closed))

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        await wait_all_tasks_blocked()
        home.set_state("light.kitchen", "on")  # another entity: the waiter keeps waiting
        await wait_all_tasks_blocked()
        assert got == []
        home.set_state("binary_sensor.front_door", "on")
    assert [s.state for s in got] == ["on"]


@pytest.mark.anyio
async def test_wait_change_returns_at_once_when_already_different(home: VirtualHome) -> None:
    closed = await home.state("binary_sensor.front_door")
    home.set_state("binary_sensor.front_door", "on")
    with anyio.fail_after(5):
        assert (await home.wait_change("binary_sensor.front_door", closed)).state == "on"
    await checkpoint()
