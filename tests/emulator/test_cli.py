"""The emulator's command line: starts, prints its URLs, serves, stops on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from websockets.asyncio.client import connect

from agentkit.emulator._cli import main

pytestmark = pytest.mark.anyio

PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"


async def test_cli_serves_script_until_sigterm(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"say": "scripted hello"}]))
    proc = subprocess.Popen(  # noqa: ASYNC220 - returns at once; reads go through a thread
        [
            sys.executable,
            "-m",
            "agentkit.emulator._cli",
            "--port",
            "0",
            "--tls",
            "--script",
            str(script),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [await anyio.to_thread.run_sync(proc.stdout.readline) for _ in range(3)]
        assert lines[0].startswith("agentkit emulator listening on wss://127.0.0.1:")
        assert lines[1].startswith("base_url for Google's SDKs: https://127.0.0.1:")
        ca_file = lines[2].removeprefix("CA file: ").strip()
        import ssl

        ctx = ssl.create_default_context(cafile=ca_file)
        url = lines[0].split()[-1]
        async with connect(url + PATH, ssl=ctx) as ws:
            await ws.send(
                json.dumps(
                    {
                        "setup": {
                            "model": "models/gemini-2.0-flash-live-001",
                            "generationConfig": {"responseModalities": ["TEXT"]},
                        }
                    }
                )
            )
            assert json.loads(await ws.recv()) == {"setupComplete": {}}
            assert (
                json.loads(await ws.recv())["serverContent"]["modelTurn"]["parts"][0]["text"]
                == "scripted hello"
            )
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = await anyio.to_thread.run_sync(proc.communicate)
    assert proc.returncode == 0, err
    assert "stopped" in out


def test_cli_bad_script_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"dance": 1}]')
    assert main(["--script", str(bad)]) == 2
    assert "unknown script step" in capsys.readouterr().err
