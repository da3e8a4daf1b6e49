"""Say which type was refused as a union when the user wrote no union.

pydantic validates some single types as a choice of JSON types: ``Decimal`` is a number or
a string, ``ByteSize`` a string or an integer. Their schema is an ``anyOf`` that the Live
dialect cannot express, exactly like ``int | str``. Given the schema path of the refusal,
this module finds the annotation at that path and, when it is not a written union, names
it and its JSON types in the message.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic
from typing_extensions import is_typeddict

__all__ = ["explain_union"]

_STEP = re.compile(r"\[\]|\[\*\]|\.([^.\[]+)")
_PYTHON = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "array": "list",
    "object": "a model",
}
_MARKERS = (typing.Required, typing.NotRequired)


def explain_union(annotation: Any, path: str) -> str | None:
    """A message naming the non-union type at ``path`` inside ``annotation``, if it is one."""
    target = _at(annotation, path)
    if target is None or _is_union(target):
        return None
    try:
        schema = pydantic.TypeAdapter(target).json_schema()
    except Exception:
        return None
    kinds = [b.get("type") for b in schema.get("anyOf", schema.get("oneOf", ()))]
    kinds = [k for k in kinds if isinstance(k, str) and k != "null"]
    if len(kinds) < 2 or len(set(kinds)) != len(kinds):
        return None
    name = target.__qualname__ if isinstance(target, type) else repr(target)
    described = " or ".join(f"{'an' if k[0] in 'aeiou' else 'a'} {k}" for k in kinds)
    python = " or ".join(_PYTHON.get(k, k) for k in kinds)
    return (
        f"{name} is validated as {described} (JSON Schema anyOf), which cannot "
        f"be declared; annotate {python} instead"
    )


def _strip(tp: Any) -> Any:
    """Without ``Annotated``, ``Required``/``NotRequired`` and an ``| None``."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated or origin in _MARKERS:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _at(annotation: Any, path: str) -> Any:
    """The annotation the schema path points at (``[]`` items, ``[*]`` values, ``.field``)."""
    tp = _strip(annotation)
    position = 0
    while position < len(path):
        step = _STEP.match(path, position)
        if step is None:
            return None
        position = step.end()
        tp = _step(tp, step.group(0), step.group(1))
        if tp is None:
            return None
        tp = _strip(tp)
    return tp


def _step(tp: Any, token: str, key: str | None) -> Any:
    origin = get_origin(tp) or tp
    args = get_args(tp)
    if token == "[]":
        is_sequence = isinstance(origin, type) and issubclass(origin, Sequence)
        return args[0] if is_sequence and args else None
    if token == "[*]":
        is_mapping = isinstance(origin, type) and issubclass(origin, Mapping)
        return args[1] if is_mapping and len(args) == 2 else None
    return _field(tp, str(key))


def _field(tp: Any, key: str) -> Any:
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        for name, info in tp.model_fields.items():
            if key in (name, info.alias, info.validation_alias):
                return info.annotation
        return None
    if (isinstance(tp, type) and dataclasses.is_dataclass(tp)) or is_typeddict(tp):
        try:
            return typing.get_type_hints(tp, include_extras=True).get(key)
        except Exception:
            return None
    return None
