"""Handing replies over: to a direct sink from the call's own task, or through the stream."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import anyio.lowlevel

from ..tools import Behavior, Scheduling
from ._call import Call, Outcome, ReplyStreamClosed
from ._core import DispatcherCore
from ._records import CallState, Reply

__all__ = ["HandoverMixin"]


class HandoverMixin(DispatcherCore):
    """How :class:`~agentkit.dispatch.Dispatcher` builds replies and hands them over."""

    # -- handing replies over -------------------------------------------------------------

    def _reply(
        self,
        call: Call,
        response: dict[str, Any],
        scheduling: Scheduling | None,
        will_continue: bool | None,
    ) -> Reply:
        record = call.record
        tool = call.tool
        if tool is None or tool.behavior is not Behavior.NON_BLOCKING:
            return Reply(record.id, record.name, response)
        scheduling = scheduling or tool.scheduling or Scheduling.WHEN_IDLE
        return Reply(record.id, record.name, response, scheduling, will_continue)

    async def _send_final(self, call: Call, outcome: Outcome, *, stream: bool) -> None:
        await self._send(call, self._final_reply(call, outcome, stream=stream))

    def _final_reply(self, call: Call, outcome: Outcome, *, stream: bool) -> Reply:
        call.final = (outcome.state, outcome.error)
        will_continue = False if stream else outcome.will_continue
        return self._reply(call, outcome.response, outcome.scheduling, will_continue)

    async def _send(self, call: Call, reply: Reply) -> None:
        # Sent from inside the call's cancel scope: a cancel before the consumer takes the
        # reply means it never goes out.
        if call.record.state is not CallState.RUNNING:
            # cancel() ended the call (and cancelled its scope): it sends nothing, and the
            # scope takes its cancellation here.
            await anyio.lowlevel.checkpoint_if_cancelled()
            return
        sink = self._sink
        if sink is not None and not self._parked:
            # The consumer is ready to send at once: the call's own task hands the reply
            # over, saving the wake-up of a consumer task and its loop iterations.
            self._delivered(call, reply)  # taken now: it counts as sent
            await sink(reply)
            return
        self._park(call, reply)
        try:
            await self._send_stream.send(reply)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            self._park(call, None)
            raise ReplyStreamClosed from None
        except BaseException:
            if call.in_flight is reply:
                self._park(call, None)
            raise
        if call.in_flight is reply:  # handed straight to a consumer that was waiting
            self._park(call, None)
            self._delivered(call, reply)

    def _park(self, call: Call, reply: Reply | None) -> None:
        """Set the reply a call has waiting in the stream (None: taken or withdrawn).

        ``_parked`` counts them, exactly, from the moment a reply waits to the moment it
        is taken: while any wait, :meth:`direct_replies` queues new replies behind them.
        """
        if (call.in_flight is None) != (reply is None):
            self._parked += 1 if reply is not None else -1
        call.in_flight = reply

    @contextmanager
    def direct_replies(self, sink: Callable[[Reply], Awaitable[None]]) -> Iterator[None]:
        """Inside this block, hand each reply to ``sink`` from the call's own task.

        For a consumer that can send a reply at once (the live session while its
        connection is up). Instead of waiting in :attr:`replies` for a consumer task, the
        reply is taken by the call's task itself (it counts as sent, and the call reaches
        its terminal state) and then ``await sink(reply)`` runs there. A call cancelled
        before that sends nothing, as ever. Replies already waiting in :attr:`replies`
        keep coming out of it, and while any wait, new ones queue behind them; so the
        consumer must keep reading :attr:`replies` as well. ``sink`` should do its work
        before its first suspension: the call's cancel scope still surrounds it.
        """
        if self._sink is not None:
            raise RuntimeError("replies already go to a sink")
        self._sink = sink
        try:
            yield
        finally:
            if self._sink is sink:
                self._sink = None

    def stop_direct_replies(self) -> None:
        """End :meth:`direct_replies` now (say, the connection broke): later replies wait
        in :attr:`replies` again."""
        self._sink = None

    def _take(self, reply: Reply) -> bool:
        """The gate of :class:`ReplyStream`: runs as a consumer takes a parked reply."""
        call = self._calls.get(reply.id)
        if call is None or call.in_flight is not reply:
            return False  # its call was cancelled while the reply waited
        self._park(call, None)
        self._delivered(call, reply)
        return True

    def _delivered(self, call: Call, reply: Reply) -> None:
        record = call.record
        record.replies += 1
        record.response = reply.response
        if not reply.will_continue:
            state, error = call.final
            self._finish(call, state, error=error)
