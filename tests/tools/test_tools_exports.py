"""The public names of agentkit.tools are pinned (DESIGN.md's contract and the dispatcher's)."""

from __future__ import annotations

import agentkit
import agentkit.tools


def test_tools_all_is_pinned() -> None:
    assert sorted(agentkit.tools.__all__) == [
        "Behavior",
        "CallCancelled",
        "Scheduling",
        "Tool",
        "ToolContext",
        "ToolResult",
        "Toolbox",
        "collect_tools",
        "normalize_result",
        "not_a_tool",
        "tool",
    ]
    for name in agentkit.tools.__all__:
        assert getattr(agentkit.tools, name) is not None


def test_top_level_reexports_are_the_same_objects() -> None:
    for name in ("tool", "Tool", "Toolbox", "ToolContext", "ToolResult", "Behavior", "Scheduling"):
        assert getattr(agentkit, name) is getattr(agentkit.tools, name)


def test_enums_are_the_wire_strings() -> None:
    assert [b.value for b in agentkit.tools.Behavior] == ["BLOCKING", "NON_BLOCKING"]
    assert [s.value for s in agentkit.tools.Scheduling] == ["SILENT", "WHEN_IDLE", "INTERRUPT"]
    assert str(agentkit.tools.Behavior.NON_BLOCKING) == "NON_BLOCKING"
    assert agentkit.tools.Scheduling.INTERRUPT == "INTERRUPT"
