"""Plugin packages installed for real with pip: entry points found, broken ones reported.

CI installs them (see .ci/run):

    pip install -e plugins/agentkit-timers -e plugins/agentkit-home \
        -e tests/plugins/packages/agentkit-test-plugins
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from agentkit.plugins import load_plugins

PIP = (
    "pip install -e plugins/agentkit-timers -e plugins/agentkit-home "
    "-e tests/plugins/packages/agentkit-test-plugins"
)
EXPECTED = {"home", "timers", "testplug-good", "testplug-broken", "testplug-badtool"}


@pytest.fixture(autouse=True)
def _packages_installed() -> None:
    found = {ep.name for ep in entry_points(group="agentkit")}
    missing = sorted(EXPECTED - found)
    if missing:
        pytest.fail(f"plugin packages not installed ({', '.join(missing)}); run: {PIP}")


def test_every_installed_plugin_loads_and_broken_ones_are_reported() -> None:
    plugins = load_plugins(env={})
    assert {"home", "timers", "testplug-good"} <= set(plugins.names)
    failures = {f.name: f.error for f in plugins.failures}
    assert failures["testplug-broken"].startswith("ModuleNotFoundError: ")
    assert "agentkit_test_plugins_missing_dependency" in failures["testplug-broken"]
    assert failures["testplug-badtool"].startswith("ToolDefinitionError: cannot use 42")
    names = [t.name for t in plugins.tools]
    for name in ("turn_on_light", "watch_door", "start_timer", "testplug_echo"):
        assert name in names
    assert len(names) == len(set(names))


def test_first_party_plugins_declare_nonblocking_tools() -> None:
    plugins = load_plugins(["home", "timers"])
    by_name = {d["name"]: d for d in plugins.declarations()}
    assert by_name["start_timer"]["behavior"] == "NON_BLOCKING"
    assert by_name["watch_door"]["behavior"] == "NON_BLOCKING"
    assert by_name["turn_on_light"]["behavior"] == "BLOCKING"
    assert "confirm" in by_name["unlock_door"]["parameters"]["properties"]
    assert len(plugins.system_instructions()) == 2


def test_session_events_reach_an_installed_plugin() -> None:
    from agentkit_test_plugins import good

    plugins = load_plugins(["testplug-good"])
    event = object()
    plugins.emit(event)
    assert good.seen[-1] is event


def test_agentkit_tools_command_lists_plugins_despite_broken_ones() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("AGENTKIT_PLUGINS", "HA_URL")}
    proc = subprocess.run(
        [sys.executable, "-m", "agentkit", "tools"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    for name in ("home", "timers", "turn_on_light", "start_timer", "testplug-broken"):
        assert name in output
