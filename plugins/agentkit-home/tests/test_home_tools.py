"""The home tools, driven through agentkit's real Dispatcher as a live session would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from agentkit_home import (
    EntityState,
    HomeAssistant,
    HomeTools,
    VirtualHome,
    home_from_env,
    home_toolbox,
)
from home_helpers import call, settled

from agentkit.dispatch import CallState, Dispatcher
from agentkit.plugins import load_plugins


@asynccontextmanager
async def dispatching(home: VirtualHome) -> AsyncIterator[Dispatcher]:
    async with Dispatcher([home_toolbox(home)]) as dispatcher:
        yield dispatcher


# -- declarations ---------------------------------------------------------------------------


def test_toolbox_declares_what_a_model_needs(home: VirtualHome) -> None:
    box = home_toolbox(home)
    assert box.name == "home"
    decls = {t.name: t.declaration for t in box}
    assert set(decls) == {
        "list_devices", "get_state", "turn_on_light", "turn_off_light", "set_switch",
        "set_thermostat", "open_cover", "close_cover", "lock_door", "unlock_door",
        "arm_alarm", "disarm_alarm", "activate_scene", "watch_door",
    }  # fmt: skip
    assert all(d["description"] for d in decls.values())
    assert decls["watch_door"]["behavior"] == "NON_BLOCKING"
    temp = decls["set_thermostat"]["parameters"]["properties"]["temperature"]
    assert (temp["minimum"], temp["maximum"]) == (10, 30)
    assert decls["set_thermostat"]["parameters"]["properties"]["mode"]["enum"] == [
        "off", "heat", "cool", "heat_cool", "auto",
    ]  # fmt: skip
    assert "confirm" in decls["lock_door"]["parameters"]["properties"]
    # Each toolbox keeps its own bookkeeping: two homes, two independent toolboxes.
    assert home_toolbox(VirtualHome())["turn_on_light"] is not box["turn_on_light"]


# -- acting ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_turn_on_light_by_room_with_brightness_and_colour(home: VirtualHome) -> None:
    async with dispatching(home) as d:
        response = await call(
            d, "turn_on_light", {"room": "kitchen", "brightness": 40, "color": "warm white"}
        )
    [light] = response["lights"]
    assert light == {
        "entity_id": "light.kitchen",
        "name": "Kitchen light",
        "room": "kitchen",
        "state": "on",
        "brightness": 40,
        "color_temp_kelvin": 2700,
    }
    assert response["previous"] == [{"entity_id": "light.kitchen", "state": "off"}]
    assert home.snapshot()["light.kitchen"] == "on"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("living room", ["light.living_room_ceiling", "light.living_room_lamp"]),
        ("the living room lights", ["light.living_room_ceiling", "light.living_room_lamp"]),
        ("Living room lamp", ["light.living_room_lamp"]),
        ("bedroom light", ["light.bedroom"]),
        ("light.hallway", ["light.hallway"]),
    ],
)
async def test_rooms_and_friendly_names_resolve(
    home: VirtualHome, query: str, expected: list[str]
) -> None:
    async with dispatching(home) as d:
        response = await call(d, "turn_on_light", {"room": query})
    assert [light["entity_id"] for light in response["lights"]] == expected


@pytest.mark.anyio
async def test_unknown_device_answers_with_the_known_names(home: VirtualHome) -> None:
    async with dispatching(home) as d:
        response = await call(d, "turn_on_light", {"room": "garage"})
    assert response["error"].startswith("no light matches 'garage'; known: ")
    assert "'Kitchen light'" in response["error"]
    assert home.changes == []


@pytest.mark.anyio
async def test_out_of_range_brightness_is_refused_before_acting(home: VirtualHome) -> None:
    async with dispatching(home) as d:
        response = await call(d, "turn_on_light", {"room": "kitchen", "brightness": 150})
        assert "brightness" in response["error"]
        assert d.calls["c1"].state is CallState.ERROR
    assert home.changes == []


@pytest.mark.anyio
async def test_turn_off_light_and_switch(home: VirtualHome) -> None:
    async with dispatching(home) as d:
        await call(d, "turn_on_light", {"room": "bedroom"}, id="a")
        off = await call(d, "turn_off_light", {"room": "bedroom"}, id="b")
        switch = await call(d, "set_switch", {"device": "coffee maker", "on": True}, id="c")
    assert off["lights"][0]["state"] == "off"
    assert off["previous"][0]["state"] == "on"
    assert switch["switches"][0]["state"] == "on"
    assert home.snapshot()["switch.coffee_maker"] == "on"


@pytest.mark.anyio
async def test_set_thermostat(home: VirtualHome) -> None:
    async with dispatching(home) as d:
        response = await call(d, "set_thermostat", {"mode": "cool", "temperature": 21.5})
        nothing = await call(d, "set_thermostat", {}, id="c2")
        too_hot = await call(d, "set_thermostat", {"temperature": 45}, id="c3")
    [t] = response["thermostats"]
    assert (t["state"], t["temperature"]) == ("cool", 21.5)
    assert response["previous"] == [
        {"entity_id": "climate.thermostat", "state": "heat", "temperature": 20.0}
    ]
    assert nothing == {"error": "give a mode, a temperature, or both"}
    assert "temperature" in too_hot["error"]


@pytest.mark.anyio
async def test_covers_open_to_a_position_and_close(home: VirtualHome) -> None:
    async with dispatching(home) as d:
        closed = await call(d, "close_cover", {"device": "blinds"}, id="a")
        half = await call(d, "open_cover", {"device": "blinds", "position": 50}, id="b")
    assert closed["covers"][0]["state"] == "closed"
    assert (half["covers"][0]["state"], half["covers"][0]["position"]) == ("open", 50)


@pytest.mark.anyio
async def test_unlock_needs_explicit_confirmation(home: VirtualHome) -> None:
    async with dispatching(home) as d:
        asked = await call(d, "unlock_door", {"door": "front door"}, id="a")
        assert asked["status"] == "needs_confirmation"
        assert "Nothing was changed" in asked["message"]
        assert home.snapshot()["lock.front_door"] == "locked"
        done = await call(d, "unlock_door", {"door": "front door", "confirm": True}, id="b")
    assert done["locks"][0]["state"] == "unlocked"
    assert home.snapshot()["lock.front_door"] == "unlocked"


@pytest.mark.anyio
async def test_lock_needs_explicit_confirmation(home: VirtualHome) -> None:
    home.set_state("lock.front_door", "unlocked")
    async with dispatching(home) as d:
        asked = await call(d, "lock_door", {}, id="a")
        assert home.snapshot()["lock.front_door"] == "unlocked"
        await call(d, "lock_door", {"confirm": True}, id="b")
    assert asked["status"] == "needs_confirmation"
    assert home.snapshot()["lock.front_door"] == "locked"


@pytest.mark.anyio
async def test_activate_scene_and_read_state(home: VirtualHome) -> None:
    async with dispatching(home) as d:
        scene = await call(d, "activate_scene", {"scene": "movie night"}, id="a")
        state = await call(d, "get_state", {"device": "living room"}, id="b")
        listed = await call(d, "list_devices", {"kind": "lock"}, id="c")
    assert (scene["scene"], scene["status"]) == ("Movie night", "activated")
    [before] = scene["previous"]  # what a cancel would put back
    assert before["entity_id"] == "scene.movie_night"
    assert {e["entity_id"]: e["state"] for e in before["entities"]} == {
        "light.living_room_lamp": "off",
        "light.living_room_ceiling": "off",
        "light.kitchen": "off",
        "cover.living_room_blinds": "open",
    }
    by_id = {s["entity_id"]: s for s in state["devices"]}
    assert by_id["light.living_room_lamp"]["brightness"] == 20
    assert by_id["cover.living_room_blinds"]["state"] == "closed"
    assert [s["entity_id"] for s in listed["devices"]] == ["lock.front_door"]


# -- streaming ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_watch_door_streams_each_change(home: VirtualHome) -> None:
    async with dispatching(home) as d:
        d.submit("w1", "watch_door", {"door": "front door", "changes": 2})
        with anyio.fail_after(10):
            first = await d.replies.receive()
            assert first.response == {"watching": "Front door", "state": "closed"}
            assert (first.will_continue, first.scheduling) == (True, "SILENT")
            await anyio.wait_all_tasks_blocked()
            home.set_state("binary_sensor.front_door", "on")
            opened = await d.replies.receive()
            await anyio.wait_all_tasks_blocked()
            home.set_state("binary_sensor.front_door", "off")
            closed = await d.replies.receive()
            summary = await d.replies.receive()
            final = await d.replies.receive()
    assert opened.response == {"door": "Front door", "state": "open", "change": 1}
    assert (opened.will_continue, opened.scheduling) == (True, "INTERRUPT")
    assert closed.response["state"] == "closed"
    assert summary.response["status"] == "done watching"
    assert final.will_continue is False
    assert d.calls["w1"].state is CallState.ANSWERED


@pytest.mark.anyio
async def test_watch_door_reports_settled_states_only(home: VirtualHome) -> None:
    async with dispatching(home) as d:
        d.submit("w1", "watch_door", {"door": "front door lock", "changes": 1})
        with anyio.fail_after(10):
            first = await d.replies.receive()
            assert first.response == {"watching": "Front door lock", "state": "locked"}
            for state in ("unlocking", "locked", "unlocking", "unlocked"):
                await anyio.wait_all_tasks_blocked()
                home.set_state("lock.front_door", state)
            change = await d.replies.receive()
            await d.replies.receive()  # the summary
            await d.replies.receive()  # the end of the stream
    assert change.response == {"door": "Front door lock", "state": "unlocked", "change": 1}


# -- compensation ---------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "args", "entity_id", "acted", "restored"),
    [
        ("turn_on_light", {"room": "kitchen", "color": "red"}, "light.kitchen", "on", "off"),
        ("set_switch", {"device": "coffee maker", "on": True}, "switch.coffee_maker", "on",
         "off"),
        ("set_thermostat", {"mode": "off"}, "climate.thermostat", "off", "heat"),
        ("close_cover", {"device": "blinds"}, "cover.living_room_blinds", "closed", "open"),
        ("unlock_door", {"confirm": True}, "lock.front_door", "unlocked", "locked"),
    ],
)  # fmt: skip
async def test_a_cancelled_call_that_acted_is_compensated(
    home: VirtualHome, tool: str, args: dict[str, Any], entity_id: str, acted: str, restored: str
) -> None:
    async with dispatching(home) as d:
        d.submit("c1", tool, args)
        await settled(home, entity_id, acted)  # it acted; its reply is not taken yet
        assert d.cancel(["c1"]) == ["c1"]
        await settled(home, entity_id, restored)
        await d.wait_idle()
        record = d.calls["c1"]
        assert (record.state, record.compensated, record.replies) == (
            CallState.CANCELLED,
            True,
            0,
        )


@pytest.mark.anyio
async def test_compensation_restores_brightness_and_colour(home: VirtualHome) -> None:
    await home.call_service(
        "light", "turn_on", "light.bedroom", brightness=51, rgb_color=[0, 0, 255]
    )
    async with dispatching(home) as d:
        d.submit("c1", "turn_off_light", {"room": "bedroom"})
        await settled(home, "light.bedroom", "off")
        d.cancel(["c1"])
        light = await settled(home, "light.bedroom", "on")
    assert (light.attributes["brightness"], light.attributes["rgb_color"]) == (51, [0, 0, 255])


@pytest.mark.anyio
async def test_an_answered_call_cancelled_later_is_compensated(home: VirtualHome) -> None:
    async with dispatching(home) as d:
        response = await call(d, "turn_on_light", {"room": "hallway"})
        assert response["lights"][0]["state"] == "on"
        d.cancel(["c1"])
        await settled(home, "light.hallway", "off")


@pytest.mark.anyio
async def test_a_cancelled_scene_puts_back_what_it_changed(home: VirtualHome) -> None:
    await home.call_service("light", "turn_on", "light.living_room_lamp", brightness=128)
    before = home.snapshot()
    async with dispatching(home) as d:
        response = await call(d, "activate_scene", {"scene": "movie night"})
        assert response["status"] == "activated"
        assert home.snapshot()["cover.living_room_blinds"] == "closed"
        d.cancel(["c1"])  # the user interrupted the turn that asked for it
        await settled(home, "cover.living_room_blinds", "open")
        await d.wait_idle()
        assert d.calls["c1"].compensated is True
    assert home.snapshot() == before
    lamp = await home.state("light.living_room_lamp")
    assert lamp.attributes["brightness"] == 128


@pytest.mark.anyio
async def test_a_cancelled_scene_never_unlocks_a_door(home: VirtualHome) -> None:
    home.set_state("lock.front_door", "unlocked")
    await home.call_service("light", "turn_on", "light.living_room_ceiling")
    async with dispatching(home) as d:
        await call(d, "activate_scene", {"scene": "good night"})
        assert home.snapshot()["light.living_room_ceiling"] == "off"
        assert home.snapshot()["lock.front_door"] == "locked"
        d.cancel(["c1"])
        await settled(home, "light.living_room_ceiling", "on")  # the lights came back
        await d.wait_idle()
    assert home.snapshot()["lock.front_door"] == "locked"
    assert home.snapshot()["climate.thermostat"] == "heat"


@pytest.mark.anyio
async def test_locking_is_never_undone(home: VirtualHome) -> None:
    home.set_state("lock.front_door", "unlocked")
    async with dispatching(home) as d:
        d.submit("c1", "lock_door", {"confirm": True})
        await settled(home, "lock.front_door", "locked")
        d.cancel(["c1"])
        await d.wait_idle()
    assert home.snapshot()["lock.front_door"] == "locked"


class GatedHome(VirtualHome):
    """A virtual home that holds its first ``states()`` or ``call_service()`` until cancelled.

    ``gate`` picks which: "resolve" (the call has not asked for anything yet) or "service"
    (its request is in flight, so the world may already have changed).
    """

    def __init__(self, gate: str) -> None:
        super().__init__()
        self.gate = gate
        self.held = anyio.Event()
        self.services: list[str] = []

    async def _hold(self, phase: str) -> None:
        if phase == self.gate and not self.held.is_set():
            self.held.set()
            await anyio.sleep_forever()

    async def states(self) -> list[EntityState]:
        await self._hold("resolve")
        return await super().states()

    async def call_service(
        self, domain: str, service: str, entity_id: str, **data: Any
    ) -> EntityState:
        self.services.append(f"{domain}.{service} {entity_id}")
        await self._hold("service")
        return await super().call_service(domain, service, entity_id, **data)


@pytest.mark.anyio
async def test_a_call_cancelled_before_it_asked_for_anything_is_not_compensated() -> None:
    home = GatedHome("resolve")
    async with dispatching(home) as d:
        d.submit("c1", "turn_on_light", {"room": "kitchen"})
        with anyio.fail_after(10):
            await home.held.wait()
        d.cancel(["c1"])
        await d.wait_idle()
        assert d.calls["c1"].compensated is False
    assert home.services == []
    assert home.changes == []


@pytest.mark.anyio
async def test_a_call_cancelled_with_its_request_in_flight_is_compensated() -> None:
    home = GatedHome("service")
    async with dispatching(home) as d:
        d.submit("c1", "turn_on_light", {"room": "kitchen"})
        with anyio.fail_after(10):
            await home.held.wait()
        d.cancel(["c1"])
        await d.wait_idle()
        assert d.calls["c1"].compensated is True
    # The restore ran: the light goes back to its recorded state (off), whatever the
    # interrupted request did.
    assert home.services == ["light.turn_on light.kitchen", "light.turn_off light.kitchen"]
    assert home.snapshot()["light.kitchen"] == "off"


# -- the plugin -----------------------------------------------------------------------------


def test_backend_comes_from_the_environment() -> None:
    assert isinstance(home_from_env({}), VirtualHome)
    assert isinstance(home_from_env({"HA_URL": "http://127.0.0.1:1"}), VirtualHome)
    ha = home_from_env({"HA_URL": "http://127.0.0.1:1/", "HA_TOKEN": "s3cret-token"})
    assert isinstance(ha, HomeAssistant)
    assert repr(ha) == "HomeAssistant(url='http://127.0.0.1:1')"


def test_plugin_hook_gives_the_home_tools_on_the_virtual_home(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HA_URL", raising=False)
    monkeypatch.delenv("HA_TOKEN", raising=False)
    plugins = load_plugins(["home"])
    assert plugins.failures == []
    assert "turn_on_light" in [t.name for t in plugins.tools]
    [box] = plugins.toolboxes
    assert isinstance(box, HomeTools) and isinstance(box.home, VirtualHome)
    # Each load builds its own home: two agents never share one.
    assert load_plugins(["home"]).toolboxes[0].home is not box.home  # type: ignore[attr-defined]
    [instruction] = plugins.system_instructions()
    assert "confirm=true" in instruction
