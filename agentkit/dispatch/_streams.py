"""Generator tools: each yielded value a reply (NON_BLOCKING) or the last one (BLOCKING)."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import anyio

from ..tools import Behavior, Tool, ToolResult
from ._call import Call, Outcome, deadline, step_async, step_sync
from ._core import DispatcherCore
from ._safety import json_safe_result, scrubbed_traceback

__all__ = ["StreamsMixin"]

logger = logging.getLogger("agentkit.dispatch")

# How long a cancelled generator may take to run its cleanup (close() / aclose()).
_CLOSE_GRACE = 5.0


class StreamsMixin(DispatcherCore):
    """How :class:`~agentkit.dispatch.Dispatcher` runs generator tools."""

    async def _stream(
        self, call: Call, tool: Tool, kwargs: dict[str, Any], seconds: float | None
    ) -> None:
        streaming = tool.behavior is Behavior.NON_BLOCKING
        ends = deadline(seconds)
        outcome: Outcome | None = None
        last: Outcome | None = None
        generator = tool.fn(**kwargs)  # creating a generator runs none of its code
        step: Callable[[], Awaitable[tuple[bool, Any]]]
        if tool.is_async_generator:
            step = partial(step_async, generator)
        else:
            step = partial(self._in_thread, call, partial(step_sync, generator))
        try:
            while outcome is None:
                item: Outcome | None = None
                with anyio.CancelScope(deadline=ends) as limit:
                    try:
                        finished, value = await step()
                        if finished and value is None:
                            outcome = last or self._done(streaming)
                        else:
                            call.returned = True
                            call.record.result = value
                            result = json_safe_result(value)
                            item = Outcome(result.response, scheduling=result.scheduling)
                            if finished:  # a sync generator's return value closes the call
                                outcome = item
                            elif (
                                streaming
                                and isinstance(value, ToolResult)
                                and value.will_continue is False
                            ):
                                outcome = item  # the tool says it is the last: it closes
                            elif not streaming:
                                last = item  # a BLOCKING generator answers once, at its end
                    except Exception as exc:
                        outcome = self._failure(call, exc)
                if limit.cancelled_caught:
                    outcome = self._timed_out(call, seconds)
                elif outcome is None and streaming and item is not None:
                    await self._send(call, self._reply(call, item.response, item.scheduling, True))
        finally:
            await self._close_generator(call, generator)
        await self._send_final(call, outcome, stream=streaming)

    async def _close_generator(self, call: Call, generator: Any) -> None:
        try:
            if inspect.isasyncgen(generator):
                # Shielded: a cancelled call's generator still gets to run its cleanup.
                with anyio.move_on_after(_CLOSE_GRACE, shield=True):
                    await generator.aclose()
            elif inspect.isgenerator(generator):
                # Finished, or still running in an abandoned thread: nothing to close.
                if generator.gi_frame is None or generator.gi_running:
                    return
                with anyio.move_on_after(_CLOSE_GRACE, shield=True):
                    await self._in_thread(call, generator.close, acts=False)
        except Exception as exc:
            logger.warning("closing the generator of a tool failed\n%s", scrubbed_traceback(exc))
