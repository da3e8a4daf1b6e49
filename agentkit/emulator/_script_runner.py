"""Scripted mode: run a :class:`Script`'s steps on one connection."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio

from ._script import Step
from ._wire import duration

if TYPE_CHECKING:
    from ._connection import Connection

__all__ = ["run_script"]


async def run_script(conn: Connection) -> None:
    """Run the connection's script step by step; a failed expectation closes with 1011."""
    assert conn.script is not None
    for index, step in enumerate(conn.script.steps):
        try:
            stop = await _step(conn, step)
        except TimeoutError:
            await _failed(conn, f"step {index} ({step.kind}) timed out")
            return
        if stop:
            return


async def _failed(conn: Connection, message: str) -> None:
    conn.record.script_errors.append(message)
    await conn.close(1011, f"emulator script: {message}")


async def _step(conn: Connection, step: Step) -> bool:
    assert conn.state is not None
    p = step.params
    timeout = p.get("timeout") or conn.emu.script_timeout
    if step.kind == "expect":
        with anyio.fail_after(timeout):
            turn = await conn.inbox.receive()
        if p["kind"] is not None and turn["kind"] != p["kind"]:
            await _failed(conn, f"expected {p['kind']} input, got {turn['kind']}")
            return True
        contains = p.get("contains")
        if contains and contains.lower() not in str(turn.get("text") or "").lower():
            await _failed(conn, f"expected text containing {contains!r}, got {turn.get('text')!r}")
            return True
    elif step.kind == "say":
        await conn.say(
            p["text"],
            chunks=p["chunks"],
            generation_complete=p["generation_complete"],
            turn_complete=p["turn_complete"],
        )
    elif step.kind == "call":
        await conn.issue_calls([(c["name"], c["args"], c["id"]) for c in p["calls"]])
    elif step.kind == "wait_responses":
        ids = p["ids"] if p["ids"] is not None else list(conn.state.pending)
        with anyio.fail_after(timeout):
            for call_id in ids:
                await conn.done_event(call_id).wait()
    elif step.kind == "go_away":
        await conn.send({"goAway": {"timeLeft": duration(p["time_left"])}})
    elif step.kind == "drop":
        conn.abort()
        return True
    elif step.kind == "close":
        await conn.close(p["code"], p["reason"])
        return True
    elif step.kind == "interrupt":
        await conn.send({"serverContent": {"interrupted": True}})
        if conn.state.pending:
            await conn.cancel_calls(list(conn.state.pending))
        await conn.turn_complete()
    elif step.kind == "cancel":
        await conn.cancel_calls(p["ids"] if p["ids"] is not None else list(conn.state.pending))
    elif step.kind == "turn_complete":
        await conn.turn_complete()
    elif step.kind == "resumption_update":
        await conn.resumption_update()
    elif step.kind == "send":
        await conn.send(p["message"])
    elif step.kind == "sleep":
        await anyio.sleep(p["seconds"])
    return False
