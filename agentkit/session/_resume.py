"""Resumption: the supervisor, the drain after a ``goAway``, and the resume itself.

Theory of operation (continued from :mod:`agentkit.session._live`)
------------------------------------------------------------------
After a ``goAway`` the connection keeps serving until the turn in progress is complete and
no BLOCKING call is in flight, or a safety margin before ``timeLeft`` runs out (``_drain``).
When a connection ends, the supervisor decides: after a ``goAway`` or an unexpected drop it
resumes with the newest handle (bounded backoff), cancels the calls the resumed model never
saw (and answers them with an error on the new connection: a server that restored a later
state still waits for them), replays what the protocol says to replay, and emits
``Reconnected``; otherwise it records the close as the session's error. Connections that end
soon after opening with nothing from the model count as failed attempts (backoff, then
``ResumptionFailed``), so a server that sends ``goAway`` at once cannot cause a storm.

:class:`ResumeMixin` holds this machinery; :class:`~agentkit.session._live.LiveSession`
inherits it and owns the state it uses (annotated in
:class:`~agentkit.session._core.SessionCore`, set in ``LiveSession.__init__``).
"""

from __future__ import annotations

import logging

import anyio

from .. import events
from .._transport import Closed, Connection, ConnectionLost
from ..errors import (
    ConnectError,
    ResumptionFailed,
    SessionClosed,
    closed_error,
)
from ..protocol import ResumePlan, ServerMessage
from ..tools import Behavior
from ._core import SessionCore
from ._options import field_from_reason

__all__ = [
    "RESUME_CANCELLED",
    "RESUME_CANCELLED_ANSWER",
    "ResumeMixin",
]

logger = logging.getLogger("agentkit.session")

# Close codes after which a resumed connection may carry on: dropped (1006), going away
# (1001), internal error / deadline (1011), restart (1012), try again (1013), bad gateway
# (1014). 1008 only for the routine "The operation was aborted." drop.
_RETRYABLE = frozenset({1001, 1006, 1011, 1012, 1013, 1014})


def _retryable(closed: Closed) -> bool:
    if closed.code in _RETRYABLE:
        return True
    return closed.code == 1008 and "aborted" in closed.reason.lower()


RESUME_CANCELLED = "issued after the resumption handle; unknown after resume"
RESUME_CANCELLED_ANSWER = (
    "cancelled: the connection was resumed before this call finished; ask again if still needed"
)


def _error_for(closed: Closed) -> SessionClosed:
    return closed_error(closed.code, closed.reason, field=field_from_reason(closed.reason))


class ResumeMixin(SessionCore):
    """The supervisor and the resumption/drain machinery of :class:`LiveSession`."""

    async def _supervise(self, conn: Connection, early: list[ServerMessage]) -> None:
        with anyio.CancelScope() as self._scope:
            try:
                await self._supervise_inner(conn, early)
            except Exception as exc:  # the session's error, surfaced to the user later
                self._fail(exc)
            finally:
                self._events.end()
                self._ready.set()

    async def _supervise_inner(self, conn: Connection, early: list[ServerMessage]) -> None:
        first = True
        while True:
            for msg in early:
                for event in events.from_message(msg):
                    if first or not isinstance(event, events.SetupComplete):
                        self._handle(event)
            first = False
            opened = anyio.current_time()
            self._progress = False
            outcome = await self._serve(conn)
            if self._closing:
                return
            failures = self._count_failure(anyio.current_time() - opened)
            if isinstance(outcome, Closed):
                if not _retryable(outcome) or not self._can_resume:
                    self._fail(_error_for(outcome))
                    return
                reason = f"{outcome.code} {outcome.reason}".strip()
            else:
                reason = "goAway"
            if failures:
                await self._back_off(failures, reason)
            conn, early, plan = await self._resume(reason)
            self._emit(
                events.Reconnected(
                    plan.handle,
                    replayed=len(plan.replay),
                    possibly_lost=plan.possibly_lost,
                    cancelled=plan.cancel,
                    reason=reason,
                    message=next((m for m in early if m.setup_complete is not None), None),
                )
            )

    def _count_failure(self, uptime: float) -> int:
        """Consecutive connections that ended soon after opening with nothing from the
        model: each is a failed resume attempt (a server sending goAway right after
        setupComplete must not cause a reconnect storm)."""
        if uptime < self._options.min_uptime and not self._progress:
            self._failures += 1
        else:
            self._failures = 0
        return self._failures

    async def _back_off(self, failures: int, reason: str) -> None:
        attempts = self._options.reconnect_attempts
        if failures >= attempts:
            raise ResumptionFailed(
                f"gave up resuming: {failures} connection(s) in a row ended within "
                f"{self._options.min_uptime}s of opening (last: {reason})"
            )
        first, cap = self._options.reconnect_backoff
        delay = min(first * 2 ** (failures - 1), cap)
        logger.warning(
            "connection ended %s soon after opening (%d in a row); resuming in %.2fs",
            reason,
            failures,
            delay,
        )
        await anyio.sleep(delay)

    @property
    def _can_resume(self) -> bool:
        return self._options.resume and self._protocol.resumption_handle is not None

    async def _resume(self, reason: str) -> tuple[Connection, list[ServerMessage], ResumePlan]:
        plan = self._protocol.resume()
        logger.info(
            "resuming after %s with a handle; cancelling %d call(s), keeping %d",
            reason,
            len(plan.cancel),
            len(plan.keep),
        )
        if plan.cancel:
            # The tool must stop acting (the resumed model may never have seen the call),
            # but a server that restored a later state still waits for the id: it is
            # answered with an error on the new connection (see _serve).
            if self._dispatcher is not None:
                self._dispatcher.cancel(
                    plan.cancel, reason=RESUME_CANCELLED, answer=RESUME_CANCELLED_ANSWER
                )
            else:
                self._emit(events.ToolCallCancellation(plan.cancel))
            self._pending_cancelled += plan.cancelled_calls
        delay, cap = self._options.reconnect_backoff
        last: Exception | None = None
        for attempt in range(1, self._options.reconnect_attempts + 1):
            try:
                conn, early = await self._open()
            except (ConnectError, SessionClosed) as exc:
                last = exc
                if isinstance(exc, SessionClosed) and not _retryable(Closed(exc.code, exc.reason)):
                    raise ResumptionFailed(
                        f"the server refused to resume the session: {exc}"
                    ) from exc
                logger.warning("resume attempt %d failed: %s", attempt, exc)
                await anyio.sleep(min(delay, cap))
                delay *= 2
                continue
            self.reconnects += 1
            self._conn = conn
            self._pending_replay = plan.replay
            return conn, early, plan
        raise ResumptionFailed(
            f"could not resume after {self._options.reconnect_attempts} attempt(s): {last}"
        ) from last

    async def _answer_cancelled(self, conn: Connection) -> None:
        calls, self._pending_cancelled = self._pending_cancelled, ()
        if not calls:
            return
        frame = self._protocol.answer_cancelled(calls, RESUME_CANCELLED_ANSWER)
        try:
            await conn.send(frame)
        except ConnectionLost:
            self._pending_cancelled = calls  # the next connection answers them
            return
        for call in calls:
            self._emit_tool_response(
                call.id or "", call.name, {"error": RESUME_CANCELLED_ANSWER}, None, False, None
            )

    async def _drain(self, time_left: float | None, scope: anyio.CancelScope) -> None:
        """After a goAway: end the connection once no turn is in progress and no BLOCKING
        call is in flight, or a safety margin before ``time_left`` runs out."""
        left = 0.0 if time_left is None else time_left
        stay = left - max(self._options.goaway_margin, 0.2 * left)
        with anyio.move_on_after(max(0.0, stay)):
            while True:
                if self._blocking_in_flight():
                    self._turn_open = True  # the model goes on once it has the answer
                elif not self._turn_open:
                    break
                self._draining = anyio.Event()
                await self._draining.wait()
        self._draining = None
        logger.debug("leaving the connection after goAway")
        scope.cancel()

    def _blocking_in_flight(self) -> bool:
        """A pending call the model waits for (BLOCKING, or any call under manual dispatch)."""
        pending = self._protocol.pending_ids
        if not pending:
            return False
        if self._dispatcher is None:
            return True
        calls = self._dispatcher.calls
        for id_ in pending:
            record = calls.get(id_)
            if record is None or record.behavior is not Behavior.NON_BLOCKING:
                return True
        return False
