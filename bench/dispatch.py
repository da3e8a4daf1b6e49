"""Dispatcher figures: overhead per call, concurrency, loop lag, cancellation latency.

Run: ``.venv/bin/python bench/dispatch.py`` (about 15 s). Prints figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import anyio
import anyio.to_thread

from agentkit.dispatch import Dispatcher
from agentkit.tools import ToolContext, tool

OVERHEAD_CALLS = 5_000
CANCEL_ROUNDS = 500


@tool
async def anoop() -> None:
    """Do nothing, asynchronously."""


@tool
def snoop() -> None:
    """Do nothing, in a worker thread."""


def _noop() -> None:
    pass


async def _anoop() -> None:
    pass


async def timed(fn: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await fn()
    return time.perf_counter() - start


async def dispatch_many(tool_name: str, n: int, **options: Any) -> None:
    async with Dispatcher([anoop, snoop], **options) as dispatcher:
        for i in range(n):
            dispatcher.submit(str(i), tool_name, None)
        for _ in range(n):
            await dispatcher.replies.receive()


async def dispatch_eager(n: int) -> None:
    """submit_eager with a direct sink, as the live session runs a tool with no await."""

    async def sink(reply: Any) -> None:
        pass

    async with Dispatcher([anoop]) as dispatcher:
        with dispatcher.direct_replies(sink):
            for i in range(n):
                await dispatcher.submit_eager(str(i), "anoop", None)


async def baseline_inline(n: int) -> None:
    for _ in range(n):
        await _anoop()


async def baseline_async(n: int) -> None:
    async with anyio.create_task_group() as tg:
        for _ in range(n):
            tg.start_soon(_anoop)


# Worker threads for the sync comparison: the baseline's limiter and the dispatcher's
# max_concurrency (its thread limiter) must match, or the ratio compares thread pools.
SYNC_THREADS = 64


async def baseline_sync(n: int) -> None:
    limiter = anyio.CapacityLimiter(SYNC_THREADS)
    async with anyio.create_task_group() as tg:
        for _ in range(n):
            tg.start_soon(partial(anyio.to_thread.run_sync, _noop, limiter=limiter))


async def overhead(backend: str) -> None:
    n = OVERHEAD_CALLS
    base_a = await timed(lambda: baseline_async(n))
    disp_a = await timed(lambda: dispatch_many("anoop", n))
    base_i = await timed(lambda: baseline_inline(n))
    disp_e = await timed(lambda: dispatch_eager(n))
    base_s = await timed(lambda: baseline_sync(n // 5))
    disp_s = await timed(lambda: dispatch_many("snoop", n // 5, max_concurrency=SYNC_THREADS))
    per = 1e6 / n
    per_s = 1e6 / (n // 5)
    print(
        f"[{backend}] per-call cost, async no-op tool: {disp_a * per:7.1f} µs  "
        f"(bare start_soon {base_a * per:5.1f} µs, ratio {disp_a / base_a:5.1f}x)"
    )
    print(
        f"[{backend}] per-call cost, the same, eager:   {disp_e * per:7.1f} µs  "
        f"(bare await {base_i * per:5.2f} µs: ledger, validation and reply are the cost)"
    )
    print(
        f"[{backend}] per-call cost, sync no-op tool:  {disp_s * per_s:7.1f} µs  "
        f"(bare start_soon+to_thread {base_s * per_s:5.1f} µs, ratio {disp_s / base_s:5.1f}x; "
        f"{SYNC_THREADS} threads each)"
    )


async def concurrency() -> None:
    @tool
    async def wait_100ms() -> None:
        """Sleep 100 ms."""
        await anyio.sleep(0.1)

    @tool
    async def block_500ms() -> None:
        """A BLOCKING tool that takes 0.5 s."""
        await anyio.sleep(0.5)

    @tool
    def sync_500ms() -> None:
        """A sync BLOCKING tool that takes 0.5 s in its thread."""
        time.sleep(0.5)

    async def batch(name: str, n: int, **options: Any) -> float:
        async with Dispatcher([wait_100ms, block_500ms, sync_500ms], **options) as dispatcher:
            start = time.perf_counter()
            for i in range(n):
                dispatcher.submit(str(i), name, {})
            for _ in range(n):
                await dispatcher.replies.receive()
            return time.perf_counter() - start

    t = await batch("wait_100ms", 100)
    print(
        f"100 concurrent calls of a 100 ms async tool:  {t * 1000:6.1f} ms wall "
        f"({t / 0.1:.2f}x one call; default max_concurrency)"
    )
    t = await batch("block_500ms", 100)
    print(f"100 BLOCKING calls of a 0.5 s async tool:     {t * 1000:6.1f} ms wall")
    t = await batch("sync_500ms", 100)
    print(f"100 BLOCKING calls of a 0.5 s sync tool:      {t * 1000:6.1f} ms wall")
    t = await batch("block_500ms", 100, max_concurrency=50)
    print(f"  same async, max_concurrency=50:             {t * 1000:6.1f} ms wall (two waves)")


async def loop_lag() -> None:
    @tool
    def sleepy() -> None:
        """Block its thread for 1 s."""
        time.sleep(1.0)

    async def ticker(duration: float) -> float:
        worst = 0.0
        end = time.perf_counter() + duration
        while time.perf_counter() < end:
            start = time.perf_counter()
            await anyio.sleep(0.001)
            worst = max(worst, time.perf_counter() - start - 0.001)
        return worst

    idle = await ticker(0.5)
    async with Dispatcher([sleepy]) as dispatcher:
        for i in range(8):
            dispatcher.submit(str(i), "sleepy", {})
        busy = await ticker(0.9)
        for _ in range(8):
            await dispatcher.replies.receive()
    print(
        f"loop lag while 8 sync tools sleep in threads: max {busy * 1000:.2f} ms "
        f"(idle loop: max {idle * 1000:.2f} ms)"
    )


async def cancel_latency() -> None:
    started = anyio.Event()
    observed = anyio.Event()
    seen_at = 0.0
    thread_started = threading.Event()
    thread_seen = threading.Event()

    @tool
    async def waits() -> None:
        """Wait until cancelled."""
        nonlocal seen_at
        started.set()
        try:
            await anyio.sleep_forever()
        finally:
            seen_at = time.perf_counter()
            observed.set()

    @tool
    def waits_sync(ctx: ToolContext) -> None:
        """Wait in a thread until cancelled."""
        nonlocal seen_at
        thread_started.set()
        ctx.wait_cancelled(10)
        seen_at = time.perf_counter()
        thread_seen.set()

    async_lat: list[float] = []
    sync_lat: list[float] = []
    async with Dispatcher([waits, waits_sync]) as dispatcher:
        for i in range(CANCEL_ROUNDS):
            started, observed = anyio.Event(), anyio.Event()
            dispatcher.submit(f"a{i}", "waits", {})
            await started.wait()
            t0 = time.perf_counter()
            dispatcher.cancel([f"a{i}"])
            await observed.wait()
            async_lat.append(seen_at - t0)
        for i in range(CANCEL_ROUNDS // 5):
            thread_started.clear()
            thread_seen.clear()
            dispatcher.submit(f"s{i}", "waits_sync", {})
            await anyio.to_thread.run_sync(thread_started.wait)
            t0 = time.perf_counter()
            dispatcher.cancel([f"s{i}"])
            await anyio.to_thread.run_sync(thread_seen.wait)
            sync_lat.append(seen_at - t0)
    for label, values in (("async tool", async_lat), ("sync tool (ctx)", sync_lat)):
        q = statistics.quantiles(values, n=100)
        print(
            f"cancel() -> {label} observes it: p50 {q[49] * 1e6:7.1f} µs, "
            f"p99 {q[98] * 1e6:7.1f} µs  ({len(values)} calls)"
        )


async def main_asyncio() -> None:
    await overhead("asyncio")
    await concurrency()
    await loop_lag()
    await cancel_latency()


async def main_trio() -> None:
    await overhead("trio")


if __name__ == "__main__":
    begin = time.perf_counter()
    anyio.run(main_asyncio)
    anyio.run(main_trio, backend="trio")
    print(f"total {time.perf_counter() - begin:.1f} s")
