"""agentkit.testing: the fixtures and helpers a plugin author uses, in-process and in a suite."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agentkit.emulator import Emulator
from agentkit.testing import assert_declared, assert_tool_response, call, conversation

from .test_protocol import recv, start, text_of, until

pytestmark = pytest.mark.anyio

SETUP = {
    "setup": {
        "model": "models/gemini-2.0-flash-live-001",
        "generationConfig": {"responseModalities": ["TEXT"]},
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "turn_on",
                        "behavior": "NON_BLOCKING",
                        "description": "Turn on a light",
                        "parameters": {
                            "type": "OBJECT",
                            "properties": {"room": {"type": "STRING"}},
                            "required": ["room"],
                        },
                    }
                ]
            }
        ],
    }
}


@pytest.mark.agentkit_emulator(
    script=conversation(
        "kitchen", call("turn_on", {"room": "kitchen"}, id="c1"), reply="The kitchen light is on."
    )
)
async def test_emulator_fixture_with_marker_and_assertions(emulator: Emulator) -> None:
    ws = await start(emulator, SETUP)
    await ws.send(
        json.dumps(
            {
                "clientContent": {
                    "turns": [{"parts": [{"text": "the kitchen please"}]}],
                    "turnComplete": True,
                }
            }
        )
    )
    assert (await recv(ws))["toolCall"]["functionCalls"] == [
        {"id": "c1", "name": "turn_on", "args": {"room": "kitchen"}}
    ]
    await ws.send(
        json.dumps(
            {
                "toolResponse": {
                    "functionResponses": [
                        {
                            "id": "c1",
                            "name": "turn_on",
                            "response": {"result": "ok"},
                            "scheduling": "SILENT",
                        }
                    ]
                }
            }
        )
    )
    assert text_of(await until(ws, "serverContent", "turnComplete")) == "The kitchen light is on."
    await ws.close()
    record = emulator.connections[0]
    assert_declared(
        record, "turn_on", parameters={"room"}, required={"room"}, behavior="NON_BLOCKING"
    )
    assert_tool_response(
        record, "turn_on", response={"result": "ok"}, scheduling="SILENT", will_continue=False
    )
    with pytest.raises(AssertionError, match="scheduling"):
        assert_tool_response(record, "turn_on", scheduling="INTERRUPT")
    with pytest.raises(AssertionError, match="parameters"):
        assert_declared(record, "turn_on", parameters={"room", "colour"})


async def test_emulator_factory(emulator_factory) -> None:  # type: ignore[no-untyped-def]
    one = await emulator_factory()
    two = await emulator_factory(tls=True)
    assert one.base_url.startswith("ws://")
    assert two.base_url.startswith("wss://")
    assert two.ca_file is not None
    assert two.ca_file.exists()


def test_plugin_in_a_users_suite_on_both_backends(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent("""
        import json
        import pytest
        from websockets.asyncio.client import connect
        from agentkit.testing import conversation

        @pytest.fixture(params=["asyncio", "trio"])
        def anyio_backend(request):
            return request.param

        @pytest.mark.anyio
        @pytest.mark.agentkit_emulator(script=conversation(None, reply="hi there"))
        async def test_it(emulator, anyio_backend):
            path = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
            setup = {"setup": {"model": "models/gemini-2.0-flash-live-001",
                               "generationConfig": {"responseModalities": ["TEXT"]}}}
            if anyio_backend == "trio":   # websockets' client is asyncio-only: use a thread
                import anyio.to_thread, asyncio
                async def talk():
                    async with connect(emulator.base_url + path) as ws:
                        await ws.send(json.dumps(setup)); await ws.recv()
                        await ws.send(json.dumps({"realtimeInput": {"text": "hello"}}))
                        return json.loads(await ws.recv())
                first = await anyio.to_thread.run_sync(lambda: asyncio.run(talk()))
            else:
                async with connect(emulator.base_url + path) as ws:
                    await ws.send(json.dumps(setup)); await ws.recv()
                    await ws.send(json.dumps({"realtimeInput": {"text": "hello"}}))
                    first = json.loads(await ws.recv())
            assert first == {"serverContent": {"modelTurn": {"parts": [{"text": "hi there"}]}}}
    """)
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
