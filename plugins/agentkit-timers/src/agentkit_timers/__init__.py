"""agentkit-timers: countdown timers as agentkit tools, through the plugin hook.

``start_timer`` is NON_BLOCKING: the model keeps talking while it counts down, and the
answer arrives with ``INTERRUPT`` scheduling when the timer fires, so the model says so at
once. ``list_timers`` and ``cancel_timer`` manage running timers.

The tools live on a :class:`Timers` toolbox that holds its own running timers: each agent
(each ``agentkit_tools()`` call, each :func:`timer_toolbox`) gets its own, so two agents in
one process never see or cancel each other's timers. Plugin authors: keep state on a
toolbox like this, never in module globals.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated, Any

import anyio
from pydantic import Field

import agentkit
from agentkit import Behavior, Scheduling, Toolbox, ToolResult, tool

__all__ = [
    "Timers",
    "agentkit_system_instruction",
    "agentkit_tools",
    "start_timer",
    "timer_toolbox",
]

Seconds = Annotated[int, Field(ge=1, le=86_400, description="Length in seconds")]
Label = Annotated[str, Field(description="A name for the timer, e.g. 'pasta'")]


@dataclass
class _Timer:
    label: str
    seconds: int
    deadline: float
    # The thread whose event loop runs the timer: a CancelScope may only be cancelled there.
    thread: int = field(default_factory=threading.get_ident)
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)


async def _count_down(timer: _Timer) -> ToolResult:
    with timer.scope:
        await anyio.sleep(timer.seconds)
    if timer.scope.cancelled_caught:  # cancel_timer, not the server: answer quietly
        return ToolResult(
            {"timer": timer.label, "status": "cancelled"}, scheduling=Scheduling.SILENT
        )
    return ToolResult(
        {"timer": timer.label, "status": "done", "seconds": timer.seconds},
        scheduling=Scheduling.INTERRUPT,
    )


class Timers(Toolbox):
    """Countdown timers: ``start_timer``, ``list_timers``, ``cancel_timer``.

    Each instance keeps its own running timers. Give each agent (session) its own
    instance; its tools run on that session's event loop.

    Args:
        name: The toolbox's name.
    """

    def __init__(self, name: str = "timers") -> None:
        self._running: dict[str, _Timer] = {}
        super().__init__(name=name)

    def __repr__(self) -> str:
        return f"<Timers {self.name!r} running={sorted(self._running)!r}>"

    @tool(behavior=Behavior.NON_BLOCKING, scheduling=Scheduling.INTERRUPT)
    async def start_timer(self, seconds: Seconds, label: Label = "timer") -> ToolResult:
        """Start a countdown timer. The answer comes when it fires and interrupts the model."""
        if label in self._running:
            raise agentkit.ToolError(f"a timer named {label!r} is already running")
        timer = _Timer(label, seconds, anyio.current_time() + seconds)
        self._running[label] = timer
        try:
            return await _count_down(timer)
        finally:
            self._running.pop(label, None)

    async def list_timers(self) -> dict[str, Any]:
        """List the running timers and the seconds left on each."""
        now = anyio.current_time()  # the event loop's clock, as start_timer's deadline
        return {
            "timers": [
                {"label": t.label, "seconds_left": max(0, round(t.deadline - now))}
                for t in self._running.values()
            ]
        }

    async def cancel_timer(
        self, label: Annotated[str, Field(description="The timer's name")] = "timer"
    ) -> dict[str, Any]:
        """Cancel a running timer by its name."""
        timer = self._running.get(label)
        if timer is None:
            names = ", ".join(sorted(self._running)) or "none"
            raise agentkit.ToolError(f"no timer named {label!r} is running (running: {names})")
        if timer.thread != threading.get_ident():
            raise agentkit.ToolError(
                f"timer {label!r} runs on another thread's event loop; "
                "give each agent its own Timers toolbox"
            )
        timer.scope.cancel()
        return {"timer": label, "status": "cancelled"}


def timer_toolbox(name: str = "timers") -> Timers:
    """A new :class:`Timers` toolbox with its own timers: one per agent."""
    return Timers(name)


@tool(behavior=Behavior.NON_BLOCKING, scheduling=Scheduling.INTERRUPT)
async def start_timer(seconds: Seconds, label: Label = "timer") -> ToolResult:
    """Start a countdown timer. The answer comes when it fires and interrupts the model."""
    # Standalone and stateless (nothing shared between agents): it cannot be listed or
    # cancelled by name, only by the server. Kept for code that imported it before
    # Timers existed; prefer timer_toolbox().
    return await _count_down(_Timer(label, seconds, anyio.current_time() + seconds))


@agentkit.hookimpl
def agentkit_tools() -> list[Any]:
    """The plugin's tools: a fresh Timers toolbox per call, so agents never share timers."""
    return [Timers()]


@agentkit.hookimpl
def agentkit_system_instruction() -> str:
    """One line telling the model how timers behave."""
    return (
        "Timers run in the background: start_timer answers only when the timer fires; "
        "tell the user right away when it does."
    )
