"""The JSON Schema -> Live schema converter on shapes pydantic rarely or never emits."""

from __future__ import annotations

from typing import Any

import pytest

from agentkit.tools._schema import NeedsJsonSchema, SchemaProblem, convert_schema


def test_single_allof_is_merged_like_a_ref() -> None:
    defs = {"P": {"type": "object", "properties": {"x": {"type": "integer"}}, "title": "P"}}
    node = {"allOf": [{"$ref": "#/$defs/P"}], "description": "A point"}
    assert convert_schema(node, defs, path="p") == {
        "type": "OBJECT",
        "properties": {"x": {"type": "INTEGER"}},
        "description": "A point",
    }


def test_oneof_with_null_is_nullable() -> None:
    node = {"oneOf": [{"type": "string"}, {"type": "null"}]}
    assert convert_schema(node, {}, path="p") == {"type": "STRING", "nullable": True}


def test_only_null_branches_are_refused() -> None:
    with pytest.raises(SchemaProblem, match=r"^p: unions other than X \| None"):
        convert_schema({"anyOf": [{"type": "null"}]}, {}, path="p")


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ({"$ref": "#/$defs/Missing"}, r"^p: unresolved schema reference '#/\$defs/Missing'$"),
        ({"type": "whatever"}, r"^p: JSON type 'whatever' cannot be declared$"),
        ({"type": ["string", "null"]}, r"^p: JSON type \['string', 'null'\] cannot be declared$"),
        ({"type": "array"}, r"^p: list items need a type$"),
        ({"enum": []}, r"^p: enum values must all be strings, or all numbers$"),
    ],
    ids=repr,
)
def test_shapes_with_no_live_form(node: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaProblem, match=message):
        convert_schema(node, {}, path="p")


def test_dict_asks_for_json_schema_mode_only_in_live_mode() -> None:
    node = {"type": "object", "additionalProperties": {"type": "integer"}}
    with pytest.raises(NeedsJsonSchema):
        convert_schema(node, {}, path="p")
    assert convert_schema(node, {}, path="p", json_mode=True) == {
        "type": "object",
        "additionalProperties": {"type": "integer"},
    }


def test_empty_model_is_an_object_without_properties() -> None:
    node = {"type": "object", "properties": {}, "additionalProperties": False}
    assert convert_schema(node, {}, path="p") == {"type": "OBJECT", "properties": {}}
