"""Run an :class:`Emulator` on its own asyncio loop in a background thread.

Useful from synchronous code, and from trio tests (the server itself needs asyncio).
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from typing import Any

from ._server import Emulator

__all__ = ["EmulatorThread"]


class EmulatorThread:
    """``with EmulatorThread(tls=True) as emu:`` gives a running :class:`Emulator`."""

    def __init__(self, **options: Any) -> None:
        self.emulator = Emulator(**options)
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="agentkit-emulator", daemon=True)

    def __enter__(self) -> Emulator:
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self.emulator

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            async with self.emulator:
                self._ready.set()
                await self._stop.wait()
        except BaseException as exc:  # reported to the thread that started us
            self._error = exc
        finally:
            self._ready.set()
