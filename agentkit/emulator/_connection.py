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
from ._lifetime import check_time_left, watch_lifetime
from ._output import send_turn_complete, stream_reply
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
    dumps,
    normalise,
    parse_route,
    truncate_reason,
)

if TYPE_CHECKING:
    from ._server import Emulator

__all__ = ["Connection"]

logger = logging.getLogger("agentkit.emulator")

_CLIENT_ONEOF = ("clientContent", "realtimeInput", "toolResponse", "contextUpdate", "setup")
# Lenient mode handles a message carrying several oneof fields in this order, whatever the
# JSON order: answers to earlier calls first, then new context, then the user's input.
LENIENT_ORDER = ("toolResponse", "contextUpdate", "clientContent", "realtimeInput")
_OUTPUT = frozenset({"modelTurn", "outputTranscription", "groundingMetadata"})
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
        # whether the current generation sent anything yet: only then can it be interrupted
        self._gen_output = False
        # the generation the message being read started (its other fields never barge in)
        self._frame_gen: anyio.CancelScope | None = None
        self._gen_number = 0  # the current generation's number in the session
        self._queued: list[dict[str, Any]] = []
        self._idle: list[dict[str, Any]] = []
        self._done: dict[str, anyio.Event] = {}
        self._vad: Vad | None = None
        self._manual_audio: float | None = None
        self._inbox_send, self.inbox = anyio.create_memory_object_stream[dict[str, Any]](math.inf)
        self.response_tokens = 0  # counted while streaming, reported at turnComplete

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
            if "toolCall" in message or _OUTPUT.intersection(message.get("serverContent") or ()):
                self._gen_output = True
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
        opened = time.monotonic()
        aad = (info.setup.get("realtimeInputConfig") or {}).get("automaticActivityDetection")
        if not (aad or {}).get("disabled"):
            self._vad = Vad(aad)
        await self.send({"setupComplete": {}})
        if "sessionResumption" in info.setup:
            await self.resumption_update()
        async with anyio.create_task_group() as tg:
            self._tg = tg
            tg.start_soon(self._guard, lambda: watch_lifetime(self, opened))
            if self.faults.drop_after_seconds is not None:
                tg.start_soon(self._guard, self._drop_later)
            if self.script is not None:
                tg.start_soon(self._guard, lambda: run_script(self))
            elif any(p.blocking for p in self.state.pending.values()):
                self._start(self._finish_blocking, output=True)
                for pending in self.state.pending.values():
                    if pending.blocking:  # the resumed generation still waits for them
                        pending.generation = self._gen_number
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
            fresh = SessionState(model_id=info.model_id)
            check_time_left(self.emu, info.setup, fresh)
            return fresh
        if self.faults.refuse_resume is not None:
            raise SetupRefused(*self.faults.refuse_resume)
        state = self.emu.sessions.lookup(str(handle))
        if state is None:
            raise SetupRefused(1008, "Session resumption handle is invalid or has expired.")
        if state.model_id != info.model_id:
            raise SetupRefused(1007, INVALID_ARGUMENT)
        check_time_left(self.emu, info.setup, state)  # e.g. past its duration limit: 1008
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
            kinds = [k for k in LENIENT_ORDER if k in message]
            if len(kinds) > 1:
                note = (
                    f"one message carried {', '.join(k for k in message if k in kinds)}: "
                    f"handled in the order {', '.join(kinds)} (the real service refuses it)"
                )
                logger.warning("emulator connection %d: %s", self.record.index, note)
                self.record.notes.append(note)
            if "setup" in message:
                self.record.notes.append("ignored a second setup message")
                logger.warning("emulator connection %d ignored a second setup", self.record.index)
            self._frame_gen = None
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
        other = False  # user parts that are not text (an image, a file)
        turns = [t for t in body.get("turns") or [] if isinstance(t, dict)]
        for turn in turns:
            role = turn.get("role") or "user"
            parts = [p for p in turn.get("parts") or [] if isinstance(p, dict)]
            self.state.history.append({"role": role, "parts": parts})
            if role == "user":
                texts.extend(str(p["text"]) for p in parts if "text" in p)
                other = other or any("text" not in p for p in parts)
        if not body.get("turnComplete"):
            return
        if not turns:
            # a bare turnComplete completes the context sent before it
            texts = self._trailing_user_texts()
        text = "\n".join(t for t in texts if t.strip())
        await self._user_turn({"kind": "text", "text": text}, record=False, has_media=other)

    def _trailing_user_texts(self) -> list[str]:
        """The text of the user turns at the end of the history, after the model last spoke."""
        assert self.state is not None
        texts: list[str] = []
        for content in reversed(self.state.history):
            if content.get("role") != "user":
                break
            texts[:0] = [str(p["text"]) for p in content.get("parts") or [] if "text" in p]
        return texts

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
        if "text" in body and str(body["text"]).strip():
            await self._barge_in()
            await self._user_turn({"kind": "text", "text": str(body["text"])})
        elif "text" in body:
            self._ignore_empty("realtimeInput.text")
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
        if seconds <= 0.0 and self.script is None:
            self._ignore_empty("an activity without audio")
            return
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

    def _ignore_empty(self, what: str) -> None:
        """Empty user input is never answered (a script still sees empty turns)."""
        self.record.notes.append(f"ignored empty user input: {what}")
        logger.debug("emulator connection %d ignored empty %s", self.record.index, what)

    async def _user_turn(
        self, turn: dict[str, Any], *, record: bool = True, has_media: bool = False
    ) -> None:
        assert self.state is not None
        empty = turn["kind"] == "text" and not str(turn.get("text") or "").strip()
        if empty and not has_media and self.script is None:
            self._ignore_empty("a turn without text")
            return
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
            if effective == "INTERRUPT" and self._gen is not None and self._gen_output:
                await self._interrupt_generation(cancel_calls=False)
            if self._gen is None:
                self._start(lambda item=item: self._speak_about([item]))  # type: ignore[misc]
            else:
                self._idle.append(item)

    # --- generation ----------------------------------------------------------------------
    def _start(self, fn: Callable[[], Awaitable[None]], *, output: bool = False) -> None:
        """Start a generation (``output``: it continues one the client has already seen)."""
        assert self._tg is not None
        assert self.state is not None
        scope = anyio.CancelScope()
        self._gen, self._gen_output, self._frame_gen = scope, output, scope
        self.state.generations += 1
        self._gen_number = self.state.generations
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
        """User activity during output: interrupted, cancel that generation's calls, turnComplete.

        Only a generation that has sent something can be interrupted; one that has not
        (or that the same client message started) simply answers first, and the new input
        is answered after it.
        """
        assert self.info is not None
        handling = (self.info.setup.get("realtimeInputConfig") or {}).get("activityHandling")
        if self._gen is None or handling == "NO_INTERRUPTION" or self.script is not None:
            return
        if not self._gen_output or self._gen is self._frame_gen:
            return
        await self._interrupt_generation(cancel_calls=True)

    async def _interrupt_generation(self, *, cancel_calls: bool) -> None:
        """Cut the current generation; ``cancel_calls``: discard the calls *it* issued.

        Calls from earlier, completed turns (NON_BLOCKING ones still running) are kept:
        their responses are still expected and honoured.
        """
        assert self.state is not None
        number = self._gen_number
        if self._gen is not None:
            self._gen.cancel()
            self._gen = None
        await self.send({"serverContent": {"interrupted": True}})
        if cancel_calls:
            ids = [i for i, p in self.state.pending.items() if p.generation == number]
            if ids:
                await self.cancel_calls(ids)
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
        number = self._gen_number
        waiting = [p for p in self.state.pending.values() if p.blocking and p.generation == number]
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
            pending = PendingCall(call_id or self.emu.next_call_id(), name, args, blocking)
            pending.generation = self._gen_number if self._gen is not None else 0
            calls.append(pending)
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
        await stream_reply(
            self,
            text,
            chunks=chunks,
            generation_complete=generation_complete,
            turn_complete=turn_complete,
        )

    async def turn_complete(self) -> None:
        """``turnComplete`` with ``usageMetadata`` (and a fresh resumption handle)."""
        await send_turn_complete(self)

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
