"""Event emission: how the session hands events to the dispatcher, plugins and the user.

Every event reaches the user's stream through ``_emit``, which shows it to the plugins
first (a plugin's error is logged, never raised). ``_handle`` also acts on an event: the
calls of a ``ToolCall`` go to the dispatcher (if any), a ``ToolCallCancellation`` cancels them.
Under automatic dispatch the reader starts a ``ToolCall``'s calls with ``_start_calls``
instead: the event is emitted first, then each call is submitted with
``Dispatcher.submit_eager``. The message that carried a call is kept (by id) until the call's
final ``ToolResponse``, which carries it, or its cancellation.

:class:`EmitMixin` holds these helpers; :class:`~agentkit.session._live.LiveSession`
inherits them and owns the state they use (annotated in
:class:`~agentkit.session._core.SessionCore`, set in ``LiveSession.__init__``).
These are on the reader's path: keep them flat.
"""

from __future__ import annotations

import logging
from typing import Any

from .. import events
from ..protocol import FunctionCall, FunctionResponse
from ._core import SessionCore

__all__ = ["EmitMixin"]

logger = logging.getLogger("agentkit.session")


class EmitMixin(SessionCore):
    """The event emission helpers of :class:`LiveSession`."""

    async def _start_calls(self, event: events.ToolCall) -> None:
        """Emit a ToolCall, then start its calls; a call that can end at once is answered
        before this returns (``Dispatcher.submit_eager``), with no task of its own."""
        calls = self._answerable(event)
        self._emit(event)
        submit = self._dispatcher.submit_eager
        for call in calls:
            await submit(call.id, call.name, call.args or {})

    def _answerable(self, event: events.ToolCall) -> list[FunctionCall]:
        """The calls of ``event`` that have an id (the others cannot be answered)."""
        calls = []
        for call in event.calls:
            if not call.id:
                logger.warning("toolCall %r has no id and cannot be answered", call.name)
                continue
            if event.message is not None:
                self._call_messages[call.id] = event.message
            calls.append(call)
        return calls

    def _handle(self, event: events.Event) -> None:
        if isinstance(event, events.ToolCall):
            # As _start_calls does (without running any call eagerly): the event first.
            calls = self._answerable(event)
            self._emit(event)
            if self._dispatcher is not None:
                for call in calls:
                    self._dispatcher.submit(call.id, call.name, call.args or {})
            return
        if isinstance(event, events.ToolCallCancellation):
            if self._dispatcher is not None:
                self._dispatcher.cancel(event.ids, reason="cancelled by server")
            for id_ in event.ids:
                self._call_messages.pop(id_, None)
        elif isinstance(event, events.GoAway):
            logger.info("goAway: the server closes this connection in %ss", event.time_left)
        self._emit(event)

    def _emit_reply(self, reply: Any) -> None:
        scheduling = reply.scheduling
        self._emit_tool_response(
            reply.id,
            reply.name,
            reply.response,
            None if scheduling is None else scheduling.value,
            bool(reply.will_continue),
            reply,
        )

    def _emit_response(self, fr: FunctionResponse, reply: Any) -> None:
        self._emit_tool_response(
            fr.id or "", fr.name, fr.response or {}, fr.scheduling, bool(fr.will_continue), reply
        )

    def _emit_tool_response(
        self,
        id_: str,
        name: str | None,
        response: dict[str, Any],
        scheduling: str | None,
        will_continue: bool,
        reply: Any,
    ) -> None:
        message = (
            self._call_messages.get(id_) if will_continue else self._call_messages.pop(id_, None)
        )
        self._emit(
            events.ToolResponse(
                id_, name, response, scheduling, will_continue, reply, message=message
            )
        )

    def _emit(self, event: events.Event) -> None:
        plugins = self._options.plugins
        if plugins is not None:
            try:
                plugins.emit(event)
            except Exception:
                logger.exception("a plugin failed on %s", type(event).__name__)
        self._events.put(event)
