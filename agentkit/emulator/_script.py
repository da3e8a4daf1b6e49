"""Scripted mode: a list of steps replaces the rule-based model for exact, repeatable tests.

>>> Script([expect_text("lights"), call("turn_on", {"room": "kitchen"}), wait_responses(),
...         say("The kitchen light is on.")])

A single script (or list of steps) runs on every connection, from the start; a list of
scripts gives connection 0 the first, connection 1 the second, and later connections the
default model. In scripted mode nothing happens on its own: user input waits for the next
``expect_*`` step (no automatic barge-in), and after the last step the connection stays
open and silent. A failed expectation closes with 1011 and lands in
``ConnectionRecord.script_errors``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Script",
    "Step",
    "call",
    "calls",
    "cancel",
    "close",
    "drop",
    "expect_audio",
    "expect_input",
    "expect_text",
    "go_away",
    "interrupt",
    "resumption_update",
    "say",
    "send",
    "sleep",
    "turn_complete",
    "wait_responses",
]


@dataclass(frozen=True)
class Step:
    """One scripted action; build them with the helper functions of this module."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)


def expect_input(*, timeout: float | None = None) -> Step:
    """Wait for the next user turn of any kind (text, audio or activity)."""
    return Step("expect", {"contains": None, "kind": None, "timeout": timeout})


def expect_text(contains: str | None = None, *, timeout: float | None = None) -> Step:
    """Wait for the next user text turn; if ``contains`` is given, it must appear (any case)."""
    return Step("expect", {"contains": contains, "kind": "text", "timeout": timeout})


def expect_audio(*, timeout: float | None = None) -> Step:
    """Wait for the next user audio turn (VAD end of speech, activityEnd or audioStreamEnd)."""
    return Step("expect", {"contains": None, "kind": "audio", "timeout": timeout})


def say(
    text: str,
    *,
    chunks: int | None = None,
    generation_complete: bool = True,
    turn_complete: bool = True,
) -> Step:
    """Answer with text (TEXT sessions) or audio + output transcription (AUDIO sessions)."""
    return Step(
        "say",
        {
            "text": text,
            "chunks": chunks,
            "generation_complete": generation_complete,
            "turn_complete": turn_complete,
        },
    )


def call(name: str, args: Mapping[str, Any] | None = None, *, id: str | None = None) -> Step:
    """Send one ``toolCall`` with a single function call (id generated unless given)."""
    return calls((name, dict(args or {}), id))


def calls(
    *items: tuple[str, Mapping[str, Any]] | tuple[str, Mapping[str, Any], str | None],
) -> Step:
    """Send one ``toolCall`` carrying several calls: ``calls(("a", {}), ("b", {"x": 1}))``."""
    out = []
    for item in items:
        name, args = item[0], dict(item[1])
        call_id = item[2] if len(item) > 2 else None
        out.append({"name": name, "args": args, "id": call_id})
    return Step("call", {"calls": out})


def wait_responses(ids: Sequence[str] | None = None, *, timeout: float | None = None) -> Step:
    """Wait until every pending call (or the given ids) has a final response."""
    return Step(
        "wait_responses", {"ids": list(ids) if ids is not None else None, "timeout": timeout}
    )


def go_away(time_left: float = 10.0) -> Step:
    """Send ``goAway`` with ``timeLeft``."""
    return Step("go_away", {"time_left": time_left})


def drop() -> Step:
    """Abort the TCP connection without a close frame."""
    return Step("drop")


def close(code: int = 1000, reason: str = "") -> Step:
    """Close the WebSocket with a code and reason (cut to 123 bytes)."""
    return Step("close", {"code": code, "reason": reason})


def interrupt() -> Step:
    """``interrupted``, ``toolCallCancellation`` for pending calls, then ``turnComplete``."""
    return Step("interrupt")


def cancel(ids: Sequence[str] | None = None) -> Step:
    """``toolCallCancellation`` for the given ids (default: every pending call)."""
    return Step("cancel", {"ids": list(ids) if ids is not None else None})


def turn_complete() -> Step:
    """A bare ``turnComplete`` with ``usageMetadata``."""
    return Step("turn_complete")


def resumption_update() -> Step:
    """A ``sessionResumptionUpdate`` (resumable unless blocking calls are pending)."""
    return Step("resumption_update")


def send(message: Mapping[str, Any]) -> Step:
    """Send a raw server message as given."""
    return Step("send", {"message": dict(message)})


def sleep(seconds: float) -> Step:
    """Pause the script."""
    return Step("sleep", {"seconds": seconds})


_BUILDERS: dict[str, Any] = {
    "expect_input": expect_input,
    "expect_text": expect_text,
    "expect_audio": expect_audio,
    "say": say,
    "call": call,
    "wait_responses": wait_responses,
    "go_away": go_away,
    "drop": drop,
    "close": close,
    "interrupt": interrupt,
    "cancel": cancel,
    "turn_complete": turn_complete,
    "resumption_update": resumption_update,
    "send": send,
    "sleep": sleep,
}


class Script:
    """An ordered list of :class:`Step`."""

    def __init__(self, steps: Iterable[Step]) -> None:
        self.steps = list(steps)
        for step in self.steps:
            if not isinstance(step, Step):
                raise TypeError(f"script steps must be Step objects, got {step!r}")

    def __repr__(self) -> str:
        return f"Script({[s.kind for s in self.steps]!r})"

    @classmethod
    def from_json(cls, data: Any) -> Script:
        """Build from ``[{"say": "hi"}, {"call": {"name": "f", "args": {}}}, "drop"]``."""
        if not isinstance(data, list):
            raise ValueError("a JSON script is a list of steps")
        steps = []
        for item in data:
            if isinstance(item, str):
                name, arg = item, None
            elif isinstance(item, dict) and len(item) == 1:
                name, arg = next(iter(item.items()))
            else:
                raise ValueError(f"bad script step: {item!r}")
            builder = _BUILDERS.get(name)
            if builder is None:
                raise ValueError(f"unknown script step {name!r}; known: {sorted(_BUILDERS)}")
            if arg is None:
                steps.append(builder())
            elif isinstance(arg, dict):
                steps.append(builder(**arg))
            else:
                steps.append(builder(arg))
        return cls(steps)

    @classmethod
    def load(cls, path: str | Path) -> Script:
        """Read a JSON script file (see :meth:`from_json`)."""
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
