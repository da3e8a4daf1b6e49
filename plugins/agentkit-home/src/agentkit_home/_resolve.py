"""Resolving what a person says ("kitchen light", "bedroom") to entities."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ._backend import EntityState, UnknownEntity

__all__ = ["resolve"]

_STOPWORDS = frozenset({"the", "a", "an", "my", "all", "in", "of", "on", "at", "please"})
_KIND_WORDS = {
    "light": "light",
    "switch": "switch",
    "climate": "thermostat",
    "cover": "cover",
    "lock": "lock",
    "scene": "scene",
    "binary_sensor": "sensor",
    "alarm_control_panel": "alarm",
}


def _words(text: str) -> list[str]:
    out = []
    for word in re.findall(r"[a-z0-9]+", text.lower().replace("_", " ")):
        if word in _STOPWORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]  # lights -> light, blinds -> blind
        out.append(word)
    return out


def _tokens(s: EntityState) -> set[str]:
    words = set(_words(s.name)) | set(_words(s.entity_id.partition(".")[2]))
    if s.area:
        words |= set(_words(s.area))
    words.add(_KIND_WORDS.get(s.domain, s.domain))
    words.add(s.domain)
    return words


def resolve(states: Iterable[EntityState], query: str, domains: Sequence[str]) -> list[EntityState]:
    """The entities of ``domains`` that ``query`` names, best rule first.

    In order: an exact entity id; an exact friendly name; a room (every entity of those
    domains in it); otherwise every entity whose name, id and room contain all the query's
    words (plurals and articles ignored).

    Raises:
        UnknownEntity: Nothing matches; the message lists what exists, so a model can retry.
    """
    candidates = [s for s in states if s.domain in domains]
    q = query.strip().lower()
    for s in candidates:
        if s.entity_id == q:
            return [s]
    wanted = _words(q)
    by_name = [s for s in candidates if _words(s.name) == wanted]
    if by_name:
        return by_name
    in_room = [s for s in candidates if s.area and _words(s.area) == wanted]
    if in_room:
        return in_room
    if wanted:
        matches = [s for s in candidates if set(wanted) <= _tokens(s)]
        if matches:
            return matches
    kinds = list(dict.fromkeys(_KIND_WORDS.get(d, d) for d in domains))
    kind = " or ".join(kinds) if len(kinds) <= 3 else "device"
    names = ", ".join(sorted(f"{s.name!r}" for s in candidates)[:25]) or "none"
    raise UnknownEntity(f"no {kind} matches {query!r}; known: {names}")
