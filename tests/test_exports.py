"""The public names of DESIGN.md stay importable (renames keep an alias)."""

from __future__ import annotations

import importlib

import pytest

import agentkit

PUBLIC = {
    "agentkit": [
        "tool", "Tool", "Toolbox", "ToolContext", "ToolResult", "Behavior", "Scheduling",
        "connect", "LiveSession", "LiveConfig", "Dispatcher", "CallRecord", "CallState",
        "hookimpl", "hookspec", "errors", "events", "ToolError", "ToolDefinitionError",
        "ConfigError", "SessionClosed", "AgentkitError", "__version__",
    ],
    "agentkit.events": [
        "SetupComplete", "Text", "Audio", "InputTranscription", "OutputTranscription",
        "ExecutableCode", "CodeExecutionResult", "ToolCall", "ToolResponse",
        "ToolCallCancellation", "Interrupted", "GenerationComplete", "TurnComplete", "Usage",
        "GoAway", "Reconnected",
    ],
    "agentkit.emulator": ["Emulator"],
    "agentkit.plugins": ["hookimpl", "hookspec", "get_plugin_manager", "load_plugins"],
    "agentkit.dispatch": ["Dispatcher", "CallRecord", "CallState", "CallLedger", "Reply"],
    "agentkit.session": ["connect", "LiveSession"],
    "agentkit.protocol": ["LiveConfig", "encode", "decode_server", "ClientProtocol"],
    "agentkit.audio": ["read_wav", "to_pcm16", "paced_chunks", "write_wav"],
    "agentkit.auth": ["create_token", "acreate_token"],
}  # fmt: skip


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_public_names_import(module: str) -> None:
    mod = importlib.import_module(module)
    missing = [name for name in PUBLIC[module] if not hasattr(mod, name)]
    assert missing == []


def test_top_level_all_is_importable_and_sorted() -> None:
    for name in agentkit.__all__:
        assert getattr(agentkit, name) is not None
    assert agentkit.__all__ == sorted(agentkit.__all__)
    assert set(PUBLIC["agentkit"]) <= set(agentkit.__all__)


def test_importing_tools_does_not_pull_in_the_network_stack() -> None:
    import subprocess
    import sys

    code = (
        "import sys, agentkit\n"
        "from agentkit import tool\n"
        "assert 'websockets' not in sys.modules, 'websockets imported'\n"
        "assert 'agentkit.session' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = agentkit.nope  # type: ignore[attr-defined]
