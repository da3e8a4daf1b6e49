"""The receiving end of the dispatcher's replies: a memory stream that sees each reply taken."""

from __future__ import annotations

from collections.abc import Callable

from anyio import ClosedResourceError, create_memory_object_stream
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from ._records import Reply

__all__ = ["ReplyStream", "reply_stream"]


class ReplyStream(MemoryObjectReceiveStream[Reply]):
    """An unbuffered memory object stream of :class:`Reply`, with one addition.

    A call task parks its reply in the stream until the consumer takes it. If the call is
    cancelled meanwhile, anyio still holds the parked item until the task wakes up to
    withdraw it, and a consumer taking it in that window would send a reply for a call
    the server already cancelled. So every reply a consumer takes from a parked sender
    passes ``gate``, which refuses the ones whose call was cancelled and records the
    others as sent, at the very moment they change hands. (A reply handed straight to a
    consumer already waiting never parks; its sender records it.)
    """

    def __init__(self, state: object, gate: Callable[[Reply], bool]) -> None:
        self._gate = gate
        super().__init__(state)  # type: ignore[arg-type]

    def receive_nowait(self) -> Reply:
        """Take the next reply if one is ready, skipping replies of cancelled calls."""
        while True:
            reply = super().receive_nowait()
            if self._gate(reply):
                return reply

    def clone(self) -> ReplyStream:
        """Another receiving end over the same replies, with the same gate."""
        if self._closed:
            raise ClosedResourceError
        return ReplyStream(self._state, self._gate)

    def __del__(self) -> None:
        # The dispatcher ends the stream by closing the sending side; an unclosed
        # receiving side holds nothing and needs no warning.
        pass


class _ReplySendStream(MemoryObjectSendStream[Reply]):
    """The dispatcher's sending end; closed when the dispatcher exits."""

    def __del__(self) -> None:
        # A dispatcher that was never entered never closes it; that loses nothing.
        pass


def reply_stream(
    gate: Callable[[Reply], bool],
) -> tuple[MemoryObjectSendStream[Reply], ReplyStream]:
    """An unbuffered (``max_buffer_size=0``) send stream and its gated receiving end."""
    plain_send, plain_receive = create_memory_object_stream[Reply](0)
    send = _ReplySendStream(plain_send._state)
    receive = ReplyStream(plain_receive._state, gate)
    plain_send.close()
    plain_receive.close()
    return send, receive
