"""The outcomes that answer a call: a tool's value, its failure, a timeout, a stream's end."""

from __future__ import annotations

import logging
from typing import Any

from ..errors import ToolError
from ..tools import Behavior, Scheduling, Tool, normalize_result
from ._call import Call, Outcome
from ._core import DispatcherCore
from ._records import CallState
from ._safety import json_safe_result, scrub, scrubbed_traceback

__all__ = ["OutcomesMixin"]

logger = logging.getLogger("agentkit.dispatch")

# The closing reply of a stream that ended with nothing new to say.
_STREAM_DONE = {"result": "done"}


class OutcomesMixin(DispatcherCore):
    """How :class:`~agentkit.dispatch.Dispatcher` turns what a tool did into an Outcome."""

    # -- building replies -----------------------------------------------------------------

    def _outcome(self, call: Call, tool: Tool, value: Any) -> Outcome:
        """The final reply for a tool's return value (raises if it has no JSON form)."""
        call.record.result = value
        result = json_safe_result(value)
        if result.will_continue:
            self._warn_once(
                tool,
                "tool %r returned will_continue=True but is not a generator: "
                "its one reply closes the call",
            )
            if tool.behavior is Behavior.NON_BLOCKING:
                return Outcome(result.response, scheduling=result.scheduling, will_continue=False)
        return Outcome(result.response, scheduling=result.scheduling)

    def _warn_once(self, tool: Tool, message: str) -> None:
        if tool.name not in self._warned:
            self._warned.add(tool.name)
            logger.warning(message, tool.name)

    def _error(self, message: str, state: CallState = CallState.ERROR) -> Outcome:
        return Outcome({"error": message}, state=state, error=message)

    def _failure(self, call: Call, exc: Exception) -> Outcome:
        record = call.record
        if isinstance(exc, ToolError):
            return self._error(str(exc))
        # The traceback goes to the log as scrubbed text, never as exc_info: its last line
        # is the exception's message, which may carry a URL with a key in it.
        logger.warning(
            "tool %r (call %r) raised %s\n%s",
            record.name,
            record.id,
            type(exc).__name__,
            scrubbed_traceback(exc),
        )
        if self._redact:
            return self._error("tool failed")
        text = scrub(str(exc))  # URLs with keys, bearer tokens: not for the model
        return self._error(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)

    def _timed_out(self, call: Call, seconds: float | None) -> Outcome:
        assert seconds is not None
        call.set_cancelled()  # so a sync tool's abandoned thread can stop
        message = f"function {call.record.name!r} timed out after {seconds:g}s"
        return self._error(message, CallState.TIMED_OUT)

    def _done(self, streaming: bool) -> Outcome:
        if streaming:
            return Outcome(dict(_STREAM_DONE), scheduling=Scheduling.SILENT)
        return Outcome(normalize_result(None).response)
