"""pytest plugin: test tools end to end against the offline Live API emulator, no key needed.

It is registered as a ``pytest11`` entry point, so installing agentkit makes it available;
``pytest_plugins = ["agentkit.testing"]`` also works. Importing it is cheap: the emulator is
loaded only when a fixture runs.

Fixtures (use them in ``@pytest.mark.anyio`` tests):

- ``emulator``: a running :class:`agentkit.emulator.Emulator` for one test. Configure it
  with the ``agentkit_emulator`` marker, whose keyword arguments go to ``Emulator(...)``::

      @pytest.mark.anyio
      @pytest.mark.agentkit_emulator(script=conversation(
          "Turn on the kitchen light", call("turn_on", {"room": "kitchen"}), reply="Done."))
      async def test_turn_on(emulator):
          async with agentkit.connect("gemini-2.0-flash-live-001", tools=[turn_on],
                                      base_url=emulator.base_url) as session:
              await session.send_text("Turn on the kitchen light")
              ...
          record = emulator.connections[0]
          assert_declared(record, "turn_on", parameters={"room"})
          assert_tool_response(record, "turn_on", response={"result": "ok"})

- ``emulator_factory``: ``await emulator_factory(tls=True, lifetime=2)`` starts more
  emulators; all are stopped after the test.

The server runs on asyncio. Under the trio backend the fixtures run it in a background
thread: read ``emulator.connections`` after the conversation, not while it runs.

Helpers: :func:`conversation` scripts a whole exchange in one call; the step builders
(``say``, ``call``, ``calls``, ``expect_text``, ``wait_responses``, ``go_away``, ``drop``,
``close``, ``interrupt``, ``cancel``) are re-exported from :mod:`agentkit.emulator`.
:func:`assert_declared` and :func:`assert_tool_response` check what the model was told.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from agentkit.emulator import ConnectionRecord, Emulator, Script, Step

__all__ = [
    "assert_declared",
    "assert_tool_response",
    "conversation",
    "emulator",
    "emulator_factory",
]

_STEP_NAMES = frozenset(
    [
        "say",
        "call",
        "calls",
        "expect_text",
        "expect_audio",
        "expect_input",
        "wait_responses",
        "go_away",
        "drop",
        "close",
        "interrupt",
        "cancel",
        "turn_complete",
        "resumption_update",
        "send",
        "sleep",
        "Script",
        "Faults",
    ]
)


def __getattr__(name: str) -> Any:
    if name in _STEP_NAMES:
        from agentkit import emulator as _emulator

        return getattr(_emulator, name)
    raise AttributeError(f"module 'agentkit.testing' has no attribute {name!r}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "agentkit_emulator(**options): options for the `emulator` fixture (Emulator(**options))",
    )


def conversation(user: str | None, *steps: Step, reply: str | None = None) -> Script:
    """A one-turn script: expect ``user`` text, run ``steps`` (calls), wait, then ``reply``.

    ``conversation("Turn on the light", call("turn_on", {}), reply="It is on.")`` waits for a
    user turn containing the text, sends the call, waits for its response and answers.
    """
    from agentkit.emulator import Script, expect_input, expect_text, say, wait_responses

    out: list[Step] = [expect_text(user) if user else expect_input(), *steps]
    if any(step.kind == "call" for step in steps):
        out.append(wait_responses())
    if reply is not None:
        out.append(say(reply))
    return Script(out)


def assert_declared(
    record: ConnectionRecord,
    name: str,
    *,
    parameters: Collection[str] | None = None,
    required: Collection[str] | None = None,
    behavior: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """Assert the client declared function ``name`` as described; return the declaration."""
    decl = record.declaration(name)
    schema = decl.get("parameters") or decl.get("parametersJsonSchema") or {}
    if parameters is not None:
        got = set((schema.get("properties") or {}).keys())
        assert got == set(parameters), f"{name}: parameters {sorted(got)} != {sorted(parameters)}"
    if required is not None:
        got_required = set(schema.get("required") or [])
        assert got_required == set(required), f"{name}: required {sorted(got_required)}"
    if behavior is not None:
        got_behavior = str(decl.get("behavior") or "BLOCKING (implicit)")
        assert got_behavior == behavior, f"{name}: behavior {got_behavior} != {behavior}"
    if description is not None:
        assert description in str(decl.get("description") or ""), (
            f"{name}: description {decl.get('description')!r} lacks {description!r}"
        )
    return decl


def assert_tool_response(
    record: ConnectionRecord,
    name: str,
    *,
    response: Mapping[str, Any] | None = None,
    scheduling: str | None = None,
    will_continue: bool | None = None,
    index: int = -1,
) -> dict[str, Any]:
    """Assert what the client answered for ``name`` (the last answer unless ``index``)."""
    answers = record.responses_for(name)
    assert answers, (
        f"no FunctionResponse for {name!r}; got {[r.get('name') for r in record.tool_responses]}"
    )
    answer = answers[index]
    if response is not None:
        assert answer.get("response") == dict(response), (
            f"{name}: response {answer.get('response')!r}"
        )
    if scheduling is not None:
        assert answer.get("scheduling") == scheduling, (
            f"{name}: scheduling {answer.get('scheduling')!r}"
        )
    if will_continue is not None:
        got = bool(answer.get("willContinue"))
        assert got is will_continue, f"{name}: willContinue {got}"
    return answer


@contextlib.asynccontextmanager
async def _running(backend: str, options: Mapping[str, Any]) -> AsyncIterator[Emulator]:
    from agentkit.emulator import Emulator, EmulatorThread

    if backend == "asyncio":
        async with Emulator(**options) as emu:
            yield emu
        return
    import anyio.to_thread

    runner = EmulatorThread(**options)
    emu = await anyio.to_thread.run_sync(runner.__enter__)
    try:
        yield emu
    finally:
        await anyio.to_thread.run_sync(runner.__exit__, None, None, None)


def _backend(anyio_backend: Any) -> str:
    return str(anyio_backend[0] if isinstance(anyio_backend, tuple) else anyio_backend)


@pytest.fixture
async def emulator(request: pytest.FixtureRequest, anyio_backend: Any) -> AsyncIterator[Emulator]:
    """A running emulator; options from ``@pytest.mark.agentkit_emulator(...)``."""
    marker = request.node.get_closest_marker("agentkit_emulator")
    options = dict(marker.kwargs) if marker else {}
    async with _running(_backend(anyio_backend), options) as emu:
        yield emu


@pytest.fixture
async def emulator_factory(
    anyio_backend: Any,
) -> AsyncIterator[Callable[..., Awaitable[Emulator]]]:
    """``await emulator_factory(**options)`` starts an emulator stopped after the test."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(**options: Any) -> Emulator:
            return await stack.enter_async_context(_running(_backend(anyio_backend), options))

        yield start
