"""Benchmark: agentkit's live session against a bare loop and google-genai, over loopback.

Run: ``.venv/bin/python bench/session.py [--quick]``. Prints figures and ratios; < 60 s.

1. Tool-call round trip. A raw websockets server (TLS, because google-genai insists on it)
   sends ``toolCall`` and times how long the ``toolResponse`` takes to come back. The
   clients answer, interleaved round by round in one process against the same server:
   a bare websockets+json loop (the floor), agentkit (automatic dispatch of an async
   ``@tool`` with no await, which the dispatcher runs eagerly on the reader's task),
   agentkit with a tool that awaits (so the call gets its own task and cancel scope),
   agentkit answering by hand (``auto_dispatch=False``), and google-genai's session with
   a hand-written loop. The server measures, so every client is timed by the same clock
   at the same points. The server shares the clients' event loop, so what a client does
   after writing its reply (events for the user, bookkeeping) counts as well.
   Targets: agentkit <= 1.3x the bare loop and faster than google-genai.
2. Server-message decode rate: ``agentkit.protocol.decode_server`` vs what google-genai
   does per frame (``json.loads`` + its converter + ``LiveServerMessage._from_response``),
   on the same frames. Target: agentkit >= 2x google-genai.
3. Real-time audio capacity: the cost of encoding and sending one 20 ms chunk of 16 kHz
   PCM, with a draining server in another process, turned into how many real-time streams
   one core could carry (20 ms / cost per chunk). "encode (models)" builds the pydantic
   models and encodes them; "encode (hot)" is ``ClientProtocol.send_audio``, the path
   ``session.send_audio`` takes (the same frame, written without models, plus the
   protocol's bookkeeping).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime
import ipaddress
import json
import multiprocessing
import os
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio.lowlevel
from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.version import version as websockets_version

import agentkit
from agentkit import audio, events
from agentkit.protocol import ClientProtocol, Setup, build, decode_server, encode

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"]}
SETUP = {
    "setup": {"model": f"models/{MODEL}", "generationConfig": {"responseModalities": ["TEXT"]}}
}


# -- TLS for loopback --------------------------------------------------------------------


def mint_tls(directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context) for a self-signed 127.0.0.1 certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


# -- 1. round trip -----------------------------------------------------------------------


class RoundTripServer:
    """Per connection: setupComplete, then ``calls`` toolCall -> toolResponse rounds."""

    def __init__(self, calls: int) -> None:
        self.calls = calls
        self.samples: list[float] = []

    async def handler(self, ws: ServerConnection) -> None:
        await ws.recv()  # setup
        await ws.send(b'{"setupComplete":{}}')
        for i in range(self.calls):
            frame = json.dumps(
                {"toolCall": {"functionCalls": [{"id": f"c{i}", "name": "ping", "args": {"i": i}}]}}
            ).encode()
            start = time.perf_counter()
            await ws.send(frame)
            reply = json.loads(await ws.recv())
            self.samples.append(time.perf_counter() - start)
            body = reply.get("toolResponse") or reply.get("tool_response")
            responses = body.get("functionResponses") or body.get("function_responses")
            assert responses[0]["id"] == f"c{i}", reply
        await ws.send(b'{"serverContent":{"turnComplete":true}}')
        await ws.wait_closed()


async def bare_client(url: str, ctx: ssl.SSLContext) -> None:
    async with ws_connect(url, ssl=ctx, max_size=None) as ws:
        await ws.send(json.dumps(SETUP))
        await ws.recv()
        while True:
            msg = json.loads(await ws.recv())
            if "toolCall" in msg:
                replies = [
                    {"id": c["id"], "name": c["name"], "response": {"result": c["args"]["i"]}}
                    for c in msg["toolCall"]["functionCalls"]
                ]
                await ws.send(json.dumps({"toolResponse": {"functionResponses": replies}}))
            elif msg.get("serverContent", {}).get("turnComplete"):
                return


@agentkit.tool
async def ping(i: int) -> dict[str, int]:
    """Answer a ping with its number (no await: the dispatcher runs it eagerly)."""
    return {"result": i}


@agentkit.tool(name="ping")
async def ping_awaiting(i: int) -> dict[str, int]:
    """The same answer after an await that never waits: the call gets its own task."""
    await anyio.lowlevel.checkpoint_if_cancelled()
    return {"result": i}


def agentkit_client_with(tool: agentkit.Tool) -> Callable[[str, ssl.SSLContext], Awaitable[None]]:
    async def run(url: str, ctx: ssl.SSLContext) -> None:
        async with agentkit.connect(
            MODEL, tools=[tool], config=CONFIG, base_url=url, ssl=ctx, resume=False
        ) as session:
            async for event in session:
                if isinstance(event, events.TurnComplete):
                    return

    return run


async def agentkit_manual_client(url: str, ctx: ssl.SSLContext) -> None:
    """agentkit without its dispatcher: separates session cost from dispatch cost."""
    tools = [{"function_declarations": [ping.declaration]}]
    async with agentkit.connect(
        MODEL,
        config={**CONFIG, "tools": tools},
        base_url=url,
        ssl=ctx,
        resume=False,
        auto_dispatch=False,
    ) as session:
        async for event in session:
            if isinstance(event, events.ToolCall):
                await session.send_tool_response(
                    [
                        {"id": c.id, "name": c.name, "response": {"result": (c.args or {})["i"]}}
                        for c in event.calls
                    ]
                )
            elif isinstance(event, events.TurnComplete):
                return


def genai_client_factory(
    port: int, ca_file: str
) -> Callable[[str, ssl.SSLContext], Awaitable[None]]:
    from google import genai
    from google.genai import types

    client = genai.Client(
        api_key="bench-key",
        http_options=types.HttpOptions(
            base_url=f"https://127.0.0.1:{port}",
            api_version="v1beta",
            async_client_args={"ssl": ssl.create_default_context(cafile=ca_file)},
        ),
    )

    async def run(url: str, ctx: ssl.SSLContext) -> None:
        async with client.aio.live.connect(model=MODEL, config=CONFIG) as session:  # type: ignore[arg-type]
            while True:
                async for msg in session.receive():
                    if msg.tool_call:
                        await session.send_tool_response(
                            function_responses=[
                                types.FunctionResponse(
                                    id=fc.id,
                                    name=fc.name,
                                    response={"result": (fc.args or {})["i"]},
                                )
                                for fc in msg.tool_call.function_calls or []
                            ]
                        )
                    elif msg.server_content and msg.server_content.turn_complete:
                        return

    return run


async def bench_round_trip(rounds: int, calls: int, tmp: Path) -> dict[str, list[float]]:
    server_ctx, client_ctx = mint_tls(tmp)
    state = RoundTripServer(calls)
    async with serve(state.handler, "127.0.0.1", 0, ssl=server_ctx, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        url = f"wss://127.0.0.1:{port}"
        clients: dict[str, Callable[[str, ssl.SSLContext], Awaitable[None]]] = {
            "bare websockets+json": bare_client,
            "agentkit": agentkit_client_with(ping),
            "agentkit, tool awaits": agentkit_client_with(ping_awaiting),
            "agentkit, no dispatcher": agentkit_manual_client,
            "google-genai": genai_client_factory(port, str(tmp / "cert.pem")),
        }
        results: dict[str, list[float]] = {name: [] for name in clients}
        for client in clients.values():  # warm-up: imports, first connections, caches
            await client(url, client_ctx)
        for _ in range(rounds):
            for name, client in clients.items():
                state.samples = []
                await client(url, client_ctx)
                results[name].extend(state.samples)
        return results


# -- 2. decode ---------------------------------------------------------------------------


def sample_frames() -> dict[str, bytes]:
    chunk = base64.b64encode(audio.tone(220, 0.04, 24000)).decode()  # 40 ms of output audio
    frames: dict[str, Any] = {
        "text chunk": {
            "serverContent": {
                "modelTurn": {"parts": [{"text": "Sure, turning on the kitchen light now."}]}
            }
        },
        "audio chunk": {
            "serverContent": {
                "modelTurn": {
                    "parts": [{"inlineData": {"mimeType": "audio/pcm;rate=24000", "data": chunk}}]
                }
            }
        },
        "transcription": {"serverContent": {"outputTranscription": {"text": "Sure, turning"}}},
        "tool call": {
            "toolCall": {
                "functionCalls": [
                    {
                        "id": "function-call-1",
                        "name": "set_light",
                        "args": {"room": "kitchen", "level": 80},
                    },
                    {"id": "function-call-2", "name": "set_thermostat", "args": {"celsius": 21}},
                ]
            }
        },
        "turn complete + usage": {
            "serverContent": {"turnComplete": True},
            "usageMetadata": {
                "promptTokenCount": 312,
                "responseTokenCount": 42,
                "totalTokenCount": 354,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 312}],
                "responseTokensDetails": [{"modality": "AUDIO", "tokenCount": 42}],
            },
        },
        "resumption update": {
            "sessionResumptionUpdate": {"newHandle": "Cj8KBmhhbmRsZRI", "resumable": True}
        },
        "go away": {"goAway": {"timeLeft": "10s"}},
    }
    return {name: json.dumps(frame).encode() for name, frame in frames.items()}


def rate(fn: Callable[[bytes], object], frame: bytes, seconds: float) -> float:
    """Calls per second of fn(frame), measured for about ``seconds``."""
    n, batch, start = 0, 200, time.perf_counter()
    while True:
        for _ in range(batch):
            fn(frame)
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def bench_decode(seconds: float) -> list[tuple[str, float, float]]:
    from google.genai import _live_converters as conv
    from google.genai import types

    def genai_decode(frame: bytes) -> object:
        response = json.loads(frame)
        return types.LiveServerMessage._from_response(
            response=conv._LiveServerMessage_from_mldev(response), kwargs={}
        )

    rows = []
    for name, frame in sample_frames().items():
        ours, theirs = decode_server(frame), genai_decode(frame)
        assert ours is not None
        assert theirs is not None
        rows.append((name, rate(decode_server, frame, seconds), rate(genai_decode, frame, seconds)))
    return rows


# -- 3. audio streams --------------------------------------------------------------------


def _drain_server(conn: Any) -> None:
    async def handler(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.send(b'{"setupComplete":{}}')
        count = 0
        async for _ in ws:
            count += 1
        await asyncio.sleep(0)

    async def main() -> None:
        async with serve(handler, "127.0.0.1", 0, max_size=None, compression=None) as server:
            conn.send(server.sockets[0].getsockname()[1])
            await asyncio.get_running_loop().create_future()  # until terminated

    asyncio.run(main())


async def bench_audio(chunks: int, port: int) -> dict[str, float]:
    """Seconds of client work per 20 ms chunk: encode only, and encode + send."""
    pcm = audio.speech_like(0.02, 16000)
    mime = "audio/pcm;rate=16000"
    costs: dict[str, float] = {}

    start = time.perf_counter()
    for _ in range(chunks):
        encode(build.audio(pcm, 16000))
    costs["agentkit encode (models)"] = (time.perf_counter() - start) / chunks

    protocol = ClientProtocol(Setup(model=f"models/{MODEL}"))
    protocol.setup_frame()
    protocol.receive(b'{"setupComplete":{}}')
    start = time.perf_counter()
    for _ in range(chunks):
        protocol.send_audio(pcm, 16000)  # what send_audio uses: the same frame, no models
    costs["agentkit encode (hot)"] = (time.perf_counter() - start) / chunks

    start = time.perf_counter()
    for _ in range(chunks):
        json.dumps(
            {"realtimeInput": {"audio": {"data": base64.b64encode(pcm).decode(), "mimeType": mime}}}
        )
    costs["bare json encode"] = (time.perf_counter() - start) / chunks

    url = f"ws://127.0.0.1:{port}"
    async with agentkit.connect(MODEL, config=CONFIG, base_url=url, resume=False) as session:
        start = time.perf_counter()
        for _ in range(chunks):
            await session.send_audio(pcm, rate=16000)
        costs["agentkit send_audio"] = (time.perf_counter() - start) / chunks

    async with ws_connect(url, max_size=None) as ws:
        await ws.send(json.dumps(SETUP))
        await ws.recv()
        start = time.perf_counter()
        for _ in range(chunks):
            data = base64.b64encode(pcm).decode()
            await ws.send(
                json.dumps({"realtimeInput": {"audio": {"data": data, "mimeType": mime}}})
            )
        costs["bare websockets send"] = (time.perf_counter() - start) / chunks
    return costs


# -- report ------------------------------------------------------------------------------


def _ms(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100)[int(q) - 1] * 1000
        if len(values) > 1
        else values[0] * 1000
    )


async def run(quick: bool) -> None:
    rounds, calls = (3, 50) if quick else (8, 100)
    decode_seconds = 0.15 if quick else 0.5
    chunks = 1000 if quick else 5000
    versions = f"websockets {websockets_version}, agentkit {agentkit.__version__}"
    print(f"python {sys.version.split()[0]}, {versions}")

    with tempfile.TemporaryDirectory() as tmp:
        results = await bench_round_trip(rounds, calls, Path(tmp))
    print(
        f"\n1. tool-call round trip over TLS loopback ({rounds} interleaved rounds x {calls} calls)"
    )
    print(f"   {'client':<24}{'median ms':>10}{'p90 ms':>9}{'vs bare':>9}")
    base = statistics.median(results["bare websockets+json"])
    for name, values in results.items():
        med = statistics.median(values)
        print(f"   {name:<24}{med * 1000:>10.3f}{_ms(values, 90):>9.3f}{med / base:>8.2f}x")
    ak, gg = statistics.median(results["agentkit"]), statistics.median(results["google-genai"])
    print(f"   agentkit / bare = {ak / base:.2f}x (target <= 1.3x)")
    print(f"   google-genai / agentkit = {gg / ak:.2f}x (target > 1x)")

    rows = bench_decode(decode_seconds)
    print("\n2. server-message decode rate (frames/s)")
    print(f"   {'frame':<24}{'agentkit':>12}{'google-genai':>14}{'ratio':>8}")
    for name, ours, theirs in rows:
        print(f"   {name:<24}{ours:>12,.0f}{theirs:>14,.0f}{ours / theirs:>7.2f}x")
    geo = statistics.geometric_mean([o / t for _, o, t in rows])
    print(f"   geometric mean ratio: {geo:.2f}x (target >= 2x)")

    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("spawn").Process(
        target=_drain_server, args=(child,), daemon=True
    )
    proc.start()
    try:
        port = parent.recv()
        costs = await bench_audio(chunks, port)
    finally:
        proc.terminate()
        proc.join()
    print(f"\n3. real-time 16 kHz audio: client cost per 20 ms chunk ({chunks} chunks)")
    for name, cost in costs.items():
        print(f"   {name:<24}{cost * 1e6:>9.1f} us  -> {0.020 / cost:>8,.0f} streams per core")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    args = parser.parse_args(argv)
    os.environ.pop("GEMINI_API_KEY", None)  # loopback only: never send a real key anywhere
    os.environ.pop("GOOGLE_API_KEY", None)
    asyncio.run(run(args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
