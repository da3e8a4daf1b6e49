"""ClientProtocol: what the client may send when, and the resumption bookkeeping.

Theory of operation
-------------------
One ``ClientProtocol`` lives as long as a *session*, across its connections. Each
connection goes IDLE -> SETUP_SENT (``setup_frame()``) -> OPEN (``setupComplete`` received)
-> CLOSED (``connection_lost()``). Only ``setup`` may be sent in IDLE, nothing in
SETUP_SENT, everything else in OPEN. ``toolResponse`` may answer only pending call ids: a
``toolCall`` adds its ids, a response without ``willContinue`` or a ``toolCallCancellation``
removes them.

Resumption. Every resumable ``sessionResumptionUpdate`` moves the *handle epoch* on by one.
A call remembers the epoch it was issued in: a call issued before the newest handle is part
of the state that handle restores, so on resume it keeps running and answers on the new
connection; a call issued after it is unknown to the resumed model and must be cancelled.

Client messages sent since the newest handle are kept. If the server ever reports
``lastConsumedClientMessageIndex`` (numbered from 1 per connection, setup not counted),
messages after that index are replayed on resume. Otherwise (the Gemini API) nothing is
replayed blindly: ``ResumePlan.possibly_lost`` names what the model may have missed, and only
tool responses the resumed model still waits for are sent again.

No I/O, no clocks: the session feeds frames in and sends the frames it is given.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..errors import LocalProtocolError
from ._builders import audio_mime
from ._client_messages import ClientMessage, SessionResumptionConfig, Setup, ToolResponse
from ._codec import (
    AnyClientMessage,
    audio_frame,
    decode_client,
    decode_server,
    encode,
    function_response_frame,
    is_plain_json,
    wrap,
)
from ._content import FunctionCall, FunctionResponse
from ._server_messages import ServerMessage

__all__ = ["ClientProtocol", "ResumePlan", "Salvage", "State"]


class State(enum.Enum):
    """Where the current connection is."""

    IDLE = "IDLE"
    SETUP_SENT = "SETUP_SENT"
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class _Sent:
    """A message sent since the newest handle. The hot paths keep only the frame and parse
    it back into its model if a resume needs it (the frame is what went out). A message
    no resume can replay keeps only its kind."""

    __slots__ = ("_frame", "_message", "index", "kind")

    def __init__(
        self, index: int, kind: str, message: ClientMessage | None, frame: str | None
    ) -> None:
        self.index = index
        self.kind = kind
        self._message = message
        self._frame = frame

    @property
    def kept(self) -> bool:
        """The message itself was kept (not only its kind)."""
        return self._message is not None or self._frame is not None

    @property
    def message(self) -> ClientMessage:
        if self._message is None:
            assert self._frame is not None
            self._message, self._frame = decode_client(self._frame), None
        return self._message


@dataclass(frozen=True, slots=True)
class ResumePlan:
    """What to do on the next connection after a resume.

    Attributes:
        handle: The handle the new setup carries.
        cancel: Ids of calls issued after the handle; the resumed model never saw them.
        keep: Ids of pending calls that survive and must be answered on the new connection.
        replay: Messages to send again once the new connection is open.
        possibly_lost: Kinds of client messages the resumed model may not have seen.
        transparent: True when the server reported ``lastConsumedClientMessageIndex``.
        cancelled_calls: The calls of ``cancel``; answer them with :meth:`ClientProtocol.
            answer_cancelled` on the new connection (a server that restored a later state
            still waits for them).
    """

    handle: str
    cancel: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    replay: tuple[ClientMessage, ...] = ()
    possibly_lost: tuple[str, ...] = ()
    transparent: bool = False
    cancelled_calls: tuple[FunctionCall, ...] = ()


@dataclass(frozen=True, slots=True)
class Salvage:
    """See :meth:`ClientProtocol.salvage`.

    Attributes:
        raw: The frame's JSON, or the frame itself when it is not JSON.
        message: A ``toolCall`` of the well-formed calls, or None.
        malformed_calls: ``(id, name, error)`` of calls to answer with an error.
    """

    raw: Any
    message: ServerMessage | None = None
    malformed_calls: tuple[tuple[str, str, str], ...] = ()


@dataclass(slots=True)
class _Call:
    call: FunctionCall
    epoch: int


@dataclass(slots=True)
class _Stats:
    sent: int = 0
    received: int = 0
    connections: int = 0
    resumes: int = 0
    handles: int = 0
    replayed: int = 0


class ClientProtocol:
    """The client side of ``BidiGenerateContent`` as a state machine.

    Args:
        setup: The setup sent on the first connection; resumes reuse it with a handle.
    """

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.state = State.IDLE
        self.resumption_handle: str | None = None
        self._pending: dict[str, _Call] = {}
        self._issued: dict[str, int] = {}  # call id -> handle epoch it was issued in
        self._epoch = 0
        self._index = 0
        self._unacked: list[_Sent] = []
        self._transparent = False
        # Without resumption there is nothing to resume, so nothing sent is kept; without
        # transparent resumption only tool responses can be replayed (see _record).
        resumption = setup.session_resumption
        self._keeps_sent = resumption is not None
        self._keeps_all = resumption is not None and bool(resumption.transparent)
        self._stats = _Stats()

    # -- outgoing ---------------------------------------------------------------------

    def setup_frame(self) -> str:
        """The setup frame for a new connection (with the handle once there is one)."""
        if self.state not in (State.IDLE, State.CLOSED):
            raise LocalProtocolError(f"cannot send setup: already sent (state {self.state.name})")
        setup = self.setup
        if self.resumption_handle is not None:
            setup = setup.model_copy()
            resumption = (setup.session_resumption or SessionResumptionConfig()).model_copy()
            resumption.handle = self.resumption_handle
            setup.session_resumption = resumption
        frame = encode(setup)
        self.state = State.SETUP_SENT
        self._index = 0
        self._stats.connections += 1
        return frame

    def send(self, msg: AnyClientMessage, *, replay: bool = False) -> str:
        """Check and record one message; returns the frame to put on the wire.

        Raises:
            LocalProtocolError: the message is not allowed now (before ``setupComplete``,
                a second setup, or a tool response for an id that is not pending).
        """
        envelope = wrap(msg)
        kind = envelope.kind
        if kind == "setup":
            raise LocalProtocolError("setup is sent once per connection, by setup_frame()")
        self._check_open(kind)
        if envelope.tool_response is not None and not replay:
            self._answer(envelope.tool_response)
        frame = encode(envelope)
        self._record(kind or "", envelope, None, replay)
        return frame

    def send_audio(self, pcm: bytes, rate: int = 16000) -> str:
        """``send(build.audio(pcm, rate))``, the same frame, without building models.

        Raises:
            ValueError: ``rate`` is not a positive int.
            LocalProtocolError: the connection is not open.
        """
        mime = audio_mime(rate)
        pcm = bytes(pcm)
        self._check_open("realtimeInput")
        frame = audio_frame(pcm, mime)
        self._record("realtimeInput", None, frame)
        return frame

    def send_function_response(
        self,
        id: str,
        name: str,
        response: dict[str, Any],
        *,
        will_continue: bool | None = None,
        scheduling: str | enum.Enum | None = None,
    ) -> str:
        """Send one FunctionResponse: ``send(build.tool_response({...}))``, the same frame
        and checks, without building models when ``response`` is plain JSON data.

        Raises:
            LocalProtocolError: the connection is not open, or ``id`` is not pending.
        """
        if isinstance(scheduling, enum.Enum):
            scheduling = scheduling.value  # as the model's WireEnum does
        if not (
            type(id) is str
            and type(name) is str
            and type(response) is dict
            and (will_continue is None or type(will_continue) is bool)
            and (scheduling is None or type(scheduling) is str)
            and is_plain_json(response)
        ):
            wire: dict[str, Any] = {"id": id, "name": name, "response": response}
            if will_continue is not None:
                wire["willContinue"] = will_continue
            if scheduling is not None:
                wire["scheduling"] = scheduling
            return self.send(
                ToolResponse(function_responses=[FunctionResponse.model_validate(wire)])
            )
        self._check_open("toolResponse")
        self._answer_one(id, bool(will_continue))
        frame = function_response_frame(id, name, response, will_continue, scheduling)
        self._record("toolResponse", None, frame)
        return frame

    def _check_open(self, kind: str | None) -> None:
        if self.state is not State.OPEN:
            raise LocalProtocolError(
                f"cannot send {kind}: the connection is not open (state {self.state.name})"
            )

    def _record(
        self, kind: str, message: ClientMessage | None, frame: str | None, replay: bool = False
    ) -> None:
        """Number one sent message and keep what a resume may need of it (the model or the
        frame it is parsed back from)."""
        self._index += 1
        if self._keeps_sent:
            if not self._keeps_all and kind != "toolResponse":
                # No index will say what the server consumed, so a resume replays only
                # tool responses and names the rest as possibly lost: their frames are not
                # kept (an hour of audio between two handles would be ~150 MB).
                message = frame = None
            self._unacked.append(_Sent(self._index, kind, message, frame))
        self._stats.sent += 1
        if replay:
            self._stats.replayed += 1

    def _answer_one(self, id: str, will_continue: bool) -> None:
        if id not in self._pending:
            raise LocalProtocolError(
                f"cannot send toolResponse for id {id!r}: no such pending call "
                f"(state {self.state.name})"
            )
        if not will_continue:
            del self._pending[id]

    def _answer(self, response: ToolResponse) -> None:
        ids = [r.id for r in response.function_responses]
        for fr in response.function_responses:
            if fr.id is None:
                raise LocalProtocolError("cannot send a FunctionResponse without an id")
            if fr.id not in self._pending:
                raise LocalProtocolError(
                    f"cannot send toolResponse for id {fr.id!r}: no such pending call "
                    f"(state {self.state.name})"
                )
        if len(set(ids)) != len(ids):
            raise LocalProtocolError(f"toolResponse answers an id twice: {ids}")
        for fr in response.function_responses:
            if not fr.will_continue:
                assert fr.id is not None
                self._pending.pop(fr.id, None)

    # -- incoming ---------------------------------------------------------------------

    def receive(self, frame: str | bytes) -> ServerMessage:
        """Decode one server frame and update the state.

        Raises:
            RemoteProtocolError: the frame is not JSON (see :func:`decode_server`).
        """
        msg = decode_server(frame)
        self.receive_message(msg)
        return msg

    def receive_message(self, msg: ServerMessage) -> None:
        """Update the state from an already decoded server message."""
        self._stats.received += 1
        if msg.setup_complete is not None and self.state is State.SETUP_SENT:
            self.state = State.OPEN
        if msg.tool_call is not None:
            for call in msg.tool_call.function_calls:
                if call.id:
                    self._pending[call.id] = _Call(call, self._epoch)
                    if self._keeps_sent:  # only a resume asks when a call was issued
                        self._issued[call.id] = self._epoch
        if msg.tool_call_cancellation is not None:
            for id_ in msg.tool_call_cancellation.ids:
                self._pending.pop(id_, None)
        update = msg.session_resumption_update
        if update is not None and update.resumable and update.new_handle:
            self.resumption_handle = update.new_handle
            self._epoch += 1
            self._stats.handles += 1
            last = update.last_consumed_client_message_index
            if last is not None:
                self._transparent = True
                self._unacked = [s for s in self._unacked if s.index > last]
            else:
                self._unacked.clear()
            # Calls no longer pending can only matter for responses sent after this handle.
            self._issued = {i: e for i, e in self._issued.items() if i in self._pending}

    def salvage(self, frame: str | bytes) -> Salvage:
        """What can be recovered from a frame :meth:`receive` refused as malformed.

        The frame's JSON (or its text) is kept for the user. In a malformed ``toolCall``
        the well-formed calls are returned as a message (already received, so they are
        pending) and the malformed ones that carry an ``id`` and a ``name`` become pending
        too, with the error: the caller answers them, so the model does not wait forever.
        """
        try:
            text = frame.decode("utf-8") if isinstance(frame, bytes | bytearray) else frame
            data = json.loads(text)
        except ValueError:
            return Salvage(raw=frame)
        if not isinstance(data, dict):
            return Salvage(raw=data)
        body = data.get("toolCall", data.get("tool_call"))
        calls = (
            body.get("functionCalls", body.get("function_calls"))
            if isinstance(body, dict)
            else None
        )
        if not isinstance(calls, list):
            return Salvage(raw=data)
        good: list[FunctionCall] = []
        bad: list[tuple[str, str, str]] = []
        for item in calls:
            try:
                good.append(FunctionCall.model_validate(item))
            except ValidationError as exc:
                if not isinstance(item, dict):
                    continue
                id_, name = item.get("id"), item.get("name")
                if isinstance(id_, str) and id_ and isinstance(name, str):
                    err = exc.errors(include_url=False, include_input=False)[0]
                    where = ".".join(str(p) for p in err["loc"]) or "call"
                    bad.append((id_, name, f"{where}: {err['msg']}"))
        message = None
        if good:
            message = ServerMessage.model_validate({"toolCall": {"functionCalls": good}})
            self.receive_message(message)
        for id_, name, _ in bad:
            self._pending[id_] = _Call(FunctionCall(id=id_, name=name), self._epoch)
            if self._keeps_sent:
                self._issued[id_] = self._epoch
        return Salvage(raw=data, message=message, malformed_calls=tuple(bad))

    def connection_lost(self) -> None:
        """The current connection is gone (closed by either side)."""
        self.state = State.CLOSED

    # -- resumption -------------------------------------------------------------------

    def is_pending(self, id: str) -> bool:
        """True if the call ``id`` was issued and not answered (finally) nor cancelled."""
        return id in self._pending

    @property
    def pending_ids(self) -> list[str]:
        """Ids of calls issued and neither answered (finally) nor cancelled."""
        return list(self._pending)

    @property
    def pending_calls(self) -> list[FunctionCall]:
        """The pending calls, in the order they were issued."""
        return [c.call for c in self._pending.values()]

    def resume(self) -> ResumePlan:
        """Prepare the next connection after this one was lost.

        Raises:
            LocalProtocolError: there is no resumable handle yet.
        """
        if self.resumption_handle is None:
            raise LocalProtocolError("cannot resume: the server never sent a resumable handle")
        self.state = State.CLOSED
        cancel = tuple(i for i, c in self._pending.items() if c.epoch >= self._epoch)
        cancelled_calls = tuple(self._pending.pop(id_).call for id_ in cancel)
        keep = tuple(self._pending)
        replay: list[ClientMessage] = []
        lost: list[str] = []
        if self._transparent:
            for sent in self._unacked:
                if sent.kept:
                    replay.append(sent.message)
                else:  # recorded before the server first reported an index
                    lost.append(sent.kind)
        else:
            for sent in self._unacked:
                answer = sent.message.tool_response if sent.kind == "toolResponse" else None
                if answer is None:
                    lost.append(sent.kind)
                    continue
                again = self._still_expected(answer.function_responses)
                if again:
                    replay.append(
                        ClientMessage(tool_response=ToolResponse(function_responses=again))
                    )
                if len(again) < len(answer.function_responses):
                    lost.append(sent.kind)
        self._unacked.clear()
        self._stats.resumes += 1
        return ResumePlan(
            handle=self.resumption_handle,
            cancel=cancel,
            keep=keep,
            replay=tuple(replay),
            possibly_lost=tuple(lost),
            transparent=self._transparent,
            cancelled_calls=cancelled_calls,
        )

    def answer_cancelled(self, calls: tuple[FunctionCall, ...], error: str) -> str:
        """One ``toolResponse`` frame answering ``calls`` (cancelled by a resume) with
        ``{"error": error}``. They are no longer pending, so this skips the pending check:
        a server that does not know an id ignores its response.

        Raises:
            LocalProtocolError: the connection is not open.
        """
        self._check_open("toolResponse")
        msg = ClientMessage(
            tool_response=ToolResponse(
                function_responses=[
                    FunctionResponse(id=c.id, name=c.name, response={"error": error}) for c in calls
                ]
            )
        )
        frame = encode(msg)
        self._record("toolResponse", msg, None)
        return frame

    def _still_expected(self, responses: list[FunctionResponse]) -> list[FunctionResponse]:
        # A response sent after the handle answered a call the resumed state still holds
        # open if that call was issued before the handle: send it again. Responses to calls
        # issued after the handle answer nothing the resumed model knows.
        return [
            r
            for r in responses
            if r.id is not None and self._issued.get(r.id, self._epoch) < self._epoch
        ]

    def statistics(self) -> dict[str, int]:
        """Counters: frames sent and received, connections, resumes, handles, replayed."""
        s = self._stats
        return {
            "sent": s.sent,
            "received": s.received,
            "connections": s.connections,
            "resumes": s.resumes,
            "handles": s.handles,
            "replayed": s.replayed,
        }
