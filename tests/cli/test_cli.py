"""The ``agentkit`` command, as a user runs it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import httpx
import pytest
import websockets

from agentkit._chat import chat
from agentkit._demo import run_demo
from agentkit.cli import main


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_demo_runs_offline_to_completion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "demo-secret-key-123")
    out = io.StringIO()
    assert await run_demo(offline=True, out=out) == 0
    text = out.getvalue()
    assert "demo-secret-key-123" not in text
    # two calls of one toolCall, both answered
    assert "▶ turn_on_light(room='kitchen')" in text
    assert "▶ set_thermostat(mode='heat', temperature=21)" in text
    assert "ran concurrently" in text
    # the barge-in cancelled the blinds, and on_cancel put them back
    assert "⊘ close_cover cancelled by the server" in text
    assert "close_cover      cancelled" in text and "compensated by on_cancel" in text
    # the NON_BLOCKING timer answered with INTERRUPT and the model spoke about it
    assert "✓ start_timer" in text and "INTERRUPT" in text
    assert "Ding! Your tea timer is done." in text
    final = text.split("final state:")[1]
    assert "Kitchen light                on" in final
    assert "Living room blinds           open (100% open)" in final
    assert "heat → 21.0°" in final


def test_tools_lists_every_installed_plugin_and_reports_broken_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["tools"]) == 0
    out = capsys.readouterr().out
    loaded = out.splitlines()[0]
    assert "home" in loaded and "timers" in loaded and "testplug-good" in loaded
    assert "plugin 'testplug-broken' skipped: ModuleNotFoundError" in out
    for name in ("turn_on_light", "start_timer", "testplug_echo"):
        assert f"  {name} " in out


def test_tools_json_prints_declarations_of_the_chosen_plugins(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["tools", "--json", "--plugins", "timers"]) == 0
    described = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in described["plugins"]] == ["timers"]
    declarations = described["plugins"][0]["tools"]
    names = {d["name"] for d in declarations}
    assert names == {"start_timer", "list_timers", "cancel_timer"}
    timer = next(d for d in declarations if d["name"] == "start_timer")
    assert timer["behavior"] == "NON_BLOCKING"
    assert timer["parameters"]["required"] == ["seconds"]


def test_unknown_option_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["tools", "--nope"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --nope" in capsys.readouterr().err


@pytest.mark.anyio
async def test_emulator_command_serves_the_live_api() -> None:
    proc = await anyio.open_process(
        [sys.executable, "-m", "agentkit", "emulator", "--port", "0"], stderr=subprocess.DEVNULL
    )
    try:
        assert proc.stdout is not None
        first = b""
        while not first.endswith(b"\n"):
            first += await proc.stdout.receive(1)
        base = first.decode().split("listening on ")[1].strip()
        assert base.startswith("ws://127.0.0.1:")
        url = base + "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
        async with websockets.connect(url) as ws:
            setup = {"model": "models/gemini-2.0-flash-live-001",
                     "generationConfig": {"responseModalities": ["TEXT"]}}  # fmt: skip
            await ws.send(json.dumps({"setup": setup}))
            assert json.loads(await ws.recv()) == {"setupComplete": {}}
    finally:
        proc.terminate()
        with anyio.fail_after(10):
            assert await proc.wait() is not None


@pytest.mark.anyio
async def test_chat_reads_turns_from_piped_input() -> None:
    stdin = io.StringIO("Turn on the kitchen light\n/quit\n")
    out = io.StringIO()
    await chat(model="gemini-2.5-flash-native-audio-latest", plugins=["home"], stdin=stdin, out=out)
    text = out.getvalue()
    assert "using the local emulator" in text
    assert "you  › Turn on the kitchen light" in text
    assert "▶ turn_on_light(room='kitchen')" in text
    assert "✓ turn_on_light" in text


def test_plugins_add_their_own_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["testplug-hello", "world"]) == 0
    assert capsys.readouterr().out == "hello, world\n"
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "testplug-hello" in capsys.readouterr().out


# Read before the autouse clean_environ fixture removes them for every other test.
_HA = (os.environ.get("HA_URL", ""), os.environ.get("HA_TOKEN", ""))
_REQUIRE_HA = os.environ.get("AGENTKIT_REQUIRE_HA") == "1"


@pytest.mark.home_assistant
@pytest.mark.skipif(
    not all(_HA) and not _REQUIRE_HA, reason="HA_URL and HA_TOKEN are not set: no Home Assistant"
)
@pytest.mark.anyio
async def test_demo_drives_a_real_home_assistant(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(_HA), "AGENTKIT_REQUIRE_HA=1 but HA_URL/HA_TOKEN are not set"
    monkeypatch.setenv("HA_URL", _HA[0])
    monkeypatch.setenv("HA_TOKEN", _HA[1])
    headers = {"Authorization": f"Bearer {_HA[1]}"}
    async with httpx.AsyncClient(base_url=_HA[0], headers=headers) as ha:
        # Home Assistant's demo starts with the kitchen lights on: switch them off first,
        # so "on" at the end is the demo's doing.
        off = await ha.post(
            "/api/services/light/turn_off", json={"entity_id": "light.kitchen_lights"}
        )
        off.raise_for_status()
        state = await ha.get("/api/states/light.kitchen_lights")
        assert state.json()["state"] == "off"
        # A temperature the demo's 21° differs from, so its undo is visible.
        heat = await ha.post(
            "/api/services/climate/set_temperature",
            json={"entity_id": "climate.heatpump", "temperature": 19},
        )
        heat.raise_for_status()
        pump = (await ha.get("/api/states/climate.heatpump")).json()
        out = io.StringIO()
        assert await run_demo(offline=True, out=out) == 0
        text = out.getvalue()
        assert _HA[1] not in text
        assert "home demo on Home Assistant at" in text
        assert "✓ turn_on_light" in text
        assert "✓ set_thermostat" in text
        final = text.split("final state:")[1]
        assert "Kitchen Lights               on" in final
        assert "HeatPump                     heat → 21.0°" in final
        # The demo put the real home back as it found it.
        assert "undid the demo's changes: set_thermostat, turn_on_light" in text
        state = await ha.get("/api/states/light.kitchen_lights")
        assert state.json()["state"] == "off"
        after = (await ha.get("/api/states/climate.heatpump")).json()
        assert (after["state"], after["attributes"]["temperature"]) == (
            pump["state"],
            pump["attributes"]["temperature"],
        )


def test_chat_command_sends_a_wav_and_writes_the_answer_to_a_wav(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from agentkit import audio

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    wav_in = tmp_path / "in.wav"
    audio.write_wav(wav_in, audio.speech_like(1.0, rate=16000), rate=16000)
    wav_out = tmp_path / "out.wav"
    argv = ["chat", "--plugins", "none", "--audio-in", str(wav_in), "--audio-out", str(wav_out)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "[audio: " in out
    assert "cannot recognise speech" in out  # the emulator is honest about what it heard
    answer = audio.read_wav(wav_out)
    assert answer.rate == 24000
    assert len(answer.data) > 0


def test_console_never_shows_secret_arguments() -> None:
    from agentkit import events
    from agentkit._console import Console
    from agentkit.protocol import FunctionCall

    out = io.StringIO()
    call = FunctionCall(id="c1", name="disarm_alarm", args={"confirm": True, "code": "1234"})
    Console(out).show(events.ToolCall((call,)))
    assert "1234" not in out.getvalue()
    assert "disarm_alarm(confirm=True, code=***)" in out.getvalue()
