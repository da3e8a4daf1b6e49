"""The rule-based model on its own: which functions an utterance calls, with which arguments."""

from __future__ import annotations

from typing import Any

import pytest

from agentkit.emulator import RuleModel

FUNCTIONS: dict[str, dict[str, Any]] = {
    "set_light": {
        "name": "set_light",
        "description": "Switch a light on or off",
        "parameters": {
            "type": "object",
            "properties": {
                "room": {"type": "string", "description": "Room name"},
                "on": {"type": "boolean"},
            },
        },
    },
    "set_thermostat": {
        "name": "set_thermostat",
        "parametersJsonSchema": {
            "type": "object",
            "properties": {"temperature": {"anyOf": [{"type": "number"}, {"type": "null"}]}},
        },
    },
    "get_weather": {
        "name": "get_weather",
        "description": "Get weather",
        "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}},
    },
}
GUIDE: dict[str, dict[str, Any]] = {
    "turn_on_the_lights": {"name": "turn_on_the_lights"},
    "turn_off_the_lights": {"name": "turn_off_the_lights"},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Turn on the kitchen light and set the thermostat to 21 degrees",
            [
                ("set_light", {"room": "kitchen", "on": True}),
                ("set_thermostat", {"temperature": 21.0}),
            ],
        ),
        (
            "Switch off the light in the living room please",
            [("set_light", {"room": "living room", "on": False})],
        ),
        ("What's the weather in Paris?", [("get_weather", {"city": "Paris"})]),
        ("hello there", []),
    ],
)
def test_match_functions(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    found = RuleModel().match_functions(text, FUNCTIONS)
    assert [(m.name, m.args) for m in found] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Turn off the lights", ["turn_off_the_lights"]),
        ("Turn on the lights please", ["turn_on_the_lights"]),
        ("Turn on the kitchen light", ["turn_on_the_lights"]),
        (
            "Turn on the lights, then turn off the lights",
            ["turn_on_the_lights", "turn_off_the_lights"],
        ),
    ],
)
def test_the_more_specific_name_wins(text: str, expected: list[str]) -> None:
    found = RuleModel().match_functions(text, {**FUNCTIONS, **GUIDE})
    assert [m.name for m in found] == expected


def test_replies_are_deterministic_and_honest() -> None:
    model = RuleModel()
    assert model.reply("what is 6 * 7") == "The answer is 42."
    assert model.reply("hi") == model.reply("hi")
    assert "cannot recognise speech" in model.audio_reply(1.5)
    assert (
        model.summarise([{"name": "f", "response": {"error": "boom"}}]) == "Done: f failed: boom."
    )
    assert model.code_for("compute 2 + 3") == ("print(2 + 3)", "5\n")
