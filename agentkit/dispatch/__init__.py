"""Concurrent dispatch of function calls: one task and one cancel scope per call.

Theory of operation
-------------------
``Dispatcher.submit(id, name, args)`` records a :class:`CallRecord` and starts the call
in its own task, inside the task group the dispatcher opened on ``async with``. The task
enters the call's own :class:`anyio.CancelScope`, waits for a slot of the concurrency
limiter, validates the arguments, and runs the tool: awaited if async, in a worker thread
(abandoned on cancel) if sync, step by step if a generator, under the tool's timeout.

``Dispatcher.submit_eager`` is the same, except for a call whose tool cannot suspend (an
``async def`` with no ``await``, ``async with`` or ``async for``: see ``_eager``) while a
``direct_replies`` sink is ready: it runs to its end on the caller's task and its reply
goes to the sink before ``submit_eager`` returns. No task, no loop iteration: for such a
tool a task would cost more than the call, and no cancel scope could ever act on it. The
live session submits every call this way.

Every FunctionResponse leaves as a :class:`Reply` through ``Dispatcher.replies``, an
unbuffered stream. The send happens inside the call's cancel scope, and a reply counts as
sent only when the consumer takes it; so ``cancel()`` before that moment means nothing
goes out, and the call's terminal state is set by the taking. Each call reaches exactly
one terminal :class:`CallState`, in one method that refuses a second transition.

Streams (NON_BLOCKING generators) send each yielded value with ``willContinue: true`` and
end with exactly one ``willContinue: false`` reply: the error if the generator raised or
timed out, the value a sync generator returned, or else ``{"result": "done"}`` with
scheduling SILENT (it says nothing new, so it should not make the model speak). A yielded
``ToolResult`` whose ``will_continue`` is explicitly False *is* the closing reply: the
generator is closed and nothing more is sent; a yielded ``ToolResult`` that leaves it None
(or True) is an intermediate result with its own scheduling. A tool that answers once and
asks for ``will_continue=True`` gets a warning (once per tool) and a single closing reply.

Timeouts: ``tool.timeout``, else the dispatcher's ``default_timeout``, else, for BLOCKING
tools only, ``blocking_timeout`` (120 s by default; one watchdog task serves all calls).

Sync tools run in worker threads that cannot be stopped: a cancelled or timed-out call
abandons its thread, which keeps the call's concurrency slot until it really ends
(``statistics().abandoned``, ``wait_abandoned()``).

Compensation (``on_cancel`` hooks) runs for calls that ``cancel()`` voided after they had
acted, including a sync tool whose abandoned thread acts after the cancel (when that
thread ends). Closing the dispatcher cancels running calls without compensating them.

Modules: ``_dispatcher`` (the ``Dispatcher``: submit, cancel, the one terminal transition,
the ledger), ``_execution`` (one call's task: slot, validation, timeouts, the watchdog),
``_eager`` (calls that cannot suspend), ``_streams`` (generators), ``_threads`` (worker
threads), ``_handover`` (replies: the stream and direct sinks), ``_outcomes`` (results and
errors as replies), ``_compensation`` (``on_cancel`` hooks), ``_safety`` (plain JSON,
scrubbed text), ``_records`` (the public records).

What goes out is safe to send: responses are plain JSON (``{1: "a"}`` becomes
``{"1": "a"}``), and exception text loses URL query strings, userinfo, bearer tokens and
``key=...`` values (``ToolError`` messages go out as written).
"""

from __future__ import annotations

from ._dispatcher import Dispatcher as Dispatcher
from ._records import CallLedger as CallLedger
from ._records import CallRecord as CallRecord
from ._records import CallState as CallState
from ._records import DispatchStatistics as DispatchStatistics
from ._records import Reply as Reply
from ._replies import ReplyStream as ReplyStream

__all__ = [
    "CallLedger",
    "CallRecord",
    "CallState",
    "DispatchStatistics",
    "Dispatcher",
    "Reply",
    "ReplyStream",
]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
