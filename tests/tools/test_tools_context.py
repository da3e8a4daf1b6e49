"""ToolContext: the call's identity and its cancellation flag, usable from worker threads."""

from __future__ import annotations

import threading

import pytest

from agentkit.tools import CallCancelled, ToolContext


def test_identity_and_initial_state() -> None:
    session = object()
    ctx = ToolContext("call-1", "unlock", session)
    assert (ctx.id, ctx.name, ctx.session) == ("call-1", "unlock", session)
    assert not ctx.cancelled
    assert not ctx.acted
    ctx.check_cancelled()  # no-op while active
    assert repr(ctx) == "ToolContext(id='call-1', name='unlock', active)"
    assert ToolContext("c", "n").session is None


def test_mark_acted() -> None:
    ctx = ToolContext("c", "n")
    ctx.mark_acted()
    assert ctx.acted


def test_cancellation_is_seen_by_check_and_repr() -> None:
    ctx = ToolContext("call-7", "oven")
    ctx._set_cancelled()
    assert ctx.cancelled
    assert repr(ctx) == "ToolContext(id='call-7', name='oven', cancelled)"
    with pytest.raises(CallCancelled, match=r"^call 'call-7' to 'oven' was cancelled$"):
        ctx.check_cancelled()


def test_wait_cancelled_wakes_a_worker_thread() -> None:
    ctx = ToolContext("c", "n")
    waiting = threading.Event()
    seen: list[bool] = []

    def worker() -> None:
        waiting.set()
        seen.append(ctx.wait_cancelled())

    thread = threading.Thread(target=worker)
    thread.start()
    assert waiting.wait(10)
    ctx._set_cancelled()
    thread.join(10)
    assert seen == [True]


def test_wait_cancelled_times_out_false() -> None:
    assert ToolContext("c", "n").wait_cancelled(0) is False
