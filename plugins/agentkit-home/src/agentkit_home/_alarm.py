"""Alarm tools: arm and disarm an alarm panel, only with explicit confirmation.

Both act only with ``confirm=true``; without it they answer asking for confirmation and
change nothing. A panel that needs a code (``code_format`` set, as on Home Assistant's demo
panel) is asked for one before anything is sent; the code is passed through to the panel
and never appears in an answer or an error. A cancelled call is compensated: a disarm is
re-armed to the mode it had, an arm goes back to the state before it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from pydantic import Field

from agentkit import Tool, ToolContext, tool

from ._acting import Acting, Previous
from ._backend import EntityState, Home, HomeError, ServiceError

__all__ = ["ALARM", "alarm_tools"]

ALARM = "alarm_control_panel"
AlarmMode = Literal["away", "home", "night"]

# What each settled state is restored with.
_RESTORE = {
    "disarmed": "alarm_disarm",
    "armed_away": "alarm_arm_away",
    "armed_home": "alarm_arm_home",
    "armed_night": "alarm_arm_night",
    "armed_vacation": "alarm_arm_vacation",
    "armed_custom_bypass": "alarm_arm_custom_bypass",
}

Confirm = Annotated[
    bool,
    Field(description="Must be true, and only after the user explicitly confirmed"),
]
Code = Annotated[
    str | None,
    Field(description="The alarm code, only if the panel needs one and the user gave it"),
]
Which = Annotated[str | None, Field(description="Which alarm panel, when the home has several")]
Find = Callable[[str, tuple[str, ...]], Awaitable[list[EntityState]]]


def settled(s: EntityState) -> str:
    """The state a panel is in or heading for: ``arming`` counts as its next state."""
    if s.state == "arming" and s.attributes.get("next_state"):
        return str(s.attributes["next_state"])
    if s.state == "pending" and s.attributes.get("previous_state"):
        return str(s.attributes["previous_state"])  # entry delay: it was armed
    return s.state


def _needs_code(panel: EntityState, service: str) -> bool:
    if not panel.attributes.get("code_format"):
        return False
    return service == "alarm_disarm" or bool(panel.attributes.get("code_arm_required", True))


def alarm_tools(home: Home, acting: Acting, find: Find) -> list[Tool]:
    """``arm_alarm`` and ``disarm_alarm`` on ``home``, compensated through ``acting``."""

    async def panel_of(alarm: str | None) -> EntityState:
        if alarm:
            panels = await find(alarm, (ALARM,))
        else:
            panels = [s for s in await home.states() if s.domain == ALARM]
        if len(panels) != 1:
            names = ", ".join(repr(s.name) for s in panels) or "none"
            raise ServiceError(f"say which alarm panel: {names}")
        return panels[0]

    async def change(
        ctx: ToolContext, alarm: str | None, service: str, confirm: bool, code: str | None
    ) -> dict[str, Any]:
        panel = await panel_of(alarm)
        action = "disarm" if service == "alarm_disarm" else "arm"
        target = "disarmed" if action == "disarm" else service.replace("alarm_arm_", "armed_")
        if settled(panel) == target:
            return {"alarm": panel.summary(), "status": f"already {target}", "previous": []}
        if not confirm:
            how = "" if action == "disarm" else f" ({target})"
            return {
                "status": "needs_confirmation",
                "message": f"Ask the user to confirm: {action} {panel.name}{how}? Then call "
                "again with confirm=true. Nothing was changed.",
            }
        if code is None and _needs_code(panel, service):
            return {
                "status": "needs_code",
                "message": f"{panel.name} needs its code to {action}: ask the user for it, "
                "then call again with code and confirm=true. Nothing was changed.",
            }
        data = {} if code is None else {"code": code}
        try:
            after, previous = await acting.act(
                ctx,
                [panel],
                lambda s: home.call_service(ALARM, service, s.entity_id, **data),
                lambda s: {"entity_id": s.entity_id, "state": settled(s)},
            )
        except HomeError as exc:
            if code is None or type(exc) is not HomeError:
                raise
            # Home Assistant answers a wrong code with a bare HTTP 500.
            raise HomeError(
                f"{panel.name} did not {action}: the code was probably wrong ({exc})"
            ) from None
        return acting.done(ctx, {"alarm": after[0], "previous": previous})

    @tool
    async def arm_alarm(
        ctx: ToolContext,
        mode: Annotated[
            AlarmMode, Field(description="away: nobody home; home: people inside; night")
        ] = "away",
        confirm: Confirm = False,
        code: Code = None,
        alarm: Which = None,
    ) -> dict[str, Any]:
        """Arm the alarm system. Acts only with confirm=true, after the user explicitly
        confirmed."""
        return await change(ctx, alarm, f"alarm_arm_{mode}", confirm, code)

    @tool
    async def disarm_alarm(
        ctx: ToolContext, confirm: Confirm = False, code: Code = None, alarm: Which = None
    ) -> dict[str, Any]:
        """Disarm the alarm system. Acts only with confirm=true, after the user explicitly
        confirmed."""
        return await change(ctx, alarm, "alarm_disarm", confirm, code)

    async def restore(previous: Previous, code: str | None) -> None:
        for before in previous:
            service = _RESTORE.get(before["state"])
            if service is not None:
                data = {} if code is None else {"code": code}
                await home.call_service(ALARM, service, before["entity_id"], **data)

    for tool_obj in (arm_alarm, disarm_alarm):

        @tool_obj.on_cancel
        async def _undo(call: Any) -> None:
            # The code the call was given (never stored in its result) restores it too.
            await restore(acting.previous(call), call.args.get("code"))

    return [arm_alarm, disarm_alarm]
