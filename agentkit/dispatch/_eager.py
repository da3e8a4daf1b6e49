"""Eager calls: an ``async def`` tool that cannot suspend runs to its end on the caller's task.

A coroutine suspends only at a ``YIELD_VALUE`` of its own frame: ``await``, ``async with``
and ``async for`` all compile to one (CPython 3.11 to 3.14). A coroutine function whose
code has none, and none of the opcodes that lead to one, finishes on its first ``send``:
it is a sync function that happens to be spelled ``async def`` (a lookup, a computation,
a state change in memory). Starting a task for it costs more than the call itself, and no
cancel scope or timeout could ever act on it, so the dispatcher runs it at once instead.
The check fails closed: anything it does not recognise (a partial, a callable object, a
wrapper, an interpreter without these opcodes) is run the ordinary way.
"""

from __future__ import annotations

import contextvars
import dis
import inspect
import types
from collections.abc import Callable, Coroutine
from typing import Any

__all__ = ["SuspendedError", "never_suspends", "run_to_end"]

# Every opcode on the way to a suspension in a coroutine's own frame.
_SUSPENDING = frozenset(
    {"YIELD_VALUE", "SEND", "GET_AWAITABLE", "BEFORE_ASYNC_WITH", "GET_AITER", "GET_ANEXT"}
)
_KNOWN = "YIELD_VALUE" in dis.opmap and "GET_AWAITABLE" in dis.opmap


class SuspendedError(RuntimeError):
    """A coroutine judged unable to suspend did suspend (a bug in the static check)."""


def never_suspends(fn: Callable[..., Any]) -> bool:
    """True if calling ``fn`` returns a coroutine that completes without suspending.

    Only a plain ``async def`` function (or a method bound to one) whose own code has no
    ``await``, ``async with`` or ``async for`` qualifies.
    """
    if not _KNOWN:
        return False
    func = fn.__func__ if isinstance(fn, types.MethodType) else fn
    if not isinstance(func, types.FunctionType):
        return False
    code = func.__code__
    if not code.co_flags & inspect.CO_COROUTINE:
        return False
    return not any(ins.opname in _SUSPENDING for ins in dis.get_instructions(code))


def run_to_end(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that cannot suspend, in a copy of the current context; return its
    value or raise its exception.

    Raises:
        SuspendedError: it suspended after all (it is closed first).
    """
    try:
        # In a copy of the caller's context, as a task would run it: a context variable
        # the tool sets stays its own.
        contextvars.copy_context().run(coro.send, None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    name = getattr(coro, "__qualname__", repr(coro))
    raise SuspendedError(f"{name} suspended; it cannot run eagerly")
