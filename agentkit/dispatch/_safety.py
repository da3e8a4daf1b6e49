"""Making replies safe to send: JSON the protocol can encode, error text without secrets."""

from __future__ import annotations

import json
import re
import traceback
from typing import Any

from .._json import is_plain_json, plain_json
from ..errors import ToolError
from ..tools import ToolResult, normalize_result

__all__ = ["ResultNotJSON", "json_safe_result", "scrub", "scrubbed_traceback"]

_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


class ResultNotJSON(ToolError):
    """A tool result that no JSON form fits; its text is the dispatcher's own words."""


def json_safe_result(value: Any) -> ToolResult:
    """``normalize_result(value)`` with a response made only of plain JSON types.

    ``normalize_result`` accepts what ``json.dumps`` accepts, such as ``{1: "a"}`` or
    tuples, which a strict encoder of the frame may refuse. Such a response takes its
    JSON round trip (``{"1": "a"}``), so what the model receives is what the ledger holds.

    Raises:
        TypeError: from ``normalize_result``.
        ResultNotJSON: the response has no JSON form after all.
    """
    if type(value) is dict and is_plain_json(value):
        # The common case, in one walk (normalize_result would serialise it twice to find
        # nothing to change).
        return ToolResult(value)
    result = normalize_result(value)
    try:
        if plain_json(result.response):
            return result
        response = json.loads(_dumps(result.response))
    except (TypeError, ValueError, RecursionError) as exc:
        raise ResultNotJSON(f"tool result is not JSON: {exc}") from None
    return ToolResult(response, result.scheduling, result.will_continue)


# scheme://user:password@host/path?query#fragment -> scheme://host/path
_URL = re.compile(
    r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)(?:[^\s/@?#]*@)?([^\s?#]*)(?:\?[^\s#]*)?(?:#\S*)?"
)
_BEARER = re.compile(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_SECRET_PARAM = re.compile(
    r"\b((?:api[_-]?)?key|token|access[_-]?token|secret|password|passwd|pwd|auth|signature|sig)"
    r"(\s*[=:]\s*)(['\"]?)[^\s&'\",;]+",
    re.IGNORECASE,
)


def scrub(text: str) -> str:
    """``text`` without URL query strings and userinfo, bearer tokens and ``key=...`` values.

    For exception text on its way to the model: the message stays useful, its secrets go.
    """
    text = _URL.sub(r"\1\2", text)
    text = _BEARER.sub(r"\1 ***", text)
    return _SECRET_PARAM.sub(r"\1\2\3***", text)


def scrubbed_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` as text, scrubbed like the error text the model gets: a
    tool's exception (a URL with a key in it, say) must not put secrets in the logs."""
    return scrub("".join(traceback.format_exception(exc)).rstrip())
