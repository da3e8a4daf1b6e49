"""ToolContext: what a running call knows about itself, and its cancellation flag."""

from __future__ import annotations

import threading
from typing import Any

from ..errors import AgentkitError

__all__ = ["CallCancelled", "ToolContext"]


class CallCancelled(AgentkitError):
    """Raised by :meth:`ToolContext.check_cancelled` once the call has been cancelled."""


class ToolContext:
    """Injected into a tool that declares a parameter annotated ``ToolContext``.

    It is never part of the declaration the model sees.

    Attributes:
        id: The function call id the server chose.
        name: The tool's declared name.
        session: The live session the call came from, or None outside a session.
    """

    __slots__ = ("_acted", "_cancelled", "id", "name", "session")

    def __init__(self, id: str, name: str, session: Any = None) -> None:
        self.id = id
        self.name = name
        self.session = session
        # A threading.Event, not an anyio one: sync tools poll it from worker threads.
        self._cancelled = threading.Event()
        self._acted = False

    @property
    def cancelled(self) -> bool:
        """True once the server (or an interruption) cancelled this call."""
        return self._cancelled.is_set()

    def check_cancelled(self) -> None:
        """Raise :class:`CallCancelled` if the call was cancelled (for cooperative sync code)."""
        if self._cancelled.is_set():
            raise CallCancelled(f"call {self.id!r} to {self.name!r} was cancelled")

    def wait_cancelled(self, timeout: float | None = None) -> bool:
        """Block a worker thread until cancellation or ``timeout``; True if cancelled."""
        return self._cancelled.wait(timeout)

    def mark_acted(self) -> None:
        """Record that the tool has changed the world, so a later cancel runs ``on_cancel``."""
        self._acted = True

    @property
    def acted(self) -> bool:
        """True once :meth:`mark_acted` was called."""
        return self._acted

    def _set_cancelled(self) -> None:
        self._cancelled.set()

    def __repr__(self) -> str:
        state = "cancelled" if self.cancelled else "active"
        return f"ToolContext(id={self.id!r}, name={self.name!r}, {state})"
