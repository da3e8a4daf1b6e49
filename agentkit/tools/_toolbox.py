"""Toolbox: a named set of tools that can share state, and :func:`collect_tools`."""

from __future__ import annotations

import contextlib
import inspect
import weakref
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, Self, TypeVar

from ..errors import ToolDefinitionError
from ._callables import kind_of
from ._decorator import CANCEL_HOOK_MARK, NOT_A_TOOL_MARK, Tool, is_method_like

__all__ = ["LIFECYCLE_METHODS", "Toolbox", "collect_tools", "not_a_tool"]

_FnT = TypeVar("_FnT", bound=Callable[..., Any])

#: Method names a Toolbox subclass does not turn into tools unless decorated with ``@tool``.
LIFECYCLE_METHODS = frozenset({"aclose", "close"})

# Per Toolbox subclass: its unbound method tools, analysed once for all instances.
_CLASS_TOOLS: weakref.WeakKeyDictionary[type, list[Tool]] = weakref.WeakKeyDictionary()


class Toolbox:
    """A named set of tools; usable wherever a list of tools is.

    Two forms::

        home = Toolbox("home", [turn_on_the_lights, turn_off_the_lights])

        class Home(Toolbox):
            def __init__(self, client: Client) -> None:
                super().__init__(name="home")
                self.client = client

            def turn_on(self, room: str) -> dict:       # public methods become tools
                "Turn on the lights in a room."
                ...

            @tool(behavior=Behavior.NON_BLOCKING)       # options per method
            async def watch(self, door: str) -> dict: ...

            @not_a_tool                                 # public, but not a tool
            def reconnect(self) -> None: ...

            async def aclose(self) -> None:             # lifecycle: not a tool
                await self.client.aclose()

            def _private(self) -> None: ...             # not a tool

    Public methods defined on the subclass (and its Toolbox parents) become tools bound to
    the instance, so they share its state; ``self`` is never declared. Not tools: names
    starting with ``_``, methods marked :func:`not_a_tool`, static methods, class methods,
    properties, ``on_cancel`` hooks, and the lifecycle methods ``aclose`` and ``close``
    unless explicitly decorated with ``@tool``.

    A toolbox is a context manager: ``async with box:`` calls its ``aclose()`` on exit, or
    else its ``close()`` (awaited if async); ``with box:`` calls its sync ``close()`` and
    refuses a toolbox that only closes asynchronously. Either is a no-op when the subclass
    defines neither. A subclass that forgets ``super().__init__()`` still works: its tools
    are collected on first use and its name defaults to the class name.

    Args:
        name: The toolbox's name (default: the class name).
        tools: More tools or plain functions to include.

    Raises:
        ToolDefinitionError: a method cannot be declared, or two tools share a name.
    """

    def __init__(
        self,
        name: str | None = None,
        tools: Iterable[Tool | Callable[..., Any]] = (),
    ) -> None:
        if name is not None or "_agentkit_name" not in self.__dict__:
            self.name = name if name is not None else type(self).__name__
        self.__dict__["_agentkit_tools"] = self._collect(tools)

    def _collect(self, tools: Iterable[Tool | Callable[..., Any]]) -> dict[str, Tool]:
        found = [t.bind(self) if t.is_unbound_method else t for t in _class_tools(type(self))]
        found += collect_tools(tools)
        by_name: dict[str, Tool] = {}
        for item in found:
            if item.name in by_name:
                raise ToolDefinitionError(
                    f"toolbox {self.name!r} has two tools named {item.name!r}: "
                    f"{_origin(by_name[item.name])} and {_origin(item)}"
                )
            by_name[item.name] = item
        return by_name

    @property
    def name(self) -> str:
        """The toolbox's name (default: the class name)."""
        found = self.__dict__.get("_agentkit_name")
        return found if isinstance(found, str) else type(self).__name__

    @name.setter
    def name(self, value: str) -> None:
        self.__dict__["_agentkit_name"] = value

    @property
    def _agentkit_bound(self) -> dict[str, Tool]:
        found: dict[str, Tool] | None = self.__dict__.get("_agentkit_tools")
        if found is None:  # the subclass's __init__ did not call super().__init__()
            found = self.__dict__.setdefault("_agentkit_tools", self._collect(()))
        return found

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        closer = self._closer("aclose") or self._closer("close")
        if closer is not None:
            result = closer()
            if inspect.isawaitable(result):
                await result

    def __enter__(self) -> Self:
        for method in ("close", "aclose"):
            closer = self._closer(method)
            if closer is not None and kind_of(closer).is_async:
                raise TypeError(
                    f"{type(self).__name__} closes with async {method}(); use `async with`"
                )
            if closer is not None:
                break
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        closer = self._closer("close")
        if closer is not None:
            closer()

    def _closer(self, method: str) -> Callable[[], Any] | None:
        """The subclass's lifecycle ``method`` bound to self; None if absent or a tool."""
        found = inspect.getattr_static(type(self), method, None)
        if found is None or isinstance(found, Tool) or not callable(found):
            return None
        bound: Callable[[], Any] = getattr(self, method)
        return bound

    @property
    def tools(self) -> list[Tool]:
        """The tools, in definition order (methods first, then those passed in)."""
        return list(self._agentkit_bound.values())

    def __iter__(self) -> Iterator[Tool]:
        return iter(self.tools)

    def __len__(self) -> int:
        return len(self._agentkit_bound)

    def __contains__(self, name: object) -> bool:
        return name in self._agentkit_bound

    def __getitem__(self, name: str) -> Tool:
        try:
            return self._agentkit_bound[name]
        except KeyError:
            known = ", ".join(self._agentkit_bound) or "none"
            raise KeyError(f"toolbox {self.name!r} has no tool {name!r} (has: {known})") from None

    def __repr__(self) -> str:
        return f"<Toolbox {self.name!r} tools={list(self._agentkit_bound)}>"


def _class_tools(cls: type) -> list[Tool]:
    """The unbound method tools of a Toolbox subclass, analysed once per class."""
    cached = _CLASS_TOOLS.get(cls)
    if cached is not None:
        return cached
    members: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass is object or klass is Toolbox or not issubclass(klass, Toolbox):
            continue
        members.update(vars(klass))
    tools: list[Tool] = []
    problems: list[str] = []
    for attr, value in members.items():
        if attr.startswith("_") or getattr(value, CANCEL_HOOK_MARK, False):
            continue
        if getattr(value, NOT_A_TOOL_MARK, False):
            continue
        if attr in LIFECYCLE_METHODS and not isinstance(value, Tool):
            continue
        if isinstance(value, Tool):
            tools.append(value)
        elif inspect.isfunction(value) and is_method_like(value):
            try:
                tools.append(Tool(value, localns=vars(cls)))
            except ToolDefinitionError as exc:
                problems.append(str(exc))
    if problems:
        raise ToolDefinitionError("\n".join(problems))
    _CLASS_TOOLS[cls] = tools
    return tools


def not_a_tool(fn: _FnT) -> _FnT:
    """Keep a public method of a :class:`Toolbox` subclass from becoming a tool.

    Returns ``fn`` unchanged; it stays an ordinary method::

        class Home(Toolbox):
            @not_a_tool
            def reconnect(self, host: str) -> None: ...

    Raises:
        ToolDefinitionError: ``fn`` is already a :class:`Tool` (remove ``@tool`` instead).
    """
    if isinstance(fn, Tool):
        raise ToolDefinitionError(f"{fn.name!r} is already a tool; remove @tool instead")
    # A property or builtin cannot take the mark, but neither becomes a tool anyway.
    with contextlib.suppress(AttributeError, TypeError):
        setattr(fn, NOT_A_TOOL_MARK, True)
    return fn


def _origin(item: Tool) -> str:
    fn = getattr(item, "__wrapped__", item.fn)
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None) or repr(fn)
    return f"{module}.{qualname}" if module else qualname


def collect_tools(items: Iterable[Tool | Toolbox | Callable[..., Any]]) -> list[Tool]:
    """Flatten tools and toolboxes into one list; plain functions are wrapped with ``@tool``.

    The same Tool given twice is kept once.

    Raises:
        ToolDefinitionError: an item is not a tool, toolbox or function, or two different
            tools share a name (the message names both).
    """
    result: dict[str, Tool] = {}
    sources: dict[str, str] = {}
    for item in items:
        if isinstance(item, Toolbox):
            pairs = [(t, f"{_origin(t)} (toolbox {item.name!r})") for t in item]
        elif isinstance(item, type) or not callable(item):
            raise ToolDefinitionError(
                f"cannot use {item!r} as a tool: expected a Tool, a Toolbox instance or a function"
            )
        else:
            if not isinstance(item, Tool):
                item = Tool(item)
            if item.is_unbound_method:
                raise ToolDefinitionError(
                    f"tool {item.name!r} is a method of {_origin(item).rsplit('.', 1)[0]}; "
                    "pass an instance of its Toolbox instead"
                )
            pairs = [(item, _origin(item))]
        for found, source in pairs:
            previous = result.get(found.name)
            if previous is found:
                continue
            if previous is not None:
                raise ToolDefinitionError(
                    f"two tools are named {found.name!r}: {sources[found.name]} and {source}"
                )
            result[found.name] = found
            sources[found.name] = source
    return list(result.values())
