"""``agentkit demo``: the home-automation agent, start to finish.

The agent gets the tools of the ``agentkit-home`` and ``agentkit-timers`` plugin packages and
is told four things. It shows two tool calls running concurrently, a NON_BLOCKING timer that
interrupts the model when it fires, a call cancelled by a barge-in (and undone by its
``on_cancel`` hook), and the home's final state.

Where it runs:
- no ``GEMINI_API_KEY`` (or ``--offline``): an in-process emulator plays the model from a
  script, so the run is the same every time;
- with a key: Gemini itself decides what to call;
- ``--base-url``: any Live API server (the same script is not sent; that server decides);
- ``HA_URL`` and ``HA_TOKEN``: the tools act on that Home Assistant instead of a virtual home.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, TextIO

import anyio

from . import events as ev
from ._console import Console

__all__ = ["DEMO_MODEL", "LINES", "demo_script", "run_demo"]

DEMO_MODEL = "gemini-2.5-flash-native-audio-latest"
DEVICE_LATENCY = 0.25  # seconds a virtual device takes to answer
COVER_TRAVEL = 3.0  # seconds the virtual blinds take to close
TURN_TIMEOUT = 45.0
_HA_DEMO_NAMES = {"thermostat": "HeatPump", "blinds": "living room window"}


@dataclass(frozen=True)
class Line:
    """One thing the user says; ``barge_in_on`` interrupts as soon as that tool is called."""

    text: str
    barge_in_on: str | None = None


LINES = [
    Line("Turn on the kitchen light and set the thermostat to heat to 21 degrees."),
    Line("Start a 4 second timer for my tea."),
    Line("Close the living room blinds.", barge_in_on="close_cover"),
    Line("Stop! Leave the blinds open."),
]

SYSTEM = (
    "You are a home assistant that acts through tools. Keep answers to one short sentence. "
    "When several devices are asked for at once, call all the tools together."
)


def demo_script(*, thermostat: str | None = None, blinds: str = "living room blinds") -> Any:
    """What the emulator's model does in the offline demo.

    Args:
        thermostat: Which thermostat to name (a home with several needs one).
        blinds: The device the barge-in interrupts.
    """
    from .emulator import (
        Script,
        call,
        calls,
        cancel,
        expect_text,
        say,
        send,
        turn_complete,
        wait_responses,
    )

    thermostat_args: dict[str, Any] = {"mode": "heat", "temperature": 21}
    if thermostat:
        thermostat_args["thermostat"] = thermostat
    return Script(
        [
            expect_text("kitchen"),
            calls(
                ("turn_on_light", {"room": "kitchen"}, "call-light"),
                ("set_thermostat", thermostat_args, "call-thermostat"),
            ),
            wait_responses(),
            say("The kitchen light is on and the thermostat is heating to 21 degrees."),
            expect_text("timer"),
            call("start_timer", {"seconds": 4, "label": "tea"}, id="call-timer"),
            say("Your four second tea timer is running; I will tell you when it is done."),
            expect_text("blinds"),
            call("close_cover", {"device": blinds}, id="call-blinds"),
            expect_text("stop"),
            # Barge-in: the generation that asked for the blinds is cut, and its pending
            # call with it; the timer belongs to an earlier, finished turn and keeps running.
            send({"serverContent": {"interrupted": True}}),
            cancel(["call-blinds"]),
            turn_complete(),
            say("Okay, I stopped the blinds; they stay open."),
            wait_responses(["call-timer"]),
            say("Ding! Your tea timer is done."),
        ]
    )


def _demo_home() -> Any:
    """The home the tools act on: Home Assistant from the environment, else a virtual home
    whose devices take a moment to answer, so concurrency and barge-in are visible."""
    from agentkit_home import VirtualHome, home_from_env

    home = home_from_env()
    if not isinstance(home, VirtualHome):
        return home

    class DemoHome(VirtualHome):
        async def call_service(self, domain: str, service: str, entity_id: str, **data: Any) -> Any:
            if (domain, service) == ("cover", "close_cover"):
                # The blinds start moving at once and take a while: a cancel lands mid-way.
                self.set_state(entity_id, "closing", current_position=50)
                await anyio.sleep(COVER_TRAVEL)
            else:
                await anyio.sleep(DEVICE_LATENCY)
            return await super().call_service(domain, service, entity_id, **data)

    return DemoHome()


def _tools(home: Any) -> list[Any]:
    from agentkit_home import home_toolbox
    from agentkit_timers import timer_toolbox

    return [home_toolbox(home), timer_toolbox()]


async def run_demo(
    *,
    model: str | None = None,
    base_url: str | None = None,
    offline: bool = False,
    out: TextIO | None = None,
    keep: bool = False,
) -> int:
    """Run the demo; returns the exit code.

    On a real Home Assistant (``HA_URL``) the demo's changes are undone at the end (each
    answered call's own ``on_cancel`` compensation, newest first), unless ``keep``.
    """
    out = out or sys.stdout
    try:
        home = _demo_home()
        tools = _tools(home)
    except ImportError as exc:
        out.write(
            f"agentkit demo needs the home and timer plugins ({exc}).\n"
            "Install them with: pip install -e plugins/agentkit-home -e plugins/agentkit-timers\n"
        )
        return 2
    from .session import connect
    from .session._options import resolve_key

    use_emulator = base_url is None and (offline or resolve_key(None) is None)
    model = model or DEMO_MODEL
    console = Console(out)

    async with AsyncExitStack() as stack:
        if use_emulator:
            from .emulator import Emulator

            # Home Assistant's demo home has several thermostats and windows, not blinds.
            names = {} if _is_virtual(home) else _HA_DEMO_NAMES
            script = demo_script(**names)
            emulator = await stack.enter_async_context(Emulator(script=script))
            base_url = emulator.base_url
            where = (
                f"the local emulator at {base_url} (scripted model; set GEMINI_API_KEY for Gemini)"
            )
        else:
            where = base_url or f"Gemini ({model})"
        console.line(
            "demo",
            f"home demo on {getattr(home, 'label', type(home).__name__)}, talking to {where}",
        )
        session = await stack.enter_async_context(
            connect(
                model,
                tools=tools,
                base_url=base_url,
                config={
                    "response_modalities": ["AUDIO"],
                    "output_audio_transcription": {},
                    "system_instruction": SYSTEM,
                },
            )
        )
        console.calls = session.calls
        started = time.monotonic()
        complete = await _converse(session, console)
        console.line("demo", f"conversation over in {time.monotonic() - started:.1f} s")
        _summary(session, console)
        calls = list(session.calls.values())
    await _final_state(home, console)
    if not keep and not _is_virtual(home):
        await _undo(calls, tools[:1], console)  # the home's tools, not the timers
    await home.aclose()
    return 0 if complete else 1


async def _converse(session: Any, console: Console) -> bool:
    """Say each line, wait for the model's turn (or barge in), then wait for the timer.

    Returns False if the model left something unanswered.
    """
    waiters: list[tuple[Callable[[ev.Event], bool], anyio.Event]] = []

    def wait_for(predicate: Callable[[ev.Event], bool]) -> anyio.Event:
        done = anyio.Event()
        waiters.append((predicate, done))
        return done

    spoke = False  # did the model say anything in the current turn?

    def answered(event: ev.Event) -> bool:
        # A turn that only closes an interrupted generation is not the answer.
        return isinstance(event, ev.TurnComplete) and spoke

    async def show() -> None:
        nonlocal spoke
        async for event in session:
            console.show(event)
            if isinstance(event, ev.Text | ev.OutputTranscription | ev.Audio):
                spoke = True
            for predicate, done in list(waiters):
                if predicate(event):
                    done.set()
                    waiters.remove((predicate, done))
            if isinstance(event, ev.TurnComplete):
                spoke = False

    async def until(done: anyio.Event, what: str) -> bool:
        with anyio.move_on_after(TURN_TIMEOUT) as scope:
            await done.wait()
        if scope.cancelled_caught:
            console.line("demo", f"(no {what} within {TURN_TIMEOUT:.0f} s; moving on)")
        return not scope.cancelled_caught

    barging_in = False
    timeouts = 0
    async with anyio.create_task_group() as tg:
        tg.start_soon(show)
        for line in LINES:
            done = wait_for(_calls(line.barge_in_on) if line.barge_in_on else answered)
            console.user(line.text)
            if barging_in:
                # Speech-like realtime input is what counts as user activity and cuts
                # the generation (and its pending calls) on the real service.
                await session.send_realtime_text(line.text)
            else:
                await session.send_text(line.text)
            barging_in = line.barge_in_on is not None
            if not await until(done, "tool call" if line.barge_in_on else "answer"):
                timeouts += 1
        # NON_BLOCKING calls (the timer) answer later; wait for them and the model's reply.
        if session.calls.running():
            console.line("demo", "waiting for the running calls (the tea timer) to finish…")
            with anyio.move_on_after(TURN_TIMEOUT):
                while session.calls.running():
                    await wait_for(lambda e: isinstance(e, ev.ToolResponse)).wait()
            if not await until(wait_for(answered), "answer"):
                timeouts += 1
        tg.cancel_scope.cancel()
    return timeouts == 0


def _calls(name: str) -> Callable[[ev.Event], bool]:
    """A predicate: the model asked for ``name``."""

    def predicate(event: ev.Event) -> bool:
        return isinstance(event, ev.ToolCall) and any(c.name == name for c in event.calls)

    return predicate


def _summary(session: Any, console: Console) -> None:
    records = list(session.calls.values())
    console.line("demo", f"{len(records)} tool call(s):")
    for r in records:
        took = f"{r.duration * 1000:.0f} ms" if r.duration is not None else "-"
        extra = ", compensated by on_cancel" if getattr(r, "compensated", False) else ""
        console.line("", f"  {r.name:<16} {r.state.value:<10} {took:>8}{extra}")
    concurrent = [r for r in records if r.name in {"turn_on_light", "set_thermostat"}]
    if len(concurrent) == 2 and all(r.ended_at for r in concurrent):
        wall = max(r.ended_at for r in concurrent) - min(r.started_at for r in concurrent)
        total = sum(r.duration or 0 for r in concurrent)
        console.line("", f"  light + thermostat ran concurrently: {wall * 1000:.0f} ms wall "
                         f"for {total * 1000:.0f} ms of tool time")  # fmt: skip


def _is_virtual(home: Any) -> bool:
    from agentkit_home import VirtualHome

    return isinstance(home, VirtualHome)


async def _undo(calls: list[Any], tools: list[Any], console: Console) -> None:
    """Put a real home back as it was: run the ``on_cancel`` hooks of every answered call,
    newest first (the same compensation a server cancel would have run)."""
    from .dispatch import CallState
    from .dispatch._call import call_hook
    from .tools import collect_tools

    by_name = {t.name: t for t in collect_tools(tools)}
    undone = []
    for record in reversed(calls):
        tool = by_name.get(record.name)
        if tool is None or record.state is not CallState.ANSWERED or record.compensated:
            continue
        for hook in tool.cancel_hooks:
            try:
                await call_hook(hook, record)
            except Exception as exc:  # one failed undo must not stop the others
                console.line("home", f"could not undo {record.name}: {exc}")
        if tool.cancel_hooks:
            undone.append(record.name)
    if undone:
        console.line("home", f"undid the demo's changes: {', '.join(undone)} (--keep keeps them)")


async def _final_state(home: Any, console: Console) -> None:
    console.line("home", "final state:")
    for s in await home.states():
        if s.domain in {"light", "climate", "cover", "lock"}:
            detail = ""
            if s.domain == "climate":
                detail = f" → {s.attributes.get('temperature')}°"
            elif s.domain == "cover":
                detail = f" ({s.attributes.get('current_position')}% open)"
            console.line("", f"  {s.name:<28} {s.state}{detail}")
