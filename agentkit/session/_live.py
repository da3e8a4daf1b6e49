"""LiveSession: one live conversation over one or more connections.

Theory of operation
-------------------
``connect()`` validates everything, opens the first connection and waits for
``setupComplete`` before the user gets the session, so a bad config, a bad key or a refused
setup raises from ``async with`` itself. Then one task group runs for the session's life:

- the dispatcher (its own task group) runs tool calls;
- the supervisor serves one connection at a time. Per connection a reader task turns
  frames into events (submitting and cancelling calls on the way; a call whose tool cannot
  suspend is answered by the reader itself, see ``Dispatcher.submit_eager``) and a
  replier task takes the dispatcher's replies only while the connection is open and sends
  them.

What happens after a ``goAway`` or when a connection ends (drain, resume, backoff) is in
:mod:`agentkit.session._resume`; how events reach the dispatcher, the plugins and the user is
in :mod:`agentkit.session._emit`; opening a connection (the setup handshake) is in
:mod:`agentkit.session._connect`. ``LiveSession`` inherits these as mixins; the state and
methods they share are declared once, for the type checker, in :mod:`agentkit.session._core`.

A malformed frame becomes ``Unknown("malformed")``; the malformed calls of a ``toolCall`` are
answered with an error and its well-formed ones run. Background tasks never raise: errors are stored
and surface on the next ``send_*`` call and at the end of ``async for``. The user's event
stream (an ``EventQueue``) is read outside the task group.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

import anyio
import anyio.abc
import anyio.lowlevel

from .. import events
from .._transport import Closed, Connection, ConnectionLost
from ..errors import (
    AgentkitError,
    RemoteProtocolError,
    SessionClosed,
    SessionError,
)
from ..protocol import (
    AnyClientMessage,
    ClientProtocol,
    FunctionCall,
    FunctionResponse,
    ServerMessage,
    State,
    build,
)
from ._connect import ConnectMixin
from ._emit import EmitMixin
from ._options import Options
from ._queue import EventQueue
from ._resume import ResumeMixin
from ._turn import Turn

__all__ = ["LiveSession"]

logger = logging.getLogger("agentkit.session")


def _plain_response(responses: Any) -> tuple[str, str, dict[str, Any]] | None:
    """``(id, name, response)`` when ``responses`` is one dict (or a list of one) with just
    those keys, as str, str and dict; else None."""
    if type(responses) is list and len(responses) == 1:
        responses = responses[0]
    if type(responses) is not dict or responses.keys() != {"id", "name", "response"}:
        return None
    id_, name, response = responses["id"], responses["name"], responses["response"]
    if type(id_) is str and type(name) is str and type(response) is dict:
        return id_, name, response
    return None


class LiveSession(ConnectMixin, ResumeMixin, EmitMixin):
    """A live Gemini session. Get one from :func:`agentkit.connect`.

    Iterate it for :mod:`agentkit.events`; send with the ``send_*`` methods. Under automatic
    dispatch every ``toolCall`` runs at once and is answered by the session; ``calls`` is the
    ledger (every running call and the newest ended ones).
    """

    def __init__(self, options: Options) -> None:
        self._options = options
        self._protocol = ClientProtocol(options.setup)
        self._dispatcher: Any = None
        self._conn: Connection | None = None
        self._ready = anyio.Event()
        self._events: EventQueue[events.Event] = EventQueue(options.max_events)
        self._error: BaseException | None = None
        self._closing = False
        self._scope: anyio.CancelScope | None = None
        self._call_messages: dict[str, ServerMessage] = {}
        self._empty_ledger: Any = None
        self._pending_replay: tuple[Any, ...] = ()
        self._pending_cancelled: tuple[FunctionCall, ...] = ()
        self._turn_open = False  # a turn was asked for or started, and not complete yet
        self._progress = False  # the model sent something on the current connection
        self._failures = 0  # consecutive connections that ended soon, with no progress
        self._draining: anyio.Event | None = None  # set on progress while draining
        self.reconnects = 0

    # -- public state -----------------------------------------------------------------

    @property
    def model(self) -> str:
        """The model, as sent (``models/...``)."""
        return self._options.model

    @property
    def url(self) -> str:
        """The WebSocket URL (it never carries credentials)."""
        return self._options.url

    @property
    def setup(self) -> Any:
        """The :class:`~agentkit.protocol.Setup` sent on the first connection."""
        return self._options.setup

    @property
    def config(self) -> Any:
        """The validated :class:`~agentkit.protocol.LiveConfig`."""
        return self._options.config

    @property
    def resumption_handle(self) -> str | None:
        """The newest resumable handle the server sent, or None."""
        return self._protocol.resumption_handle

    @property
    def pending_ids(self) -> list[str]:
        """Ids of calls the server issued that are not answered or cancelled yet."""
        return self._protocol.pending_ids

    @property
    def calls(self) -> Any:
        """The dispatcher's ``CallLedger``: every call, its state and timings (by id)."""
        if self._dispatcher is not None:
            return self._dispatcher.calls
        if self._empty_ledger is None:
            from ..dispatch import CallLedger

            self._empty_ledger = CallLedger({})
        return self._empty_ledger

    @property
    def closed(self) -> bool:
        """True once the session ended (closed by the user, the server, or an error)."""
        return self._closing or self._error is not None

    def statistics(self) -> dict[str, int]:
        """Protocol counters (frames sent/received, connections, resumes, replayed)."""
        return self._protocol.statistics()

    def __repr__(self) -> str:
        state = "closed" if self.closed else self._protocol.state.name.lower()
        return (
            f"<LiveSession model={self.model!r} url={self.url!r} state={state} "
            f"pending={len(self.pending_ids)}>"
        )

    # -- events -----------------------------------------------------------------------

    def __aiter__(self) -> LiveSession:
        return self

    async def __anext__(self) -> events.Event:
        event = self._events.get_nowait()
        if event is not None:
            return event
        try:
            return await self._events.get()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            pass
        # Raised outside the except block, so the error keeps its own cause and context.
        error = self._error
        if error is not None and not (isinstance(error, SessionClosed) and error.code == 1000):
            raise error
        raise StopAsyncIteration

    async def receive_turn(self) -> Turn:
        """Collect events until ``turnComplete`` (or the end of the session)."""
        turn = Turn()
        async for event in self:
            if turn.add(event):
                break
        return turn

    # -- sending ----------------------------------------------------------------------

    async def send_text(self, text: str, *, turn_complete: bool = True) -> None:
        """Send a user text turn (``clientContent``)."""
        msg = build.client_content(text, turn_complete)
        # Before the send: the answer may arrive during the send's checkpoint.
        self._turn_open = self._turn_open or turn_complete  # the model answers (see _drain)
        await self._send(msg)

    async def send_content(
        self, turns: build.TurnsLike | None = None, turn_complete: bool = True
    ) -> None:
        """Append turns to the conversation (``clientContent``), in order.

        Args:
            turns: A string (a user turn), a Content (or dict), or a list of them.
            turn_complete: True lets the model answer now.
        """
        msg = build.client_content(turns, turn_complete)
        self._turn_open = self._turn_open or turn_complete
        await self._send(msg)

    async def send_realtime_text(self, text: str) -> None:
        """Send realtime text (``realtimeInput.text``); it counts as user activity."""
        await self._send(build.realtime_text(text))

    async def send_audio(self, pcm: bytes, rate: int = 16000) -> None:
        """Stream raw PCM16LE mono audio; ``rate`` goes into the mime type."""
        pcm = bytes(pcm)
        build.audio_mime(rate)  # a bad rate raises here, even on a closed session
        # The hot path: the frame is written straight from the bytes (same JSON as
        # build.audio()), with no models built.
        await self._send_frame(partial(self._protocol.send_audio, pcm, rate))

    async def send_video(self, jpeg: bytes, mime_type: str = "image/jpeg") -> None:
        """Send one video frame (an encoded image, at most about 1 per second)."""
        await self._send(build.video(jpeg, mime_type))

    async def activity_start(self) -> None:
        """Mark the start of user activity (only with automatic activity detection off)."""
        await self._send(build.activity_start())

    async def activity_end(self) -> None:
        """Mark the end of user activity (only with automatic activity detection off)."""
        await self._send(build.activity_end())

    async def audio_stream_end(self) -> None:
        """Tell the server the microphone paused, so it flushes cached audio."""
        await self._send(build.audio_stream_end())

    async def send_tool_response(
        self, responses: FunctionResponse | Mapping[str, Any] | Iterable[Any]
    ) -> None:
        """Answer pending calls yourself (for ``auto_dispatch=False``).

        Args:
            responses: FunctionResponse objects or dicts (``id``, ``name``, ``response``,
                optional ``scheduling`` and ``will_continue``), one or a list.

        Raises:
            LocalProtocolError: an id is not pending (never issued, answered, or cancelled).
        """
        one = _plain_response(responses)
        if one is not None:
            # The common answer, one {"id", "name", "response"} dict: its frame is written
            # straight from the dict (the same JSON build.tool_response would encode).
            id_, name, response = one
            await self._send_frame(
                partial(self._protocol.send_function_response, id_, name, response)
            )
            self._emit_tool_response(id_, name, response, None, False, None)
        else:
            msg = build.tool_response(responses)
            await self._send(msg)
            for fr in msg.function_responses:
                self._emit_response(fr, None)
        if self._draining is not None:
            self._draining.set()

    async def aclose(self) -> None:
        """Close the session: the connection, running calls, and the event stream."""
        if self._closing:
            return
        self._closing = True
        self._ready.set()
        conn = self._conn
        if conn is not None:
            with anyio.CancelScope(shield=True), anyio.move_on_after(self._options.close_timeout):
                try:
                    await conn.aclose()
                except Exception:  # closing a broken socket is best effort
                    logger.debug("error while closing the connection", exc_info=True)
        if self._scope is not None:
            self._scope.cancel()
        self._events.end()

    async def _send(self, msg: AnyClientMessage) -> None:
        await self._send_frame(partial(self._protocol.send, msg))

    async def _send_frame(self, frame_for: Callable[[], str]) -> None:
        """Send the frame ``frame_for()`` makes (numbering it) once a connection is open.

        No lock: frames leave in the order the protocol numbers them (what resumption
        replays by) because the numbering and ``Connection.send``'s write happen with no
        suspension between them; see ``Connection.send``. A lock cost a loop iteration per
        message even uncontended.
        """
        self._raise_if_closed()
        await anyio.lowlevel.checkpoint_if_cancelled()
        while True:
            self._raise_if_closed()
            ready = self._ready
            if not ready.is_set():
                await ready.wait()
                continue
            conn = self._conn
            if conn is None or self._protocol.state is not State.OPEN:
                await anyio.lowlevel.checkpoint()
                continue
            frame = frame_for()
            try:
                await conn.send(frame)
            except ConnectionLost:
                # Recorded by the protocol: replayed or reported by the resume.
                logger.debug("connection closed while sending; the resume will account")
            break
        # Still a checkpoint, as every anyio send is (a loop of sends must not starve the
        # reader), but after the write: it adds no latency and cannot lose a sent frame.
        await anyio.lowlevel.cancel_shielded_checkpoint()

    def _raise_if_closed(self) -> None:
        if self._error is not None:
            raise self._error
        if self._closing:
            raise SessionError("the session is closed")

    # -- the session's tasks ------------------------------------------------------------

    async def _serve(self, conn: Connection) -> Closed | str:
        """Run one open connection until it ends; returns how it ended."""
        self._conn = conn
        outcome: list[Closed | str] = []
        plan_replay = self._pending_replay
        self._pending_replay = ()
        async with anyio.create_task_group() as tg:
            for msg in plan_replay:
                frame = self._protocol.send(msg, replay=True)
                try:
                    await conn.send(frame)
                except ConnectionLost:
                    break
            else:
                await self._answer_cancelled(conn)
            self._ready.set()
            tg.start_soon(self._reader, conn, outcome, tg)
            if self._dispatcher is not None:
                tg.start_soon(self._replier, conn)
        self._ready = anyio.Event()
        self._protocol.connection_lost()
        await self._close_quietly(conn)
        return outcome[0] if outcome else conn.closed()

    async def _reader(
        self, conn: Connection, outcome: list[Closed | str], tg: anyio.abc.TaskGroup
    ) -> None:
        self._turn_open = False
        self._draining = None
        try:
            while True:
                try:
                    frame = await conn.recv()
                except ConnectionLost:
                    outcome.append(conn.closed())
                    return
                try:
                    msg = self._protocol.receive(frame)
                except RemoteProtocolError as exc:
                    await self._malformed(conn, frame, exc)
                    continue
                content = msg.server_content
                if content is not None:
                    self._turn_open = not content.turn_complete
                    self._progress = True
                elif msg.tool_call is not None:
                    self._progress = True
                for event in events.from_message(msg):
                    if isinstance(event, events.ToolCall) and self._dispatcher is not None:
                        await self._start_calls(event)
                        continue
                    self._handle(event)
                    if isinstance(event, events.GoAway) and not outcome and self._can_resume:
                        # Keep serving this connection until the turn in progress is
                        # complete (see _drain); a resume is refused while the old socket
                        # is alive, so it is closed before resuming.
                        outcome.append("goAway")
                        tg.start_soon(self._drain, event.time_left, tg.cancel_scope)
                if self._draining is not None:
                    self._draining.set()
        finally:
            tg.cancel_scope.cancel()

    async def _malformed(
        self, conn: Connection, frame: str | bytes, error: RemoteProtocolError
    ) -> None:
        """Surface a malformed frame as ``Unknown("malformed")``; run the well-formed calls
        of a malformed ``toolCall`` and answer the malformed ones with an error."""
        logger.warning("malformed server frame: %s", error)
        salvage = self._protocol.salvage(frame)
        self._emit(events.Unknown("malformed", {"error": str(error), "frame": salvage.raw}))
        if salvage.message is not None:
            for event in events.from_message(salvage.message):
                self._handle(event)
        for id_, name, why in salvage.malformed_calls:
            response = {"error": f"malformed function call: {why}"}
            reply = self._protocol.send_function_response(id_, name, response)
            try:
                await conn.send(reply)
            except ConnectionLost:
                return  # recorded by the protocol: the resume accounts for it
            self._emit_tool_response(id_, name, response, None, False, None)

    async def _replier(self, conn: Connection) -> None:
        dispatcher = self._dispatcher
        replies = dispatcher.replies
        # While the connection is up, a finished call's own task sends its reply (no hop
        # through this task: two loop iterations less per round trip). This task sends
        # the replies that waited for a connection, and any that queue behind them.
        with anyio.CancelScope() as scope:
            with dispatcher.direct_replies(partial(self._deliver, conn, scope)):
                while True:
                    try:
                        reply = await replies.receive()
                    except (anyio.EndOfStream, anyio.ClosedResourceError):
                        return
                    await self._deliver(conn, scope, reply)
        await anyio.sleep_forever()  # broken: the reader sees the close and ends this task

    async def _deliver(self, conn: Connection, scope: anyio.CancelScope, reply: Any) -> None:
        """Send one dispatcher reply (already taken: it counts as sent)."""
        if not self._protocol.is_pending(reply.id):
            logger.debug("dropped a reply for %r: no longer pending", reply.id)
            return
        frame = self._protocol.send_function_response(
            reply.id,
            reply.name,
            reply.response,
            will_continue=reply.will_continue,
            scheduling=reply.scheduling,
        )
        try:
            await conn.send(frame)
        except ConnectionLost:
            # Recorded by the protocol, so the resume sends it again if needed. Take no
            # more replies on this connection: they wait for the next one.
            self._dispatcher.stop_direct_replies()
            scope.cancel()
        self._emit_reply(reply)
        if self._draining is not None:
            self._draining.set()

    def _fail(self, error: BaseException) -> None:
        if self._error is None and not self._closing:
            self._error = error
            if isinstance(error, AgentkitError):
                logger.warning("session ended: %s", error)
            else:
                logger.error("session failed", exc_info=error)
        self._ready.set()
        self._events.end()
