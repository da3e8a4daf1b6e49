"""Pydantic's JSON Schema -> the Live API's ``parameters`` dialect (an OpenAPI 3.0 subset).

pydantic generates plain JSON Schema from the annotations; this module rewrites it into the
shape ``BidiGenerateContent`` accepts, and refuses what that shape cannot say:

- types become upper case (``STRING``, ``INTEGER``, ``NUMBER``, ``BOOLEAN``, ``ARRAY``,
  ``OBJECT``); ``$ref``/``$defs`` are inlined; ``title`` and ``additionalProperties: false``
  are dropped;
- ``X | None`` becomes ``"nullable": true``; any other union is refused;
- a ``default`` moves into the description text, e.g. ``"Room name (default: 'living room')"``,
  because the service rejects ``default`` keys;
- string enums (``Enum``, ``Literal``) become ``{"type": "STRING", "enum": [...]}``. **Integer,
  number and boolean enums** keep their own type and list the allowed values in the
  description (``"(one of: 1, 2, 3)"``): the Live ``enum`` holds strings only, and keeping the
  real type means the model sends a number that validates as the member;
- ``exclusiveMinimum``/``exclusiveMaximum`` become ``minimum``/``maximum`` on integers and
  description text on numbers; ``multipleOf`` and formats other than ``date-time`` become
  description text (validation still enforces them);
- sets (``uniqueItems``), fixed-length tuples (``prefixItems``), bytes, recursive types and
  values without a type (``Any``) are refused with the reason.

``dict[str, X]`` has no form here (no ``additionalProperties``). The rule: **a tool with any
dict-shaped parameter is declared with ``parametersJsonSchema``** (plain JSON Schema, lower-case
types, ``additionalProperties`` kept, ``X | None`` as ``anyOf`` with ``null``, defaults kept)
instead of ``parameters``. Converting raises :class:`NeedsJsonSchema` to ask for that mode.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["NeedsJsonSchema", "SchemaProblem", "UnionProblem", "convert_schema"]

_LIVE_TYPES = {
    "string": "STRING",
    "integer": "INTEGER",
    "number": "NUMBER",
    "boolean": "BOOLEAN",
    "array": "ARRAY",
    "object": "OBJECT",
}
# Keys dropped without a word: they are annotations for humans or already implied.
_DROPPED = frozenset({"title", "examples", "deprecated", "readOnly", "writeOnly", "$defs"})
# Constraint keys the Live Schema has under the same (camelCase) name. A tuple, not a set:
# declarations must come out byte-identical on every run, whatever the hash seed.
_KEPT = (
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
)
_HANDLED = frozenset(
    {
        "type",
        "description",
        "default",
        "enum",
        "const",
        "items",
        "properties",
        "required",
        "additionalProperties",
        "format",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    }
)


class SchemaProblem(Exception):
    """A type has no form in the declaration dialect. ``path`` locates it inside the value."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnionProblem(SchemaProblem):
    """A value may take several JSON types (``anyOf``/``oneOf`` beyond ``X | None``)."""


class NeedsJsonSchema(Exception):
    """A ``dict`` value was found: the declaration must use ``parametersJsonSchema``."""


def convert_schema(
    schema: Mapping[str, Any],
    defs: Mapping[str, Any],
    *,
    path: str,
    json_mode: bool = False,
) -> dict[str, Any]:
    """Convert one pydantic JSON Schema node (``defs`` resolves its ``$ref``s).

    Raises:
        SchemaProblem: the type cannot be declared.
        NeedsJsonSchema: in Live mode, a dict-shaped value was found.
    """
    return _Converter(defs, json_mode).convert(schema, path)


def show_value(value: Any) -> str:
    """A default or enum value as the model should read it: strings quoted, the rest JSON."""
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


class _Converter:
    def __init__(self, defs: Mapping[str, Any], json_mode: bool) -> None:
        self._defs = defs
        self._json = json_mode
        self._stack: list[str] = []

    def convert(self, node: Mapping[str, Any], path: str) -> dict[str, Any]:
        if "$ref" in node:
            return self._ref(node, path)
        if "allOf" in node and len(node["allOf"]) == 1:
            rest = {k: v for k, v in node.items() if k != "allOf"}
            return self.convert({**node["allOf"][0], **rest}, path)
        if "anyOf" in node or "oneOf" in node:
            return self._union(node, path)
        return self._plain(node, path)

    def _ref(self, node: Mapping[str, Any], path: str) -> dict[str, Any]:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        if name in self._stack:
            raise SchemaProblem(
                path, f"{name} refers to itself; recursive types cannot be declared"
            )
        target = self._defs.get(name)
        if target is None:
            raise SchemaProblem(path, f"unresolved schema reference {node['$ref']!r}")
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        self._stack.append(name)
        try:
            return self.convert({**target, **siblings}, path)
        finally:
            self._stack.pop()

    def _union(self, node: Mapping[str, Any], path: str) -> dict[str, Any]:
        key = "anyOf" if "anyOf" in node else "oneOf"
        branches = list(node[key])
        others = [b for b in branches if b != {"type": "null"}]
        if len(others) != 1 or len(others) == len(branches):
            raise UnionProblem(path, "unions other than X | None cannot be declared; use one type")
        rest = {k: v for k, v in node.items() if k != key}
        if not self._json:
            inner = self.convert({**others[0], **rest}, path)
            inner["nullable"] = True
            return inner
        outer: dict[str, Any] = {k: rest.pop(k) for k in ("description", "default") if k in rest}
        inner = self.convert({**others[0], **rest}, path)
        return {"anyOf": [inner, {"type": "null"}], **outer}

    def _plain(self, node: Mapping[str, Any], path: str) -> dict[str, Any]:
        self._refuse(node, path)
        kind = node.get("type")
        if "enum" in node or "const" in node:
            values = list(node["enum"]) if "enum" in node else [node["const"]]
            out, notes = self._enum(values, path)
        elif kind is None:
            raise SchemaProblem(path, "a value without a type (Any, object) cannot be declared")
        elif kind == "null":
            raise SchemaProblem(path, "None alone carries no value; use X | None")
        elif not isinstance(kind, str) or kind not in _LIVE_TYPES:
            raise SchemaProblem(path, f"JSON type {kind!r} cannot be declared")
        else:
            out, notes = {"type": self._type(kind)}, []
        if kind == "array":
            if "items" not in node:
                raise SchemaProblem(path, "list items need a type")
            out["items"] = self.convert(node["items"], f"{path}[]")
        elif kind == "object":
            self._object(node, path, out)
        notes += self._constraints(node, out)
        if "default" in node:
            if self._json:
                out["default"] = node["default"]
            elif node["default"] is not None:  # a null default says nothing "optional" does not
                notes.append(f"default: {show_value(node['default'])}")
        text = " ".join(str(node.get("description", "")).split())
        if notes and not self._json:
            text = f"{text} ({'; '.join(notes)})".strip()
        if text:
            out["description"] = text
        return out

    def _type(self, kind: str) -> str:
        return kind if self._json else _LIVE_TYPES[kind]

    def _refuse(self, node: Mapping[str, Any], path: str) -> None:
        if node.get("uniqueItems"):
            raise SchemaProblem(path, "sets cannot be declared (no set type); use list[...]")
        if "prefixItems" in node:
            raise SchemaProblem(path, "fixed-length tuples cannot be declared; use list[...]")
        if node.get("type") == "string" and node.get("format") in ("binary", "base64"):
            raise SchemaProblem(path, "bytes cannot be declared (the model sends text); use str")
        unknown = sorted(k for k in node if k not in _HANDLED | _DROPPED and k not in _KEPT)
        if unknown:
            raise SchemaProblem(path, f"JSON Schema keyword {unknown[0]!r} cannot be declared")

    def _enum(self, values: list[Any], path: str) -> tuple[dict[str, Any], list[str]]:
        if values and all(isinstance(v, str) for v in values):
            return {"type": self._type("string"), "enum": values}, []
        if values and all(isinstance(v, bool) for v in values):
            kind = "boolean"
        elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            kind = "integer"
        elif values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            kind = "number"
        else:
            raise SchemaProblem(path, "enum values must all be strings, or all numbers")
        if self._json:
            return {"type": kind, "enum": values}, []
        allowed = ", ".join(show_value(v) for v in values)
        return {"type": self._type(kind)}, [f"one of: {allowed}"]

    def _object(self, node: Mapping[str, Any], path: str, out: dict[str, Any]) -> None:
        extra = node.get("additionalProperties")
        properties = node.get("properties")
        if properties is None and extra is not False:
            if not self._json:
                raise NeedsJsonSchema(path)
            out["additionalProperties"] = (
                self.convert(extra, f"{path}[*]") if isinstance(extra, Mapping) and extra else True
            )
            return
        out["properties"] = {
            key: self.convert(value, f"{path}.{key}") for key, value in (properties or {}).items()
        }
        required = [key for key in node.get("required", ()) if key in out["properties"]]
        if required:
            out["required"] = required

    def _constraints(self, node: Mapping[str, Any], out: dict[str, Any]) -> list[str]:
        notes: list[str] = []
        for key in _KEPT:
            if key in node:
                out[key] = node[key]
        fmt = node.get("format")
        if fmt is not None:
            if self._json or fmt == "date-time":
                out["format"] = fmt
            else:
                notes.append(f"format: {fmt}")
        for key, bound, word in (
            ("exclusiveMinimum", "minimum", "greater than"),
            ("exclusiveMaximum", "maximum", "less than"),
        ):
            if key not in node:
                continue
            value = node[key]
            if self._json:
                out[key] = value
            elif node.get("type") == "integer" and isinstance(value, int):
                step = 1 if bound == "minimum" else -1
                out[bound] = value + step
            else:
                notes.append(f"{word} {show_value(value)}")
        if "multipleOf" in node:
            if self._json:
                out["multipleOf"] = node["multipleOf"]
            else:
                notes.append(f"a multiple of {show_value(node['multipleOf'])}")
        return notes
