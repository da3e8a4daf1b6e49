"""What the model sends back: streamed text or audio, the turn's end and its usage."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import anyio

from ._model import synth_audio
from ._wire import b64encode, parse_int64

if TYPE_CHECKING:
    from ._connection import Connection

__all__ = ["send_turn_complete", "stream_reply"]


async def stream_reply(
    conn: Connection,
    text: str,
    *,
    chunks: int | None = None,
    generation_complete: bool = True,
    turn_complete: bool = True,
) -> None:
    """Stream text (or audio + transcription) in chunks, then the completion flags."""
    assert conn.info is not None
    assert conn.state is not None
    pieces = conn.model.chunks(text)
    if chunks:
        words = text.split(" ")
        size = max(1, math.ceil(len(words) / chunks))
        pieces = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
        pieces = [p + (" " if i < len(pieces) - 1 else "") for i, p in enumerate(pieces)]
    spoken = conn.state.history
    entry: dict[str, Any] = {"role": "model", "parts": [{"text": ""}]}
    spoken.append(entry)
    transcribe = "outputAudioTranscription" in conn.info.setup
    for i, piece in enumerate(pieces):
        if i and conn.emu.chunk_interval:
            await anyio.sleep(conn.emu.chunk_interval)
        if conn.info.modality == "AUDIO":
            pcm = synth_audio(piece)
            await conn.send(
                {
                    "serverContent": {
                        "modelTurn": {
                            "parts": [
                                {
                                    "inlineData": {
                                        "mimeType": "audio/pcm;rate=24000",
                                        "data": b64encode(pcm),
                                    }
                                }
                            ]
                        }
                    }
                }
            )
            conn.response_tokens += math.ceil(len(pcm) / 48_000 * 25)
            if transcribe:
                await conn.send({"serverContent": {"outputTranscription": {"text": piece}}})
        else:
            await conn.send({"serverContent": {"modelTurn": {"parts": [{"text": piece}]}}})
            conn.response_tokens += math.ceil(len(piece) / 4)
        entry["parts"][0]["text"] += piece
    if generation_complete:
        await conn.send({"serverContent": {"generationComplete": True}})
    if turn_complete:
        await send_turn_complete(conn)


async def send_turn_complete(conn: Connection) -> None:
    """``turnComplete`` with ``usageMetadata``, then a resumption update if configured."""
    assert conn.info is not None
    assert conn.state is not None
    _compress(conn)
    prompt = conn.state.tokens()
    response, conn.response_tokens = conn.response_tokens, 0
    modality = conn.info.modality
    await conn.send(
        {
            "serverContent": {"turnComplete": True},
            "usageMetadata": {
                "promptTokenCount": prompt,
                "responseTokenCount": response,
                "totalTokenCount": prompt + response,
                "promptTokensDetails": [
                    {"modality": m, "tokenCount": n}
                    for m, n in conn.state.tokens_by_modality().items()
                ],
                "responseTokensDetails": [{"modality": modality, "tokenCount": response}],
            },
        }
    )
    if "sessionResumption" in conn.info.setup:
        await conn.resumption_update()


def _compress(conn: Connection) -> None:
    assert conn.info is not None
    assert conn.state is not None
    cfg = conn.info.setup.get("contextWindowCompression")
    if not isinstance(cfg, dict):
        return
    trigger = parse_int64(cfg.get("triggerTokens")) or int(conn.info.model.context_window * 0.8)
    window = cfg.get("slidingWindow") or {}
    target = parse_int64(window.get("targetTokens")) or trigger // 2
    if conn.state.compress(trigger, target):
        conn.record.notes.append(f"compressed context to {conn.state.tokens()} tokens")
