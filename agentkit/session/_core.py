"""SessionCore: the interface LiveSession's mixins share, declared once for mypy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio

from .. import events
from .._transport import Closed, Connection
from ..protocol import ClientProtocol, FunctionCall, ServerMessage
from ._options import Options
from ._queue import EventQueue

__all__ = ["SessionCore"]


class SessionCore:
    """The base of :class:`~agentkit.session._live.LiveSession`'s mixins, for the type checker.

    It annotates the session state the mixins use (``LiveSession.__init__`` sets it all)
    and, for mypy only, stubs the methods one mixin calls and another part defines (mypy
    checks each stub against the real method). At runtime it is an empty class: no
    attributes, no methods.
    """

    _options: Options
    _protocol: ClientProtocol
    _dispatcher: Any
    _conn: Connection | None
    _ready: anyio.Event
    _events: EventQueue[events.Event]
    _closing: bool
    _scope: anyio.CancelScope | None
    _call_messages: dict[str, ServerMessage]
    _pending_replay: tuple[Any, ...]
    _pending_cancelled: tuple[FunctionCall, ...]
    _turn_open: bool
    _progress: bool
    _failures: int
    _draining: anyio.Event | None
    reconnects: int

    if TYPE_CHECKING:
        # LiveSession (_live).
        async def _serve(self, conn: Connection) -> Closed | str: ...
        def _fail(self, error: BaseException) -> None: ...

        # ConnectMixin.
        async def _open(self) -> tuple[Connection, list[ServerMessage]]: ...

        # EmitMixin.
        def _handle(self, event: events.Event) -> None: ...
        def _emit(self, event: events.Event) -> None: ...
        def _emit_tool_response(
            self,
            id_: str,
            name: str | None,
            response: dict[str, Any],
            scheduling: str | None,
            will_continue: bool,
            reply: Any,
        ) -> None: ...
