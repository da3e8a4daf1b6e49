"""``typing.TypedDict`` on Python < 3.12: rebuilt as ``typing_extensions.TypedDict``.

pydantic refuses ``typing.TypedDict`` before 3.12 (it cannot read its required keys
reliably there). A parameter type is walked before analysis, and every ``typing.TypedDict``
class inside it (in ``list[...]``, ``X | None``, ``Annotated[...]``, or as the field of
another TypedDict) is replaced by an equivalent ``typing_extensions.TypedDict``: same name,
docstring, module, field types (``Annotated`` metadata kept) and required keys, and the
same ``__pydantic_config__``. Validated values are plain dicts either way.

Not rebuilt (pydantic's own message then explains): generic TypedDicts (``Box[int]``),
self-referencing TypedDicts, and TypedDicts inside a dataclass or pydantic model field.
"""

from __future__ import annotations

import functools
import operator
import sys
import types
import typing
import weakref
from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args, get_origin

import typing_extensions

__all__ = ["modernize"]

_NEEDED = sys.version_info < (3, 12)
# One rebuilt class per original, so a TypedDict used twice stays one $defs entry.
_REBUILT: weakref.WeakKeyDictionary[type, type] = weakref.WeakKeyDictionary()
_make_typeddict: Any = typing_extensions.TypedDict  # the functional form, called at run time
_MARKERS = (typing_extensions.Required, typing_extensions.NotRequired)


def modernize(annotation: Any, localns: Mapping[str, Any] | None = None) -> Any:
    """``annotation`` with every ``typing.TypedDict`` made one pydantic accepts.

    Returns ``annotation`` itself when nothing needs rebuilding (always on Python 3.12+).
    """
    if not _NEEDED:
        return annotation
    return _Rebuilder(localns).walk(annotation)


def _is_legacy(tp: Any) -> bool:
    # pydantic's own test: the metaclass comes from ``typing``, not ``typing_extensions``.
    return isinstance(tp, type) and typing.is_typeddict(tp) and type(tp).__module__ == "typing"


class _Rebuilder:
    def __init__(self, localns: Mapping[str, Any] | None) -> None:
        self._localns = dict(localns or {})
        self._active: set[type] = set()

    def walk(self, tp: Any) -> Any:
        if _is_legacy(tp):
            return self._rebuild(tp)
        args = get_args(tp)
        origin = get_origin(tp)
        if not args or origin is Literal:
            return tp
        if origin is Annotated:
            inner = self.walk(args[0])
            return tp if inner is args[0] else tp.copy_with((inner,))
        new = tuple(self.walk(arg) for arg in args)
        if all(n is a for n, a in zip(new, args, strict=True)):
            return tp
        if isinstance(tp, types.UnionType):
            return functools.reduce(operator.or_, new)
        if isinstance(tp, types.GenericAlias):
            return types.GenericAlias(origin, new)
        copy_with = getattr(tp, "copy_with", None)  # typing.List[...], Union[...], Optional
        return copy_with(new) if callable(copy_with) else tp

    def _rebuild(self, cls: type) -> Any:
        cached = _REBUILT.get(cls)
        if cached is not None:
            return cached
        if cls in self._active:
            return cls  # self-referencing: left for pydantic to refuse
        self._active.add(cls)
        try:
            hints = typing.get_type_hints(cls, localns=self._localns, include_extras=True)
        except Exception:
            return cls  # an unresolvable field: pydantic reports it
        finally:
            self._active.discard(cls)
        required_keys: frozenset[str] = getattr(cls, "__required_keys__", frozenset())
        fields: dict[str, Any] = {}
        self._active.add(cls)
        try:
            for key, hint in hints.items():
                required = key in required_keys
                # Under ``from __future__ import annotations`` typing.TypedDict cannot see
                # Required/NotRequired in its strings; the resolved hint can (as pydantic does).
                if get_origin(hint) in _MARKERS:
                    required = get_origin(hint) is typing_extensions.Required
                    hint = get_args(hint)[0]
                marker = typing_extensions.Required if required else typing_extensions.NotRequired
                fields[key] = marker[self.walk(hint)]
        finally:
            self._active.discard(cls)
        rebuilt: Any = _make_typeddict(cls.__name__, fields)
        rebuilt.__module__ = cls.__module__
        rebuilt.__qualname__ = cls.__qualname__
        rebuilt.__doc__ = cls.__doc__
        config = getattr(cls, "__pydantic_config__", None)
        if config is not None:
            rebuilt.__pydantic_config__ = config
        _REBUILT[cls] = rebuilt
        return rebuilt
