"""One JSON rule shared by the dispatcher and the protocol (no dependencies, no I/O)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["is_plain_json", "plain_json"]


def plain_json(value: Any) -> bool:
    """True if ``value`` is already plain JSON data: str keys, finite floats, lists, no tuples.

    Raises RecursionError for structures too deep to walk; callers decide what that means.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            kind = type(item)
            # Scalars inline: most values of a response are leaves.
            if not (kind is str or kind is int or kind is bool or item is None or plain_json(item)):
                return False
        return True
    if kind is list:
        for item in value:
            kind = type(item)
            if not (kind is str or kind is int or kind is bool or item is None or plain_json(item)):
                return False
        return True
    return False


def is_plain_json(value: Any) -> bool:
    """:func:`plain_json`, False for structures too deep to walk: so that pydantic's
    JSON-mode dump (or ``json.dumps``) would return ``value`` unchanged."""
    try:
        return plain_json(value)
    except RecursionError:
        return False
