"""What the dispatcher knows about each call: states, records, replies and the ledger."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..tools import Behavior, Scheduling

__all__ = ["CallLedger", "CallRecord", "CallState", "DispatchStatistics", "Reply"]


class CallState(StrEnum):
    """Where a call is. Every state but ``RUNNING`` is terminal; a call reaches one, once."""

    RUNNING = "running"
    """Started (or waiting for a concurrency slot), or its final reply was not taken yet."""
    ANSWERED = "answered"
    """Its final FunctionResponse was sent."""
    ERROR = "error"
    """Answered with ``{"error": ...}``: unknown name, invalid arguments, or an exception."""
    CANCELLED = "cancelled"
    """Cancelled before its final reply was taken. Never answered."""
    TIMED_OUT = "timed_out"
    """Answered with ``{"error": "... timed out after Ns"}``."""

    @property
    def terminal(self) -> bool:
        """True for every state but ``RUNNING``."""
        return self is not CallState.RUNNING


class CallRecord:
    """One function call as the ledger sees it. The dispatcher alone writes to it.

    Attributes:
        id: The call id the server chose (echoed in every reply).
        name: The function name the model asked for.
        args: The arguments as the model sent them; the validated keyword arguments once
            they passed validation.
        state: A :class:`CallState`.
        started_at: ``time.monotonic()`` when the call was submitted.
        ended_at: ``time.monotonic()`` when it reached its terminal state, else None.
        response: The last response object sent for this call, or None.
        result: The tool's raw return value (for streams: the last value yielded).
        error: The error text sent to the model, for ERROR and TIMED_OUT calls.
        replies: How many FunctionResponses were sent (more than one for streams).
        compensated: True once the tool's ``on_cancel`` hooks were started for it.
        behavior: The tool's behavior, or None when no tool has this name.
        cancel_reason: Why a CANCELLED call was cancelled.
    """

    __slots__ = (
        "args",
        "behavior",
        "cancel_reason",
        "compensated",
        "ended_at",
        "error",
        "id",
        "name",
        "replies",
        "response",
        "result",
        "started_at",
        "state",
    )

    def __init__(
        self,
        id: str,
        name: str,
        args: dict[str, Any],
        *,
        behavior: Behavior | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.args = args
        self.behavior = behavior
        self.state = CallState.RUNNING
        self.started_at = time.monotonic()
        self.ended_at: float | None = None
        self.response: dict[str, Any] | None = None
        self.result: Any = None
        self.error: str | None = None
        self.replies = 0
        self.compensated = False
        self.cancel_reason: str | None = None

    @property
    def duration(self) -> float | None:
        """Seconds from submission to the terminal state, or None while running."""
        if self.ended_at is None:
            return None
        return self.ended_at - self.started_at

    def __repr__(self) -> str:
        # Argument values stay out of the repr: they are the user's data.
        extra = ""
        if self.duration is not None:
            extra = f", duration={self.duration:.3f}"
        if self.cancel_reason is not None:
            extra += f", cancel_reason={self.cancel_reason!r}"
        return (
            f"CallRecord(id={self.id!r}, name={self.name!r}, state={self.state.value!r}, "
            f"replies={self.replies}{extra})"
        )


@dataclass(frozen=True, slots=True)
class Reply:
    """One FunctionResponse to send, as the dispatcher produced it.

    Attributes:
        id: The call id.
        name: The function name.
        response: The response object: a result, or ``{"error": ...}``.
        scheduling: Only for NON_BLOCKING tools; None otherwise.
        will_continue: True for a stream's intermediate replies, False for its closing one,
            None for a call that answers once.
    """

    id: str
    name: str
    response: dict[str, Any]
    scheduling: Scheduling | None = None
    will_continue: bool | None = None

    def to_wire(self) -> dict[str, Any]:
        """The camelCase ``FunctionResponse`` object for a ``toolResponse`` message.

        ``scheduling`` and ``willContinue`` are siblings of ``response``, never inside it.
        """
        wire: dict[str, Any] = {"id": self.id, "name": self.name, "response": self.response}
        if self.scheduling is not None:
            wire["scheduling"] = self.scheduling.value
        if self.will_continue is not None:
            wire["willContinue"] = self.will_continue
        return wire


class CallLedger(Mapping[str, CallRecord]):
    """A read-only view of every call a dispatcher has seen, by call id, in submission order."""

    __slots__ = ("_records",)

    def __init__(self, records: Mapping[str, CallRecord]) -> None:
        self._records = records

    def __getitem__(self, id: str) -> CallRecord:
        return self._records[id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def running(self) -> list[CallRecord]:
        """The records still in state RUNNING."""
        return [r for r in self._records.values() if r.state is CallState.RUNNING]

    @property
    def pending_ids(self) -> set[str]:
        """Ids of the calls that still owe (or may still send) a reply."""
        return {r.id for r in self._records.values() if r.state is CallState.RUNNING}

    def __repr__(self) -> str:
        return f"CallLedger({len(self)} calls, {len(self.pending_ids)} running)"


@dataclass(frozen=True, slots=True)
class DispatchStatistics:
    """Counts from :meth:`Dispatcher.statistics`.

    Attributes:
        running: Calls not yet in a terminal state.
        answered: Calls answered with a result.
        errors: Calls answered with ``{"error": ...}`` (not counting timeouts).
        cancelled: Calls cancelled, never answered.
        timed_out: Calls answered with a timeout error.
        compensated: Calls whose ``on_cancel`` hooks were started.
        abandoned: Worker threads of ended calls (cancelled, timed out) still running;
            each keeps its call's concurrency slot until it ends.
    """

    running: int = 0
    answered: int = 0
    errors: int = 0
    cancelled: int = 0
    timed_out: int = 0
    compensated: int = 0
    abandoned: int = 0
