"""Compensation: the ``on_cancel`` hooks of calls that were cancelled after they acted."""

from __future__ import annotations

import logging

import anyio

from ._call import Call, call_hook
from ._core import DispatcherCore
from ._safety import scrubbed_traceback

__all__ = ["CompensationMixin"]

logger = logging.getLogger("agentkit.dispatch")


class CompensationMixin(DispatcherCore):
    """How :class:`~agentkit.dispatch.Dispatcher` runs ``on_cancel`` hooks."""

    # -- compensation ---------------------------------------------------------------------

    def _compensate(self, call: Call) -> None:
        if call.tool is None or not call.tool.cancel_hooks or call.record.compensated:
            return
        if self._tg is None:
            logger.warning("dispatcher closed: on_cancel hooks of call %r not run", call.record.id)
            return
        call.record.compensated = True
        self._compensated += 1
        self._tg.start_soon(self._run_hooks, call, name=f"agentkit on_cancel {call.record.id}")

    async def _run_hooks(self, call: Call) -> None:
        assert call.tool is not None
        record = call.record
        # Shielded: compensation must run even while the dispatcher is being torn down.
        with anyio.move_on_after(self._compensation_timeout, shield=True) as scope:
            if not call.exited:  # let the cancelled call unwind before undoing its work
                if call.done is None:
                    call.done = anyio.Event()
                await call.done.wait()
            for hook in call.tool.cancel_hooks:
                try:
                    await call_hook(hook, record)
                except Exception as exc:
                    logger.warning(
                        "on_cancel hook %s of %r (call %r) failed\n%s",
                        getattr(hook, "__qualname__", repr(hook)),
                        record.name,
                        record.id,
                        scrubbed_traceback(exc),
                    )
        if scope.cancelled_caught:
            logger.warning(
                "on_cancel hooks of %r (call %r) did not finish within %gs",
                record.name,
                record.id,
                self._compensation_timeout,
            )
