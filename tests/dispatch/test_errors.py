"""Every failure becomes an {"error": ...} answer; the dispatcher never dies of a tool."""

from __future__ import annotations

import logging

import anyio
import pytest

from agentkit.dispatch import CallState, Dispatcher, Reply
from agentkit.errors import ToolError
from agentkit.tools import tool

pytestmark = pytest.mark.anyio


@tool
def lights(room: str, level: int = 100) -> dict[str, object]:
    """Set the lights."""
    return {"room": room, "level": level}


@tool
def thermostat(celsius: float) -> str:
    """Set the temperature."""
    return "ok"


@tool
async def explode(secret: str) -> str:
    raise RuntimeError("boiler pressure too high")


@tool
def refuse() -> str:
    raise ToolError("the front door is already locked")


async def ask(dispatcher: Dispatcher, name: str, args: object) -> Reply:
    dispatcher.submit("c1", name, args)  # type: ignore[arg-type]
    return await dispatcher.replies.receive()


async def test_unknown_function_lists_the_available_ones() -> None:
    async with Dispatcher([thermostat, lights]) as dispatcher:
        reply = await ask(dispatcher, "open_garage", {"door": "left"})
    error = "unknown function 'open_garage'; available: lights, thermostat"
    assert reply == Reply("c1", "open_garage", {"error": error})
    record = dispatcher.calls["c1"]
    assert record.state is CallState.ERROR
    assert record.behavior is None
    assert record.error == reply.response["error"]
    assert dispatcher.statistics().errors == 1


async def test_unknown_function_with_no_tools_at_all() -> None:
    async with Dispatcher() as dispatcher:
        reply = await ask(dispatcher, "x", None)
    assert reply.response == {"error": "unknown function 'x'; available: none"}


async def test_invalid_arguments_name_the_bad_field_and_the_tool_never_runs() -> None:
    ran = False

    @tool
    def dim(room: str, level: int) -> str:
        nonlocal ran
        ran = True
        return "ok"

    async with Dispatcher([dim]) as dispatcher:
        reply = await ask(dispatcher, "dim", {"room": "kitchen", "level": "bright"})
    assert not ran
    error = reply.response["error"]
    assert error.startswith("invalid arguments for dim")
    assert "level" in error
    assert dispatcher.calls["c1"].state is CallState.ERROR
    assert dispatcher.calls["c1"].args == {"room": "kitchen", "level": "bright"}


async def test_arguments_that_are_not_an_object() -> None:
    async with Dispatcher([lights]) as dispatcher:
        reply = await ask(dispatcher, "lights", ["kitchen"])
    assert reply.response == {"error": "arguments of 'lights' must be a JSON object"}
    assert dispatcher.calls["c1"].args == {}


async def test_exception_is_answered_with_its_type_and_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="agentkit.dispatch")
    async with Dispatcher([explode]) as dispatcher:
        reply = await ask(dispatcher, "explode", {"secret": "hunter2"})
    assert reply.response == {"error": "RuntimeError: boiler pressure too high"}
    assert dispatcher.calls["c1"].state is CallState.ERROR
    [log] = [r for r in caplog.records if r.name == "agentkit.dispatch"]
    assert log.levelno == logging.WARNING
    # The traceback is logged, as scrubbed text (exc_info would carry the raw message).
    assert log.exc_info is None
    assert "Traceback (most recent call last)" in log.getMessage()
    assert "boiler pressure too high" in log.getMessage()
    assert "explode" in log.getMessage()
    assert "c1" in log.getMessage()
    assert "hunter2" not in caplog.text  # argument values stay out of the logs


async def test_redacted_errors_carry_no_exception_text() -> None:
    async with Dispatcher([explode], redact_errors=True) as dispatcher:
        reply = await ask(dispatcher, "explode", {"secret": "x"})
    assert reply.response == {"error": "tool failed"}


async def test_tool_error_is_a_clean_message_even_when_redacting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Dispatcher([refuse], redact_errors=True) as dispatcher:
        reply = await ask(dispatcher, "refuse", {})
    assert reply.response == {"error": "the front door is already locked"}
    assert "Traceback" not in caplog.text


async def test_exception_without_message_is_answered_with_its_type() -> None:
    @tool
    async def bare() -> None:
        raise KeyError

    async with Dispatcher([bare]) as dispatcher:
        reply = await ask(dispatcher, "bare", {})
    assert reply.response == {"error": "KeyError"}


async def test_result_that_is_not_json_is_an_error() -> None:
    @tool
    def weird() -> object:
        return object()

    async with Dispatcher([weird]) as dispatcher:
        reply = await ask(dispatcher, "weird", {})
    assert reply.response["error"].startswith("TypeError: tool result of type object")


async def test_dispatcher_keeps_serving_after_failures() -> None:
    async with Dispatcher([explode, lights]) as dispatcher:
        dispatcher.submit("bad", "explode", {"secret": "s"})
        dispatcher.submit("unknown", "nope", {})
        dispatcher.submit("good", "lights", {"room": "hall"})
        replies = {r.id: r for r in [await dispatcher.replies.receive() for _ in range(3)]}
    assert replies["good"].response == {"room": "hall", "level": 100}
    assert "error" in replies["bad"].response
    assert "error" in replies["unknown"].response
    stats = dispatcher.statistics()
    assert (stats.answered, stats.errors, stats.running) == (1, 2, 0)


async def test_a_failing_tool_does_not_disturb_a_running_one() -> None:
    release = anyio.Event()

    @tool
    async def patient() -> str:
        await release.wait()
        return "still here"

    async with Dispatcher([patient, explode]) as dispatcher:
        dispatcher.submit("p", "patient", {})
        dispatcher.submit("e", "explode", {"secret": "s"})
        assert (await dispatcher.replies.receive()).id == "e"
        release.set()
        assert (await dispatcher.replies.receive()).response == {"result": "still here"}
