"""connect(plugins=...): a str is one plugin name; plugin toolboxes close with the session."""

from __future__ import annotations

from typing import Any

import anyio
import pluggy
import pytest
from rawserver import Peer, hold, raw_server

import agentkit
import agentkit.plugins as plugins_mod
from agentkit.errors import PluginError

pytestmark = pytest.mark.anyio


class Recorder(agentkit.Toolbox):
    """A plugin toolbox that records whether it was closed."""

    closed = 0

    @agentkit.tool
    def recorder_ping(self) -> str:
        """Answer pong."""
        return "pong"

    async def aclose(self) -> None:
        type(self).closed += 1


class _Plugin:
    @plugins_mod.hookimpl
    def agentkit_tools(self) -> list[Any]:
        return [Recorder()]


@pytest.fixture
def hand_manager(monkeypatch: pytest.MonkeyPatch) -> pluggy.PluginManager:
    """A manager holding one plugin registered by hand, under the name "home"."""
    pm = plugins_mod.get_plugin_manager(load_entrypoints=False)
    pm.register(_Plugin(), name="home")
    real = plugins_mod.load_plugins

    def load(selection: Any = True, **kw: Any) -> plugins_mod.Plugins:
        return real(selection, manager=pm, env={}, **kw)

    monkeypatch.setattr(plugins_mod, "load_plugins", load)
    Recorder.closed = 0
    return pm


async def _serve(peer: Peer) -> None:
    await peer.setup()
    await hold(peer)


async def test_plugins_str_is_one_name(hand_manager: pluggy.PluginManager) -> None:
    async with (
        raw_server(_serve) as srv,
        agentkit.connect("m", base_url=srv.base_url, plugins="home") as session,
    ):
        declared = [
            d["name"] for t in session.setup.to_wire()["tools"] for d in t["functionDeclarations"]
        ]
    assert declared == ["recorder_ping"]


async def test_unknown_str_plugin_names_the_whole_name(hand_manager: pluggy.PluginManager) -> None:
    with pytest.raises(PluginError, match="'nohome'"):
        async with agentkit.connect("m", base_url="ws://127.0.0.1:9", plugins="nohome"):
            pass


async def test_plugin_toolboxes_closed_when_session_ends(
    hand_manager: pluggy.PluginManager,
) -> None:
    async with raw_server(_serve) as srv:
        async with agentkit.connect("m", base_url=srv.base_url, plugins=["home"]):
            assert Recorder.closed == 0
        assert Recorder.closed == 1


async def test_plugin_toolboxes_closed_when_connect_fails(
    hand_manager: pluggy.PluginManager,
) -> None:
    async def refuse(peer: Peer) -> None:
        await peer.close(1008, "models/m is not found")

    async with raw_server(refuse) as srv:
        with pytest.raises(agentkit.errors.SessionClosed):
            async with agentkit.connect("m", base_url=srv.base_url, plugins=["home"]):
                pass
    assert Recorder.closed == 1


async def test_nested_config_typo_fails_before_connecting() -> None:
    # Port 9 on loopback: nothing listens; a ConfigError proves nothing was attempted.
    config = {"realtime_input_config": {"automatic_activity_detection": {"disabledd": True}}}
    with pytest.raises(agentkit.errors.ConfigError) as info:
        async with agentkit.connect("m", base_url="ws://127.0.0.1:9", config=config):
            pass
    assert info.value.field == "realtime_input_config.automatic_activity_detection.disabledd"


@pytest.mark.parametrize(
    ("option", "value"), [("max_concurrency", 0), ("ledger_size", -1), ("default_timeout", 0)]
)
async def test_dispatcher_options_are_checked_before_connecting(option: str, value: int) -> None:
    with pytest.raises(agentkit.errors.ConfigError) as info:
        async with agentkit.connect("m", base_url="ws://127.0.0.1:9", **{option: value}):
            pass
    assert info.value.field == option


async def test_blocking_timeout_answers_a_hung_blocking_tool() -> None:
    @agentkit.tool
    async def hang() -> str:
        """Never returns."""
        await anyio.sleep_forever()
        return "unreachable"

    answers: list[Any] = []

    async def handler(peer: Peer) -> None:
        await peer.setup()
        await peer.send({"toolCall": {"functionCalls": [{"id": "h", "name": "hang"}]}})
        answers.append(await peer.recv_kind("toolResponse"))
        await peer.send({"serverContent": {"turnComplete": True}})
        await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect(
            "m", base_url=srv.base_url, tools=[hang], blocking_timeout=0.05
        ) as session,
    ):
        with anyio.fail_after(10):
            await session.receive_turn()
        state = str(session.calls["h"].state)
    assert state == "timed_out"
    assert "error" in answers[0]["functionResponses"][0]["response"]
