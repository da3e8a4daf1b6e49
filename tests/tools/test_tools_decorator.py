"""@tool and Tool: options, function kinds, naming, callability, on_cancel."""

from __future__ import annotations

import enum
import functools
from typing import Annotated, Any, Optional

import pytest

from agentkit.errors import ToolArgumentError, ToolDefinitionError
from agentkit.tools import Behavior, Scheduling, Tool, ToolContext, tool


def test_bare_decorator_defaults() -> None:
    @tool
    def lights(room: str) -> str:
        """Turn on the lights."""
        return f"on in {room}"

    assert isinstance(lights, Tool)
    assert (lights.name, lights.description, lights.behavior) == (
        "lights",
        "Turn on the lights.",
        Behavior.BLOCKING,
    )
    assert (lights.scheduling, lights.timeout, lights.context_param) == (None, None, None)
    assert (lights.is_async, lights.is_generator, lights.is_async_generator) == (False,) * 3
    assert lights.cancel_hooks == []
    assert repr(lights) == "<Tool 'lights' BLOCKING>"


def test_tool_is_still_the_function() -> None:
    @tool
    def add(a: int, b: int = 1) -> int:
        """Add."""
        return a + b

    assert add(1) == 2
    assert add(1, b=5) == 6
    assert add.__name__ == "add"
    assert add.__doc__ == "Add."
    assert add.__wrapped__ is add.fn


def test_options() -> None:
    @tool(
        name="start.timer:v2",
        description="Start a timer.",
        behavior="NON_BLOCKING",
        scheduling="WHEN_IDLE",
        timeout=60,
    )
    async def start_timer(seconds: int, ctx: ToolContext) -> None: ...

    assert start_timer.name == "start.timer:v2"
    assert start_timer.behavior is Behavior.NON_BLOCKING
    assert start_timer.scheduling is Scheduling.WHEN_IDLE
    assert start_timer.timeout == 60.0
    assert isinstance(start_timer.timeout, float)
    assert start_timer.context_param == "ctx"
    assert start_timer.is_async
    assert start_timer.declaration["name"] == "start.timer:v2"


def test_function_kinds() -> None:
    @tool(behavior=Behavior.NON_BLOCKING)
    def sync_gen() -> Any:
        yield 1

    @tool(behavior=Behavior.NON_BLOCKING)
    async def async_gen() -> Any:
        yield 1

    async def coro() -> None: ...

    assert (sync_gen.is_generator, sync_gen.is_async_generator, sync_gen.is_async) == (
        True,
        False,
        False,
    )
    assert (async_gen.is_generator, async_gen.is_async_generator, async_gen.is_async) == (
        False,
        True,
        False,
    )
    assert tool(coro).is_async


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"behavior": "SOMETIMES"}, r"behavior='SOMETIMES' is not one of BLOCKING, NON_BLOCKING"),
        (
            {"behavior": Behavior.NON_BLOCKING, "scheduling": "LATER"},
            r"scheduling='LATER' is not one of SILENT, WHEN_IDLE, INTERRUPT",
        ),
        (
            {"scheduling": Scheduling.SILENT},
            r"scheduling= applies only to NON_BLOCKING tools \(the server ignores it for "
            r"BLOCKING calls\); add behavior=Behavior\.NON_BLOCKING or drop it",
        ),
        ({"timeout": -1}, r"timeout=-1 must be a positive number of seconds or None"),
        ({"timeout": True}, r"timeout=True must be a positive number of seconds or None"),
        ({"timeout": "5"}, r"timeout='5' must be a positive number of seconds or None"),
        (
            {"name": "1st"},
            r"name '1st' is invalid: use 1-64 of A-Z a-z 0-9 _ \. : - starting with a letter "
            r"or _ \(pass name=\)",
        ),
        ({"name": "a" * 65}, r"name 'a{65}' is invalid: .*"),
        ({"name": "has space"}, r"name 'has space' is invalid: .*"),
    ],
    ids=repr,
)
def test_bad_options_are_refused(options: dict[str, Any], problem: str) -> None:
    def f() -> None: ...

    with pytest.raises(
        ToolDefinitionError, match=rf"^cannot make a tool of .*\.f:\n  - {problem}$"
    ):
        tool(**options)(f)


def test_blocking_generator_is_refused_with_the_reason() -> None:
    with pytest.raises(
        ToolDefinitionError,
        match=(
            r"^cannot make a tool of .*stream:\n  - a generator streams several results, which "
            r"only a NON_BLOCKING call can receive; use @tool\(behavior=Behavior\.NON_BLOCKING\)$"
        ),
    ):

        @tool
        def stream() -> Any:
            yield 1


def test_names_up_to_64_characters_are_accepted() -> None:
    def f() -> None: ...

    assert tool(name="_" + "a" * 63)(f).name == "_" + "a" * 63


def test_lambda_needs_a_name() -> None:
    with pytest.raises(ToolDefinitionError, match=r"name '<lambda>' is invalid"):
        tool(lambda: None)
    assert tool(name="noop")(lambda: None).name == "noop"


def test_callable_without_a_name() -> None:
    def add(a: int, b: int) -> int:
        return a + b

    partial = functools.partial(add, b=1)
    with pytest.raises(ToolDefinitionError, match=r"  - it has no __name__; pass name=$"):
        tool(partial)
    made = tool(name="add_one")(partial)
    assert made(2) == 3
    assert made.validate({"a": 2}) == {"a": 2, "b": 1}


def test_not_callable_is_refused() -> None:
    with pytest.raises(ToolDefinitionError, match=r"^cannot make a tool of 3: it is not callable$"):
        Tool(3)  # type: ignore[arg-type]


def test_builtin_without_signature_is_refused() -> None:
    with pytest.raises(ToolDefinitionError, match=r"its signature cannot be read"):
        tool(name="d")(dict)


def test_retagging_a_tool_makes_a_new_tool_from_its_function() -> None:
    @tool
    def ping() -> None: ...

    loud = tool(name="ping_loud", behavior=Behavior.NON_BLOCKING)(ping)
    assert loud is not ping
    assert loud.fn is ping.fn
    assert (loud.name, loud.behavior, ping.behavior) == (
        "ping_loud",
        Behavior.NON_BLOCKING,
        Behavior.BLOCKING,
    )


def test_types_defined_next_to_the_function_resolve() -> None:
    class Speed(enum.Enum):
        SLOW = "slow"
        FAST = "fast"

    @tool
    def fan(speed: Speed) -> None: ...

    assert fan.validate({"speed": "fast"}) == {"speed": Speed.FAST}


def test_on_cancel_registers_hooks_in_order() -> None:
    @tool
    def unlock(door: str) -> None: ...

    @unlock.on_cancel
    def relock(record: Any) -> None: ...

    @unlock.on_cancel
    async def notify(record: Any) -> None: ...

    assert unlock.cancel_hooks == [relock, notify]
    assert unlock.on_cancel(print) is print  # a builtin works too
    with pytest.raises(
        ToolDefinitionError, match=r"^on_cancel hook for 'unlock' must be callable$"
    ):
        unlock.on_cancel(3)  # type: ignore[type-var]


def test_callable_instance() -> None:
    class Counter:
        def __init__(self) -> None:
            self.n = 0

        def __call__(self, step: int = 1) -> int:
            self.n += step
            return self.n

    made = tool(name="count")(Counter())
    assert made.declaration["parameters"]["properties"] == {
        "step": {"type": "INTEGER", "description": "(default: 1)"}
    }
    assert made(step=2) == 2


@pytest.mark.parametrize(
    "annotation",
    [
        ToolContext | None,
        Optional[ToolContext],  # noqa: UP045
        Annotated[ToolContext | None, "the call"],
        Optional[Annotated[ToolContext, "the call"]],  # noqa: UP045
    ],
    ids=repr,
)
def test_optional_context_is_injected_never_declared(annotation: Any) -> None:
    def lights(room: str, ctx: Any = None) -> str:
        return room if ctx is None else f"{room} ({ctx.id})"

    lights.__annotations__["ctx"] = annotation
    made = tool(lights)
    assert made.context_param == "ctx"
    assert list(made.declaration["parameters"]["properties"]) == ["room"]
    assert made.validate({"room": "den"}) == {"room": "den"}
    with pytest.raises(ToolArgumentError, match=r"ctx: unknown argument \(expected: room\)"):
        made.validate({"room": "den", "ctx": {}})
    assert made(room="den") == "den"  # still callable without a context


def test_optional_context_written_in_the_signature() -> None:
    @tool
    async def lights(room: str, ctx: ToolContext | None = None) -> None: ...

    assert lights.context_param == "ctx"
    assert list(lights.declaration["parameters"]["properties"]) == ["room"]


def test_context_in_a_wider_union_is_refused_clearly() -> None:
    with pytest.raises(
        ToolDefinitionError,
        match=r"  - parameter 'ctx': a ToolContext parameter must be annotated ToolContext or "
        r"ToolContext \| None$",
    ):

        @tool
        def f(ctx: ToolContext | int) -> None: ...
