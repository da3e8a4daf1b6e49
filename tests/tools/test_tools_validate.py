"""Tool.validate: the model's JSON arguments become kwargs, or one message naming every fault."""

from __future__ import annotations

import dataclasses
import enum
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from agentkit.errors import AgentkitError, ToolArgumentError
from agentkit.tools import ToolContext, tool


class Mode(enum.Enum):
    HEAT = "heat"
    COOL = "cool"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Schedule(BaseModel):
    start: str
    days: list[int] = [1]


@dataclasses.dataclass
class Zone:
    name: str
    floor: int = 0


class Sensor(TypedDict):
    id: str


@tool
def set_thermostat(
    temperature: Annotated[float, Field(ge=10, le=30)],
    mode: Mode,
    ctx: ToolContext,
    room: str | None = None,
    schedule: Schedule | None = None,
) -> None:
    """Set the thermostat."""


def test_valid_arguments_become_typed_kwargs_with_defaults() -> None:
    kwargs = set_thermostat.validate(
        {"temperature": 21, "mode": "cool", "schedule": {"start": "07:00"}}
    )
    assert kwargs == {
        "temperature": 21.0,
        "mode": Mode.COOL,
        "room": None,
        "schedule": Schedule(start="07:00", days=[1]),
    }
    assert "ctx" not in kwargs
    assert isinstance(kwargs["schedule"], Schedule)


def test_the_message_names_every_bad_field_for_the_model() -> None:
    with pytest.raises(ToolArgumentError) as info:
        set_thermostat.validate({"temperature": 31, "mode": "warm"})
    assert str(info.value) == (
        "invalid arguments for set_thermostat: "
        "temperature: Input should be less than or equal to 30; "
        "mode: Input should be 'heat' or 'cool'"
    )
    assert info.value.tool == "set_thermostat"
    assert info.value.problems == [
        ("temperature", "Input should be less than or equal to 30"),
        ("mode", "Input should be 'heat' or 'cool'"),
    ]
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, AgentkitError)


def test_unknown_and_missing_fields_are_named() -> None:
    with pytest.raises(
        ToolArgumentError,
        match=(
            r"^invalid arguments for set_thermostat: mode: required argument is missing; "
            r"colour: unknown argument \(expected: temperature, mode, room, schedule\)$"
        ),
    ):
        set_thermostat.validate({"temperature": 20, "colour": "red"})


def test_nested_errors_have_dotted_paths() -> None:
    with pytest.raises(
        ToolArgumentError,
        match=(
            r"^invalid arguments for set_thermostat: schedule\.start: Field required; "
            r"schedule\.days\.1: Input should be a valid integer, unable to parse string as an "
            r"integer$"
        ),
    ):
        set_thermostat.validate({"temperature": 20, "mode": "heat", "schedule": {"days": [1, "x"]}})


@pytest.mark.parametrize("args", [None, {}])
def test_no_arguments_for_a_tool_without_parameters(args: dict[str, Any] | None) -> None:
    @tool
    def turn_on_the_lights() -> None:
        """Turn on the lights."""

    assert turn_on_the_lights.validate(args) == {}


def test_tool_without_parameters_rejects_unexpected_ones() -> None:
    @tool
    def ping() -> None: ...

    with pytest.raises(
        ToolArgumentError,
        match=r"^invalid arguments for ping: x: unknown argument \(expected: none\)$",
    ):
        ping.validate({"x": 1})


@pytest.mark.parametrize("args", [[1, 2], "text", 3])
def test_arguments_must_be_an_object(args: Any) -> None:
    with pytest.raises(
        ToolArgumentError,
        match=rf"^invalid arguments for set_thermostat: arguments must be an object, not "
        rf"{type(args).__name__}$",
    ):
        set_thermostat.validate(args)


def test_json_values_coerce_to_annotated_types() -> None:
    @tool
    def f(
        level: Level,
        zone: Zone,
        sensor: Sensor,
        zones: list[Zone],
        which: Literal["a", "b"] = "a",
        count: int = 0,
    ) -> None: ...

    kwargs = f.validate(
        {
            "level": 2,
            "zone": {"name": "up", "floor": 1},
            "sensor": {"id": "s1"},
            "zones": [{"name": "down"}],
            "count": 3.0,  # JSON numbers from the model often arrive as floats
        }
    )
    assert kwargs == {
        "level": Level.HIGH,
        "zone": Zone("up", 1),
        "sensor": {"id": "s1"},
        "zones": [Zone("down")],
        "which": "a",
        "count": 3,
    }
    assert type(kwargs["count"]) is int


def test_int_enum_rejects_values_outside_the_declared_set() -> None:
    @tool
    def f(level: Level) -> None: ...

    with pytest.raises(
        ToolArgumentError, match=r"^invalid arguments for f: level: Input should be 1 or 2$"
    ):
        f.validate({"level": 3})


def test_validation_leaves_the_input_untouched() -> None:
    args = {"temperature": 20, "mode": "heat", "schedule": {"start": "x"}}
    set_thermostat.validate(args)
    assert args == {"temperature": 20, "mode": "heat", "schedule": {"start": "x"}}


def test_validate_then_call_runs_the_function() -> None:
    seen: list[tuple[Mode, float]] = []

    @tool
    def heat(mode: Mode, temperature: float) -> dict[str, str]:
        seen.append((mode, temperature))
        return {"ok": mode.value}

    assert heat.fn(**heat.validate({"mode": "heat", "temperature": 20})) == {"ok": "heat"}
    assert seen == [(Mode.HEAT, 20.0)]


@tool
def _mixed(
    room: str, level: int, ratio: float = 0.5, on: bool = True, note: str | None = None
) -> None:
    """One parameter (note) is not a plain str/int/float/bool: pydantic validates it all."""


@tool
def _plain(room: str, level: int = 3, ratio: float = 0.5, on: bool = False) -> None:
    """A tool whose parameters all take the fast path."""


def _reference(t: Any, args: Any) -> Any:
    """What pydantic alone makes of ``args`` (the fast path switched off)."""
    validator = t._validator
    saved, validator._simple = validator._simple, None
    try:
        return ("ok", t.validate(args))
    except ToolArgumentError as exc:
        return ("error", str(exc))
    finally:
        validator._simple = saved


@pytest.mark.parametrize(
    "args",
    [
        {"room": "den", "level": 2},
        {"room": "den", "level": 2, "ratio": 0.25, "on": False},
        {"room": "den", "level": 2.0},  # coerced by pydantic
        {"room": "den", "level": "2"},
        {"room": "den", "level": True},
        {"room": "den", "level": 2, "ratio": 1},  # int for a float
        {"room": "den", "level": 2, "on": 1},
        {"room": "den", "level": 2, "on": "yes"},
        {"room": 5, "level": 2},
        {"room": "den"},  # missing
        {"room": "den", "level": 2, "colour": "red"},  # unknown
        {"room": "den", "level": 2, "ratio": float("inf")},
        {},
        None,
    ],
)
def test_the_fast_path_answers_exactly_as_pydantic_does(args: Any) -> None:
    assert _plain._validator._simple is not None
    assert _mixed._validator._simple is None
    for t in (_plain, _mixed):
        expected = _reference(t, args)
        try:
            got: Any = ("ok", t.validate(args))
        except ToolArgumentError as exc:
            got = ("error", str(exc))
        assert got == expected
        if got[0] == "ok":
            assert [type(v) for v in got[1].values()] == [type(v) for v in expected[1].values()]
