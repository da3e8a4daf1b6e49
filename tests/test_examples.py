"""Every examples/*.py runs its main() against an in-process Emulator (issue 5 item 5).

Each example mirrors one section of the Live API guide; here it runs for real over a
loopback WebSocket, and the test checks what it returned and what it printed.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import pytest

from agentkit import audio
from agentkit.emulator import ConnectionRecord, Emulator

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the session runs on websockets' asyncio API


def load(name: str) -> ModuleType:
    """Import examples/<name>.py as a fresh module (examples/ on sys.path for _common)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup_of(conn: ConnectionRecord) -> dict[str, Any]:
    """The (camelCase) setup the emulator received on a connection."""
    assert conn.setup is not None
    return conn.setup


async def run(name: str, emu: Emulator, **kwargs: Any) -> Any:
    return await load(name).main(emu.base_url, **kwargs)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator


def test_every_example_is_tested() -> None:
    examples = {p.stem for p in EXAMPLES.glob("*.py") if not p.stem.startswith("_")}
    tested = {
        name.removeprefix("test_").split("__")[0]
        for name in globals()
        if name.startswith("test_") and name != "test_every_example_is_tested"
    }
    assert examples - tested == set()


def test_every_example_documents_its_guide_section_and_entry_point() -> None:
    for path in sorted(EXAMPLES.glob("[!_]*.py")):
        source = path.read_text()
        module = load(path.stem)
        assert "guide" in (module.__doc__ or ""), path.name
        assert 'if __name__ == "__main__":\n    anyio.run(main)' in source, path.name


@pytest.mark.anyio
async def test_connect(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run("connect", emu) == "models/gemini-2.0-flash-live-001"
    assert capsys.readouterr().out == "Session started\n"


@pytest.mark.anyio
async def test_text(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    answer = await run("text", emu)
    assert answer.strip()
    assert capsys.readouterr().out == answer + "\n"
    (conn,) = emu.connections
    assert setup_of(conn)["generationConfig"] == {"responseModalities": ["TEXT"]}


@pytest.mark.anyio
async def test_audio_in(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    answer = await run("audio_in", emu, speed=20.0)
    assert answer.strip()
    assert "sending 1.00 s of audio" in capsys.readouterr().out
    (conn,) = emu.connections
    audio_msgs = [
        m for m in conn.messages if "realtimeInput" in m and "audio" in m["realtimeInput"]
    ]
    assert len(audio_msgs) == 50  # 1 s in 20 ms chunks
    assert {m["realtimeInput"]["audio"]["mimeType"] for m in audio_msgs} == {"audio/pcm;rate=16000"}


@pytest.mark.anyio
async def test_audio_out(emu: Emulator, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "audio.wav"
    seconds = await run("audio_out", emu, out=out)
    assert seconds > 0
    pcm = audio.read_wav(out)
    assert pcm.rate == 24000
    assert pcm.duration == pytest.approx(seconds)
    assert audio.rms(pcm.data) > 0.01
    assert f"wrote {seconds:.2f} s of audio" in capsys.readouterr().out


@pytest.mark.anyio
async def test_transcribe_output(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    transcript = await run("transcribe_output", emu)
    out = capsys.readouterr().out
    assert transcript.strip()
    assert "Transcript:" in out
    assert "bytes of audio" in out


@pytest.mark.anyio
async def test_transcribe_input(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    transcript = await run("transcribe_input", emu, speed=20.0)
    assert transcript.strip()
    assert f"Transcript: {transcript}" in capsys.readouterr().out
    assert setup_of(emu.connections[0])["inputAudioTranscription"] == {}


@pytest.mark.anyio
async def test_system_instruction(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    answer = await run("system_instruction", emu)
    assert answer.strip()
    assert setup_of(emu.connections[0])["systemInstruction"]["parts"] == [
        {"text": "You are a helpful assistant and answer in a friendly tone."}
    ]


@pytest.mark.anyio
async def test_incremental_updates(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    answer = await run("incremental_updates", emu)
    assert answer.strip()
    contents = [m["clientContent"] for m in emu.connections[0].messages if "clientContent" in m]
    assert [c.get("turnComplete") for c in contents] == [False, True]
    assert [t["role"] for t in contents[0]["turns"]] == ["user", "model"]


@pytest.mark.anyio
async def test_voice_and_language(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run("voice_and_language", emu) > 0
    out = capsys.readouterr().out
    assert "voice: Kore" in out
    assert "language: de-DE" in out
    speech = setup_of(emu.connections[0])["generationConfig"]["speechConfig"]
    assert speech == {
        "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}},
        "languageCode": "de-DE",
    }


@pytest.mark.anyio
async def test_native_audio(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run("native_audio", emu) > 0
    (conn,) = emu.connections
    assert "v1alpha" in conn.path
    assert setup_of(conn)["generationConfig"]["enableAffectiveDialog"] is True
    assert setup_of(conn)["proactivity"] == {"proactiveAudio": True}


@pytest.mark.anyio
async def test_function_calling(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run("function_calling", emu) == ["turn_on_the_lights"]
    out = capsys.readouterr().out
    assert "model calls turn_on_the_lights" in out
    assert "answered turn_on_the_lights: {'result': 'ok'}" in out
    (conn,) = emu.connections
    responses = [m["toolResponse"] for m in conn.messages if "toolResponse" in m]
    assert responses[0]["functionResponses"][0]["response"] == {"result": "ok"}


@pytest.mark.anyio
async def test_function_calling_manual(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    ids = await run("function_calling_manual", emu)
    assert len(ids) == 1
    (conn,) = emu.connections
    (response,) = [m["toolResponse"] for m in conn.messages if "toolResponse" in m]
    assert response["functionResponses"] == [
        {"id": ids[0], "name": "turn_on_the_lights", "response": {"result": "ok"}}
    ]


@pytest.mark.anyio
async def test_async_functions(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run("async_functions", emu) == ["INTERRUPT"]
    (conn,) = emu.connections
    declarations = setup_of(conn)["tools"][0]["functionDeclarations"]
    assert {d["name"]: d["behavior"] for d in declarations} == {
        "turn_on_the_lights": "NON_BLOCKING",
        "turn_off_the_lights": "BLOCKING",
    }
    (response,) = [m["toolResponse"] for m in conn.messages if "toolResponse" in m]
    assert response["functionResponses"][0]["scheduling"] == "INTERRUPT"
    assert "scheduling" not in response["functionResponses"][0]["response"]


@pytest.mark.anyio
async def test_code_execution(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    code = await run("code_execution", emu)
    out = capsys.readouterr().out
    assert setup_of(emu.connections[0])["tools"] == [{"codeExecution": {}}]
    assert all(f"code: {c}" in out for c in code)


@pytest.mark.anyio
async def test_google_search(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    answer = await run("google_search", emu)
    assert answer.strip()
    assert setup_of(emu.connections[0])["tools"] == [{"googleSearch": {}}]


@pytest.mark.anyio
async def test_combined_tools(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run("combined_tools", emu) == ["turn_on_the_lights"]
    tools = setup_of(emu.connections[0])["tools"]
    assert tools[:2] == [{"googleSearch": {}}, {"codeExecution": {}}]
    assert [d["name"] for d in tools[2]["functionDeclarations"]] == [
        "turn_on_the_lights",
        "turn_off_the_lights",
    ]


@pytest.mark.anyio
async def test_interruptions(capsys: pytest.CaptureFixture[str]) -> None:
    # Stream the answer slowly enough that the user's words land in the middle of it.
    async with Emulator(chunk_interval=0.05) as emu:
        assert await run("interruptions", emu) is True
        assert "serverContent.interrupted" in emu.connections[0].sent_kinds()
    assert "[interrupted: drop queued playback]" in capsys.readouterr().out


@pytest.mark.anyio
async def test_vad_settings(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    answer = await run("vad_settings", emu, speed=20.0)
    assert answer.strip()
    aad = setup_of(emu.connections[0])["realtimeInputConfig"]["automaticActivityDetection"]
    assert aad == {
        "disabled": False,
        "startOfSpeechSensitivity": "START_SENSITIVITY_LOW",
        "endOfSpeechSensitivity": "END_SENSITIVITY_LOW",
        "prefixPaddingMs": 20,
        "silenceDurationMs": 100,
    }


@pytest.mark.anyio
async def test_manual_vad(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    answer = await run("manual_vad", emu, speed=20.0)
    assert answer.strip()
    kinds = [
        next(iter(m["realtimeInput"])) for m in emu.connections[0].messages if "realtimeInput" in m
    ]
    assert kinds[0] == "activityStart"
    assert kinds[-1] == "activityEnd"
    assert set(kinds[1:-1]) == {"audio"}


@pytest.mark.anyio
async def test_token_counts(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    total = await run("token_counts", emu)
    assert total > 0
    assert f"Used {total} tokens in total." in capsys.readouterr().out


@pytest.mark.anyio
async def test_compression(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    answers = await run("compression", emu)
    assert len(answers) == 3
    assert all(a.strip() for a in answers)
    assert setup_of(emu.connections[0])["contextWindowCompression"] == {
        "triggerTokens": 25600,
        "slidingWindow": {"targetTokens": 12800},
    }


@pytest.mark.anyio
async def test_resumption(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    handle = await run("resumption", emu)
    first, second = emu.connections
    assert "handle" not in setup_of(first)["sessionResumption"]
    assert second.resumed
    assert setup_of(second)["sessionResumption"]["handle"] == handle
    assert f"Connecting to the service with handle {handle}..." in capsys.readouterr().out


@pytest.mark.anyio
async def test_goaway(capsys: pytest.CaptureFixture[str]) -> None:
    async with Emulator(lifetime=0.5, goaway_time_left=0.2) as emu:
        assert await run("goaway", emu) == ["goAway", "reconnected", "answer"]
        assert len(emu.connections) >= 2
    assert "the connection will end in 0.2 s" in capsys.readouterr().out


@pytest.mark.anyio
async def test_generation_complete(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run("generation_complete", emu) == ["generationComplete", "turnComplete"]


@pytest.mark.anyio
async def test_media_resolution(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    answer = await run("media_resolution", emu)
    assert answer.strip()
    (conn,) = emu.connections
    assert setup_of(conn)["generationConfig"]["mediaResolution"] == "MEDIA_RESOLUTION_LOW"
    (video,) = [
        m["realtimeInput"]["video"] for m in conn.messages if "video" in m.get("realtimeInput", {})
    ]
    assert video["mimeType"] == "image/jpeg"


@pytest.mark.anyio
async def test_ephemeral_token(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    answer = await run("ephemeral_token", emu, api_key="server-side-key")
    assert answer.strip()
    out = capsys.readouterr().out
    assert "minted AuthToken(name='auth_tokens/***'" in out
    (conn,) = emu.connections
    assert conn.path.endswith("v1alpha.GenerativeService.BidiGenerateContentConstrained")
    assert "server-side-key" not in out


def test_examples_run_as_scripts_with_base_url_from_argv_or_env() -> None:
    from agentkit.emulator import EmulatorThread

    with EmulatorThread() as emu:
        by_flag = subprocess.run(
            [sys.executable, str(EXAMPLES / "text.py"), "--base-url", emu.base_url],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        env = {k: v for k, v in os.environ.items() if k not in {"GEMINI_API_KEY", "GOOGLE_API_KEY"}}
        by_env = subprocess.run(
            [sys.executable, str(EXAMPLES / "connect.py")],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env={**env, "AGENTKIT_BASE_URL": emu.base_url},
        )
    assert by_flag.returncode == 0, by_flag.stderr
    assert by_flag.stdout.startswith('You said: "Hello, how are you?"')
    assert by_env.returncode == 0, by_env.stderr
    assert by_env.stdout == "Session started\n"


@pytest.mark.anyio
async def test_interruptions_ends_when_the_answer_beats_the_barge_in() -> None:
    # The whole answer arrives before the user's words: the example must still end (on the
    # turn that answers them), not wait forever for an interruption that never comes.
    from agentkit.emulator import Script, expect_text, say

    script = Script(
        [expect_text("story"), say("Once upon a time."), expect_text("joke"), say("A joke.")]
    )
    async with Emulator(script=script) as emu:
        with anyio.fail_after(20):
            assert await run("interruptions", emu) is False
