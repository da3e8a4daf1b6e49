"""How a tool is called is read from the callable itself, through wrappers and partials.

The dispatcher awaits ``fn(**kwargs)`` when ``Tool.is_async`` is set and runs it in a worker
thread otherwise, so a callable that returns a coroutine must be seen as async.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import pytest

from agentkit.errors import ToolDefinitionError
from agentkit.tools import Behavior, Tool, tool

F = TypeVar("F", bound=Callable[..., Any])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclasses.dataclass
class Room:
    """A type defined at module level: resolves only through the callable's own module."""

    name: str


def logged(fn: F) -> F:
    """A plain sync decorator, as found in many code bases."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class Lights:
    """Turn the lights on."""

    async def __call__(self, room: str) -> dict[str, str]:
        return {"on": room}


async def dim(room: str, level: int) -> dict[str, Any]:
    """Dim the lights."""
    return {"room": room, "level": level}


def kinds(made: Tool) -> tuple[bool, bool, bool]:
    return made.is_async, made.is_generator, made.is_async_generator


async def call_like_the_dispatcher(made: Tool, args: dict[str, Any]) -> Any:
    kwargs = made.validate(args)
    return await made.fn(**kwargs) if made.is_async else made.fn(**kwargs)


@pytest.mark.anyio
async def test_callable_object_with_async_call_is_async() -> None:
    made = tool(name="lights")(Lights())
    assert kinds(made) == (True, False, False)
    assert await call_like_the_dispatcher(made, {"room": "hall"}) == {"on": "hall"}


@pytest.mark.anyio
async def test_async_function_under_a_sync_wraps_decorator_is_async() -> None:
    made = tool(logged(dim))
    assert made.name == "dim"
    assert kinds(made) == (True, False, False)
    assert await call_like_the_dispatcher(made, {"room": "hall", "level": 3}) == {
        "room": "hall",
        "level": 3,
    }


@pytest.mark.anyio
async def test_partial_of_a_wrapped_async_function_is_async() -> None:
    made = tool(name="dim_hall")(functools.partial(logged(dim), "hall"))
    assert kinds(made) == (True, False, False)
    assert await call_like_the_dispatcher(made, {"level": 1}) == {"room": "hall", "level": 1}


@pytest.mark.anyio
async def test_wrapped_callable_object_is_async() -> None:
    made = tool(name="lights")(logged(Lights()))
    assert kinds(made) == (True, False, False)
    assert await call_like_the_dispatcher(made, {"room": "den"}) == {"on": "den"}


def test_wrapped_async_generator_streams() -> None:
    @logged
    async def ticks(n: int) -> AsyncIterator[int]:
        for i in range(n):
            yield i

    made = tool(behavior=Behavior.NON_BLOCKING)(ticks)
    assert kinds(made) == (False, False, True)


def test_callable_object_generators() -> None:
    class Count:
        def __call__(self, n: int) -> Iterator[int]:
            yield from range(n)

    class ACount:
        async def __call__(self, n: int) -> AsyncIterator[int]:
            for i in range(n):
                yield i

    assert kinds(tool(name="c", behavior=Behavior.NON_BLOCKING)(Count())) == (False, True, False)
    assert kinds(tool(name="a", behavior=Behavior.NON_BLOCKING)(ACount())) == (False, False, True)
    with pytest.raises(ToolDefinitionError, match=r"only a NON_BLOCKING call can receive"):
        tool(name="c")(Count())


def test_sync_callables_stay_sync() -> None:
    class Add:
        def __call__(self, a: int) -> int:
            return a + 1

    def plain(a: int) -> int:
        return a

    for made in (tool(name="add")(Add()), tool(logged(plain))):
        assert kinds(made) == (False, False, False)
        assert made.fn(**made.validate({"a": 1})) in (1, 2)


def test_callable_object_annotations_resolve_in_its_module() -> None:
    class Paint:
        async def __call__(self, room: Room | None = None) -> None: ...

    made = tool(name="paint")(Paint())
    assert made.validate({"room": {"name": "den"}}) == {"room": Room("den")}


def test_unnamed_callable_object_is_named_by_its_class_in_errors() -> None:
    with pytest.raises(
        ToolDefinitionError, match=r"^cannot make a tool of a Lights instance:\n  - it has no"
    ):
        tool(Lights())


@pytest.mark.anyio
async def test_the_dispatcher_answers_async_callables_seen_through_wrappers() -> None:
    from agentkit.dispatch import Dispatcher

    async with Dispatcher([tool(name="lights")(Lights()), tool(logged(dim))]) as dispatcher:
        dispatcher.submit("a", "lights", {"room": "den"})
        dispatcher.submit("b", "dim", {"room": "den", "level": 2})
        replies = {}
        for _ in range(2):
            reply = await dispatcher.replies.receive()
            replies[reply.id] = reply.response
    assert replies == {"a": {"on": "den"}, "b": {"room": "den", "level": 2}}
