"""The rule-based model on its own: which functions an utterance calls, with which arguments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentkit.emulator import Emulator, RuleModel

from .test_protocol import say_text, start, until

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


# --- the home plugin's declarations, as agentkit-home sends them ---------------------------

HOME_DECLARATIONS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "home_declarations.json").read_text(encoding="utf-8")
)
HOME = {d["name"]: d for d in HOME_DECLARATIONS}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Turn on the kitchen light and set the thermostat to 21 degrees",
            [("turn_on_light", {"room": "kitchen"}), ("set_thermostat", {"temperature": 21.0})],
        ),
        (
            "Set the thermostat to 21 degrees and turn on the kitchen light",
            [("set_thermostat", {"temperature": 21.0}), ("turn_on_light", {"room": "kitchen"})],
        ),
        (
            "Turn on the kitchen light, then set the thermostat to 21",
            [("turn_on_light", {"room": "kitchen"}), ("set_thermostat", {"temperature": 21.0})],
        ),
        (
            "Turn on the kitchen light at 40% brightness and set the thermostat to 21°C",
            [
                ("turn_on_light", {"room": "kitchen", "brightness": 40}),
                ("set_thermostat", {"temperature": 21.0}),
            ],
        ),
        (  # a piece that calls nothing continues the clause before it
            "Turn on the kitchen light and make it 30 percent",
            [("turn_on_light", {"room": "kitchen", "brightness": 30})],
        ),
        ("Turn on the kitchen light at 21 degrees", [("turn_on_light", {"room": "kitchen"})]),
        ("Set the thermostat to 45 degrees", [("set_thermostat", {})]),  # out of 10..30
        ("Close the blinds", [("close_cover", {"device": "blinds"})]),
        ("What devices do I have?", [("list_devices", {})]),
        (
            "Open the garage door to 50 percent",
            [("open_cover", {"device": "garage door", "position": 50})],
        ),
        ("Turn off the living room light", [("turn_off_light", {"room": "living room"})]),
        (
            "Turn on the bedroom light in blue",
            [("turn_on_light", {"room": "bedroom", "color": "blue"})],
        ),
        (
            "Watch the front door for 30 minutes",
            [("watch_door", {"door": "front door", "minutes": 30.0})],
        ),
        (
            "Switch on the coffee machine",
            [("set_switch", {"device": "coffee machine", "on": True})],
        ),
        ("Set the thermostat to heat", [("set_thermostat", {"mode": "heat"})]),
        (
            "Turn on the kitchen light, then turn on the bedroom light",
            [("turn_on_light", {"room": "kitchen"}), ("turn_on_light", {"room": "bedroom"})],
        ),
        ("hello there", []),
    ],
)
def test_home_utterances(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    found = RuleModel().match_functions(text, HOME)
    assert [(m.name, m.args) for m in found] == expected


LIGHT = {
    "set_light": {
        "name": "set_light",
        "parameters": {
            "type": "OBJECT",
            "properties": {
                "brightness": {
                    "type": "INTEGER",
                    "minimum": 1,
                    "maximum": 100,
                    "description": "Brightness in percent",
                },
                "transition": {"type": "NUMBER", "description": "Fade time in seconds"},
            },
        },
    },
    "start_timer": {
        "name": "start_timer",
        "parameters": {"type": "OBJECT", "properties": {"seconds": {"type": "INTEGER"}}},
    },
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Set the light to 40 percent over 5 seconds", {"brightness": 40, "transition": 5.0}),
        ("Set the light over 5 seconds to 40 percent", {"brightness": 40, "transition": 5.0}),
        ("Set the light brightness 40, fade 2 seconds", {"brightness": 40, "transition": 2.0}),
        ("Set the light to 2 minutes", {"transition": 120.0}),  # converted to seconds
        ("Set the light", {}),  # no number: optional numbers stay unset
    ],
)
def test_numbers_go_to_the_parameter_their_words_name(text: str, expected: dict[str, Any]) -> None:
    [match] = RuleModel().match_functions(text, LIGHT)
    assert (match.name, match.args) == ("set_light", expected)


def test_timer_minutes_become_seconds() -> None:
    [match] = RuleModel().match_functions("Start a timer for 2 minutes", LIGHT)
    assert match.args == {"seconds": 120}


def test_a_number_ending_a_sentence_stays_in_its_clause() -> None:
    found = RuleModel().match_functions(
        "Start a timer for 5. Then set the light to 40 percent.\n1. start a timer for 9", LIGHT
    )
    assert [(m.name, m.args) for m in found] == [
        ("start_timer", {"seconds": 5}),
        ("set_light", {"brightness": 40}),
        ("start_timer", {"seconds": 9}),
    ]


@pytest.mark.anyio
async def test_two_calls_with_their_own_numbers_over_the_wire() -> None:
    setup = {
        "setup": {
            "model": "models/gemini-2.0-flash-live-001",
            "generationConfig": {"responseModalities": ["TEXT"]},
            "tools": [{"functionDeclarations": HOME_DECLARATIONS}],
        }
    }
    async with Emulator() as emu:
        ws = await start(emu, setup)
        await say_text(ws, "Turn on the kitchen light and set the thermostat to 21 degrees")
        calls = (await until(ws, "toolCall"))[-1]["toolCall"]["functionCalls"]
        assert [(c["name"], c["args"]) for c in calls] == [
            ("turn_on_light", {"room": "kitchen"}),
            ("set_thermostat", {"temperature": 21.0}),
        ]
        await ws.close()
