"""A small docstring reader: the summary and per-parameter text in three styles.

Google (``Args:`` with ``name (type): text``), NumPy (``Parameters`` underlined with dashes,
``name : type`` then indented text) and reST/Sphinx (``:param [type] name: text``). The styles
may not be mixed within one docstring; the first one found wins. Continuation lines are joined
with single spaces, because the text goes to a model, not to a terminal.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

__all__ = ["Docstring", "parse_docstring"]

_GOOGLE_HEADERS = frozenset(
    {
        "args",
        "arguments",
        "parameters",
        "params",
        "keyword args",
        "keyword arguments",
        "other parameters",
    }
)
_GOOGLE_SECTION = re.compile(r"^([A-Za-z][A-Za-z ]*):\s*$")
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:(.*)$")
_NUMPY_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
_NUMPY_HEADERS = frozenset({"parameters", "other parameters", "keyword arguments"})
_NUMPY_ENTRY = re.compile(r"^\*{0,2}(\w+(?:\s*,\s*\*{0,2}\w+)*)\s*(?::.*)?$")
_REST_FIELD = re.compile(r"^:(\w+)(?:\s+([^:]*?))?\s*:(.*)$")
_REST_PARAM_TAGS = frozenset({"param", "parameter", "arg", "argument", "key", "keyword"})


@dataclass(frozen=True, slots=True)
class Docstring:
    """What a docstring says: its summary and a description per parameter name."""

    summary: str = ""
    params: dict[str, str] = field(default_factory=dict)


def parse_docstring(doc: str | None) -> Docstring:
    """Parse ``doc``; an empty or missing docstring gives an empty :class:`Docstring`."""
    if not doc or not doc.strip():
        return Docstring()
    lines = inspect.cleandoc(doc).splitlines()
    return Docstring(_summary(lines), _google(lines) or _numpy(lines) or _rest(lines))


def _join(parts: list[str]) -> str:
    return " ".join(" ".join(part.split()) for part in parts if part.strip())


def _is_section_start(lines: list[str], i: int) -> bool:
    line = lines[i].strip()
    if line.startswith(":") and _REST_FIELD.match(line):
        return True
    if _GOOGLE_SECTION.match(line) and not lines[i].startswith((" ", "\t")):
        return True
    return i + 1 < len(lines) and bool(line) and bool(_NUMPY_UNDERLINE.match(lines[i + 1]))


def _summary(lines: list[str]) -> str:
    """The first paragraph, stopping early at a section header or a reST field."""
    parts: list[str] = []
    for i, line in enumerate(lines):
        if not line.strip():  # cleandoc() removed leading blank lines: this ends the summary
            break
        if _is_section_start(lines, i):
            break
        parts.append(line)
    return _join(parts)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _google(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    i = 0
    while i < len(lines):
        header = _GOOGLE_SECTION.match(lines[i].strip())
        if not header or header.group(1).strip().lower() not in _GOOGLE_HEADERS:
            i += 1
            continue
        base = _indent(lines[i])
        i += 1
        entry_indent: int | None = None
        current: list[str] | None = None
        name = ""
        while i < len(lines):
            line = lines[i]
            if line.strip() and _indent(line) <= base:
                break
            if not line.strip():
                i += 1
                continue
            if entry_indent is None:
                entry_indent = _indent(line)
            match = _GOOGLE_ENTRY.match(line.strip())
            if _indent(line) == entry_indent and match:
                name, current = match.group(1), [match.group(2)]
            elif current is not None:
                current.append(line)
            if current is not None:
                params[name] = _join(current)
            i += 1
    return params


def _numpy(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    i = 0
    while i + 1 < len(lines):
        title = lines[i].strip().lower()
        if title not in _NUMPY_HEADERS or not _NUMPY_UNDERLINE.match(lines[i + 1]):
            i += 1
            continue
        base = _indent(lines[i])
        i += 2
        names: list[str] = []
        current: list[str] = []
        while i < len(lines):
            line = lines[i]
            if i + 1 < len(lines) and _NUMPY_UNDERLINE.match(lines[i + 1]) and line.strip():
                break  # the next section's title
            if line.strip() and _indent(line) == base:
                match = _NUMPY_ENTRY.match(line.strip())
                if not match:
                    break
                names = [n.strip().lstrip("*") for n in match.group(1).split(",")]
                current = []
            elif line.strip() and names:
                current.append(line)
            for name in names:
                params[name] = _join(current)
            i += 1
    return params


def _rest(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    name: str | None = None
    current: list[str] = []
    for line in lines:
        match = _REST_FIELD.match(line.strip())
        if match:
            name = None
            tag, spec = match.group(1), (match.group(2) or "").split()
            if tag in _REST_PARAM_TAGS and spec:
                name = spec[-1].lstrip("*")
                current = [match.group(3)]
                params[name] = _join(current)
        elif name is not None and line.strip() and _indent(line) > 0:
            current.append(line)
            params[name] = _join(current)
        else:
            name = None
    return params
