"""``agentkit chat``: an interactive session with every plugin's tools.

Text in from stdin (one line a turn), or a WAV file as the first turn; text or audio out.
Without a key and without ``--base-url`` it runs against an in-process emulator.
"""

from __future__ import annotations

import sys
from contextlib import AsyncExitStack
from typing import Any, TextIO

import anyio

from . import events as ev
from ._console import Console

__all__ = ["chat"]

_DRAIN_SECONDS = 60.0
_QUIT = {"/quit", "/exit", "quit", "exit"}


async def chat(
    *,
    model: str,
    base_url: str | None = None,
    api_version: str = "v1beta",
    plugins: bool | list[str] = True,
    system: str | None = None,
    audio_in: str | None = None,
    audio_out: str | None = None,
    text_only: bool = False,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
) -> None:
    """Run an interactive session until end of input or ``/quit``.

    Answers come as audio (written to ``audio_out`` if given) and are shown as their
    transcript; ``text_only`` asks for TEXT answers instead (half-cascade models).
    """
    from . import audio
    from .session import connect
    from .session._options import resolve_key

    stdin = stdin or sys.stdin
    out = out or sys.stdout
    # AUDIO with a transcript by default: native-audio models answer only in audio.
    audio_answers = not text_only or audio_out is not None
    config: dict[str, Any] = {"response_modalities": ["AUDIO" if audio_answers else "TEXT"]}
    if audio_answers:
        config["output_audio_transcription"] = {}
    if audio_in:
        config["input_audio_transcription"] = {}
    if system:
        config["system_instruction"] = system

    async with AsyncExitStack() as stack:
        if base_url is None and resolve_key(None) is None:
            from .emulator import Emulator

            emulator = await stack.enter_async_context(Emulator())
            base_url = emulator.base_url
            out.write(f"(no GEMINI_API_KEY: using the local emulator at {base_url})\n")
        writer = stack.enter_context(audio.WavWriter(audio_out)) if audio_out else None
        session = await stack.enter_async_context(
            connect(
                model, config=config, base_url=base_url, api_version=api_version, plugins=plugins
            )
        )
        console = Console(out, session.calls)
        turn_done = anyio.Event()

        async def show_events() -> None:
            nonlocal turn_done
            async for event in session:
                console.show(event)
                if isinstance(event, ev.Audio) and writer is not None:
                    writer.write(event.data)
                if isinstance(event, ev.TurnComplete):
                    turn_done.set()

        async def take_turn(send: Any) -> None:
            nonlocal turn_done
            turn_done = anyio.Event()
            await send()
            await turn_done.wait()

        async with anyio.create_task_group() as tg:
            tg.start_soon(show_events)
            if audio_in:
                pcm = await audio.ato_pcm16(audio_in)
                console.user(f"[audio: {audio_in}, {len(pcm) / 32000:.1f} s]")

                async def send_audio() -> None:
                    async for chunk in audio.paced_chunks(pcm, audio.INPUT_RATE, 100):
                        await session.send_audio(chunk, rate=audio.INPUT_RATE)
                    await session.audio_stream_end()

                await take_turn(send_audio)
            while True:
                out.write("you  › ")
                out.flush()
                line = await anyio.to_thread.run_sync(stdin.readline, abandon_on_cancel=True)
                if not line or line.strip() in _QUIT:
                    break
                text = line.strip()
                if not stdin.isatty():
                    out.write(text + "\n")  # show piped input as if typed
                if text:
                    await take_turn(lambda text=text: session.send_text(text))
            # End of input: let NON_BLOCKING calls (a timer, say) answer before leaving.
            with anyio.move_on_after(_DRAIN_SECONDS):
                while session.calls.running():
                    turn_done = anyio.Event()
                    await turn_done.wait()
            tg.cancel_scope.cancel()
    if audio_out:
        out.write(f"(audio written to {audio_out})\n")
