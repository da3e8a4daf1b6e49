"""Argument filling for the rule-based model: enum values, numbers with units, names.

Deterministic rules, applied to the words of one clause (the part of the utterance that
asked for the function):

- an enum parameter takes the longest enum value spelled in the clause;
- numbers are matched to numeric parameters by the words next to them: a unit (``21
  degrees``, ``21°C``, ``40%``, ``5 minutes``) goes to a parameter whose name or
  description speaks of the same kind of unit, a word of the parameter's name or
  description (``brightness 40``) wins, a bare number goes to the first free parameter
  it fits; a number outside the declared ``minimum``/``maximum`` is never used, and
  times are converted to the parameter's unit (``5 minutes`` -> ``seconds=300``);
- a parameter with no number in its clause is left out (or gets its ``default``);
- a string parameter takes a value its description quotes as an example (``'blinds'``),
  else the words after ``in``/``for``/``at``/``named``/``called``, else the words before
  one of the function's nouns (``the living room light``), else, if required, the words
  after ``the``/``my``; words that are another parameter's enum value are skipped;
- a boolean is true on ``on/yes/true/enable/start`` and false on ``off/no/false/...``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._words import STOP, content, spell_units, stem, tokens

__all__ = ["concrete", "fill_args"]

_NUMERIC = re.compile(r"\d+(?:\.\d+)?")
_FAMILIES: dict[str, frozenset[str]] = {
    family: frozenset(stem(w) for w in words)
    for family, words in {
        "temperature": ["degrees", "celsius", "fahrenheit", "temperature"],
        "percent": ["percent", "brightness", "dim", "level"],
        "time": ["seconds", "secs", "minutes", "mins", "hours", "duration"],
    }.items()
}
_SECONDS = {stem(w): f for w, f in [("seconds", 1), ("secs", 1), ("minutes", 60), ("mins", 60)]}
_SECONDS[stem("hours")] = 3600
_AFTER_PREPOSITION = re.compile(
    r"\b(?:in|for|at|named|called)\s+(?:the\s+)?"
    r"([A-Za-z][\w-]*(?:\s+(?!(?:and|then|please|to|at|for|with|in)\b)[A-Za-z][\w-]*)?)",
    re.IGNORECASE,
)
_DETERMINER = re.compile(r"\b(?:the|my|our|your)\s+(.+)", re.IGNORECASE)


@dataclass(frozen=True)
class _Number:
    value: float
    index: int
    near: frozenset[str]  # content words next to the number
    unit: str | None  # the unit word right after it, if any
    family: str | None  # temperature / percent / time


def fill_args(clause: str, decl: Mapping[str, Any], nouns: Sequence[str]) -> dict[str, Any]:
    """Arguments for ``decl`` found in ``clause`` (the module docstring has the rules)."""
    schema = decl.get("parameters") or decl.get("parametersJsonSchema") or {}
    props: Mapping[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    params = {n: concrete(p) for n, p in props.items() if isinstance(p, Mapping)}
    clause = spell_units(clause)
    lowered = clause.lower()
    found: dict[str, Any] = {}
    for pname, p in params.items():
        enum = p.get("enum")
        if isinstance(enum, list) and enum:
            option = _enum_value(enum, lowered)
            if option is not None:
                found[pname] = option
    numeric = {
        n: p
        for n, p in params.items()
        if _kind(p) in ("NUMBER", "INTEGER") and not isinstance(p.get("enum"), list)
    }
    found.update(_numbers(clause, numeric))
    taken = {str(v).lower().replace("_", " ") for v in found.values() if isinstance(v, str)}
    for pname, p in params.items():
        if pname in found or isinstance(p.get("enum"), list):
            continue
        kind = _kind(p)
        if kind == "BOOLEAN":
            value: Any = _boolean(lowered)
        elif kind == "STRING":
            value = _name(pname, p, clause, nouns, taken, required=pname in required)
        else:
            value = None
        if value is not None:
            found[pname] = value
    args: dict[str, Any] = {}
    for pname in params:
        if pname in found:
            args[pname] = found[pname]
        elif isinstance(props[pname], Mapping) and "default" in props[pname]:
            args[pname] = props[pname]["default"]
    return args


def concrete(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """``anyOf: [{type: integer}, {type: null}]`` or ``type: [integer, null]`` -> the integer."""
    kind = schema.get("type")
    if isinstance(kind, list):
        real = [k for k in kind if str(k).lower() != "null"]
        return {**schema, "type": real[0] if real else "string"}
    options = schema.get("anyOf")
    if not kind and isinstance(options, list):
        for option in options:
            if isinstance(option, Mapping) and str(option.get("type", "")).lower() != "null":
                return {**option, **{k: v for k, v in schema.items() if k != "anyOf"}}
    return schema


def _kind(schema: Mapping[str, Any]) -> str:
    return str(schema.get("type") or "string").upper()


def _enum_value(enum: list[Any], lowered: str) -> str | None:
    for option in sorted((str(o) for o in enum), key=len, reverse=True):
        spoken = option.lower().replace("_", " ")
        if re.search(rf"\b{re.escape(spoken)}\b", lowered):
            return option
    return None


def _boolean(lowered: str) -> bool | None:
    if re.search(r"\b(on|yes|true|enable|start)\b", lowered):
        return True
    if re.search(r"\b(off|no|false|disable|stop)\b", lowered):
        return False
    return None


# --- numbers -----------------------------------------------------------------------------


def _family(words: Sequence[str]) -> str | None:
    for word in words:
        for family, members in _FAMILIES.items():
            if word in members:
                return family
    return None


def _clause_numbers(clause: str) -> list[_Number]:
    words = tokens(clause)
    out: list[_Number] = []
    for i, word in enumerate(words):
        if not _NUMERIC.fullmatch(word):
            continue
        after = [w for w in words[i + 1 : i + 3] if not _NUMERIC.fullmatch(w)]
        before = [w for w in words[max(0, i - 3) : i] if not _NUMERIC.fullmatch(w)]
        unit = after[0] if after and _family(after[:1]) else None
        family = _family(after[:1]) or _family(list(reversed(before)))
        near = frozenset(content(after + before))
        out.append(_Number(float(word), len(out), near, unit, family))
    return out


def _vocabulary(pname: str, schema: Mapping[str, Any]) -> frozenset[str]:
    text = " ".join([pname, str(schema.get("description") or ""), str(schema.get("title") or "")])
    return frozenset(content(tokens(text)))


def _convert(number: _Number, vocab: frozenset[str], pname: str) -> float:
    """Times in the parameter's unit: ``5 minutes`` for ``seconds`` -> 300."""
    if number.family != "time" or number.unit not in _SECONDS:
        return number.value
    base = next((w for w in [*tokens(pname), *sorted(vocab)] if w in _SECONDS), "second")
    return number.value * _SECONDS[number.unit] / _SECONDS[base]


def _numbers(clause: str, params: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    numbers = _clause_numbers(clause)
    if not numbers or not params:
        return {}
    candidates: list[tuple[int, int, int, str, float]] = []
    for order, (pname, schema) in enumerate(params.items()):
        vocab = _vocabulary(pname, schema)
        families = {f for f, members in _FAMILIES.items() if vocab & members}
        for number in numbers:
            direct = len(vocab & number.near)
            same_unit = number.family is not None and number.family in families
            if number.family is not None and not same_unit and not direct:
                continue  # "21 degrees" is not a brightness
            value = _convert(number, vocab, pname)
            low, high = schema.get("minimum"), schema.get("maximum")
            if isinstance(low, int | float) and value < low:
                continue
            if isinstance(high, int | float) and value > high:
                continue
            score = 2 * same_unit + direct
            candidates.append((-score, order, number.index, pname, value))
    args: dict[str, Any] = {}
    used: set[int] = set()
    for _, _, index, pname, value in sorted(candidates):
        if pname in args or index in used:
            continue
        used.add(index)
        args[pname] = round(value) if _kind(params[pname]) == "INTEGER" else float(value)
    return args


# --- names -------------------------------------------------------------------------------


def _name(
    pname: str,
    schema: Mapping[str, Any],
    clause: str,
    nouns: Sequence[str],
    taken: set[str],
    *,
    required: bool,
) -> str | None:
    lowered = clause.lower()

    def usable(value: str) -> bool:
        words = value.lower().split()
        return bool(words) and value.lower() not in taken and not all(w in STOP for w in words)

    hints = " ".join(str(schema.get(k) or "") for k in ("description", "example", "title"))
    for candidate in re.findall(r"['\"]?([A-Za-z][\w ]*)['\"]?", hints):
        for option in re.split(r",|\bor\b|e\.g\.|:", candidate):
            option = option.strip().lower()
            if (
                option
                and option not in STOP
                and len(option) > 2
                and re.search(rf"\b{re.escape(option)}\b", lowered)
                and option not in pname.lower().replace("_", " ")
                and usable(option)
            ):
                return option
    # "in the living room" / "for Paris": the words after a preposition
    for match in _AFTER_PREPOSITION.finditer(clause):
        if usable(match.group(1)):
            return match.group(1)
    # "the living room light": the words before one of the function's nouns
    for noun in nouns:
        pattern = rf"\b(?:the|my|a|our)\s+([a-z][\w-]*(?:\s+[a-z][\w-]*)?)\s+{noun}s?\b"
        for match in re.finditer(pattern, lowered):
            words = match.group(1).split()
            if all(w not in STOP and stem(w) not in nouns for w in words) and usable(
                match.group(1)
            ):
                return match.group(1)
    if not required:
        return None
    # "switch on the coffee machine": what follows the first determiner
    rest = _DETERMINER.search(lowered)
    if rest is None:
        return None
    kept: list[str] = []
    for word in rest.group(1).split()[:3]:
        word = word.strip("?!.,;:'\"")
        if not word or word in STOP or _NUMERIC.fullmatch(word) or stem(word) in nouns:
            break
        kept.append(word)
    value = " ".join(kept)
    return value if usable(value) else None
