"""Signatures become the exact FunctionDeclarations the Live API accepts, or are refused."""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal, NotRequired, Optional

import pytest
from pydantic import BaseModel, ByteSize, Field
from typing_extensions import TypedDict

from agentkit.errors import ToolDefinitionError
from agentkit.tools import Behavior, Scheduling, Tool, ToolContext, tool


class Mode(enum.Enum):
    """Heating or cooling."""

    HEAT = "heat"
    COOL = "cool"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Schedule(BaseModel):
    """When the thermostat runs."""

    start: str = Field(description="Start time, HH:MM")
    days: list[int] = Field(default=[1, 2, 3], min_length=1, max_length=7)


@dataclasses.dataclass
class Point:
    x: float
    y: float = 0.0


class Address(TypedDict):
    street: str
    number: int


def params(made: Tool) -> dict[str, Any]:
    """The declared ``parameters`` of a tool."""
    return made.declaration["parameters"]  # type: ignore[no-any-return]


# --- the issue's "done when" ------------------------------------------------------------


def test_the_guides_light_tools_declare_with_no_parameters_key() -> None:
    @tool
    def turn_on_the_lights() -> None:
        """Turn on the lights."""

    @tool
    def turn_off_the_lights(ctx: ToolContext) -> None:
        """Turn off the lights."""

    assert turn_on_the_lights.declaration == {
        "name": "turn_on_the_lights",
        "description": "Turn on the lights.",
        "behavior": "BLOCKING",
    }
    assert turn_off_the_lights.declaration == {
        "name": "turn_off_the_lights",
        "description": "Turn off the lights.",
        "behavior": "BLOCKING",
    }
    assert turn_off_the_lights.context_param == "ctx"


def test_thermostat_declares_enum_constraints_optional_and_nested_model() -> None:
    @tool
    def set_thermostat(
        mode: Mode,
        temperature: Annotated[float, Field(ge=10, le=30, description="Target in °C")],
        room: str | None = None,
        schedule: Schedule | None = None,
    ) -> dict[str, Any]:
        """Set the thermostat.

        Args:
            mode: Heat or cool.
            room: The room; the whole home when omitted.
        """
        return {}

    assert set_thermostat.declaration == {
        "name": "set_thermostat",
        "description": "Set the thermostat.",
        "parameters": {
            "type": "OBJECT",
            "properties": {
                "mode": {
                    "type": "STRING",
                    "enum": ["heat", "cool"],
                    "description": "Heat or cool.",
                },
                "temperature": {
                    "type": "NUMBER",
                    "minimum": 10,
                    "maximum": 30,
                    "description": "Target in °C",
                },
                "room": {
                    "type": "STRING",
                    "nullable": True,
                    "description": "The room; the whole home when omitted.",
                },
                "schedule": {
                    "type": "OBJECT",
                    "nullable": True,
                    "description": "When the thermostat runs.",
                    "properties": {
                        "start": {"type": "STRING", "description": "Start time, HH:MM"},
                        "days": {
                            "type": "ARRAY",
                            "items": {"type": "INTEGER"},
                            "minItems": 1,
                            "maxItems": 7,
                            "description": "(default: [1, 2, 3])",
                        },
                    },
                    "required": ["start"],
                },
            },
            "required": ["mode", "temperature"],
        },
        "behavior": "BLOCKING",
    }


def test_set_and_callable_parameters_are_refused_naming_each() -> None:
    with pytest.raises(
        ToolDefinitionError,
        match=(
            r"^cannot make a tool of .*bad:\n"
            r"  - parameter 'ids' \(set\[int\]\): sets cannot be declared \(no set type\); "
            r"use list\[\.\.\.\]\n"
            r"  - parameter 'callback' \(Callable\[\[int\], str\]\): it has no JSON form, so the "
            r"model cannot send one$"
        ),
    ):

        @tool
        def bad(ids: set[int], callback: Callable[[int], str]) -> None: ...


# --- one golden schema per supported type --------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (str, {"type": "STRING"}),
        (int, {"type": "INTEGER"}),
        (float, {"type": "NUMBER"}),
        (bool, {"type": "BOOLEAN"}),
        (list[str], {"type": "ARRAY", "items": {"type": "STRING"}}),
        (tuple[int, ...], {"type": "ARRAY", "items": {"type": "INTEGER"}}),
        (
            list[list[int]],
            {"type": "ARRAY", "items": {"type": "ARRAY", "items": {"type": "INTEGER"}}},
        ),
        (Mode, {"type": "STRING", "enum": ["heat", "cool"], "description": "Heating or cooling."}),
        (Literal["auto", "on"], {"type": "STRING", "enum": ["auto", "on"]}),
        (Literal["only"], {"type": "STRING", "enum": ["only"]}),
        (Level, {"type": "INTEGER", "description": "(one of: 1, 2)"}),
        (Literal[1, 2, 3], {"type": "INTEGER", "description": "(one of: 1, 2, 3)"}),
        (Literal[0.5, 1], {"type": "NUMBER", "description": "(one of: 0.5, 1)"}),
        (Literal[True], {"type": "BOOLEAN", "description": "(one of: true)"}),
        (Optional[int], {"type": "INTEGER", "nullable": True}),  # noqa: UP045 - the old spelling
        (int | None, {"type": "INTEGER", "nullable": True}),
        (
            Mode | None,
            {
                "type": "STRING",
                "enum": ["heat", "cool"],
                "nullable": True,
                "description": "Heating or cooling.",
            },
        ),
        (datetime.datetime, {"type": "STRING", "format": "date-time"}),
        (datetime.date, {"type": "STRING", "description": "(format: date)"}),
        (
            Point,
            {
                "type": "OBJECT",
                "properties": {
                    "x": {"type": "NUMBER"},
                    "y": {"type": "NUMBER", "description": "(default: 0.0)"},
                },
                "required": ["x"],
            },
        ),
        (
            Address,
            {
                "type": "OBJECT",
                "properties": {"street": {"type": "STRING"}, "number": {"type": "INTEGER"}},
                "required": ["street", "number"],
            },
        ),
        (
            list[Point],
            {
                "type": "ARRAY",
                "items": {
                    "type": "OBJECT",
                    "properties": {
                        "x": {"type": "NUMBER"},
                        "y": {"type": "NUMBER", "description": "(default: 0.0)"},
                    },
                    "required": ["x"],
                },
            },
        ),
    ],
    ids=repr,
)
def test_golden_schema_per_type(annotation: Any, expected: dict[str, Any]) -> None:
    def f(value: Any) -> None: ...

    f.__annotations__["value"] = annotation
    assert params(tool(f)) == {
        "type": "OBJECT",
        "properties": {"value": expected},
        "required": ["value"],
    }


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (Field(ge=1, le=5), {"type": "INTEGER", "minimum": 1, "maximum": 5}),
        (Field(gt=0, lt=10), {"type": "INTEGER", "minimum": 1, "maximum": 9}),
        (Field(multiple_of=5), {"type": "INTEGER", "description": "(a multiple of 5)"}),
        (Field(description="How many"), {"type": "INTEGER", "description": "How many"}),
    ],
    ids=repr,
)
def test_integer_field_constraints(field: Any, expected: dict[str, Any]) -> None:
    def f(n: Annotated[int, field]) -> None: ...

    assert params(tool(f))["properties"]["n"] == expected


def test_number_string_and_list_constraints() -> None:
    def f(
        ratio: Annotated[float, Field(gt=0, lt=1)],
        code: Annotated[str, Field(min_length=2, max_length=4, pattern=r"^[A-Z]+$")],
        tags: Annotated[list[str], Field(min_length=1, max_length=3)],
    ) -> None: ...

    assert params(tool(f))["properties"] == {
        "ratio": {"type": "NUMBER", "description": "(greater than 0; less than 1)"},
        "code": {"type": "STRING", "minLength": 2, "maxLength": 4, "pattern": "^[A-Z]+$"},
        "tags": {"type": "ARRAY", "items": {"type": "STRING"}, "minItems": 1, "maxItems": 3},
    }


def test_defaults_become_description_text_and_not_required() -> None:
    def f(
        room: Annotated[str, Field(description="Room name")] = "living room",
        mode: Mode = Mode.HEAT,
        level: int = 3,
        loud: bool = False,
        note: str | None = None,
    ) -> None: ...

    assert params(tool(f)) == {
        "type": "OBJECT",
        "properties": {
            "room": {"type": "STRING", "description": "Room name (default: 'living room')"},
            "mode": {
                "type": "STRING",
                "enum": ["heat", "cool"],
                "description": "Heating or cooling. (default: 'heat')",
            },
            "level": {"type": "INTEGER", "description": "(default: 3)"},
            "loud": {"type": "BOOLEAN", "description": "(default: false)"},
            "note": {"type": "STRING", "nullable": True},
        },
    }


def test_field_default_in_signature_is_honoured() -> None:
    def f(n: int = Field(5, ge=0)) -> None: ...

    assert params(tool(f)) == {
        "type": "OBJECT",
        "properties": {"n": {"type": "INTEGER", "minimum": 0, "description": "(default: 5)"}},
    }


def test_model_used_twice_is_inlined_both_times() -> None:
    def f(a: Point, b: Point | None = None) -> None: ...

    props = params(tool(f))["properties"]
    assert props["b"] == {**props["a"], "nullable": True}
    assert "$ref" not in str(props)


def test_keyword_only_parameters_are_declared() -> None:
    def f(*, a: int, b: str = "x") -> None: ...

    assert params(tool(f))["required"] == ["a"]


def test_behavior_is_always_explicit() -> None:
    @tool(behavior=Behavior.NON_BLOCKING, scheduling=Scheduling.SILENT)
    async def background() -> None:
        """Runs in the background."""

    assert background.declaration == {
        "name": "background",
        "description": "Runs in the background.",
        "behavior": "NON_BLOCKING",
    }


def test_no_docstring_means_no_description_key() -> None:
    @tool
    def bare(x: int) -> None: ...

    assert bare.declaration == {
        "name": "bare",
        "parameters": {
            "type": "OBJECT",
            "properties": {"x": {"type": "INTEGER"}},
            "required": ["x"],
        },
        "behavior": "BLOCKING",
    }


def test_declaration_is_a_copy() -> None:
    @tool
    def f(x: int) -> None: ...

    f.declaration["parameters"]["properties"].clear()
    assert f.declaration["parameters"]["properties"] == {"x": {"type": "INTEGER"}}


def test_property_named_like_a_schema_keyword_is_kept() -> None:
    class Book(BaseModel):
        title: str
        type: str
        description: str = ""

    def f(book: Book) -> None: ...

    book = params(tool(f))["properties"]["book"]
    assert book["properties"] == {
        "title": {"type": "STRING"},
        "type": {"type": "STRING"},
        "description": {"type": "STRING", "description": "(default: '')"},
    }
    assert book["required"] == ["title", "type"]


def test_parameter_names_that_shadow_basemodel_attributes() -> None:
    @tool
    def f(json: str, schema: int, model_config: bool = False) -> None: ...

    assert list(f.declaration["parameters"]["properties"]) == ["json", "schema", "model_config"]
    assert f.validate({"json": "a", "schema": 1}) == {
        "json": "a",
        "schema": 1,
        "model_config": False,
    }


# --- dict[str, X]: the whole declaration switches to parametersJsonSchema ------------------


def test_dict_parameter_switches_to_parameters_json_schema() -> None:
    @tool
    def tag(labels: dict[str, int], mode: Mode = Mode.HEAT, note: str | None = None) -> None:
        """Tag things.

        Args:
            labels: Label to weight.
        """

    assert tag.declaration == {
        "name": "tag",
        "description": "Tag things.",
        "parametersJsonSchema": {
            "type": "object",
            "properties": {
                "labels": {
                    "type": "object",
                    "additionalProperties": {"type": "integer"},
                    "description": "Label to weight.",
                },
                "mode": {
                    "type": "string",
                    "enum": ["heat", "cool"],
                    "default": "heat",
                    "description": "Heating or cooling.",
                },
                "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
            },
            "required": ["labels"],
        },
        "behavior": "BLOCKING",
    }
    assert tag.validate({"labels": {"a": 1}}) == {
        "labels": {"a": 1},
        "mode": Mode.HEAT,
        "note": None,
    }


def test_dict_nested_in_a_model_and_untyped_dict() -> None:
    class Meta(BaseModel):
        extra: dict[str, str]

    def f(meta: Meta, anything: dict[str, Any], level: Level) -> None: ...

    schema = tool(f).declaration["parametersJsonSchema"]
    assert schema["properties"] == {
        "meta": {
            "type": "object",
            "properties": {"extra": {"type": "object", "additionalProperties": {"type": "string"}}},
            "required": ["extra"],
        },
        "anything": {"type": "object", "additionalProperties": True},
        "level": {"type": "integer", "enum": [1, 2]},
    }


def test_json_schema_mode_keeps_exclusive_bounds_and_formats() -> None:
    def f(
        d: dict[str, float],
        ratio: Annotated[float, Field(gt=0, lt=1, multiple_of=0.25)],
        day: datetime.date,
    ) -> None: ...

    props = tool(f).declaration["parametersJsonSchema"]["properties"]
    assert props["ratio"] == {
        "type": "number",
        "exclusiveMinimum": 0,
        "exclusiveMaximum": 1,
        "multipleOf": 0.25,
    }
    assert props["day"] == {"type": "string", "format": "date"}


def test_dict_does_not_hide_other_bad_parameters() -> None:
    with pytest.raises(ToolDefinitionError, match=r"parameter 'ids' \(set\[int\]\)"):

        @tool
        def f(labels: dict[str, int], ids: set[int]) -> None: ...

    with pytest.raises(
        ToolDefinitionError, match=r"\(dict\[str, set\[int\]\]\): sets cannot .* \(at \[\*\]\)$"
    ):

        @tool
        def g(labels: dict[str, set[int]]) -> None: ...


# --- refusals ------------------------------------------------------------------------------


class Opaque:
    """An arbitrary class pydantic cannot validate."""


class Node(BaseModel):
    children: list[Node] = []


@pytest.mark.parametrize(
    ("annotation", "reason"),
    [
        (frozenset[str], r"sets cannot be declared \(no set type\); use list\[\.\.\.\]"),
        (bytes, r"bytes cannot be declared \(the model sends text\); use str"),
        (tuple[int, str], r"fixed-length tuples cannot be declared; use list\[\.\.\.\]"),
        (int | str, r"unions other than X \| None cannot be declared; use one type"),
        (Any, r"a value without a type \(Any, object\) cannot be declared"),
        (list[Any], r"a value without a type \(Any, object\) cannot be declared \(at \[\]\)"),
        (None, r"None alone carries no value; use X \| None"),
        (Literal["a", 1], r"enum values must all be strings, or all numbers"),
        (Opaque, r"pydantic cannot validate it; use str, int, float, bool, an Enum, .*"),
        (Node, r"Node refers to itself; recursive types cannot be declared \(at children\[\]\)"),
        (
            list[Annotated[int, Field(json_schema_extra={"not": {}})]],
            r"JSON Schema keyword 'not' cannot be declared \(at \[\]\)",
        ),
    ],
    ids=repr,
)
def test_unsupported_types_are_refused(annotation: Any, reason: str) -> None:
    def f(value: Any) -> None: ...

    f.__annotations__["value"] = annotation
    with pytest.raises(
        ToolDefinitionError,
        match=rf"^cannot make a tool of .*\.f:\n  - parameter 'value' \(.*\): {reason}$",
    ):
        tool(f)


def test_every_problem_is_reported_at_once() -> None:
    def everything(a, /, b: set[int], *args: int, c: NoSuchType, d: bytes, **kwargs: int):  # type: ignore[no-untyped-def,name-defined]  # noqa: F821
        yield 1

    with pytest.raises(ToolDefinitionError) as info:
        tool(everything, scheduling="SILENT", timeout=0)  # type: ignore[call-overload]
    lines = str(info.value).splitlines()
    assert lines[0] == f"cannot make a tool of {everything.__qualname__}:"
    assert lines[1:] == [
        "  - timeout=0 must be a positive number of seconds or None",
        "  - a generator streams several results, which only a NON_BLOCKING call can receive; "
        "use @tool(behavior=Behavior.NON_BLOCKING)",
        "  - scheduling= applies only to NON_BLOCKING tools (the server ignores it for BLOCKING "
        "calls); add behavior=Behavior.NON_BLOCKING or drop it",
        "  - parameter 'a': is positional-only, but the model passes arguments by name",
        "  - parameter 'b' (set[int]): sets cannot be declared (no set type); use list[...]",
        "  - parameter 'args': *args cannot be declared; the model passes named arguments",
        "  - parameter 'c': annotation 'NoSuchType' cannot be resolved "
        "(name 'NoSuchType' is not defined)",
        "  - parameter 'd' (bytes): bytes cannot be declared (the model sends text); use str",
        "  - parameter 'kwargs': **kwargs cannot be declared; list each argument by name",
    ]


def test_missing_annotation_is_refused() -> None:
    with pytest.raises(ToolDefinitionError, match=r"  - parameter 'x': has no type annotation$"):

        @tool
        def f(x) -> None: ...  # type: ignore[no-untyped-def]


def test_two_context_parameters_are_refused() -> None:
    with pytest.raises(ToolDefinitionError, match=r"parameter 'b': only one ToolContext parameter"):

        @tool
        def f(a: ToolContext, b: ToolContext) -> None: ...


class Priced(BaseModel):
    price: Decimal | None = Field(default=None, alias="Price")


@dataclasses.dataclass
class Bill:
    total: Annotated[Decimal, "The total"]


class Line(TypedDict):
    amount: NotRequired[Decimal]


@pytest.mark.parametrize(
    ("annotation", "where"),
    [
        (Decimal, ""),
        (Decimal | None, ""),
        (Annotated[Decimal, Field(gt=0)], ""),
        (list[Decimal], r" \(at \[\]\)"),
        (dict[str, Decimal], r" \(at \[\*\]\)"),
        (Priced, r" \(at Price\)"),
        (Bill, r" \(at total\)"),
        (list[Line], r" \(at \[\]\.amount\)"),
    ],
    ids=repr,
)
def test_a_type_pydantic_reads_as_several_json_types_is_named(annotation: Any, where: str) -> None:
    def f(value: Any) -> None: ...

    f.__annotations__["value"] = annotation
    with pytest.raises(
        ToolDefinitionError,
        match=rf"  - parameter 'value' \(.*\): Decimal is validated as a number or a string "
        rf"\(JSON Schema anyOf\), which cannot be declared; annotate float or str instead{where}$",
    ):
        tool(f)


def test_other_multi_type_types_name_their_json_types() -> None:
    def f(size: ByteSize) -> None: ...

    with pytest.raises(
        ToolDefinitionError,
        match=r"\(ByteSize\): ByteSize is validated as a string or an integer \(JSON Schema "
        r"anyOf\), which cannot be declared; annotate str or int instead$",
    ):
        tool(f)


def test_a_written_union_inside_a_model_keeps_the_union_message() -> None:
    class Either(BaseModel):
        value: int | str

    def f(either: Either) -> None: ...

    with pytest.raises(
        ToolDefinitionError,
        match=r"unions other than X \| None cannot be declared; use one type \(at value\)$",
    ):
        tool(f)
