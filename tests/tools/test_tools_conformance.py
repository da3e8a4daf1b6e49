"""Every declaration agentkit produces is one Google's own SDK accepts, field for field."""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import pytest
from google.genai import types
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from agentkit.tools import Behavior, Scheduling, Tool, Toolbox, ToolContext, tool


class Mode(enum.Enum):
    HEAT = "heat"
    COOL = "cool"


class Fan(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Schedule(BaseModel):
    """A weekly schedule."""

    start: Annotated[str, Field(pattern=r"^\d\d:\d\d$")]
    days: list[Literal["mon", "tue", "wed"]] = ["mon"]
    until: datetime.datetime | None = None


@dataclasses.dataclass
class Zone:
    name: str
    floors: list[int] = dataclasses.field(default_factory=list)


class Sensor(TypedDict):
    id: str
    threshold: float


@tool
def turn_on_the_lights() -> None:
    """Turn on the lights."""


@tool(behavior=Behavior.NON_BLOCKING, scheduling=Scheduling.INTERRUPT, timeout=30)
async def set_thermostat(
    room: Annotated[str, Field(description="Room name")],
    target_c: Annotated[float, Field(ge=10, le=30)],
    ctx: ToolContext,
    mode: Mode = Mode.HEAT,
    fan: Literal["auto", "on"] = "auto",
    speed: Fan = Fan.LOW,
    schedule: Schedule | None = None,
    zones: list[Zone] | None = None,
    sensor: Sensor | None = None,
    count: Annotated[int, Field(gt=0, lt=100)] = 1,
    ratio: Annotated[float, Field(gt=0, multiple_of=0.5)] = 1.0,
    day: datetime.date | None = None,
) -> dict[str, Any]:
    """Set the thermostat of a room.

    Args:
        room: Ignored: Annotated wins.
        target_c: Target temperature in °C.
        mode: Heat or cool.
    """
    return {}


@tool
def probe(
    room: Annotated[str, Field(description="Room name")],
    target_c: float,
    mode: Mode = Mode.HEAT,
    fan: Literal["auto", "on"] = "auto",
    schedule: Schedule | None = None,
    tags: dict[str, str] | None = None,
) -> None:
    """peers.md §2's schema probe: the dict switches it to parametersJsonSchema.

    Args:
        room: Overridden by Annotated.
        target_c: Target temperature.
        tags: Free-form labels.
    """


class Home(Toolbox):
    def turn_on(self, room: str, brightness: Annotated[int, Field(ge=1, le=100)] = 100) -> None:
        """Turn on a light."""

    @tool(behavior=Behavior.NON_BLOCKING)
    async def watch(self, door: str, changes: int = 1) -> Any:
        """Watch a door."""
        yield {}


def all_tools() -> Iterator[Tool]:
    yield turn_on_the_lights
    yield set_thermostat
    yield probe
    yield from Home()


FORBIDDEN = {"additionalProperties", "$ref", "$defs", "title", "default", "anyOf", "allOf"}


def schema_keys(schema: dict[str, Any]) -> Iterator[str]:
    """Every keyword used anywhere in a Live schema (property names are data, not keywords)."""
    yield from schema
    for sub in schema.get("properties", {}).values():
        yield from schema_keys(sub)
    if "items" in schema:
        yield from schema_keys(schema["items"])


@pytest.mark.parametrize("made", list(all_tools()), ids=lambda t: t.name)
def test_declaration_round_trips_through_google_genai(made: Tool) -> None:
    declaration = made.declaration
    parsed = types.FunctionDeclaration.model_validate(declaration)
    # extra="forbid" in the SDK: nothing unknown; and the dump gives back exactly what we sent.
    assert parsed.model_dump(mode="json", by_alias=True, exclude_none=True) == declaration
    assert parsed.behavior is not None
    if "parameters" in declaration:
        schema = types.Schema.model_validate(declaration["parameters"])
        assert schema.type == types.Type.OBJECT
        assert FORBIDDEN.isdisjoint(schema_keys(declaration["parameters"]))


def test_probe_uses_json_schema_and_thermostat_uses_parameters() -> None:
    assert "parametersJsonSchema" in probe.declaration
    assert "parameters" not in probe.declaration
    assert probe.declaration["parametersJsonSchema"]["properties"]["tags"] == {
        "anyOf": [{"type": "object", "additionalProperties": {"type": "string"}}, {"type": "null"}],
        "default": None,
        "description": "Free-form labels.",
    }
    assert set(set_thermostat.declaration) == {"name", "description", "parameters", "behavior"}


def test_sdk_builds_the_same_declaration_from_agentkit_output() -> None:
    """The SDK's own typed objects serialise to the camelCase dicts agentkit emits."""
    sdk = types.FunctionDeclaration(
        name="turn_on_the_lights",
        description="Turn on the lights.",
        behavior=types.Behavior.BLOCKING,
    )
    assert sdk.model_dump(mode="json", by_alias=True, exclude_none=True) == (
        turn_on_the_lights.declaration
    )


def test_declarations_are_identical_whatever_the_hash_seed() -> None:
    """The setup frame must not change between runs (PYTHONHASHSEED shuffles sets)."""
    import os
    import subprocess
    import sys

    code = (
        "import json\n"
        "from typing import Annotated\n"
        "from pydantic import Field\n"
        "from agentkit import tool\n"
        "@tool\n"
        "def f(t: Annotated[float, Field(ge=10, le=30, description='x')],\n"
        "      s: Annotated[str, Field(min_length=1, max_length=5, pattern='^a')] = 'a',\n"
        "      n: Annotated[list[int], Field(min_length=1, max_length=3)] = [1]) -> None:\n"
        "    '''Doc.'''\n"
        "print(json.dumps(f.declaration))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(6)
    }
    assert len(outputs) == 1
