"""Sessions that outlive connections: history, expected calls, resumption handles."""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PendingCall", "SessionState", "Sessions", "estimate_tokens"]


@dataclass
class PendingCall:
    """A function call the model still expects an answer for."""

    id: str
    name: str
    args: dict[str, Any]
    blocking: bool
    responses: list[dict[str, Any]] = field(default_factory=list)
    # the generation that issued the call (0: a script's): a barge-in cancels only its own
    generation: int = 0


@dataclass
class SessionState:
    """What a resumption handle restores."""

    model_id: str
    started: float = field(default_factory=time.monotonic)
    history: list[dict[str, Any]] = field(default_factory=list)
    pending: dict[str, PendingCall] = field(default_factory=dict)
    has_video: bool = False
    live: bool = True
    ended_at: float | None = None
    compressions: int = 0
    token: str | None = None
    generations: int = 0  # generations started so far, across resumptions

    def tokens(self) -> int:
        """Approximate context size in tokens."""
        return sum(estimate_tokens(content) for content in self.history)

    def tokens_by_modality(self) -> dict[str, int]:
        """Approximate context size per modality (``TEXT``, ``AUDIO``, ``IMAGE``)."""
        out: dict[str, int] = {}
        for content in self.history:
            for part in content.get("parts") or []:
                modality = (
                    "AUDIO"
                    if "audioSeconds" in part
                    else "IMAGE"
                    if "imageTokens" in part or "inlineData" in part
                    else "TEXT"
                )
                count = estimate_tokens({"parts": [part]})
                if count:
                    out[modality] = out.get(modality, 0) + count
        return out

    def compress(self, trigger: int, target: int) -> bool:
        """Sliding window: once past ``trigger``, drop the oldest turns down to ``target``."""
        if self.tokens() <= trigger:
            return False
        while self.history and self.tokens() > target:
            self.history.pop(0)
        self.compressions += 1
        return True


def estimate_tokens(content: dict[str, Any]) -> int:
    """~4 characters per text token, 25 tokens per second of audio, 64-258 per image."""
    total = 0
    for part in content.get("parts") or []:
        if "text" in part:
            total += math.ceil(len(str(part["text"])) / 4)
        elif "audioSeconds" in part:
            total += math.ceil(float(part["audioSeconds"]) * 25)
        elif "imageTokens" in part:
            total += int(part["imageTokens"])
        elif "inlineData" in part:
            total += 258
    return total


class Sessions:
    """Opaque handles -> session state. Old handles keep restoring the latest state."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._by_handle: dict[str, SessionState] = {}

    def issue(self, state: SessionState) -> str:
        handle = secrets.token_hex(18)
        self._by_handle[handle] = state
        return handle

    def lookup(self, handle: str) -> SessionState | None:
        state = self._by_handle.get(handle)
        if state is None:
            return None
        expired = state.ended_at is not None and time.monotonic() - state.ended_at > self.ttl
        if not state.live and expired:
            return None
        return state
