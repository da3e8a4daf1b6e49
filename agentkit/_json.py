"""One JSON rule shared by the dispatcher and the protocol (no dependencies, no I/O)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["plain_json"]


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
        return all(type(key) is str and plain_json(item) for key, item in value.items())
    if kind is list:
        return all(plain_json(item) for item in value)
    return False
