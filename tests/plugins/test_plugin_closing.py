"""Plugins.aclose: toolboxes that plugins return are closed, each agent gets its own."""

from __future__ import annotations

import sys
from collections.abc import Callable

import anyio
import pytest

from agentkit.plugins import load_plugins

Install = Callable[[dict[str, str]], dict[str, str]]

CLOSING_PLUGIN = '''
import anyio
import agentkit

CLOSED = []


class Box(agentkit.Toolbox):
    def __init__(self, label):
        self.label = label
        super().__init__(name=label)

    def {tool}(self) -> str:
        """Say which box this is."""
        return self.label

    async def aclose(self):
        await anyio.sleep(0)  # a checkpoint: a cancelled caller would stop here
        if self.label == "broken":
            raise RuntimeError("the connection was already gone")
        CLOSED.append(self.label)


class SyncBox(agentkit.Toolbox):
    def {tool}_sync(self) -> str:
        """A sync-closing box."""
        return "sync"

    def close(self):
        CLOSED.append("sync")


@agentkit.hookimpl
def agentkit_tools():
    return [Box({label!r}), SyncBox()]
'''


def closing_plugin(tool: str, label: str) -> str:
    return CLOSING_PLUGIN.format(tool=tool, label=label)


@pytest.mark.anyio
async def test_aclose_closes_every_plugin_toolbox_once(installed: Install) -> None:
    names = installed({"ak-a": closing_plugin("a_box", "a"), "ak-b": closing_plugin("b_box", "b")})
    async with load_plugins(["ak-a", "ak-b"]) as plugins:
        assert [box.name for box in plugins.toolboxes] == ["a", "SyncBox", "b", "SyncBox"]
        assert [t.name for t in plugins.tools] == ["a_box", "a_box_sync", "b_box", "b_box_sync"]
    closed_a = sys.modules[names["ak-a"]].CLOSED
    closed_b = sys.modules[names["ak-b"]].CLOSED
    assert (closed_a, closed_b) == (["sync", "a"], ["sync", "b"])  # newest first
    await plugins.aclose()
    assert (closed_a, closed_b) == (["sync", "a"], ["sync", "b"])


@pytest.mark.anyio
async def test_each_load_gets_its_own_toolboxes(installed: Install) -> None:
    installed({"ak-a": closing_plugin("a_box", "a")})
    first, second = load_plugins(["ak-a"]), load_plugins(["ak-a"])
    assert first.toolboxes[0] is not second.toolboxes[0]
    assert first.tools[0] is not second.tools[0]
    await first.aclose()
    await second.aclose()


@pytest.mark.anyio
async def test_a_toolbox_that_fails_to_close_is_logged_and_the_others_close(
    installed: Install, caplog: pytest.LogCaptureFixture
) -> None:
    names = installed(
        {"ak-a": closing_plugin("a_box", "a"), "ak-b": closing_plugin("b_box", "broken")}
    )
    plugins = load_plugins(["ak-a", "ak-b"])
    await plugins.aclose()
    assert sys.modules[names["ak-a"]].CLOSED == ["sync", "a"]
    assert sys.modules[names["ak-b"]].CLOSED == ["sync"]
    assert [r.getMessage() for r in caplog.records if r.name == "agentkit.plugins"] == [
        "agentkit plugin toolbox 'broken' failed to close: "
        "RuntimeError: the connection was already gone"
    ]


@pytest.mark.anyio
async def test_aclose_runs_even_in_a_cancelled_scope(installed: Install) -> None:
    names = installed({"ak-a": closing_plugin("a_box", "a")})
    plugins = load_plugins(["ak-a"])
    with anyio.CancelScope() as scope:
        scope.cancel()
        await plugins.aclose()  # as in a session's teardown after a cancellation
    assert sys.modules[names["ak-a"]].CLOSED == ["sync", "a"]
