"""Integration tests against a REAL Home Assistant (its ``demo:`` integration) on loopback.

CI starts one with ``.ci/home-assistant.sh`` (``ha_start`` exports HA_URL and HA_TOKEN).
Without them every test here is skipped with that reason shown (pytest -ra), unless
``AGENTKIT_REQUIRE_HA=1`` is set (as CI does): then each one FAILS, so a CI run can never
pass without having talked to a real Home Assistant. The demo's state lives as long as the
server runs, so each test first sets, and reads back, the state it starts from.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest
from agentkit_home import (
    EntityState,
    HomeAssistant,
    HomeAuthError,
    ServiceError,
    UnknownEntity,
    home_toolbox,
)

from agentkit.dispatch import CallState, Dispatcher

pytestmark = pytest.mark.home_assistant

URL = os.environ.get("HA_URL", "")
TOKEN = os.environ.get("HA_TOKEN", "")
NOT_CONFIGURED = (
    "HA_URL and HA_TOKEN are not set: no Home Assistant to test against "
    "(start one with: source .ci/home-assistant.sh && ha_start)"
)
REQUIRED = os.environ.get("AGENTKIT_REQUIRE_HA", "").strip() not in ("", "0")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def ha() -> AsyncIterator[HomeAssistant]:
    if not (URL and TOKEN):
        if REQUIRED:
            pytest.fail(f"AGENTKIT_REQUIRE_HA is set but {NOT_CONFIGURED}", pytrace=False)
        pytest.skip(NOT_CONFIGURED)
    async with HomeAssistant(URL, TOKEN, poll_interval=0.1) as home:
        yield home


async def raw_state(entity_id: str) -> dict[str, Any]:
    """Read back with a separate client, straight from the REST API."""
    async with httpx.AsyncClient(
        base_url=URL, headers={"Authorization": f"Bearer {TOKEN}"}
    ) as client:
        response = await client.get(f"/api/states/{entity_id}")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data


async def force(ha: HomeAssistant, entity_id: str, service: str, state: str, **data: Any) -> None:
    """Put an entity in a known state and prove it, so a test cannot pass by accident."""
    domain = entity_id.partition(".")[0]
    await ha.call_service(domain, service, entity_id, **data)
    assert (await raw_state(entity_id))["state"] == state


async def reach(ha: HomeAssistant, entity_id: str, state: str) -> EntityState:
    with anyio.fail_after(15):
        current = await ha.state(entity_id)
        while current.state != state:
            current = await ha.wait_change(entity_id, current)
    return current


async def ask(d: Dispatcher, name: str, args: dict[str, Any], id: str = "c1") -> Any:
    d.submit(id, name, args)
    with anyio.fail_after(15):
        reply = await d.replies.receive()
    return reply.response


@pytest.mark.anyio
async def test_turn_on_bed_light_and_read_back(ha: HomeAssistant) -> None:
    await force(ha, "light.bed_light", "turn_off", "off")
    async with Dispatcher([home_toolbox(ha)]) as d:
        response = await ask(d, "turn_on_light", {"room": "bed light", "brightness": 50})
    assert response["lights"][0]["entity_id"] == "light.bed_light"
    assert response["previous"] == [{"entity_id": "light.bed_light", "state": "off"}]
    state = await raw_state("light.bed_light")
    assert state["state"] == "on"
    assert state["attributes"]["brightness"] in (127, 128)
    await ha.call_service("light", "turn_off", "light.bed_light")
    assert (await raw_state("light.bed_light"))["state"] == "off"


@pytest.mark.anyio
async def test_set_heatpump_temperature_and_read_back(ha: HomeAssistant) -> None:
    await force(ha, "climate.heatpump", "set_temperature", "heat", temperature=20, hvac_mode="heat")
    assert (await raw_state("climate.heatpump"))["attributes"]["temperature"] == 20
    async with Dispatcher([home_toolbox(ha)]) as d:
        response = await ask(
            d, "set_thermostat", {"thermostat": "heatpump", "temperature": 23.5, "mode": "heat"}
        )
        refused = await ask(d, "set_thermostat", {"thermostat": "heatpump", "mode": "cool"}, "c2")
    assert response["thermostats"][0]["temperature"] == 23.5
    assert response["previous"][0]["temperature"] == 20
    assert (await raw_state("climate.heatpump"))["attributes"]["temperature"] == 23.5
    assert refused["error"] == "HeatPump supports the modes ['heat', 'off'], not 'cool'"
    await ha.call_service("climate", "set_temperature", "climate.heatpump", temperature=20)


@pytest.mark.anyio
async def test_cancelled_light_call_is_compensated(ha: HomeAssistant) -> None:
    await force(ha, "light.bed_light", "turn_off", "off")
    async with Dispatcher([home_toolbox(ha)]) as d:
        d.submit("c1", "turn_on_light", {"room": "bed light", "color": "green"})
        await reach(ha, "light.bed_light", "on")  # it acted; its reply is not taken
        assert d.cancel(["c1"]) == ["c1"]
        await reach(ha, "light.bed_light", "off")
        await d.wait_idle()
        record = d.calls["c1"]
    assert (record.state, record.compensated, record.replies) == (CallState.CANCELLED, True, 0)
    assert (await raw_state("light.bed_light"))["state"] == "off"


@pytest.mark.anyio
async def test_compensation_restores_a_light_that_was_on(ha: HomeAssistant) -> None:
    await force(ha, "light.bed_light", "turn_on", "on", brightness=200)
    async with Dispatcher([home_toolbox(ha)]) as d:
        d.submit("c1", "turn_off_light", {"room": "bed light"})
        await reach(ha, "light.bed_light", "off")
        d.cancel(["c1"])
        light = await reach(ha, "light.bed_light", "on")
    assert light.attributes["brightness"] == 200
    await ha.call_service("light", "turn_off", "light.bed_light")


@pytest.mark.anyio
async def test_lock_needs_confirmation_on_a_real_lock(ha: HomeAssistant) -> None:
    await force(ha, "lock.front_door", "lock", "locked")
    async with Dispatcher([home_toolbox(ha)]) as d:
        asked = await ask(d, "unlock_door", {"door": "front door"})
        assert asked["status"] == "needs_confirmation"
        assert (await raw_state("lock.front_door"))["state"] == "locked"
    await ha.call_service("lock", "lock", "lock.front_door")


@pytest.mark.anyio
async def test_unknown_entity(ha: HomeAssistant) -> None:
    with pytest.raises(UnknownEntity, match=r"^Home Assistant has no entity 'light\.nope'$"):
        await ha.call_service("light", "turn_on", "light.nope")
    async with Dispatcher([home_toolbox(ha)]) as d:
        response = await ask(d, "turn_on_light", {"room": "garden gnome"})
    assert response["error"].startswith("no light matches 'garden gnome'; known: ")
    assert "'Bed Light'" in response["error"]


@pytest.mark.anyio
async def test_refused_service_data(ha: HomeAssistant) -> None:
    with pytest.raises(ServiceError, match=r"^Home Assistant refused light\.turn_on on "):
        await ha.call_service("light", "turn_on", "light.bed_light", brightness="abc")


@pytest.mark.anyio
async def test_bad_token(ha: HomeAssistant) -> None:
    secret = "definitely-not-a-valid-token"
    async with HomeAssistant(URL, secret) as bad:
        with pytest.raises(HomeAuthError, match=r"\(HTTP 401\); check HA_TOKEN$") as info:
            await bad.states()
    assert secret not in str(info.value)
    leaked = TOKEN in str(info.value)  # outside the assert: pytest would print the real token
    assert not leaked, "the real HA_TOKEN appears in the error message"


@pytest.mark.anyio
async def test_watch_door_streams_a_real_lock_change(ha: HomeAssistant) -> None:
    await force(ha, "lock.front_door", "lock", "locked")
    async with Dispatcher([home_toolbox(ha)]) as d:
        d.submit("w1", "watch_door", {"door": "front door", "changes": 1})
        with anyio.fail_after(15):
            first = await d.replies.receive()
            assert first.response == {"watching": "Front Door", "state": "locked"}
            await ha.call_service("lock", "unlock", "lock.front_door")
            change = await d.replies.receive()
            summary = await d.replies.receive()
            final = await d.replies.receive()
    assert change.response == {"door": "Front Door", "state": "unlocked", "change": 1}
    assert (change.will_continue, change.scheduling) == (True, "INTERRUPT")
    assert summary.response["status"] == "done watching"
    assert final.will_continue is False
    await ha.call_service("lock", "lock", "lock.front_door")


# The demo's panel (a ManualAlarm): code "1234" to arm and disarm, 5 s "arming" exit delay.
SECURITY = "alarm_control_panel.security"
CODE = "1234"


@pytest.mark.anyio
async def test_arm_and_disarm_the_demo_alarm_with_confirmation_and_code(
    ha: HomeAssistant,
) -> None:
    await force(ha, SECURITY, "alarm_disarm", "disarmed", code=CODE)
    async with Dispatcher([home_toolbox(ha)]) as d:
        asked = await ask(d, "arm_alarm", {"mode": "night"}, "c1")
        needs_code = await ask(d, "arm_alarm", {"mode": "night", "confirm": True}, "c2")
        wrong = await ask(d, "arm_alarm", {"mode": "night", "confirm": True, "code": "0000"}, "c3")
        assert (await raw_state(SECURITY))["state"] == "disarmed"
        armed = await ask(d, "arm_alarm", {"mode": "night", "confirm": True, "code": CODE}, "c4")
        arming = await raw_state(SECURITY)
        disarmed = await ask(d, "disarm_alarm", {"confirm": True, "code": CODE}, "c5")
    assert asked["status"] == "needs_confirmation" and "Security" in asked["message"]
    assert needs_code["status"] == "needs_code"
    assert wrong["error"].startswith("Security did not arm: the code was probably wrong")
    assert "0000" not in wrong["error"]
    assert armed["previous"] == [{"entity_id": SECURITY, "state": "disarmed"}]
    assert armed["alarm"]["state"] in ("arming", "armed_night")
    assert (arming["state"], arming["attributes"].get("next_state", "armed_night")) == (
        armed["alarm"]["state"],
        "armed_night",
    )
    assert disarmed["alarm"]["state"] == "disarmed"
    assert disarmed["previous"] == [{"entity_id": SECURITY, "state": "armed_night"}]
    assert (await raw_state(SECURITY))["state"] == "disarmed"


@pytest.mark.anyio
async def test_cancelled_alarm_calls_are_compensated(ha: HomeAssistant) -> None:
    await force(ha, SECURITY, "alarm_disarm", "disarmed", code=CODE)
    async with Dispatcher([home_toolbox(ha)]) as d:
        # A cancelled arm goes back to disarmed.
        d.submit("c1", "arm_alarm", {"mode": "away", "confirm": True, "code": CODE})
        await reach(ha, SECURITY, "arming")
        assert d.cancel(["c1"]) == ["c1"]
        await reach(ha, SECURITY, "disarmed")
        await d.wait_idle()
        assert d.calls["c1"].compensated is True
        # A cancelled disarm re-arms to the mode the panel was in (here: arming to home).
        await force(ha, SECURITY, "alarm_arm_home", "arming", code=CODE)
        d.submit("c2", "disarm_alarm", {"confirm": True, "code": CODE})
        await reach(ha, SECURITY, "disarmed")
        assert d.cancel(["c2"]) == ["c2"]
        rearmed = await reach(ha, SECURITY, "arming")
        await d.wait_idle()
    assert rearmed.attributes["next_state"] == "armed_home"
    assert (await raw_state(SECURITY))["attributes"]["next_state"] == "armed_home"
    await force(ha, SECURITY, "alarm_disarm", "disarmed", code=CODE)


@pytest.mark.anyio
async def test_a_cancelled_scene_is_undone_on_a_real_home(ha: HomeAssistant) -> None:
    # scene.agentkit_evening (.ci/home-assistant.sh): bed light off, ceiling lights on at
    # 60, decorative lights off. Start from the opposite of each.
    await force(ha, "light.bed_light", "turn_on", "on", brightness=120)
    await force(ha, "light.ceiling_lights", "turn_off", "off")
    await force(ha, "switch.decorative_lights", "turn_on", "on")
    scene = await raw_state("scene.agentkit_evening")
    assert set(scene["attributes"]["entity_id"]) == {
        "light.bed_light",
        "light.ceiling_lights",
        "switch.decorative_lights",
    }
    async with Dispatcher([home_toolbox(ha)]) as d:
        answer = await ask(d, "activate_scene", {"scene": "agentkit evening"})
        assert answer["status"] == "activated"
        await reach(ha, "light.ceiling_lights", "on")
        assert d.cancel(["c1"]) == []  # answered already: compensated, state kept
        await reach(ha, "light.ceiling_lights", "off")
        await reach(ha, "switch.decorative_lights", "on")
        bed = await reach(ha, "light.bed_light", "on")
        await d.wait_idle()
        assert d.calls["c1"].compensated is True
    assert bed.attributes["brightness"] == 120
    await ha.call_service("light", "turn_off", "light.bed_light")


@pytest.mark.anyio
async def test_a_change_is_heard_as_it_happens(ha: HomeAssistant) -> None:
    await force(ha, "lock.front_door", "lock", "locked")
    # Polling once a minute: only Home Assistant's WebSocket events can be this quick.
    async with HomeAssistant(URL, TOKEN, poll_interval=60) as listening:
        previous = await listening.state("lock.front_door")
        got: list[EntityState] = []

        async def watch() -> None:
            got.append(await listening.wait_change("lock.front_door", previous))

        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(watch)
                await anyio.sleep(0.5)  # let it subscribe (a change before is read back too)
                await ha.call_service("lock", "unlock", "lock.front_door")
    assert got[0].state in ("unlocking", "unlocked")
    await reach(ha, "lock.front_door", "unlocked")
    await ha.call_service("lock", "lock", "lock.front_door")
