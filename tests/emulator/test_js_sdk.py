"""Google's JS SDK (@google/genai) runs the guide's JS examples against Emulator() over ws://.

Needs node and ``npm ci --prefix tests/emulator/js``; without them these tests FAIL (never skip).
"""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import anyio
import pytest

from agentkit.emulator import Emulator

from .conftest import silence, tone

pytestmark = [pytest.mark.anyio, pytest.mark.node]

JS_DIR = Path(__file__).parent / "js"
INSTALL = "npm ci --prefix tests/emulator/js"


async def run_example(name: str, emu: Emulator, workdir: Path) -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the JS SDK tests need Node.js 20+")
    if not (JS_DIR / "node_modules" / "@google" / "genai").is_dir():
        pytest.fail(f"@google/genai is not installed for the JS SDK tests; run: {INSTALL}")
    with anyio.fail_after(30):  # the JS SDK never settles live.connect() after a setup close
        result = await anyio.run_process(
            [node, str(JS_DIR / "guide_examples.mjs"), name, emu.http_base_url, str(workdir)],
            check=False,
        )
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    return out


@pytest.fixture
async def emu() -> object:
    async with Emulator() as emu:
        yield emu


async def test_js_text(emu: Emulator, tmp_path: Path) -> None:
    out = await run_example("text", emu, tmp_path)
    received = [
        line.removeprefix("Received text: ")
        for line in out.splitlines()
        if line.startswith("Received text: ")
    ]
    assert "".join(received).startswith('You said: "Hello how are you?"')
    assert len(received) > 1
    record = emu.connections[0]
    assert (
        record.path
        == "//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
    )
    assert record.credential == "key"
    assert record.messages[0]["clientContent"]["turnComplete"] is True


async def test_js_audio_in(emu: Emulator, tmp_path: Path) -> None:
    with wave.open(str(tmp_path / "sample.wav"), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(16000)
        wf.writeframes(tone(0.8) + silence(1.0))
    out = await run_example("audioIn", emu, tmp_path)
    text = "".join(
        line.removeprefix("Received text: ")
        for line in out.splitlines()
        if line.startswith("Received text: ")
    )
    assert text.startswith("I heard 0.8 seconds of audio")


async def test_js_audio_out(emu: Emulator, tmp_path: Path) -> None:
    out = await run_example("audioOut", emu, tmp_path)
    assert "Wrote output.wav" in out
    with wave.open(str(tmp_path / "output.wav"), "rb") as wf:
        assert wf.getframerate() == 24000
        assert wf.getnframes() > 24000


async def test_js_function_calling(emu: Emulator, tmp_path: Path) -> None:
    out = await run_example("functionCalling", emu, tmp_path)
    assert "Sending tool response..." in out
    text = "".join(
        line.removeprefix("Received text: ")
        for line in out.splitlines()
        if line.startswith("Received text: ")
    )
    assert text == "Done: turn on the lights returned result ok."
    assert emu.connections[0].tool_responses[0]["response"] == {"result": "ok"}
