"""The alarm tools on the virtual home: confirmation, codes, compensation."""

from __future__ import annotations

from typing import Any

import pytest
from agentkit_home import ServiceError, VirtualHome, home_toolbox
from home_helpers import call, settled

from agentkit.dispatch import CallState, Dispatcher

ALARM = "alarm_control_panel.home_alarm"


# -- the virtual panel ----------------------------------------------------------------------


def test_the_virtual_home_has_a_disarmed_alarm_panel_in_the_hallway(home: VirtualHome) -> None:
    assert home.snapshot()[ALARM] == "disarmed"


@pytest.mark.anyio
async def test_the_virtual_panel_arms_and_disarms_like_home_assistant(home: VirtualHome) -> None:
    panel = await home.state(ALARM)
    assert (panel.area, panel.name, panel.summary()["code_required"]) == (
        "hallway",
        "Home alarm",
        False,
    )
    for service, state in [
        ("alarm_arm_away", "armed_away"),
        ("alarm_arm_home", "armed_home"),
        ("alarm_arm_night", "armed_night"),
        ("alarm_disarm", "disarmed"),
    ]:
        assert (await home.call_service("alarm_control_panel", service, ALARM)).state == state


@pytest.mark.anyio
async def test_a_panel_with_a_code_refuses_a_wrong_or_missing_code() -> None:
    home = VirtualHome(alarm_code="4321")
    assert (await home.state(ALARM)).summary()["code_required"] is True
    with pytest.raises(
        ServiceError, match=r"^Home alarm refused: it needs its code \(wrong code\)$"
    ):
        await home.call_service("alarm_control_panel", "alarm_arm_away", ALARM, code="0000")
    with pytest.raises(ServiceError, match=r"\(no code was given\)$"):
        await home.call_service("alarm_control_panel", "alarm_arm_away", ALARM)
    assert home.changes == []
    armed = await home.call_service("alarm_control_panel", "alarm_arm_away", ALARM, code="4321")
    assert armed.state == "armed_away"


# -- the tools ------------------------------------------------------------------------------


def test_the_alarm_tools_declare_mode_confirm_and_code(home: VirtualHome) -> None:
    box = home_toolbox(home)
    arm = box["arm_alarm"].declaration["parameters"]["properties"]
    assert arm["mode"]["enum"] == ["away", "home", "night"]
    assert {"confirm", "code", "alarm"} <= set(arm)
    assert {"confirm", "code"} <= set(box["disarm_alarm"].declaration["parameters"]["properties"])
    assert "required" not in box["disarm_alarm"].declaration["parameters"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "args", "start"),
    [("arm_alarm", {"mode": "night"}, "disarmed"), ("disarm_alarm", {}, "armed_away")],
)
async def test_without_confirmation_nothing_happens(
    home: VirtualHome, tool: str, args: dict[str, Any], start: str
) -> None:
    home.set_state(ALARM, start)
    changes = list(home.changes)
    async with Dispatcher([home_toolbox(home)]) as d:
        asked = await call(d, tool, args)
        refused = await call(d, tool, {**args, "confirm": False}, "c2")
    assert asked == refused
    assert asked["status"] == "needs_confirmation"
    assert "Nothing was changed" in asked["message"] and "Home alarm" in asked["message"]
    assert home.snapshot()[ALARM] == start
    assert home.changes == changes


@pytest.mark.anyio
async def test_arm_and_disarm_with_confirmation(home: VirtualHome) -> None:
    async with Dispatcher([home_toolbox(home)]) as d:
        armed = await call(d, "arm_alarm", {"mode": "night", "confirm": True})
        assert home.snapshot()[ALARM] == "armed_night"
        again = await call(d, "arm_alarm", {"mode": "night", "confirm": True}, "c2")
        disarmed = await call(d, "disarm_alarm", {"confirm": True, "alarm": "home alarm"}, "c3")
    assert armed["alarm"]["state"] == "armed_night"
    assert armed["previous"] == [{"entity_id": ALARM, "state": "disarmed"}]
    assert again["status"] == "already armed_night"
    assert disarmed["previous"] == [{"entity_id": ALARM, "state": "armed_night"}]
    assert [(c.old, c.new) for c in home.changes] == [
        ("disarmed", "armed_night"),
        ("armed_night", "disarmed"),
    ]


@pytest.mark.anyio
async def test_a_panel_with_a_code_asks_for_it_and_never_repeats_it() -> None:
    home = VirtualHome(alarm_code="4321")
    async with Dispatcher([home_toolbox(home)]) as d:
        needs = await call(d, "arm_alarm", {"mode": "away", "confirm": True})
        wrong = await call(d, "arm_alarm", {"mode": "away", "confirm": True, "code": "9999"}, "c2")
        assert home.changes == []
        right = await call(d, "arm_alarm", {"mode": "away", "confirm": True, "code": "4321"}, "c3")
    assert needs["status"] == "needs_code" and "Nothing was changed" in needs["message"]
    assert wrong == {"error": "Home alarm refused: it needs its code (wrong code)"}
    assert right["alarm"]["state"] == "armed_away"
    assert "4321" not in repr(right) and "9999" not in repr(wrong)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "args", "start", "acted"),
    [
        ("disarm_alarm", {}, "armed_home", "disarmed"),
        ("disarm_alarm", {}, "armed_night", "disarmed"),
        ("arm_alarm", {"mode": "away"}, "disarmed", "armed_away"),
        ("arm_alarm", {"mode": "night"}, "armed_home", "armed_night"),
    ],
)
@pytest.mark.parametrize("code", [None, "4321"])
async def test_a_cancelled_alarm_call_is_compensated(
    tool: str, args: dict[str, Any], start: str, acted: str, code: str | None
) -> None:
    home = VirtualHome(alarm_code=code)
    home.set_state(ALARM, start)
    args = {**args, "confirm": True, **({} if code is None else {"code": code})}
    async with Dispatcher([home_toolbox(home)]) as d:
        d.submit("c1", tool, args)
        await settled(home, ALARM, acted)  # it acted; its reply is not taken yet
        assert d.cancel(["c1"]) == ["c1"]
        await settled(home, ALARM, start)
        await d.wait_idle()
        record = d.calls["c1"]
    assert (record.state, record.compensated) == (CallState.CANCELLED, True)
    assert [(c.old, c.new) for c in home.changes][-2:] == [(start, acted), (acted, start)]


@pytest.mark.anyio
async def test_a_cancelled_disarm_while_arming_re_arms_to_the_mode_it_was_arming_to(
    home: VirtualHome,
) -> None:
    home.set_state(ALARM, "arming", next_state="armed_home", previous_state="disarmed")
    async with Dispatcher([home_toolbox(home)]) as d:
        response = await call(d, "disarm_alarm", {"confirm": True})
        assert response["previous"] == [{"entity_id": ALARM, "state": "armed_home"}]
        d.cancel(["c1"])
        await settled(home, ALARM, "armed_home")


@pytest.mark.anyio
async def test_list_devices_knows_the_alarm(home: VirtualHome) -> None:
    async with Dispatcher([home_toolbox(home)]) as d:
        listed = await call(d, "list_devices", {"kind": "alarm"})
        state = await call(d, "get_state", {"device": "alarm"}, "c2")
    expected = {
        "entity_id": ALARM,
        "name": "Home alarm",
        "room": "hallway",
        "state": "disarmed",
        "code_required": False,
    }
    assert listed == {"devices": [expected]}
    assert state == {"devices": [expected]}
