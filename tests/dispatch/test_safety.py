"""What leaves the dispatcher is safe to send: plain JSON, and error text without secrets."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from agentkit.dispatch import CallState, Dispatcher
from agentkit.errors import ToolError
from agentkit.protocol import FunctionResponse, ToolResponse, encode
from agentkit.tools import Behavior, tool

pytestmark = pytest.mark.anyio


def _strict_frame(response: dict[str, Any]) -> dict[str, Any]:
    """The session's encoder (pydantic models) round trip: fails on non-str keys."""
    fr = FunctionResponse(id="x", name="n", response=response)
    frame = json.loads(encode(ToolResponse(function_responses=[fr])))
    sent: dict[str, Any] = frame["toolResponse"]["functionResponses"][0]["response"]
    return sent


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({1: "a", 2: "b"}, {"1": "a", "2": "b"}),
        ({"nested": {3: (1, 2)}}, {"nested": {"3": [1, 2]}}),
        ((1, 2), {"result": [1, 2]}),
    ],
)
async def test_result_the_encoder_would_refuse_is_sent_as_plain_json(
    value: Any, expected: dict[str, Any]
) -> None:
    @tool
    async def lookup() -> Any:
        return value

    async with Dispatcher([lookup]) as dispatcher:
        record = dispatcher.submit("l", "lookup", {})
        reply = await dispatcher.replies.receive()
    assert reply.response == expected
    assert _strict_frame(reply.response) == expected  # the model does receive it
    assert record.state is CallState.ANSWERED
    assert record.response == expected


async def test_streamed_items_are_plain_json_too() -> None:
    @tool(behavior=Behavior.NON_BLOCKING)
    async def scores() -> AsyncIterator[dict[int, int]]:
        yield {1: 10}

    async with Dispatcher([scores]) as dispatcher:
        dispatcher.submit("s", "scores", {})
        first = await dispatcher.replies.receive()
        last = await dispatcher.replies.receive()
    assert (first.response, first.will_continue) == ({"1": 10}, True)
    assert last.will_continue is False
    assert _strict_frame(first.response) == {"1": 10}


@pytest.mark.parametrize(
    ("message", "leaked", "kept"),
    [
        (
            "GET https://user:pw@api.example.com/v1/items?key=SECRET&q=1 failed",
            ["SECRET", "user:pw", "q=1"],
            "GET https://api.example.com/v1/items failed",
        ),
        ("401: Authorization: Bearer abc.DEF-123_x rejected", ["abc.DEF"], "Bearer ***"),
        ("bad request api_key=SECRET123 token: 'tok456'", ["SECRET123", "tok456"], "api_key=***"),
    ],
)
async def test_exception_text_is_scrubbed_of_secrets(
    message: str, leaked: list[str], kept: str, caplog: pytest.LogCaptureFixture
) -> None:
    @tool
    async def fetch() -> str:
        raise RuntimeError(message)

    @tool
    async def act() -> str:
        return "done"

    @act.on_cancel
    async def undo(record: object) -> None:
        raise RuntimeError(f"undo failed: {message}")

    caplog.set_level(logging.DEBUG)
    async with Dispatcher([fetch, act]) as dispatcher:
        record = dispatcher.submit("f", "fetch", {})
        reply = await dispatcher.replies.receive()
        dispatcher.submit("a", "act", {})
        await dispatcher.replies.receive()
        dispatcher.cancel(["a"])  # answered, so it acted: its on_cancel hook runs, and fails
    # (the dispatcher's exit waited for the hook)
    assert "on_cancel hook" in caplog.text
    error = reply.response["error"]
    assert error.startswith("RuntimeError: ")
    assert kept in error
    # The log keeps the traceback (where it failed), scrubbed like the model's text.
    assert "in fetch" in caplog.text
    assert "in undo" in caplog.text
    assert kept in caplog.text
    for secret in leaked:
        assert secret not in error
        assert secret not in (record.error or "")
        assert secret not in caplog.text


async def test_tool_error_is_sent_as_written() -> None:
    text = "see https://docs.example.com/help?topic=rates&key=public for the rates"

    @tool
    async def rates() -> str:
        raise ToolError(text)

    async with Dispatcher([rates]) as dispatcher:
        dispatcher.submit("r", "rates", {})
        reply = await dispatcher.replies.receive()
    assert reply.response == {"error": text}


async def test_sync_tool_exception_is_scrubbed() -> None:
    @tool
    def fetch() -> str:
        raise ConnectionError("cannot reach https://host.example/p?key=SECRET")

    async with Dispatcher([fetch]) as dispatcher:
        dispatcher.submit("f", "fetch", {})
        with anyio.fail_after(10):
            reply = await dispatcher.replies.receive()
    assert reply.response == {"error": "ConnectionError: cannot reach https://host.example/p"}
