"""Compensation bookkeeping shared by the actuating home tools.

Every actuating tool records the previous state of what it touches, marks the call as
acted (``ctx.mark_acted()``) just before it asks the backend for a change, and registers
an ``on_cancel`` hook that puts the previous state back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from agentkit import Tool, ToolContext

from ._backend import EntityState

__all__ = ["Acting", "Previous", "Restore"]

Previous = list[dict[str, Any]]
Restore = Callable[[Previous], Awaitable[None]]


class Acting:
    """One toolbox's record of what its running calls changed, for ``on_cancel`` hooks."""

    def __init__(self) -> None:
        # Previous states of calls that acted but have not answered yet, by call id: what
        # an on_cancel hook restores when the call is cancelled before its result exists.
        self.pending: dict[str, Previous] = {}

    async def act(
        self,
        ctx: ToolContext,
        targets: list[EntityState],
        service: Callable[[EntityState], Awaitable[EntityState]],
        remember: Callable[[EntityState], dict[str, Any]],
    ) -> tuple[list[dict[str, Any]], Previous]:
        """Apply ``service`` to each target; return their summaries and previous states."""
        previous = [remember(t) for t in targets]
        self.pending[ctx.id] = previous
        after = []
        try:
            for target in targets:
                # Acted from the moment the request may have left: a call cancelled while
                # waiting for the answer is compensated too. Restoring an unchanged state
                # is harmless; leaving a changed one is not.
                ctx.mark_acted()
                new = await service(target)
                after.append(new.summary())
        except Exception:
            self.pending.pop(ctx.id, None)  # answered with an error: nothing will undo it
            raise
        finally:
            if not ctx.acted:
                self.pending.pop(ctx.id, None)
        return after, previous

    def done(self, ctx: ToolContext, payload: dict[str, Any]) -> dict[str, Any]:
        """The call answers: its previous states now travel in ``payload["previous"]``."""
        self.pending.pop(ctx.id, None)
        return payload

    def previous(self, call: Any) -> Previous:
        """What a cancelled call changed: from its result, or recorded while it ran."""
        result = call.result if isinstance(call.result, dict) else {}
        recorded = self.pending.pop(call.id, None)
        found: Previous = result.get("previous") or recorded or []
        return found

    def compensate(self, tool_obj: Tool, restore: Restore) -> None:
        """Register ``restore(previous)`` as ``tool_obj``'s ``on_cancel`` hook."""

        @tool_obj.on_cancel
        async def _undo(call: Any) -> None:
            await restore(self.previous(call))
