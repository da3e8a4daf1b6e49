"""agentkit-timers: countdown timers as agentkit tools, through the plugin hook.

``start_timer`` is NON_BLOCKING: the model keeps talking while it counts down, and the
answer arrives with ``INTERRUPT`` scheduling when the timer fires, so the model says so at
once. ``list_timers`` and ``cancel_timer`` manage running timers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import anyio
from pydantic import Field

import agentkit
from agentkit import Behavior, Scheduling, ToolContext, ToolResult, tool

__all__ = [
    "agentkit_system_instruction",
    "agentkit_tools",
    "cancel_timer",
    "list_timers",
    "start_timer",
]


@dataclass
class _Timer:
    label: str
    seconds: int
    deadline: float
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)


# Running timers by label. Module-level on purpose: tools are plain functions, and every
# agent in the process shares one kitchen.
_running: dict[str, _Timer] = {}


@tool(behavior=Behavior.NON_BLOCKING, scheduling=Scheduling.INTERRUPT)
async def start_timer(
    seconds: Annotated[int, Field(ge=1, le=86_400, description="Length in seconds")],
    ctx: ToolContext,
    label: Annotated[str, Field(description="A name for the timer, e.g. 'pasta'")] = "timer",
) -> ToolResult:
    """Start a countdown timer. The answer comes when it fires and interrupts the model."""
    if label in _running:
        raise agentkit.ToolError(f"a timer named {label!r} is already running")
    timer = _Timer(label, seconds, anyio.current_time() + seconds)
    _running[label] = timer
    try:
        with timer.scope:
            await anyio.sleep(seconds)
    finally:
        _running.pop(label, None)
    if timer.scope.cancelled_caught:  # cancel_timer, not the server: answer quietly
        return ToolResult({"timer": label, "status": "cancelled"}, scheduling=Scheduling.SILENT)
    return ToolResult(
        {"timer": label, "status": "done", "seconds": seconds}, scheduling=Scheduling.INTERRUPT
    )


@tool
async def list_timers() -> dict[str, Any]:
    """List the running timers and the seconds left on each."""
    now = anyio.current_time()  # the event loop's clock, as start_timer's deadline
    return {
        "timers": [
            {"label": t.label, "seconds_left": max(0, round(t.deadline - now))}
            for t in _running.values()
        ]
    }


@tool
async def cancel_timer(
    label: Annotated[str, Field(description="The timer's name")] = "timer",
) -> dict[str, Any]:
    """Cancel a running timer by its name."""
    timer = _running.get(label)
    if timer is None:
        names = ", ".join(sorted(_running)) or "none"
        raise agentkit.ToolError(f"no timer named {label!r} is running (running: {names})")
    timer.scope.cancel()
    return {"timer": label, "status": "cancelled"}


@agentkit.hookimpl
def agentkit_tools() -> list[Any]:
    """The plugin's tools: every agent that loads plugins gets them."""
    return [start_timer, list_timers, cancel_timer]


@agentkit.hookimpl
def agentkit_system_instruction() -> str:
    """One line telling the model how timers behave."""
    return (
        "Timers run in the background: start_timer answers only when the timer fires; "
        "tell the user right away when it does."
    )
