"""What kind of callable a tool is: sync, coroutine, generator or async generator.

``inspect.iscoroutinefunction`` alone misses two common shapes that return a coroutine:
an object whose ``__call__`` is ``async def``, and an ``async def`` under a plain sync
decorator that uses :func:`functools.wraps`. So the callable is followed layer by layer:
``functools.partial`` to its ``func``, a bound method to its function, an instance to its
class's ``__call__``, and a wrapper to its ``__wrapped__``. The first layer that is a
coroutine or async generator function decides.

A sync generator is recognised only on the callable itself (through partials, methods and
``__call__``), never through ``__wrapped__``: a sync wrapper may well consume the
generator it wraps (``return list(fn())``), whereas no sync wrapper can run a coroutine or
an async generator to completion without an event loop.
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["Kind", "innermost_function", "kind_of", "layers"]


@dataclass(frozen=True, slots=True)
class Kind:
    """How a callable must be run."""

    is_async: bool = False
    is_generator: bool = False
    is_async_generator: bool = False


def layers(fn: Callable[..., Any]) -> Iterator[tuple[Any, bool]]:
    """Yield ``(layer, behind_wrapper)`` from ``fn`` inwards; each object at most once."""
    seen: set[int] = set()
    behind_wrapper = False
    current: Any = fn
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current, behind_wrapper
        if isinstance(current, functools.partial):
            current = current.func
        elif isinstance(current, types.MethodType):
            current = current.__func__
        elif getattr(current, "__wrapped__", None) is not None:
            current = current.__wrapped__
            behind_wrapper = True
        elif not inspect.isroutine(current) and not isinstance(current, type):
            current = getattr(type(current), "__call__", None)  # noqa: B004 - the class's own
        else:
            return


def kind_of(fn: Callable[..., Any]) -> Kind:
    """How ``fn`` returns its result (see the module docstring for the rules)."""
    for layer, behind_wrapper in layers(fn):
        if inspect.isasyncgenfunction(layer):
            return Kind(is_async_generator=True)
        if inspect.iscoroutinefunction(layer):
            return Kind(is_async=True)
        if not behind_wrapper and inspect.isgeneratorfunction(layer):
            return Kind(is_generator=True)
    return Kind()


def innermost_function(fn: Callable[..., Any]) -> types.FunctionType | None:
    """The innermost plain function of ``fn``: its ``__globals__`` resolve its annotations."""
    found: types.FunctionType | None = None
    for layer, _ in layers(fn):
        if isinstance(layer, types.FunctionType):
            found = layer
    return found
