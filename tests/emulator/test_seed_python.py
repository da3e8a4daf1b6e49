"""Every Python example of the Live API guide, run by google-genai against Emulator(tls=True).

Each test keeps the guide's code as written (model, config, calls, prints); only the
client construction points at the emulator, sample files are generated, and infinite
loops are bounded. The assertions check what the example prints or receives.
"""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import anyio
import pytest
from google.genai import errors, types

from agentkit.emulator import Emulator

from .conftest import genai_client, silence, tone

pytestmark = pytest.mark.anyio

model = "gemini-2.0-flash-live-001"


async def test_connect(tls_emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    client = genai_client(tls_emu)
    config = {"response_modalities": ["TEXT"]}
    async with client.aio.live.connect(model=model, config=config) as session:
        print("Session started")
        assert session._ws is not None
    assert capsys.readouterr().out == "Session started\n"
    record = tls_emu.connections[0]
    assert (
        record.path
        == "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
    )
    assert record.credential == "key"
    assert record.setup == {
        "model": "models/gemini-2.0-flash-live-001",
        "generationConfig": {"responseModalities": ["TEXT"]},
    }


async def test_send_and_receive_text(tls_emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    client = genai_client(tls_emu)
    config = {"response_modalities": ["TEXT"]}
    async with client.aio.live.connect(model=model, config=config) as session:
        message = "Hello, how are you?"
        await session.send_client_content(
            turns={"role": "user", "parts": [{"text": message}]}, turn_complete=True
        )
        chunks = 0
        async for response in session.receive():
            if response.text is not None:
                chunks += 1
                print(response.text, end="")
    out = capsys.readouterr().out
    assert out.startswith('You said: "Hello, how are you?".')
    assert chunks > 1  # streamed in several chunks


async def test_send_audio_receive_text(
    tls_emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sample.pcm").write_bytes(tone(1.0) + silence(1.0))
    client = genai_client(tls_emu)
    config = {"response_modalities": ["TEXT"]}
    async with client.aio.live.connect(model=model, config=config) as session:
        # If already in correct format, you can use this:
        audio_bytes = Path(tmp_path / "sample.pcm").read_bytes()  # noqa: ASYNC240 - as in the guide
        await session.send_realtime_input(
            audio=types.Blob(data=audio_bytes, mime_type="audio/pcm;rate=16000")
        )
        async for response in session.receive():
            if response.text is not None:
                print(response.text)
    out = capsys.readouterr().out.replace("\n", "")
    assert "I heard 1.0 seconds of audio" in out
    assert "cannot recognise speech" in out


async def test_receive_audio_to_wav(tls_emu: Emulator, tmp_path: Path) -> None:
    client = genai_client(tls_emu)
    config = {"response_modalities": ["AUDIO"]}
    mime_types = set()
    async with client.aio.live.connect(model=model, config=config) as session:
        wf = wave.open(str(tmp_path / "audio.wav"), "wb")  # noqa: SIM115 - as in the guide
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(24000)
        message = "Hello how are you?"
        await session.send_client_content(
            turns={"role": "user", "parts": [{"text": message}]}, turn_complete=True
        )
        async for response in session.receive():
            if response.data is not None:
                wf.writeframes(response.data)
            if response.server_content.model_turn is not None:
                mime_types.add(response.server_content.model_turn.parts[0].inline_data.mime_type)
        wf.close()
    with wave.open(str(tmp_path / "audio.wav"), "rb") as check:
        assert check.getframerate() == 24000
        assert check.getnframes() > 24000  # over a second of speech
    assert mime_types == {"audio/pcm;rate=24000"}


async def test_output_transcription(tls_emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    client = genai_client(tls_emu)
    config = {"response_modalities": ["AUDIO"], "output_audio_transcription": {}}
    async with client.aio.live.connect(model=model, config=config) as session:
        message = "Hello? Gemini are you there?"
        await session.send_client_content(
            turns={"role": "user", "parts": [{"text": message}]}, turn_complete=True
        )
        async for response in session.receive():
            if response.server_content.model_turn:
                print("Model turn:", response.server_content.model_turn)
            if response.server_content.output_transcription:
                print("Transcript:", response.server_content.output_transcription.text)
    out = capsys.readouterr().out
    transcript = "".join(
        line.removeprefix("Transcript: ")
        for line in out.splitlines()
        if line.startswith("Transcript:")
    )
    assert transcript.startswith('You said: "Hello? Gemini are you there?"')
    assert out.count("Model turn:") == out.count("Transcript:") > 1


async def test_input_transcription(
    tls_emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "16000.pcm").write_bytes(silence(0.2) + tone(1.5) + silence(1.0))
    client = genai_client(tls_emu)
    config = {"response_modalities": ["TEXT"], "input_audio_transcription": {}}
    async with client.aio.live.connect(model=model, config=config) as session:
        audio_data = Path(tmp_path / "16000.pcm").read_bytes()  # noqa: ASYNC240 - as in the guide
        await session.send_realtime_input(
            audio=types.Blob(data=audio_data, mime_type="audio/pcm;rate=16000")
        )
        async for msg in session.receive():
            if msg.server_content.input_transcription:
                print("Transcript:", msg.server_content.input_transcription.text)
    out = capsys.readouterr().out
    # honest: it reports speech it cannot recognise instead of inventing words
    assert out == "Transcript: [1.5 s of speech: the offline emulator cannot transcribe audio]\n"


async def test_system_instruction(tls_emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    client = genai_client(tls_emu)
    config = {
        "system_instruction": "You are a helpful assistant and answer in a friendly tone.",
        "response_modalities": ["TEXT"],
    }
    async with client.aio.live.connect(model=model, config=config) as session:
        await session.send_client_content(turns={"parts": [{"text": "Hi"}]})
        async for response in session.receive():
            if response.text is not None:
                print(response.text, end="")
    assert tls_emu.connections[0].setup["systemInstruction"]["parts"] == [
        {"text": "You are a helpful assistant and answer in a friendly tone."}
    ]
    assert capsys.readouterr().out.startswith('You said: "Hi"')


async def test_incremental_updates(tls_emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    client = genai_client(tls_emu)
    async with client.aio.live.connect(
        model=model, config={"response_modalities": ["TEXT"]}
    ) as session:
        turns = [
            {"role": "user", "parts": [{"text": "What is the capital of France?"}]},
            {"role": "model", "parts": [{"text": "Paris"}]},
        ]
        await session.send_client_content(turns=turns, turn_complete=False)
        turns = [{"role": "user", "parts": [{"text": "What is the capital of Germany?"}]}]
        await session.send_client_content(turns=turns, turn_complete=True)
        prompt_tokens = 0
        async for response in session.receive():
            if response.text is not None:
                print(response.text, end="")
            if response.usage_metadata:
                prompt_tokens = response.usage_metadata.prompt_token_count
    out = capsys.readouterr().out
    # only the completed turn is answered; the earlier turns are context
    assert out.startswith('You said: "What is the capital of Germany?"')
    assert "France" not in out
    assert prompt_tokens > 20  # all three turns count


@pytest.mark.parametrize(
    "config",
    [
        {
            "response_modalities": ["AUDIO"],
            "speech_config": {"voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}}},
        },
        {"response_modalities": ["AUDIO"], "speech_config": {"language_code": "de-DE"}},
    ],
    ids=["voice", "language"],
)
async def test_voice_and_language(tls_emu: Emulator, config: dict[str, Any]) -> None:
    client = genai_client(tls_emu)
    audio = b""
    async with client.aio.live.connect(model=model, config=config) as session:
        await session.send_client_content(turns={"parts": [{"text": "Hello"}]})
        async for response in session.receive():
            if response.data is not None:
                audio += response.data
    assert len(audio) > 0
    assert len(audio) % 2 == 0
    speech = tls_emu.connections[0].setup["generationConfig"]["speechConfig"]
    assert speech == {k.replace("_c", "C").replace("_n", "N"): v for k, v in speech.items()}
    assert speech in (
        {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
        {"languageCode": "de-DE"},
    )


@pytest.mark.parametrize(
    "model_name",
    [
        "gemini-2.5-flash-preview-native-audio-dialog",
        "gemini-2.5-flash-exp-native-audio-thinking-dialog",
    ],
)
async def test_native_audio(tls_emu: Emulator, model_name: str) -> None:
    client = genai_client(tls_emu)
    config = types.LiveConnectConfig(response_modalities=["AUDIO"])
    audio = b""
    async with client.aio.live.connect(model=model_name, config=config) as session:
        # Send audio input and receive audio
        await session.send_realtime_input(
            audio=types.Blob(data=tone(0.6) + silence(0.8), mime_type="audio/pcm;rate=16000")
        )
        async for response in session.receive():
            if response.data is not None:
                audio += response.data
    assert len(audio) > 24000


@pytest.mark.parametrize(
    "extra",
    [{"enable_affective_dialog": True}, {"proactivity": {"proactive_audio": True}}],
    ids=["affective_dialog", "proactive_audio"],
)
async def test_v1alpha_native_audio_flags(tls_emu: Emulator, extra: dict[str, Any]) -> None:
    client = genai_client(tls_emu, api_version="v1alpha")
    config = types.LiveConnectConfig(response_modalities=["AUDIO"], **extra)
    async with client.aio.live.connect(
        model="gemini-2.5-flash-preview-native-audio-dialog", config=config
    ) as session:
        await session.send_client_content(turns={"parts": [{"text": "Hello"}]})
        async for _ in session.receive():
            pass
    record = tls_emu.connections[0]
    assert record.version == "v1alpha"
    flags = record.setup.get("proactivity") or record.setup["generationConfig"]
    assert flags.get("proactiveAudio") or flags.get("enableAffectiveDialog")

    # the same flags on v1beta are refused like the real service does
    beta = genai_client(tls_emu, api_version="v1beta")
    with pytest.raises(errors.APIError) as info:  # noqa: PT012 - connect() raises
        async with beta.aio.live.connect(
            model="gemini-2.5-flash-preview-native-audio-dialog", config=config
        ) as session:
            async for _ in session.receive():
                pass
    assert info.value.code == 1007
    assert "Unknown name" in str(info.value)


turn_on_the_lights = {"name": "turn_on_the_lights"}
turn_off_the_lights = {"name": "turn_off_the_lights"}


async def test_function_calling(tls_emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    client = genai_client(tls_emu)
    tools = [{"function_declarations": [turn_on_the_lights, turn_off_the_lights]}]
    config = {"response_modalities": ["TEXT"], "tools": tools}
    async with client.aio.live.connect(model=model, config=config) as session:
        prompt = "Turn on the lights please"
        await session.send_client_content(turns={"parts": [{"text": prompt}]})
        async for chunk in session.receive():
            if chunk.server_content:
                if chunk.text is not None:
                    print(chunk.text)
            elif chunk.tool_call:
                function_responses = []
                for fc in chunk.tool_call.function_calls:
                    print("call:", fc.name, fc.args)
                    function_response = types.FunctionResponse(
                        id=fc.id,
                        name=fc.name,
                        response={"result": "ok"},  # simple, hard-coded function response
                    )
                    function_responses.append(function_response)
                await session.send_tool_response(function_responses=function_responses)
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "call: turn_on_the_lights {}"
    assert "".join(out.splitlines()[1:]) == "Done: turn on the lights returned result ok."
    record = tls_emu.connections[0]
    assert [d["name"] for d in record.declarations] == ["turn_on_the_lights", "turn_off_the_lights"]
    assert record.responses_for("turn_on_the_lights")[0]["response"] == {"result": "ok"}


async def test_async_function_calling_with_scheduling(
    tls_emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    client = genai_client(tls_emu)
    # Non-blocking function definitions
    turn_on = {"name": "turn_on_the_lights", "behavior": "NON_BLOCKING"}
    turn_off = {"name": "turn_off_the_lights"}
    config = {
        "response_modalities": ["TEXT"],
        "tools": [{"function_declarations": [turn_on, turn_off]}],
    }
    async with client.aio.live.connect(model=model, config=config) as session:
        await session.send_client_content(turns={"parts": [{"text": "Turn on the lights please"}]})
        texts: list[str] = []
        for _ in range(3):  # the acknowledgement turn, then the turn about the result
            async for chunk in session.receive():
                if chunk.text is not None:
                    texts.append(chunk.text)
                elif chunk.tool_call:
                    fc = chunk.tool_call.function_calls[0]
                    # for a non-blocking function definition, apply scheduling
                    # in the function response:
                    function_response = types.FunctionResponse(
                        id=fc.id,
                        name=fc.name,
                        response={"result": "ok", "scheduling": "INTERRUPT"},
                    )
                    await session.send_tool_response(function_responses=[function_response])
            if "returned" in "".join(texts):
                break
    said = "".join(texts)
    assert "I've started turn on the lights." in said or "I've started" in said
    assert said.endswith("Done: turn on the lights returned result ok, scheduling INTERRUPT.")
    response = tls_emu.connections[0].tool_responses[0]
    # the guide puts scheduling inside response; the emulator's documented compat mode honours it
    assert (response["effectiveScheduling"], response["schedulingSource"]) == (
        "INTERRUPT",
        "response",
    )


async def test_code_execution(tls_emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    client = genai_client(tls_emu)
    tools = [{"code_execution": {}}]
    config = {"response_modalities": ["TEXT"], "tools": tools}
    async with client.aio.live.connect(model=model, config=config) as session:
        prompt = "Compute the largest prime palindrome under 100000."
        await session.send_client_content(turns={"parts": [{"text": prompt}]})
        async for chunk in session.receive():
            if chunk.server_content:
                if chunk.text is not None:
                    print(chunk.text)
                model_turn = chunk.server_content.model_turn
                if model_turn:
                    for part in model_turn.parts:
                        if part.executable_code is not None:
                            print(part.executable_code.code)
                        if part.code_execution_result is not None:
                            print(part.code_execution_result.output)
    out = capsys.readouterr().out
    assert "# request: Compute the largest prime palindrome under 100000." in out
    assert "offline emulator: this code was not run" in out


async def test_google_search(tls_emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    client = genai_client(tls_emu)
    tools = [{"google_search": {}}]
    config = {"response_modalities": ["TEXT"], "tools": tools}
    queries = []
    async with client.aio.live.connect(model=model, config=config) as session:
        prompt = "When did the last Brazil vs. Argentina soccer match happen?"
        await session.send_client_content(turns={"parts": [{"text": prompt}]})
        async for chunk in session.receive():
            if chunk.server_content:
                if chunk.text is not None:
                    print(chunk.text)
                if chunk.server_content.grounding_metadata:
                    queries += chunk.server_content.grounding_metadata.web_search_queries
    out = capsys.readouterr().out.replace("\n", "")
    assert "no search results" in out  # honest: offline, nothing invented
    assert queries == ["When did the last Brazil vs. Argentina soccer match happen?"]


async def test_combined_tools(tls_emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    client = genai_client(tls_emu)
    prompt = """
Hey, I need you to do three things for me.

1. Compute the largest prime palindrome under 100000.
2. Then use Google Search to look up information about the largest earthquake in California \
the week of Dec 5 2024?
3. Turn on the lights

Thanks!
"""
    tools = [
        {"google_search": {}},
        {"code_execution": {}},
        {"function_declarations": [turn_on_the_lights, turn_off_the_lights]},
    ]
    config = {"response_modalities": ["TEXT"], "tools": tools}
    calls = []
    async with client.aio.live.connect(model=model, config=config) as session:
        await session.send_client_content(turns={"parts": [{"text": prompt}]})
        async for chunk in session.receive():
            if chunk.tool_call:
                calls += [fc.name for fc in chunk.tool_call.function_calls]
                await session.send_tool_response(
                    function_responses=[
                        types.FunctionResponse(id=fc.id, name=fc.name, response={"result": "ok"})
                        for fc in chunk.tool_call.function_calls
                    ]
                )
            elif chunk.server_content and chunk.server_content.model_turn:
                for part in chunk.server_content.model_turn.parts:
                    if part.executable_code is not None:
                        print("code")
                    if part.text is not None:
                        print(part.text, end="")
    assert calls == ["turn_on_the_lights"]
    out = capsys.readouterr().out
    assert out.startswith("code\n")
    assert out.endswith("Done: turn on the lights returned result ok.")
    sent = tls_emu.connections[0].setup["tools"]
    assert [next(iter(t)) for t in sent] == [
        "googleSearch",
        "codeExecution",
        "functionDeclarations",
    ]


async def test_interruption_cancels_pending_call(tls_emu: Emulator) -> None:
    client = genai_client(tls_emu)
    config = {
        "response_modalities": ["TEXT"],
        "tools": [{"function_declarations": [turn_on_the_lights]}],
    }
    seen: list[str] = []
    async with client.aio.live.connect(model=model, config=config) as session:
        await session.send_client_content(turns={"parts": [{"text": "Turn on the lights please"}]})
        async for response in session.receive():
            if response.tool_call:
                seen.append("tool_call")
                # the user speaks again before the call is answered: barge-in
                await session.send_realtime_input(text="Actually, never mind.")
            elif response.tool_call_cancellation:
                seen.append("cancel:" + ",".join(response.tool_call_cancellation.ids))
            elif response.server_content.interrupted is True:
                # The generation was interrupted
                seen.append("interrupted")
            elif response.server_content.turn_complete:
                seen.append("turn_complete")
    call_id = tls_emu.connections[0].function_calls[0]["id"]
    assert seen == ["tool_call", "interrupted", f"cancel:{call_id}", "turn_complete"]


async def test_automatic_vad_settings(
    tls_emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    client = genai_client(tls_emu)
    config = {
        "response_modalities": ["TEXT"],
        "realtime_input_config": {
            "automatic_activity_detection": {
                "disabled": False,  # default
                "start_of_speech_sensitivity": types.StartSensitivity.START_SENSITIVITY_LOW,
                "end_of_speech_sensitivity": types.EndSensitivity.END_SENSITIVITY_LOW,
                "prefix_padding_ms": 20,
                "silence_duration_ms": 100,
            }
        },
    }
    async with client.aio.live.connect(model=model, config=config) as session:
        # a 50 ms gap is shorter than silence_duration_ms=100: still one utterance
        first = tone(0.5) + silence(0.05) + tone(0.5) + silence(0.3)
        for audio in (first, tone(0.8) + silence(0.3)):
            await session.send_realtime_input(
                audio=types.Blob(data=audio, mime_type="audio/pcm;rate=16000")
            )
            async for response in session.receive():
                if response.text is not None:
                    print(response.text, end="")
            print()
    lines = capsys.readouterr().out.splitlines()
    assert 1.0 <= float(lines[0].split()[2]) <= 1.1  # one utterance, not two
    assert lines[1].startswith("I heard 0.8 seconds of audio")
    aad = tls_emu.connections[0].setup["realtimeInputConfig"]["automaticActivityDetection"]
    assert aad["silenceDurationMs"] == 100
    assert aad["startOfSpeechSensitivity"] == "START_SENSITIVITY_LOW"


async def test_disabled_vad(tls_emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    client = genai_client(tls_emu)
    config = {
        "response_modalities": ["TEXT"],
        "realtime_input_config": {"automatic_activity_detection": {"disabled": True}},
    }
    audio_bytes = tone(1.25)  # no trailing silence: only activity_end ends the turn
    async with client.aio.live.connect(model=model, config=config) as session:
        await session.send_realtime_input(activity_start=types.ActivityStart())
        await session.send_realtime_input(
            audio=types.Blob(data=audio_bytes, mime_type="audio/pcm;rate=16000")
        )
        await session.send_realtime_input(activity_end=types.ActivityEnd())
        async for response in session.receive():
            if response.text is not None:
                print(response.text, end="")
    assert capsys.readouterr().out.startswith("I heard 1.2 seconds of audio")


async def test_token_count(tls_emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    client = genai_client(tls_emu)
    async with client.aio.live.connect(
        model=model, config={"response_modalities": ["AUDIO"]}
    ) as session:
        await session.send_client_content(turns={"parts": [{"text": "Hello how are you?"}]})
        async for message in session.receive():
            # The server will periodically send messages that include UsageMetadata.
            if message.usage_metadata:
                usage = message.usage_metadata
                print(f"Used {usage.total_token_count} tokens in total. Response token breakdown:")
                for detail in usage.response_tokens_details:
                    match detail:
                        case types.ModalityTokenCount(modality=modality, token_count=count):
                            print(f"{modality}: {count}")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    total = int(lines[0].split()[1])
    modality, count = lines[1].split(": ")
    assert modality.endswith("AUDIO")
    assert 0 < int(count) < total


async def test_context_window_compression(tls_emu: Emulator) -> None:
    client = genai_client(tls_emu)
    config = {
        "response_modalities": ["AUDIO"],
        "context_window_compression": (
            # Configures compression with default parameters.
            types.ContextWindowCompressionConfig(sliding_window=types.SlidingWindow())
        ),
    }
    async with client.aio.live.connect(model=model, config=config) as session:
        await session.send_client_content(turns={"parts": [{"text": "Hello"}]})
        async for _ in session.receive():
            pass
    assert tls_emu.connections[0].setup["contextWindowCompression"] == {"slidingWindow": {}}


async def test_session_resumption(tls_emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    client = genai_client(tls_emu)
    handles: list[str | None] = [None]
    prompt_tokens: list[int] = []
    for _ in range(2):
        previous_session_handle = handles[-1]
        print(f"Connecting to the service with handle {previous_session_handle}...")
        async with client.aio.live.connect(
            model=model,
            config=types.LiveConnectConfig(
                response_modalities=["AUDIO"],
                session_resumption=types.SessionResumptionConfig(handle=previous_session_handle),
            ),
        ) as session:
            await session.send_client_content(
                turns=types.Content(role="user", parts=[types.Part(text="Hello world!")])
            )
            async for message in session.receive():
                if message.usage_metadata:
                    prompt_tokens.append(message.usage_metadata.prompt_token_count)
                if message.session_resumption_update:
                    update = message.session_resumption_update
                    if update.resumable and update.new_handle:
                        handles.append(update.new_handle)
    first, second = tls_emu.connections
    assert not first.resumed
    assert second.resumed
    assert second.setup["sessionResumption"] == {"handle": handles[1]}
    # the resumed session still holds the first conversation
    assert prompt_tokens[1] > prompt_tokens[0]
    assert (
        capsys.readouterr().out.splitlines()[1].startswith("Connecting to the service with handle ")
    )


async def test_go_away() -> None:
    async with Emulator(tls=True, lifetime=0.6, goaway_time_left=0.3) as emu:
        client = genai_client(emu)
        time_left = None
        async with client.aio.live.connect(
            model=model, config={"response_modalities": ["TEXT"]}
        ) as session:
            with pytest.raises(errors.APIError) as info:  # noqa: PT012 - the loop raises
                async for response in session.receive():
                    if response.go_away is not None:
                        # The connection will soon be terminated
                        time_left = response.go_away.time_left
        assert time_left == "0.3s"
        assert info.value.code == 1008
        assert emu.connections[0].close_reason == "The operation was aborted."


async def test_generation_complete(tls_emu: Emulator) -> None:
    client = genai_client(tls_emu)
    order = []
    async with client.aio.live.connect(
        model=model, config={"response_modalities": ["TEXT"]}
    ) as session:
        await session.send_client_content(turns={"parts": [{"text": "Hello"}]})
        async for response in session.receive():
            if response.server_content.generation_complete is True:
                # The generation is complete
                order.append("generation_complete")
            elif response.server_content.turn_complete:
                order.append("turn_complete")
            elif response.text:
                order.append("text")
    assert order[-2:] == ["generation_complete", "turn_complete"]
    assert set(order[:-2]) == {"text"}


async def test_media_resolution(tls_emu: Emulator) -> None:
    client = genai_client(tls_emu)
    config = {
        "response_modalities": ["AUDIO"],
        "media_resolution": types.MediaResolution.MEDIA_RESOLUTION_LOW,
    }
    async with client.aio.live.connect(model=model, config=config) as session:
        await session.send_realtime_input(
            video=types.Blob(data=b"\xff\xd8\xff\xe0", mime_type="image/jpeg")
        )
        await session.send_client_content(turns={"parts": [{"text": "What do you see?"}]})
        async for _ in session.receive():
            pass
    record = tls_emu.connections[0]
    assert record.setup["generationConfig"]["mediaResolution"] == "MEDIA_RESOLUTION_LOW"
    video = record.messages[0]["realtimeInput"]["video"]
    assert video["data"] == "_9j_4A=="  # URL-safe base64 from the Python SDK, decoded fine


async def test_two_clients_at_once(tls_emu: Emulator) -> None:
    client = genai_client(tls_emu)
    replies: dict[str, str] = {}

    async def converse(text: str) -> None:
        async with client.aio.live.connect(
            model=model, config={"response_modalities": ["TEXT"]}
        ) as session:
            await session.send_client_content(turns={"parts": [{"text": text}]})
            replies[text] = "".join([r.text async for r in session.receive() if r.text])

    async with anyio.create_task_group() as tg:
        tg.start_soon(converse, "first client")
        tg.start_soon(converse, "second client")
    assert replies["first client"].startswith('You said: "first client"')
    assert replies["second client"].startswith('You said: "second client"')
    assert len(tls_emu.connections) == 2


async def test_sdk_default_base_url_shape_and_version(tls_emu: Emulator) -> None:
    """A base URL ending in '/' and no api_version: google-genai asks for //ws/...v1..."""
    import ssl

    from google import genai

    ctx = ssl.create_default_context(cafile=str(tls_emu.ca_file))
    client = genai.Client(
        api_key="test-key",
        http_options=types.HttpOptions(
            base_url=tls_emu.http_base_url + "/", async_client_args={"ssl": ctx}
        ),
    )
    async with client.aio.live.connect(model=model, config={"response_modalities": ["TEXT"]}) as s:
        await s.send_client_content(turns={"parts": [{"text": "hi"}]})
        assert "".join([m.text async for m in s.receive() if m.text]).startswith('You said: "hi"')
    record = tls_emu.connections[0]
    assert (
        record.path == "//ws/google.ai.generativelanguage.v1.GenerativeService.BidiGenerateContent"
    )
    assert record.version == "v1"
