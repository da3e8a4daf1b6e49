"""agentkit.plugins: discovery through entry points, failure isolation, selection, hooks."""

from __future__ import annotations

import argparse
import json
import logging
import re
import subprocess
import sys
import types
from collections.abc import Callable

import pytest

import agentkit
from agentkit.errors import PluginError
from agentkit.plugins import (
    AgentkitSpec,
    PluginFailure,
    get_plugin_manager,
    load_plugins,
)

Install = Callable[[dict[str, str]], dict[str, str]]


def echo_plugin(tool_name: str) -> str:
    return f'''
import agentkit

@agentkit.tool
def {tool_name}(text: str) -> dict:
    """Echo the text."""
    return {{"echo": text}}

@agentkit.hookimpl
def agentkit_tools():
    return [{tool_name}]
'''


def module(name: str, **hooks: object) -> types.ModuleType:
    """A plugin module registered by hand (no entry point)."""
    mod = types.ModuleType(name)
    for key, value in hooks.items():
        setattr(mod, key, value)
    return mod


# -- the manager ----------------------------------------------------------------------------


def test_get_plugin_manager_is_fresh_every_call() -> None:
    first = get_plugin_manager(load_entrypoints=False)
    second = get_plugin_manager(load_entrypoints=False)
    first.register(module("only_in_first"), name="only-in-first")
    assert first is not second
    assert second.get_plugins() == set()
    assert first.has_plugin("only-in-first")


def test_importing_agentkit_loads_no_plugin() -> None:
    code = (
        "import sys, agentkit, agentkit.plugins\n"
        "agentkit.plugins.get_plugin_manager(load_entrypoints=False)\n"
        "loaded = [m for m in sys.modules if m.startswith(('agentkit_home', 'agentkit_timers',"
        " 'agentkit_test_plugins'))]\n"
        "print(loaded)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout.strip() == "[]"


def test_get_plugin_manager_loads_entry_points_and_skips_broken(
    installed: Install, caplog: pytest.LogCaptureFixture
) -> None:
    installed({"ak-ok": echo_plugin("ok_echo"), "ak-broken": "import no_such_module_xyz\n"})
    with caplog.at_level(logging.WARNING, logger="agentkit.plugins"):
        pm = get_plugin_manager()
    assert pm.has_plugin("ak-ok")
    assert not pm.has_plugin("ak-broken")
    assert "'ak-broken' skipped: ModuleNotFoundError" in caplog.text


def test_the_markers_are_agentkits() -> None:
    assert agentkit.hookimpl.project_name == "agentkit"
    assert agentkit.hookspec.project_name == "agentkit"


# -- discovery and failures -----------------------------------------------------------------


def test_installed_plugin_tools_are_collected(installed: Install) -> None:
    installed({"ak-one": echo_plugin("one_echo"), "ak-two": echo_plugin("two_echo")})
    plugins = load_plugins(["ak-one", "ak-two"])
    assert plugins.names == ["ak-one", "ak-two"]
    assert [t.name for t in plugins.tools] == ["one_echo", "two_echo"]
    assert [t.name for t in plugins.by_plugin["ak-two"]] == ["two_echo"]
    assert plugins.failures == []
    assert plugins.tools[0]("hi") == {"echo": "hi"}


@pytest.mark.parametrize(
    ("source", "error"),
    [
        pytest.param(
            "import no_such_module_xyz\n",
            r"ModuleNotFoundError: .*no_such_module_xyz",
            id="import-error",
        ),
        pytest.param("raise SystemExit(3)\n", r"SystemExit: 3", id="sys-exit-at-import"),
        pytest.param(
            "import agentkit\n@agentkit.hookimpl\ndef agentkit_tool():\n    return []\n",
            r"PluginValidationError: .*agentkit_tool",
            id="misspelled-hook",
        ),
        pytest.param(
            "import agentkit\n@agentkit.hookimpl\ndef agentkit_tools(verbose):\n    return []\n",
            r"PluginValidationError: .*verbose",
            id="hook-with-unknown-argument",
        ),
        pytest.param(
            "import agentkit\n@agentkit.hookimpl\ndef agentkit_tools():\n    return [42]\n",
            r"ToolDefinitionError: cannot use 42 as a tool",
            id="not-a-tool",
        ),
        pytest.param(
            "import agentkit\n@agentkit.hookimpl\ndef agentkit_tools():\n"
            "    def bad(x: object) -> None:\n        'Bad.'\n    return [bad]\n",
            r"ToolDefinitionError: cannot make a tool of .*bad",
            id="undeclarable-function",
        ),
        pytest.param(
            "import agentkit\n@agentkit.hookimpl\ndef agentkit_tools():\n"
            "    raise RuntimeError('backend down')\n",
            r"RuntimeError: backend down",
            id="hook-raises",
        ),
        pytest.param(
            "import agentkit\n@agentkit.hookimpl\ndef agentkit_tools():\n    return 'oops'\n",
            r"PluginError: agentkit_tools must return a list of tools",
            id="returns-a-string",
        ),
    ],
)
def test_a_bad_plugin_is_reported_by_name_and_skipped(
    installed: Install, caplog: pytest.LogCaptureFixture, source: str, error: str
) -> None:
    installed({"ak-good": echo_plugin("good_echo"), "ak-bad": source})
    with caplog.at_level(logging.WARNING, logger="agentkit.plugins"):
        plugins = load_plugins(["ak-good", "ak-bad"])
    assert plugins.names == ["ak-good"]
    assert [t.name for t in plugins.tools] == ["good_echo"]
    [failure] = plugins.failures
    assert failure.name == "ak-bad"
    assert re.match(error, failure.error), failure.error
    assert "\n" not in failure.error
    assert "agentkit plugin 'ak-bad' skipped" in caplog.text
    assert not plugins.manager.has_plugin("ak-bad")


def test_a_failed_plugin_contributes_nothing_else(installed: Install) -> None:
    installed(
        {
            "ak-half": """
import agentkit

@agentkit.hookimpl
def agentkit_tools():
    return [42]

@agentkit.hookimpl
def agentkit_system_instruction():
    return "I should not be here"
"""
        }
    )
    plugins = load_plugins(["ak-half"])
    assert plugins.system_instructions() == []
    assert [f.name for f in plugins.failures] == ["ak-half"]


def test_tool_name_collision_names_both_plugins_and_the_tool(installed: Install) -> None:
    installed({"ak-first": echo_plugin("shared_echo"), "ak-second": echo_plugin("shared_echo")})
    with pytest.raises(
        PluginError,
        match=r"^tool name 'shared_echo' is declared by two plugins: 'ak-first' and 'ak-second'$",
    ):
        load_plugins(["ak-first", "ak-second"])


def test_duplicate_names_within_one_plugin_fail_that_plugin_only(installed: Install) -> None:
    twice = """
import agentkit

def make():
    @agentkit.tool
    def same(x: int) -> int:
        "One."
        return x
    return same

@agentkit.hookimpl
def agentkit_tools():
    return [make(), make()]
"""
    installed({"ak-twice": twice, "ak-fine": echo_plugin("fine_echo")})
    plugins = load_plugins(["ak-twice", "ak-fine"])
    assert plugins.names == ["ak-fine"]
    assert plugins.failures[0].name == "ak-twice"
    assert "two tools are named 'same'" in plugins.failures[0].error


def test_toolboxes_and_plain_functions_are_accepted(installed: Install) -> None:
    installed(
        {
            "ak-box": """
import agentkit

class Greeter(agentkit.Toolbox):
    def greet(self, name: str) -> str:
        "Greet someone."
        return "hello " + name

def shout(text: str) -> str:
    "Shout the text."
    return text.upper()

@agentkit.hookimpl
def agentkit_tools():
    return [Greeter(), shout]
"""
        }
    )
    plugins = load_plugins(["ak-box"])
    assert [t.name for t in plugins.tools] == ["greet", "shout"]
    assert plugins.tools[0]("ada") == "hello ada"


# -- selection ------------------------------------------------------------------------------


def test_selection_loads_only_the_named_plugins(installed: Install) -> None:
    names = installed({"ak-a": echo_plugin("a_echo"), "ak-b": echo_plugin("b_echo")})
    plugins = load_plugins(["ak-b"])
    assert plugins.names == ["ak-b"]
    assert names["ak-a"] not in sys.modules  # not even imported


def test_selection_false_loads_nothing(installed: Install) -> None:
    installed({"ak-a": echo_plugin("a_echo")})
    plugins = load_plugins(False)
    assert plugins.names == []
    assert plugins.tools == []


def test_true_loads_every_installed_plugin(installed: Install) -> None:
    installed({"ak-a": echo_plugin("a_echo"), "ak-b": echo_plugin("b_echo")})
    plugins = load_plugins(True, env={})
    assert {"ak-a", "ak-b"} <= set(plugins.names)


def test_unknown_name_is_a_clear_error(installed: Install) -> None:
    installed({"ak-a": echo_plugin("a_echo")})
    with pytest.raises(PluginError, match=r"^no agentkit plugin named 'ak-typo' is installed "):
        load_plugins(["ak-typo"])


def test_a_string_selection_is_one_name_not_its_letters(installed: Install) -> None:
    installed({"ak-a": echo_plugin("a_echo"), "a": echo_plugin("letter_echo")})
    plugins = load_plugins("ak-a")
    assert plugins.names == ["ak-a"]
    assert [t.name for t in plugins.tools] == ["a_echo"]
    with pytest.raises(PluginError, match=r"^no agentkit plugin named 'home-typo' is installed"):
        load_plugins("home-typo")


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (b"home", "plugin selection must be True, False, None, a name or a list of names, "
         "not bytes"),
        (3, "plugin selection must be True, False, None, a name or a list of names, not int"),
        (["ak-a", None], "plugin names must be str, got None"),
    ],
)  # fmt: skip
def test_a_selection_that_is_not_names_is_a_type_error(
    installed: Install, selection: object, message: str
) -> None:
    installed({"ak-a": echo_plugin("a_echo")})
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        load_plugins(selection)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ak-b", ["ak-b"]), (" ak-a , ak-b ", ["ak-a", "ak-b"]), ("", []), ("none", []),
     ("NONE", [])],
)  # fmt: skip
def test_environment_variable_narrows_the_default(
    installed: Install, value: str, expected: list[str]
) -> None:
    installed({"ak-a": echo_plugin("a_echo"), "ak-b": echo_plugin("b_echo")})
    assert load_plugins(env={"AGENTKIT_PLUGINS": value}).names == expected
    assert load_plugins(None, env={"AGENTKIT_PLUGINS": value}).names == expected


def test_environment_variable_is_read_from_os_environ(
    installed: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed({"ak-a": echo_plugin("a_echo"), "ak-b": echo_plugin("b_echo")})
    monkeypatch.setenv("AGENTKIT_PLUGINS", "ak-a")
    assert load_plugins().names == ["ak-a"]


def test_explicit_selection_ignores_the_environment(installed: Install) -> None:
    installed({"ak-a": echo_plugin("a_echo"), "ak-b": echo_plugin("b_echo")})
    assert load_plugins(["ak-a"], env={"AGENTKIT_PLUGINS": "ak-b"}).names == ["ak-a"]


def test_hand_registered_plugins_load_beside_entry_points(installed: Install) -> None:
    installed({"ak-a": echo_plugin("a_echo")})

    @agentkit.tool
    def local_tool() -> str:
        """A tool from the application itself."""
        return "ok"

    pm = get_plugin_manager(load_entrypoints=False)
    pm.register(module("app", agentkit_tools=agentkit.hookimpl(lambda: [local_tool])), "app")
    plugins = load_plugins(["ak-a"], manager=pm)
    assert plugins.names == ["app", "ak-a"]
    assert [t.name for t in plugins.tools] == ["local_tool", "a_echo"]


# -- the hooks (one test per hookspec; see test_every_hook_has_a_test) ----------------------


def test_hook_agentkit_tools(installed: Install) -> None:
    installed({"ak-tools": echo_plugin("hook_echo")})
    plugins = load_plugins(["ak-tools"])
    assert plugins.declarations() == [
        {
            "name": "hook_echo",
            "description": "Echo the text.",
            "parameters": {
                "type": "OBJECT",
                "properties": {"text": {"type": "STRING"}},
                "required": ["text"],
            },
            "behavior": "BLOCKING",
        }
    ]


def test_hook_agentkit_system_instruction(caplog: pytest.LogCaptureFixture) -> None:
    pm = get_plugin_manager(load_entrypoints=False)
    texts = ["First plugin's rule.", None, "  ", 42, "Second plugin's rule."]
    for i, text in enumerate(texts):
        pm.register(
            module(f"si{i}", agentkit_system_instruction=agentkit.hookimpl(lambda t=text: t)),
            f"si{i}",
        )
    with caplog.at_level(logging.WARNING, logger="agentkit.plugins"):
        result = load_plugins(False, manager=pm).system_instructions()
    assert result == ["First plugin's rule.", "Second plugin's rule."]
    assert (
        "agentkit plugin 'si3': agentkit_system_instruction returned 42, not a str" in caplog.text
    )


def test_hook_agentkit_session_event(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[object] = []

    def boom(event: object) -> None:
        raise ValueError("observer bug")

    async def is_async(event: object) -> None:
        seen.append(("never", event))

    def observe(event: object) -> None:
        seen.append(event)

    pm = get_plugin_manager(load_entrypoints=False)
    pm.register(module("boom", agentkit_session_event=agentkit.hookimpl(boom)), "boom")
    pm.register(module("asy", agentkit_session_event=agentkit.hookimpl(is_async)), "asy")
    pm.register(module("obs", agentkit_session_event=agentkit.hookimpl(observe)), "obs")
    plugins = load_plugins(False, manager=pm)
    with caplog.at_level(logging.WARNING, logger="agentkit.plugins"):
        plugins.emit("turn complete")
        plugins.emit({"text": "hi"})
    assert seen == ["turn complete", {"text": "hi"}]
    assert "'boom': agentkit_session_event raised ValueError: observer bug" in caplog.text
    assert "'asy': agentkit_session_event returned an awaitable" in caplog.text


def test_hook_agentkit_register_commands() -> None:
    def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        sub = subparsers.add_parser("lights", help="Blink the lights.")
        sub.add_argument("--times", type=int, default=1)

    pm = get_plugin_manager(load_entrypoints=False)
    pm.register(module("cmd", agentkit_register_commands=agentkit.hookimpl(register)), "cmd")
    parser = argparse.ArgumentParser(prog="agentkit")
    load_plugins(False, manager=pm).register_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["lights", "--times", "3"])
    assert (args.command, args.times) == ("lights", 3)


def test_every_hook_has_a_test() -> None:
    hooks = [name for name in dir(AgentkitSpec) if name.startswith("agentkit_")]
    assert hooks, "no hookspecs found"
    missing = [h for h in hooks if f"test_hook_{h}" not in globals()]
    assert missing == []


def test_every_hook_is_documented_for_plugin_authors() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "plugins" / "agentkit-timers" / "README.md").read_text()
    hooks = [name for name in dir(AgentkitSpec) if name.startswith("agentkit_")]
    assert [h for h in hooks if f"`{h}(" not in readme] == []


# -- reporting ------------------------------------------------------------------------------


def test_describe_is_json_ready(installed: Install) -> None:
    installed({"ak-a": echo_plugin("a_echo"), "ak-broken": "import no_such_module_xyz\n"})
    report = load_plugins(["ak-a", "ak-broken"]).describe()
    assert json.loads(json.dumps(report)) == report
    assert [p["name"] for p in report["plugins"]] == ["ak-a"]
    assert report["plugins"][0]["tools"][0]["name"] == "a_echo"
    assert report["failures"][0]["name"] == "ak-broken"


def test_plugin_failure_reads_well() -> None:
    failure = PluginFailure("home", "ImportError: no httpx")
    assert str(failure) == "home: ImportError: no httpx"


def test_repr_names_plugins_and_failures(installed: Install) -> None:
    installed({"ak-a": echo_plugin("a_echo"), "ak-broken": "import no_such_module_xyz\n"})
    plugins = load_plugins(["ak-a", "ak-broken"])
    assert repr(plugins) == "<Plugins names=['ak-a'] tools=1 failures=['ak-broken']>"
