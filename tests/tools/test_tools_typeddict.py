"""``typing.TypedDict`` works like ``typing_extensions.TypedDict`` on every Python.

pydantic refuses ``typing.TypedDict`` before Python 3.12; DESIGN.md promises TypedDicts, so
agentkit rebuilds them. Each test compares with the same shape written with
``typing_extensions``, which pydantic supports everywhere.
"""

from __future__ import annotations

import sys
import typing
from typing import Annotated, Any

import pytest
import typing_extensions
from pydantic import Field

from agentkit.errors import ToolArgumentError, ToolDefinitionError
from agentkit.tools import tool


class Light(typing.TypedDict):
    """A light and its brightness."""

    room: Annotated[str, Field(description="Room name")]
    level: int


class LightX(typing_extensions.TypedDict):
    """A light and its brightness."""

    room: Annotated[str, Field(description="Room name")]
    level: int


class Scene(typing.TypedDict, total=False):
    name: typing.Required[str]
    lights: list[Light]
    fallback: Light | None


class SceneX(typing_extensions.TypedDict, total=False):
    name: typing_extensions.Required[str]
    lights: list[LightX]
    fallback: LightX | None


T = typing.TypeVar("T")


class Box(typing.TypedDict, typing.Generic[T]):
    item: T


class Dimmed(Light):
    fade: typing.NotRequired[float]


class DimmedX(LightX):
    fade: typing_extensions.NotRequired[float]


def declared(annotation: Any) -> dict[str, Any]:
    def set_up(value: Any) -> None: ...

    set_up.__annotations__["value"] = annotation
    return tool(set_up).declaration


@pytest.mark.parametrize(
    ("legacy", "modern"),
    [
        (Light, LightX),
        (Scene, SceneX),
        (Dimmed, DimmedX),
        (list[Light] | None, list[LightX] | None),
        (typing.Optional[typing.List[Light]], typing.Optional[typing.List[LightX]]),  # noqa: UP006, UP045
        (Annotated[Light, "The light to set"], Annotated[LightX, "The light to set"]),
    ],
    ids=repr,
)
def test_typing_typeddict_declares_like_typing_extensions(legacy: Any, modern: Any) -> None:
    assert declared(legacy) == declared(modern)


def test_declaration_keeps_docstring_descriptions_and_required_keys() -> None:
    value = declared(Scene)["parameters"]["properties"]["value"]
    assert value["required"] == ["name"]
    light = value["properties"]["lights"]["items"]
    assert light["description"] == "A light and its brightness."
    assert light["properties"]["room"] == {"type": "STRING", "description": "Room name"}
    assert light["required"] == ["room", "level"]
    assert value["properties"]["fallback"]["nullable"] is True


def test_typing_typeddict_validates_to_a_plain_dict() -> None:
    @tool
    def set_scene(scene: Scene) -> None:
        """Set a scene."""

    args = {"scene": {"name": "movie", "lights": [{"room": "den", "level": "3"}]}}
    assert set_scene.validate(args) == {
        "scene": {"name": "movie", "lights": [{"room": "den", "level": 3}]}
    }
    with pytest.raises(ToolArgumentError, match=r"scene\.lights\.0\.level"):
        set_scene.validate({"scene": {"name": "x", "lights": [{"room": "den"}]}})


def test_typing_typeddict_defined_next_to_the_function() -> None:
    class Local(typing.TypedDict):
        light: Light

    @tool
    def f(value: Local) -> None: ...

    assert f.validate({"value": {"light": {"room": "a", "level": 1}}}) == {
        "value": {"light": {"room": "a", "level": 1}}
    }


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="pydantic takes typing.TypedDict on 3.12+")
def test_a_generic_typing_typeddict_gets_pydantics_advice() -> None:
    def f(value: Box[int]) -> None: ...

    with pytest.raises(
        ToolDefinitionError,
        match=r"parameter 'value' \(.*Box\[int\]\): Please use `typing_extensions\.TypedDict`",
    ):
        tool(f)
