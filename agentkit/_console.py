"""A readable, live transcript of a session for the ``chat`` and ``demo`` commands."""

from __future__ import annotations

import json
from typing import Any, TextIO

from . import events as ev

__all__ = ["Console"]

_MAX_JSON = 160


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    return text if len(text) <= _MAX_JSON else text[: _MAX_JSON - 1] + "…"


# Argument names whose values a transcript never shows (an alarm code, say).
_SECRET_ARGS = frozenset({"code", "pin", "password", "passcode", "token", "secret", "api_key"})


def _call_text(name: str, args: dict[str, Any] | None) -> str:
    inner = ", ".join(
        f"{k}={'***' if k.lower() in _SECRET_ARGS else repr(v)}" for k, v in (args or {}).items()
    )
    return f"{name}({inner})"


class Console:
    """Prints what the user said, what the model said, and every tool call as it happens.

    Args:
        out: Where to write (a text stream).
        calls: The session's call ledger, for durations (optional).
    """

    def __init__(self, out: TextIO, calls: Any = None) -> None:
        self.out = out
        self.calls = calls
        self._speaking = False
        self._names: dict[str, str] = {}

    def line(self, prefix: str, text: str) -> None:
        """Print one labelled line, closing any model text in progress."""
        self._end_speech()
        self.out.write(f"{prefix:<7}{text}\n")
        self.out.flush()

    def user(self, text: str) -> None:
        """Show what the user said."""
        self.line("you", f"› {text}")

    def _end_speech(self) -> None:
        if self._speaking:
            self.out.write("\n")
            self._speaking = False

    def _duration(self, call_id: str) -> str:
        record = self.calls.get(call_id) if self.calls is not None else None
        duration = getattr(record, "duration", None)
        return f" in {duration * 1000:.0f} ms" if duration is not None else ""

    def show(self, event: ev.Event) -> None:
        """Print one event (quiet ones print nothing)."""
        match event:
            case ev.Text(text=text, thought=False) | ev.OutputTranscription(text=text):
                if not self._speaking:
                    self.out.write(f"{'model':<7}› ")
                    self._speaking = True
                self.out.write(text)
                self.out.flush()
            case ev.InputTranscription(text=text) if text:
                self.line("heard", f"› {text}")
            case ev.ToolCall(calls=calls):
                for call in calls:
                    self._names[call.id or ""] = call.name
                    self.line("tool", f"▶ {_call_text(call.name, call.args)}  [{call.id}]")
            case ev.ToolResponse(id=call_id, name=name, response=response) as r:
                mark = "✗" if "error" in response else "✓"
                extra = []
                if r.scheduling:
                    extra.append(str(r.scheduling))
                if r.will_continue:
                    extra.append("more to come")
                else:
                    extra.append(self._duration(call_id).strip() or "done")
                detail = f"  ({', '.join(extra)})" if extra else ""
                self.line(
                    "tool",
                    f"{mark} {name or self._names.get(call_id, '?')} → {_short(response)}{detail}",
                )
            case ev.ToolCallCancellation(ids=ids):
                for call_id in ids:
                    name = self._names.get(call_id, call_id)
                    self.line("tool", f"⊘ {name} cancelled by the server [{call_id}]")
            case ev.Interrupted():
                self.line("model", "(interrupted)")
            case ev.ExecutableCode(code=code):
                self.line("code", code.strip())
            case ev.CodeExecutionResult(outcome=outcome, output=output):
                self.line("code", f"→ {outcome}: {(output or '').strip()}")
            case ev.GoAway(time_left=left):
                self.line("server", f"going away in {left}s; resuming on a new connection")
            case ev.Reconnected(replayed=replayed, cancelled=cancelled):
                note = f"replayed {replayed} message(s)"
                if cancelled:
                    note += f", cancelled {len(cancelled)} call(s) the resumed model never saw"
                self.line("server", f"reconnected ({note})")
            case ev.TurnComplete():
                self._end_speech()
            case _:
                pass
