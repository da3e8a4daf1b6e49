"""ToolResult, and turning a tool's return value into a ``FunctionResponse.response`` object."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

import pydantic
import pydantic_core

from ._enums import Scheduling

__all__ = ["ToolResult", "normalize_result"]


@dataclass(frozen=True, slots=True)
class ToolResult:
    """Return (or yield) this from a tool to choose how one result is delivered.

    Args:
        response: The result; converted like any other return value.
        scheduling: For NON_BLOCKING tools: when the model should speak about it.
        will_continue: For streaming tools: None (the default) lets the stream decide (a
            yielded item continues, the generator's end closes); False on a yielded item
            makes it the closing reply; True on a plain return is ignored with a warning.
    """

    response: Any
    scheduling: Scheduling | None = None
    will_continue: bool | None = None

    def __post_init__(self) -> None:
        if self.scheduling is not None and not isinstance(self.scheduling, Scheduling):
            # Accept the wire strings too ("INTERRUPT"); a typo fails here, inside the tool.
            object.__setattr__(self, "scheduling", Scheduling(self.scheduling))


def normalize_result(value: Any) -> ToolResult:
    """Turn a tool's return (or yielded) value into a ToolResult with a JSON-able dict response.

    - dict: as is (values such as enums, datetimes or models inside are converted to JSON);
    - pydantic model or dataclass instance: its JSON dump (``mode="json"``);
    - another JSON value (str, int, float, bool, list, tuple): ``{"result": value}``;
    - None: ``{"result": "ok"}``; bytes anywhere become base64 text;
    - ToolResult: the same scheduling and will_continue, its response normalised.

    Raises:
        TypeError: the value has no JSON form (the message names its type).
    """
    if isinstance(value, ToolResult):
        inner = normalize_result(value.response)
        return ToolResult(inner.response, value.scheduling, value.will_continue)
    if value is None:
        return ToolResult({"result": "ok"})
    if isinstance(value, pydantic.BaseModel):
        dumped: Any = value.model_dump(mode="json")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        dumped = _jsonable(value, value)
    elif isinstance(value, dict):
        dumped = value if _json_problem(value) is None else _jsonable(value, value)
    else:
        dumped = _jsonable(value, value)
    if not isinstance(dumped, dict):
        dumped = {"result": dumped}
    problem = _json_problem(dumped)
    if problem is not None:
        raise TypeError(f"tool result {_describe(value)} is not JSON: {problem}")
    return ToolResult(dumped)


def _describe(value: Any) -> str:
    return f"of type {type(value).__qualname__}"


def _json_problem(value: Any) -> str | None:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        return str(exc)
    return None


def _jsonable(value: Any, original: Any) -> Any:
    try:
        return pydantic_core.to_jsonable_python(value, bytes_mode="base64")
    except pydantic_core.PydanticSerializationError:
        raise TypeError(
            f"tool result {_describe(original)} is not JSON-serialisable; return a dict, "
            "a pydantic model, a dataclass or a JSON value (str, int, float, bool, list)"
        ) from None
