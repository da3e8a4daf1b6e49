"""normalize_result: whatever a tool returns becomes a JSON object for FunctionResponse.response."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
from typing import Any

import pytest
from pydantic import BaseModel, RootModel

from agentkit.tools import Scheduling, ToolResult, normalize_result


class Colour(enum.Enum):
    RED = "red"


class Reading(BaseModel):
    celsius: float
    at: datetime.datetime


@dataclasses.dataclass
class Door:
    name: str
    open: bool
    colour: Colour = Colour.RED


WHEN = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"result": "ok", "n": [1, 2]}, {"result": "ok", "n": [1, 2]}),
        (Reading(celsius=21.5, at=WHEN), {"celsius": 21.5, "at": "2026-01-02T03:04:05Z"}),
        (Door("front", True), {"name": "front", "open": True, "colour": "red"}),
        ("done", {"result": "done"}),
        (3, {"result": 3}),
        (2.5, {"result": 2.5}),
        (False, {"result": False}),
        ([1, "a"], {"result": [1, "a"]}),
        ((1, 2), {"result": [1, 2]}),
        (None, {"result": "ok"}),
        (Colour.RED, {"result": "red"}),
        (RootModel[list[int]]([1, 2]), {"result": [1, 2]}),
        ({"when": WHEN, "colour": Colour.RED}, {"when": "2026-01-02T03:04:05Z", "colour": "red"}),
        ({"door": Door("back", False)}, {"door": {"name": "back", "open": False, "colour": "red"}}),
        ({"raw": b"\x00\xff"}, {"raw": "AP8="}),
    ],
    ids=repr,
)
def test_values_become_json_objects(value: Any, expected: dict[str, Any]) -> None:
    result = normalize_result(value)
    assert result == ToolResult(expected)
    assert json.loads(json.dumps(result.response)) == expected


def test_a_plain_json_dict_is_returned_as_is() -> None:
    value = {"result": "ok"}
    assert normalize_result(value).response is value


def test_tool_result_keeps_scheduling_and_will_continue() -> None:
    result = normalize_result(ToolResult(Door("front", True), Scheduling.INTERRUPT, True))
    assert result == ToolResult(
        {"name": "front", "open": True, "colour": "red"}, Scheduling.INTERRUPT, True
    )


def test_tool_result_accepts_wire_strings_for_scheduling() -> None:
    assert ToolResult("x", "SILENT").scheduling is Scheduling.SILENT  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'LATER' is not a valid Scheduling"):
        ToolResult("x", "LATER")  # type: ignore[arg-type]


class Opaque:
    pass


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            Opaque(),
            r"^tool result of type Opaque is not JSON-serialisable; return a dict, a pydantic "
            r"model, a dataclass or a JSON value \(str, int, float, bool, list\)$",
        ),
        ({"x": Opaque()}, r"^tool result of type dict is not JSON-serialisable; "),
        (float("nan"), r"^tool result of type float is not JSON: Out of range float values"),
        ({"x": float("inf")}, r"^tool result of type dict is not JSON: Out of range float"),
    ],
    ids=["object", "object-in-dict", "nan", "inf-in-dict"],
)
def test_non_json_values_raise_type_error(value: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        normalize_result(value)
