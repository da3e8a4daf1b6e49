"""Fault injection, per emulator or per connection."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Faults"]


@dataclass(frozen=True)
class Faults:
    """Misbehaviours to inject into a connection.

    - ``drop_after_frames``: abort the TCP connection (no close frame) after N server frames.
    - ``drop_after_seconds``: abort the TCP connection N seconds after setup.
    - ``delay``: sleep this long before every server frame (slow network).
    - ``malformed_after_frames``: send one frame that is not JSON after N server frames.
    - ``duplicate_call_ids``: every function call in a ``toolCall`` reuses the first call's id.
    - ``stall_reading_after``: stop reading client messages after N of them (a stuck server).
    - ``refuse_setup``: ``(code, reason)``: close instead of answering ``setup``.
    - ``refuse_resume``: ``(code, reason)``: close instead of resuming a handle (real: 1011).
    """

    drop_after_frames: int | None = None
    drop_after_seconds: float | None = None
    delay: float = 0.0
    malformed_after_frames: int | None = None
    duplicate_call_ids: bool = False
    stall_reading_after: int | None = None
    refuse_setup: tuple[int, str] | None = None
    refuse_resume: tuple[int, str] | None = None
