"""One client connection: handshake, setup, the conversation engine, faults, lifetime."""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio
from anyio.abc import TaskGroup
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from ._faults import Faults
from ._handshake import admit
from ._lifetime import watch_lifetime
from ._model import synth_audio
from ._records import ConnectionRecord
from ._script import Script
from ._script_runner import run_script
from ._session_state import PendingCall, SessionState
from ._setup import SetupInfo, validate_setup
from ._vad import Vad, pcm_rate
from ._wire import (
    INVALID_ARGUMENT,
    SetupRefused,
    b64decode,
    b64encode,
    dumps,
    normalise,
    parse_int64,
    parse_route,
    truncate_reason,
)

if TYPE_CHECKING:
    from ._server import Emulator

__all__ = ["Connection"]

logger = logging.getLogger("agentkit.emulator")

_CLIENT_ONEOF = ("clientContent", "realtimeInput", "toolResponse", "contextUpdate", "setup")
_COMPUTE = re.compile(r"\b(compute|calculate|run code|execute|what is \d)", re.I)


class Connection:
    """Serve one WebSocket until it closes."""

    def __init__(
        self,
        emu: Emulator,
        ws: ServerConnection,
        record: ConnectionRecord,
        faults: Faults,
        script: Script | None,
    ) -> None:
        self.emu = emu
        self.ws = ws
        self.record = record
        self.faults = faults
        self.script = script
        self.model = emu.model
        self.info: SetupInfo | None = None
        self.state: SessionState | None = None
        self._tg: TaskGroup | None = None
        self._lock = anyio.Lock()
        self._frames = 0
        self._malformed_sent = False
        self._gen: anyio.CancelScope | None = None
        self._queued: list[dict[str, Any]] = []
        self._idle: list[dict[str, Any]] = []
        self._done: dict[str, anyio.Event] = {}
        self._vad: Vad | None = None
        self._manual_audio: float | None = None
        self._inbox_send, self.inbox = anyio.create_memory_object_stream[dict[str, Any]](math.inf)
        self._response_tokens = 0

    # --- lifecycle -----------------------------------------------------------------------
    async def run(self) -> None:
        """Serve the connection; whatever happens, record how it closed."""
        try:
            await self._serve()
        except SetupRefused as exc:
            await self.close(exc.code, exc.reason)
        except ConnectionClosed:
            pass
        except Exception as exc:  # an emulator bug must not take other connections down
            logger.exception("emulator connection %d failed", self.record.index)
            self.record.notes.append(f"internal error: {exc!r}")
            with anyio.CancelScope(shield=True):
                await self.close(1011, "Internal error encountered.")
        finally:
            if self.state is not None:
                self.state.live = False
                self.state.ended_at = time.monotonic()
            self._inbox_send.close()
            if self.record.close_code is None:
                frame = self.ws.protocol.close_sent or self.ws.protocol.close_rcvd
                self.record.close_code = frame.code if frame else 1006
                self.record.close_reason = frame.reason if frame else ""
            self.record.closed.set()

    def done_event(self, call_id: str) -> anyio.Event:
        """Set once call ``call_id`` has its final response."""
        return self._done.setdefault(call_id, anyio.Event())

    async def close(self, code: int, reason: str = "") -> None:
        """Close with a code and a reason cut to 123 bytes."""
        reason = truncate_reason(reason)
        if self.record.close_code is None:
            self.record.close_code, self.record.close_reason = code, reason
        await self.ws.close(code, reason)

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        if self.record.close_code is None:
            self.record.close_code, self.record.close_reason = 1006, ""
        self.ws.transport.abort()

    async def send(self, message: dict[str, Any]) -> None:
        """Send one server message (binary frame unless ``text_frames``), applying faults."""
        async with self._lock:
            if self.faults.delay:
                await anyio.sleep(self.faults.delay)
            data = dumps(message)
            await self.ws.send(data if self.emu.text_frames else data.encode())
            self.record.sent.append(message)
            self._frames += 1
            bad_at = self.faults.malformed_after_frames
            if bad_at is not None and self._frames >= bad_at and not self._malformed_sent:
                self._malformed_sent = True
                await self.ws.send(b'{"serverContent": {"modelTurn": ')
            drop_at = self.faults.drop_after_frames
            if drop_at is not None and self._frames >= drop_at:
                self.abort()
                raise ConnectionClosed(None, None)

    # --- handshake -------------------------------------------------------------------------
    async def _serve(self) -> None:
        request = self.ws.request
        assert request is not None
        route = parse_route(request.path)
        assert route is not None
        self.record.version, self.record.method = route.version, route.method
        self.record.user_agent = request.headers.get("user-agent")
        setup_raw, credential, handle = admit(
            self.emu, route, request.headers, await self.ws.recv(), self.faults
        )
        self.record.credential = credential
        info = validate_setup(
            setup_raw, version=route.version, strict=self.emu.strict, models=self.emu.models
        )
        self.info = info
        self.record.setup = info.setup
        self.state = self._session(info, handle)
        aad = (info.setup.get("realtimeInputConfig") or {}).get("automaticActivityDetection")
        if not (aad or {}).get("disabled"):
            self._vad = Vad(aad)
        await self.send({"setupComplete": {}})
        if "sessionResumption" in info.setup:
            await self.resumption_update()
        async with anyio.create_task_group() as tg:
            self._tg = tg
            tg.start_soon(self._guard, lambda: watch_lifetime(self))
            if self.faults.drop_after_seconds is not None:
                tg.start_soon(self._guard, self._drop_later)
            if self.script is not None:
                tg.start_soon(self._guard, lambda: run_script(self))
            elif any(p.blocking for p in self.state.pending.values()):
                self._start(self._finish_blocking)
            await self._guard(self._read)
            tg.cancel_scope.cancel()

    async def _guard(self, fn: Callable[[], Awaitable[None]]) -> None:
        """Run one of the connection's tasks; a closed socket just ends it."""
        try:
            await fn()
        except ConnectionClosed:
            pass
        except SetupRefused as exc:
            await self.close(exc.code, exc.reason)

    def _session(self, info: SetupInfo, handle: Any) -> SessionState:
        if not handle:
            return SessionState(model_id=info.model_id)
        if self.faults.refuse_resume is not None:
            raise SetupRefused(*self.faults.refuse_resume)
        state = self.emu.sessions.lookup(str(handle))
        if state is None:
            raise SetupRefused(1008, "Session resumption handle is invalid or has expired.")
        if state.model_id != info.model_id:
            raise SetupRefused(1007, INVALID_ARGUMENT)
        state.live, state.ended_at = True, None
        self.record.resumed = True
        for call_id in state.pending:
            self._done[call_id] = anyio.Event()
        return state

    # --- reading -------------------------------------------------------------------------
    async def _read(self) -> None:
        count = 0
        async for raw in self.ws:
            count += 1
            stall = self.faults.stall_reading_after
            if stall is not None and count > stall:
                self.record.notes.append("stalled reading")
                await self.ws.wait_closed()
                return
            try:
                message = json.loads(raw)
            except ValueError:
                await self.close(1007, "Invalid JSON payload received.")
                return
            if not isinstance(message, dict):
                await self.close(1007, INVALID_ARGUMENT)
                return
            message = normalise(message)
            self.record.messages.append(message)
            kinds = [k for k in message if k in _CLIENT_ONEOF]
            unknown = [k for k in message if k not in _CLIENT_ONEOF]
            if self.emu.strict and (len(kinds) != 1 or unknown or "setup" in kinds):
                await self.close(1007, INVALID_ARGUMENT)
                return
            for kind in kinds:
                await self._dispatch(kind, message[kind])

    async def _dispatch(self, kind: str, body: Any) -> None:
        if not isinstance(body, dict):
            if self.emu.strict:
                await self.close(1007, INVALID_ARGUMENT)
            return
        if kind == "clientContent":
            await self._client_content(body)
        elif kind == "realtimeInput":
            await self._realtime(body)
        elif kind == "toolResponse":
            await self._tool_response(body)
        elif kind == "contextUpdate":
            self._context_update(body)

    async def _client_content(self, body: dict[str, Any]) -> None:
        assert self.state is not None
        texts: list[str] = []
        for turn in body.get("turns") or []:
            if not isinstance(turn, dict):
                continue
            role = turn.get("role") or "user"
            self.state.history.append({"role": role, "parts": turn.get("parts") or []})
            if role == "user":
                texts.extend(
                    str(p["text"])
                    for p in turn.get("parts") or []
                    if isinstance(p, dict) and "text" in p
                )
        if body.get("turnComplete"):
            await self._user_turn({"kind": "text", "text": "\n".join(texts)}, record=False)

    async def _realtime(self, body: dict[str, Any]) -> None:
        assert self.state is not None
        blobs = [body[k] for k in ("audio", "video") if isinstance(body.get(k), dict)]
        blobs += [b for b in body.get("mediaChunks") or [] if isinstance(b, dict)]
        for blob in blobs:
            mime = str(blob.get("mimeType") or "")
            try:
                data = b64decode(str(blob.get("data") or ""))
            except ValueError:
                await self.close(1007, INVALID_ARGUMENT)
                return
            if mime.startswith("audio/"):
                await self._audio(data, pcm_rate(mime))
            else:
                self.state.has_video = True
                self.state.history.append(
                    {"role": "user", "parts": [{"imageTokens": self._image_tokens()}]}
                )
        if "text" in body:
            await self._barge_in()
            await self._user_turn({"kind": "text", "text": str(body["text"])})
        if "activityStart" in body:
            if self._vad is not None and self.emu.strict:
                await self.close(1007, "Precondition check failed.")
                return
            await self._barge_in()
            self._manual_audio = 0.0
        if "activityEnd" in body and self._manual_audio is not None:
            seconds, self._manual_audio = self._manual_audio, None
            await self._speech_ended(seconds)
        if body.get("audioStreamEnd") and self._vad is not None:
            event = self._vad.flush()
            if event is not None:
                await self._speech_ended(event.speech_seconds)

    def _image_tokens(self) -> int:
        assert self.info is not None
        resolution = (self.info.setup.get("generationConfig") or {}).get("mediaResolution")
        return {"MEDIA_RESOLUTION_LOW": 64, "MEDIA_RESOLUTION_MEDIUM": 256}.get(
            str(resolution), 258
        )

    async def _audio(self, pcm: bytes, rate: int) -> None:
        if self._manual_audio is not None:
            self._manual_audio += len(pcm) / 2 / rate
            return
        if self._vad is None:
            return  # manual mode, outside activityStart/activityEnd: ignored
        for event in self._vad.feed(pcm, rate):
            if event.kind == "start":
                await self._barge_in()
            else:
                await self._speech_ended(event.speech_seconds)

    async def _speech_ended(self, seconds: float) -> None:
        assert self.info is not None
        assert self.state is not None
        self.state.history.append({"role": "user", "parts": [{"audioSeconds": seconds}]})
        if "inputAudioTranscription" in self.info.setup:
            note = f"[{seconds:.1f} s of speech: the offline emulator cannot transcribe audio]"
            await self.send(
                {"serverContent": {"inputTranscription": {"text": note, "finished": True}}}
            )
        await self._user_turn({"kind": "audio", "seconds": seconds, "text": ""}, record=False)

    def _context_update(self, body: dict[str, Any]) -> None:
        assert self.info is not None
        if "systemInstruction" in body:
            self.info.setup["systemInstruction"] = body["systemInstruction"]
        tools = body.get("tools")
        if isinstance(tools, dict) and isinstance(tools.get("tools"), list):
            self.info.functions = {
                d["name"]: d
                for t in tools["tools"]
                for d in (t.get("functionDeclarations") or [])
                if isinstance(d, dict) and "name" in d
            }

    async def _user_turn(self, turn: dict[str, Any], *, record: bool = True) -> None:
        assert self.state is not None
        if record and turn.get("text"):
            self.state.history.append({"role": "user", "parts": [{"text": turn["text"]}]})
        self.record.user_turns.append(turn)
        if self.script is not None:
            await self._inbox_send.send(turn)
            return
        await self._barge_in()
        if self._gen is not None:
            self._queued.append(turn)  # NO_INTERRUPTION: answer after the current turn
        else:
            self._start(lambda: self._answer(turn))

    # --- tool responses ------------------------------------------------------------------
    async def _tool_response(self, body: dict[str, Any]) -> None:
        assert self.state is not None
        for item in body.get("functionResponses") or []:
            if not isinstance(item, dict):
                continue
            pending = self.state.pending.get(str(item.get("id")))
            if pending is None:
                self.record.ignored_responses.append(item)
                continue
            scheduling = item.get("scheduling")
            source = "field" if scheduling else None
            response = item.get("response")
            if (
                scheduling is None
                and self.emu.scheduling_in_response
                and isinstance(response, dict)
            ) and isinstance(response.get("scheduling"), str):
                scheduling, source = response["scheduling"], "response"
            effective = str(scheduling or "WHEN_IDLE").upper() if not pending.blocking else None
            self.record.tool_responses.append(
                {**item, "effectiveScheduling": effective, "schedulingSource": source}
            )
            pending.responses.append(item)
            self.state.history.append({"role": "user", "parts": [{"functionResponse": item}]})
            final = pending.blocking or not item.get("willContinue")
            if final:
                del self.state.pending[pending.id]
                self._done.setdefault(pending.id, anyio.Event()).set()
            if pending.blocking or self.script is not None:
                continue
            if effective == "SILENT":
                continue
            if effective == "INTERRUPT" and self._gen is not None:
                await self._interrupt_generation(cancel_calls=False)
            if self._gen is None:
                self._start(lambda item=item: self._speak_about([item]))  # type: ignore[misc]
            else:
                self._idle.append(item)

    # --- generation ----------------------------------------------------------------------
    def _start(self, fn: Callable[[], Awaitable[None]]) -> None:
        assert self._tg is not None
        scope = anyio.CancelScope()
        self._gen = scope
        self._tg.start_soon(self._run_generation, fn, scope)

    async def _run_generation(
        self, fn: Callable[[], Awaitable[None]], scope: anyio.CancelScope
    ) -> None:
        with scope:
            await self._guard(fn)
        if self._gen is scope:
            self._gen = None
            if self._queued:
                turn = self._queued.pop(0)
                self._start(lambda: self._answer(turn))
            elif self._idle:
                items, self._idle = self._idle, []
                self._start(lambda: self._speak_about(items))

    async def _barge_in(self) -> None:
        """User activity during output: interrupted, cancel pending calls, turnComplete."""
        assert self.info is not None
        handling = (self.info.setup.get("realtimeInputConfig") or {}).get("activityHandling")
        if self._gen is None or handling == "NO_INTERRUPTION" or self.script is not None:
            return
        await self._interrupt_generation(cancel_calls=True)

    async def _interrupt_generation(self, *, cancel_calls: bool) -> None:
        assert self.state is not None
        if self._gen is not None:
            self._gen.cancel()
            self._gen = None
        await self.send({"serverContent": {"interrupted": True}})
        if cancel_calls and self.state.pending:
            await self.cancel_calls(list(self.state.pending))
        await self.turn_complete()

    async def cancel_calls(self, ids: list[str]) -> None:
        assert self.state is not None
        for call_id in ids:
            self.state.pending.pop(call_id, None)
        await self.send({"toolCallCancellation": {"ids": ids}})

    async def _answer(self, turn: dict[str, Any]) -> None:
        assert self.info is not None
        if turn["kind"] == "audio":
            await self.say(self.model.audio_reply(turn["seconds"]))
            return
        text = str(turn.get("text") or "")
        if "codeExecution" in self.info.builtin and _COMPUTE.search(text):
            code, output = self.model.code_for(text)
            await self.send(
                {
                    "serverContent": {
                        "modelTurn": {
                            "parts": [
                                {"executableCode": {"language": "PYTHON", "code": code}},
                                {
                                    "codeExecutionResult": {
                                        "outcome": "OUTCOME_OK",
                                        "output": output,
                                    }
                                },
                            ]
                        }
                    }
                }
            )
        if "googleSearch" in self.info.builtin and re.search(r"search|look up|\?", text, re.I):
            await self.send(
                {"serverContent": {"groundingMetadata": {"webSearchQueries": [text.strip()[:200]]}}}
            )
        matches = self.model.match_functions(text, self.info.functions)
        if not matches:
            await self.say(self.model.reply(text, builtin=self.info.builtin))
            return
        calls = await self.issue_calls([(m.name, m.args, None) for m in matches])
        blocking = [c for c in calls if c.blocking]
        if blocking:
            await self._finish_blocking()
        else:
            await self.say(self.model.acknowledge([c.name for c in calls]))

    async def _finish_blocking(self) -> None:
        assert self.state is not None
        waiting = [p for p in self.state.pending.values() if p.blocking]
        for pending in waiting:
            await self._done.setdefault(pending.id, anyio.Event()).wait()
        answered = [r for p in waiting for r in p.responses]
        await self.say(self.model.summarise(answered))

    async def _speak_about(self, items: list[dict[str, Any]]) -> None:
        await self.say(self.model.summarise(items))

    async def issue_calls(
        self, specs: list[tuple[str, dict[str, Any], str | None]]
    ) -> list[PendingCall]:
        """Send one ``toolCall``; remember each call as pending."""
        assert self.state is not None
        assert self.info is not None
        calls = []
        for name, args, call_id in specs:
            decl = self.info.functions.get(name) or {}
            blocking = str(decl.get("behavior") or "BLOCKING").upper() != "NON_BLOCKING"
            calls.append(PendingCall(call_id or self.emu.next_call_id(), name, args, blocking))
        if self.faults.duplicate_call_ids and calls:
            for extra in calls[1:]:
                extra.id = calls[0].id
        for pending in calls:
            self.state.pending[pending.id] = pending
            self._done[pending.id] = anyio.Event()
        self.state.history.append(
            {
                "role": "model",
                "parts": [
                    {"functionCall": {"id": c.id, "name": c.name, "args": c.args}} for c in calls
                ],
            }
        )
        await self.send(
            {
                "toolCall": {
                    "functionCalls": [{"id": c.id, "name": c.name, "args": c.args} for c in calls]
                }
            }
        )
        return calls

    async def say(
        self,
        text: str,
        *,
        chunks: int | None = None,
        generation_complete: bool = True,
        turn_complete: bool = True,
    ) -> None:
        """Stream text (or audio + transcription) in chunks, then the completion flags."""
        assert self.info is not None
        assert self.state is not None
        pieces = self.model.chunks(text)
        if chunks:
            words = text.split(" ")
            size = max(1, math.ceil(len(words) / chunks))
            pieces = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
            pieces = [p + (" " if i < len(pieces) - 1 else "") for i, p in enumerate(pieces)]
        spoken = self.state.history
        entry: dict[str, Any] = {"role": "model", "parts": [{"text": ""}]}
        spoken.append(entry)
        transcribe = "outputAudioTranscription" in self.info.setup
        for i, piece in enumerate(pieces):
            if i and self.emu.chunk_interval:
                await anyio.sleep(self.emu.chunk_interval)
            if self.info.modality == "AUDIO":
                pcm = synth_audio(piece)
                await self.send(
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
                self._response_tokens += math.ceil(len(pcm) / 48_000 * 25)
                if transcribe:
                    await self.send({"serverContent": {"outputTranscription": {"text": piece}}})
            else:
                await self.send({"serverContent": {"modelTurn": {"parts": [{"text": piece}]}}})
                self._response_tokens += math.ceil(len(piece) / 4)
            entry["parts"][0]["text"] += piece
        if generation_complete:
            await self.send({"serverContent": {"generationComplete": True}})
        if turn_complete:
            await self.turn_complete()

    async def turn_complete(self) -> None:
        assert self.info is not None
        assert self.state is not None
        self._compress()
        prompt = self.state.tokens()
        response, self._response_tokens = self._response_tokens, 0
        modality = self.info.modality
        await self.send(
            {
                "serverContent": {"turnComplete": True},
                "usageMetadata": {
                    "promptTokenCount": prompt,
                    "responseTokenCount": response,
                    "totalTokenCount": prompt + response,
                    "promptTokensDetails": [
                        {"modality": m, "tokenCount": n}
                        for m, n in self.state.tokens_by_modality().items()
                    ],
                    "responseTokensDetails": [{"modality": modality, "tokenCount": response}],
                },
            }
        )
        if "sessionResumption" in self.info.setup:
            await self.resumption_update()

    def _compress(self) -> None:
        assert self.info is not None
        assert self.state is not None
        cfg = self.info.setup.get("contextWindowCompression")
        if not isinstance(cfg, dict):
            return
        trigger = parse_int64(cfg.get("triggerTokens")) or int(self.info.model.context_window * 0.8)
        window = cfg.get("slidingWindow") or {}
        target = parse_int64(window.get("targetTokens")) or trigger // 2
        if self.state.compress(trigger, target):
            self.record.notes.append(f"compressed context to {self.state.tokens()} tokens")

    async def resumption_update(self) -> None:
        assert self.state is not None
        if any(p.blocking for p in self.state.pending.values()):
            await self.send({"sessionResumptionUpdate": {"resumable": False}})
            return
        handle = self.emu.sessions.issue(self.state)
        await self.send({"sessionResumptionUpdate": {"newHandle": handle, "resumable": True}})

    # --- timers ----------------------------------------------------------------------------
    async def _drop_later(self) -> None:
        await anyio.sleep(self.faults.drop_after_seconds or 0.0)
        self.abort()
