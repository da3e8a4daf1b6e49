"""``@tool`` and :class:`Tool`: a plain function plus everything the Live API needs to call it.

The declaration and the argument validator are built once, when the function is decorated;
a function that cannot be declared fails right there with one :class:`ToolDefinitionError`
listing every problem.

Descriptions: the tool's comes from ``description=`` or else the docstring's first paragraph.
A parameter's comes from its ``Annotated`` metadata (``Field(description=...)`` or a plain
string), or else from the docstring's Args section (Google, NumPy or reST style). Explicit
always wins over the docstring.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import re
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from ..errors import ToolDefinitionError
from ._callables import kind_of
from ._docstrings import parse_docstring
from ._enums import Behavior, Scheduling
from ._signature import ArgumentValidator, analyse

__all__ = ["Tool", "tool"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,63}")
_HookT = TypeVar("_HookT", bound=Callable[..., Any])
# Set on functions registered with Tool.on_cancel, so a Toolbox does not make them tools.
CANCEL_HOOK_MARK = "__agentkit_cancel_hook__"
# Set by agentkit.tools.not_a_tool.
NOT_A_TOOL_MARK = "__agentkit_not_a_tool__"


def is_method_like(fn: Callable[..., Any]) -> bool:
    """True for a function defined in a class body whose first parameter is ``self``."""
    if not inspect.isfunction(fn):
        return False
    parts = fn.__qualname__.split(".")
    if len(parts) < 2 or parts[-2] == "<locals>":
        return False
    first = next(iter(inspect.signature(fn).parameters), None)
    return first == "self"


class Tool:
    """A function the model can call. Still callable as the original function.

    Build one with :func:`tool`. Attributes are read-only in spirit: the declaration and the
    validator are computed from them once.

    Attributes:
        name: The declared name.
        description: The declared description ("" when there is none).
        behavior: ``BLOCKING`` or ``NON_BLOCKING``; always sent explicitly.
        scheduling: Default scheduling of results (NON_BLOCKING tools only), None if unset.
        timeout: Seconds the dispatcher allows a call, or None.
        fn: The original function (bound, for a method of a Toolbox instance).
        context_param: The name of the ``ToolContext`` parameter, if any.
        is_async: calling ``fn`` returns a coroutine: a coroutine function, an object with
            an ``async def __call__``, or either behind ``functools.partial`` or a sync
            decorator that sets ``__wrapped__`` (``functools.wraps``).
        is_generator: ``fn`` is a generator function (a streaming tool).
        is_async_generator: ``fn`` returns an async generator (a streaming tool); detected
            through the same layers as ``is_async``.
        cancel_hooks: Compensation hooks registered with :meth:`on_cancel`.
    """

    name: str
    description: str
    behavior: Behavior
    scheduling: Scheduling | None
    timeout: float | None
    fn: Callable[..., Any]
    context_param: str | None
    is_async: bool
    is_generator: bool
    is_async_generator: bool
    cancel_hooks: list[Callable[[Any], Any]]

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        behavior: Behavior | str = Behavior.BLOCKING,
        scheduling: Scheduling | str | None = None,
        timeout: float | None = None,
        localns: Mapping[str, Any] | None = None,
    ) -> None:
        label = _label(fn)
        problems: list[str] = []
        if not callable(fn):
            raise ToolDefinitionError(f"cannot make a tool of {fn!r}: it is not callable")
        declared = name if name is not None else getattr(fn, "__name__", None)
        if declared is None:
            problems.append("it has no __name__; pass name=")
        elif not isinstance(declared, str) or not _NAME.fullmatch(declared):
            problems.append(
                f"name {declared!r} is invalid: use 1-64 of A-Z a-z 0-9 _ . : - "
                "starting with a letter or _ (pass name=)"
            )
        if getattr(fn, NOT_A_TOOL_MARK, False):
            problems.append("it is marked @not_a_tool")
        self.behavior = _option(Behavior, behavior, "behavior", problems) or Behavior.BLOCKING
        self.scheduling = _option(Scheduling, scheduling, "scheduling", problems)
        self.timeout = _timeout(timeout, problems)
        kind = kind_of(fn)
        self.is_async_generator = kind.is_async_generator
        self.is_generator = kind.is_generator
        self.is_async = kind.is_async
        if self.behavior is Behavior.BLOCKING:
            if self.is_generator or self.is_async_generator:
                problems.append(
                    "a generator streams several results, which only a NON_BLOCKING call can "
                    "receive; use @tool(behavior=Behavior.NON_BLOCKING)"
                )
            if self.scheduling is not None:
                problems.append(
                    "scheduling= applies only to NON_BLOCKING tools (the server ignores it "
                    "for BLOCKING calls); add behavior=Behavior.NON_BLOCKING or drop it"
                )
        doc = parse_docstring(inspect.getdoc(fn))
        self._method = is_method_like(fn)
        self.name = str(declared)
        sig, more = analyse(
            fn, name=self.name, docs=doc.params, localns=localns, skip_first=self._method
        )
        problems += more
        if problems or sig is None:
            listed = "\n".join(f"  - {p}" for p in problems)
            raise ToolDefinitionError(f"cannot make a tool of {label}:\n{listed}")
        self.fn = fn
        self.description = " ".join(description.split()) if description is not None else doc.summary
        self.context_param = sig.context_param
        self.cancel_hooks = []
        self._validator: ArgumentValidator = sig.validator
        self._declaration = self._declare(sig.parameters, sig.json_schema)
        functools.update_wrapper(self, fn, updated=())

    def _declare(self, parameters: dict[str, Any] | None, json_schema: bool) -> dict[str, Any]:
        declaration: dict[str, Any] = {"name": self.name}
        if self.description:
            declaration["description"] = self.description
        if parameters is not None:
            declaration["parametersJsonSchema" if json_schema else "parameters"] = parameters
        declaration["behavior"] = self.behavior.value
        return declaration

    @property
    def declaration(self) -> dict[str, Any]:
        """The wire ``FunctionDeclaration`` (camelCase). A fresh copy of the cached dict."""
        return copy.deepcopy(self._declaration)

    def validate(self, args: Mapping[str, Any] | None) -> dict[str, Any]:
        """Validate the model's ``args`` and return keyword arguments for :attr:`fn`.

        Defaults are filled and JSON is coerced to the annotated types (enum members, pydantic
        models, dataclasses...). The ``ToolContext`` argument is not included.

        Raises:
            agentkit.errors.ToolArgumentError: naming every bad or unknown field and why.
        """
        return self._validator(args)

    def on_cancel(self, hook: _HookT) -> _HookT:
        """Register a compensation hook; use as a decorator. Returns ``hook`` unchanged.

        The dispatcher calls it (sync or async) with the call's ``CallRecord`` when the server
        cancels a call whose tool had already acted. In a Toolbox class body, the hook may be
        a method taking ``(self, record)``.
        """
        if not callable(hook):
            raise ToolDefinitionError(f"on_cancel hook for {self.name!r} must be callable")
        self.cancel_hooks.append(hook)
        # A builtin cannot take the mark, but it cannot be a Toolbox method either.
        with contextlib.suppress(AttributeError, TypeError):
            setattr(hook, CANCEL_HOOK_MARK, True)
        return hook

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the original function, unchanged."""
        return self.fn(*args, **kwargs)

    def __get__(self, instance: object, owner: type | None = None) -> Tool:
        # A tool defined in a class body binds like a method: ``box.watch`` is a bound Tool.
        if instance is None or not self._method:
            return self
        bound = getattr(instance, "_agentkit_bound", {}).get(self.name)
        if isinstance(bound, Tool) and getattr(bound, "__wrapped__", None) is self.fn:
            return bound
        return self.bind(instance)

    def bind(self, instance: object) -> Tool:
        """This method tool bound to ``instance`` (shares declaration and validator)."""
        if not self._method:
            raise ToolDefinitionError(f"tool {self.name!r} is not a method; it cannot be bound")
        bound = copy.copy(self)
        bound.fn = types.MethodType(self.fn, instance)
        bound._method = False
        bound.cancel_hooks = [
            types.MethodType(h, instance) if is_method_like(h) else h for h in self.cancel_hooks
        ]
        return bound

    @property
    def is_unbound_method(self) -> bool:
        """True for a tool defined in a class body and not yet bound to an instance."""
        return self._method

    def __repr__(self) -> str:
        return f"<Tool {self.name!r} {self.behavior.value}>"


def _label(fn: object) -> str:
    """How error messages name the callable being made a tool."""
    qualname = getattr(fn, "__qualname__", None)
    if isinstance(qualname, str):
        return qualname
    if isinstance(fn, functools.partial):
        return f"a partial of {_label(fn.func)}"
    if callable(fn) and not isinstance(fn, type):
        return f"a {type(fn).__qualname__} instance"
    return repr(fn)


def _option(
    enum: type[Behavior] | type[Scheduling], value: Any, field: str, problems: list[str]
) -> Any:
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        problems.append(f"{field}={value!r} is not one of {allowed}")
        return None


def _timeout(value: Any, problems: list[str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        problems.append(f"timeout={value!r} must be a positive number of seconds or None")
        return None
    return float(value)


@overload
def tool(fn: Callable[..., Any], /) -> Tool: ...


@overload
def tool(
    fn: None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    behavior: Behavior | str = Behavior.BLOCKING,
    scheduling: Scheduling | str | None = None,
    timeout: float | None = None,
) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    behavior: Behavior | str = Behavior.BLOCKING,
    scheduling: Scheduling | str | None = None,
    timeout: float | None = None,
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Make a function a :class:`Tool`; use bare (``@tool``) or with options.

    Works on ``def``, ``async def``, generator and async generator functions, callable
    objects (pass ``name=``), ``functools.partial`` objects and functions under a
    ``functools.wraps`` decorator, and on methods of a :class:`Toolbox` subclass.

    Args:
        name: Declared name (default: the function's name).
        description: Declared description (default: the docstring's first paragraph).
        behavior: ``Behavior.BLOCKING`` (default) or ``Behavior.NON_BLOCKING``; generators
            must be NON_BLOCKING.
        scheduling: Default scheduling of results; NON_BLOCKING tools only.
        timeout: Seconds before the dispatcher gives up on a call (None: no limit).

    Raises:
        ToolDefinitionError: the function cannot be declared; the message lists every problem.
    """
    # Types defined next to the function (in a test, in a class body) resolve through the
    # caller's namespace, like pydantic's validate_call does.
    localns = sys._getframe(1).f_locals

    def decorate(func: Callable[..., Any]) -> Tool:
        if isinstance(func, Tool):
            func = func.fn
        return Tool(
            func,
            name=name,
            description=description,
            behavior=behavior,
            scheduling=scheduling,
            timeout=timeout,
            localns=localns,
        )

    return decorate if fn is None else decorate(fn)
