"""Toolbox (class form with shared state, list form) and collect_tools."""

from __future__ import annotations

from typing import Any

import pytest

from agentkit.errors import ToolDefinitionError
from agentkit.tools import (
    Behavior,
    Scheduling,
    Tool,
    Toolbox,
    collect_tools,
    not_a_tool,
    tool,
)


class Client:
    def __init__(self) -> None:
        self.lit: set[str] = set()


class Home(Toolbox):
    """Lights sharing one client."""

    def __init__(self, client: Client) -> None:
        super().__init__(name="home")
        self.client = client

    def turn_on(self, room: str) -> dict[str, Any]:
        """Turn on the lights in a room."""
        self.client.lit.add(room)
        return {"lit": sorted(self.client.lit)}

    def turn_off(self, room: str) -> dict[str, Any]:
        """Turn off the lights in a room."""
        self.client.lit.discard(room)
        return {"lit": sorted(self.client.lit)}

    @tool(name="watch_door", behavior=Behavior.NON_BLOCKING, scheduling=Scheduling.SILENT)
    async def watch(self, door: str) -> Any:
        """Watch a door."""
        yield {"door": door, "lit": sorted(self.client.lit)}

    @watch.on_cancel
    def undo_watch(self, record: Any) -> tuple[str, Any]:
        return ("undo", record)

    def _helper(self) -> None: ...

    @staticmethod
    def static_helper() -> None: ...

    @classmethod
    def make(cls) -> Home:
        return cls(Client())

    @property
    def count(self) -> int:
        return len(self.client.lit)


def test_public_methods_become_tools_bound_to_the_instance() -> None:
    client = Client()
    home = Home(client)
    assert home.name == "home"
    assert [t.name for t in home] == ["turn_on", "turn_off", "watch_door"]
    assert len(home) == 3
    assert "turn_on" in home
    assert "_helper" not in home
    assert "undo_watch" not in home
    assert home["turn_on"].declaration == {
        "name": "turn_on",
        "description": "Turn on the lights in a room.",
        "parameters": {
            "type": "OBJECT",
            "properties": {"room": {"type": "STRING"}},
            "required": ["room"],
        },
        "behavior": "BLOCKING",
    }
    turn_on = home["turn_on"]
    assert turn_on.fn(**turn_on.validate({"room": "kitchen"})) == {"lit": ["kitchen"]}
    assert home["turn_off"](room="kitchen") == {"lit": []}
    assert client.lit == set()


def test_two_instances_keep_their_own_state() -> None:
    a, b = Home(Client()), Home(Client())
    a["turn_on"](room="hall")
    assert b["turn_on"](room="attic") == {"lit": ["attic"]}
    assert a.client.lit == {"hall"}


async def _drain(gen: Any) -> list[Any]:
    return [item async for item in gen]


@pytest.mark.anyio
async def test_decorated_method_keeps_its_options_and_binds() -> None:
    home = Home(Client())
    watch = home["watch_door"]
    assert watch is home.watch  # attribute access gives the same bound tool
    assert (watch.behavior, watch.scheduling, watch.is_async_generator) == (
        Behavior.NON_BLOCKING,
        Scheduling.SILENT,
        True,
    )
    home["turn_on"](room="den")
    assert await _drain(watch.fn(door="front")) == [{"door": "front", "lit": ["den"]}]
    assert "self" not in str(watch.declaration)


def test_class_body_cancel_hook_is_bound_to_the_instance() -> None:
    home = Home(Client())
    (hook,) = home["watch_door"].cancel_hooks
    assert hook("record") == ("undo", "record")
    assert Home.watch.is_unbound_method
    assert not home["watch_door"].is_unbound_method


def test_class_attribute_access_gives_the_unbound_tool() -> None:
    assert isinstance(Home.watch, Tool)
    assert Home.watch.name == "watch_door"


def test_plain_toolbox_instance_attribute_binding_without_registry() -> None:
    class Other:
        watch = Home.watch

    other = Other()
    bound = other.watch
    assert bound is not Home.watch
    assert bound.fn.__self__ is other


def test_list_form_and_iteration() -> None:
    @tool
    def a() -> None: ...

    def b(x: int) -> int:
        return x

    box = Toolbox("misc", [a, b])
    assert box.name == "misc"
    assert [t.name for t in box] == ["a", "b"]
    assert box.tools[0] is a
    assert box["b"](2) == 2
    assert repr(box) == "<Toolbox 'misc' tools=['a', 'b']>"


def test_default_name_is_the_class_name() -> None:
    class Kitchen(Toolbox):
        def boil(self) -> None: ...

    assert Kitchen().name == "Kitchen"
    assert Toolbox().name == "Toolbox"
    assert len(Toolbox()) == 0


def test_missing_tool_lookup_lists_what_exists() -> None:
    with pytest.raises(KeyError, match=r"toolbox 'home' has no tool 'fly' \(has: turn_on, "):
        Home(Client())["fly"]


def test_subclass_inherits_and_overrides_tools() -> None:
    class BigHome(Home):
        def turn_on(self, room: str, level: int = 100) -> dict[str, Any]:
            """Turn on, dimmable."""
            return {"room": room, "level": level}

        def open_garage(self) -> None:
            """Open the garage."""

    big = BigHome(Client())
    assert [t.name for t in big] == ["turn_on", "turn_off", "watch_door", "open_garage"]
    assert big["turn_on"](room="x") == {"room": "x", "level": 100}


def test_bad_method_is_refused_when_the_toolbox_is_made() -> None:
    class Broken(Toolbox):
        def good(self) -> None: ...

        def bad(self, ids: set[int], other) -> None: ...  # type: ignore[no-untyped-def]

    with pytest.raises(
        ToolDefinitionError,
        match=(
            r"^cannot make a tool of .*Broken\.bad:\n"
            r"  - parameter 'ids' \(set\[int\]\): sets cannot be declared .*\n"
            r"  - parameter 'other': has no type annotation$"
        ),
    ):
        Broken()


def test_duplicate_names_inside_a_toolbox() -> None:
    @tool(name="turn_on")
    def another(room: str) -> None: ...

    class X(Home):
        def __init__(self) -> None:
            Toolbox.__init__(self, "x", [another])

    with pytest.raises(
        ToolDefinitionError,
        match=r"^toolbox 'x' has two tools named 'turn_on': .*Home\.turn_on and .*another$",
    ):
        X()


def test_toolbox_methods_are_analysed_once_per_class() -> None:
    first, second = Home(Client()), Home(Client())
    assert first["turn_on"].validate is not second["turn_on"].validate
    assert first["turn_on"]._validator is second["turn_on"]._validator


# --- collect_tools --------------------------------------------------------------------------


@tool
def ping() -> None:
    """Ping."""


def pong() -> None:
    """Pong."""


def test_collect_flattens_and_wraps_plain_functions() -> None:
    home = Home(Client())
    tools = collect_tools([ping, home, pong])
    assert [t.name for t in tools] == ["ping", "turn_on", "turn_off", "watch_door", "pong"]
    assert tools[0] is ping
    assert isinstance(tools[-1], Tool)
    assert tools[-1].fn is pong


def test_collect_keeps_the_same_tool_once() -> None:
    assert collect_tools([ping, ping, Toolbox("p", [ping])]) == [ping]


def test_collect_names_both_duplicates() -> None:
    @tool(name="ping")
    def other() -> None: ...

    with pytest.raises(
        ToolDefinitionError,
        match=(
            r"^two tools are named 'ping': .*test_tools_toolbox\.ping and "
            r".*test_collect_names_both_duplicates\.<locals>\.other$"
        ),
    ):
        collect_tools([ping, other])


def test_collect_names_toolbox_of_a_duplicate() -> None:
    with pytest.raises(
        ToolDefinitionError,
        match=r"^two tools are named 'turn_on': .*Home\.turn_on \(toolbox 'home'\) and .*",
    ):
        collect_tools([Home(Client()), Home(Client())])


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (42, r"^cannot use 42 as a tool: expected a Tool, a Toolbox instance or a function$"),
        (Home, r"^cannot use <class '.*Home'> as a tool: expected a Tool, a Toolbox instance"),
        (Home.watch, r"^tool 'watch_door' is a method of .*Home; pass an instance of its Toolbox"),
        (Home.turn_off, r"^tool 'turn_off' is a method of .*Home; pass an instance of its Toolbox"),
    ],
    ids=["int", "class", "unbound-tool", "unbound-function"],
)
def test_collect_refuses_what_is_not_a_tool(item: Any, message: str) -> None:
    with pytest.raises(ToolDefinitionError, match=message):
        collect_tools([item])


def test_bind_refuses_a_plain_tool() -> None:
    with pytest.raises(ToolDefinitionError, match=r"^tool 'ping' is not a method"):
        ping.bind(object())


# --- lifecycle, not_a_tool, context managers ---------------------------------------------


class Garage(Toolbox):
    """A toolbox that owns a connection."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []

    def open_door(self) -> str:
        """Open the garage door."""
        return "open"

    async def aclose(self) -> None:
        self.events.append("aclose")

    def close(self) -> None:
        self.events.append("close")

    @not_a_tool
    def reconnect(self, host: str) -> None:
        self.events.append(f"reconnect {host}")

    @not_a_tool
    async def status(self) -> str:
        return "ok"


def test_lifecycle_methods_and_not_a_tool_methods_are_not_tools() -> None:
    garage = Garage()
    assert [t.name for t in garage] == ["open_door"]
    garage.reconnect("hub")  # still an ordinary method
    assert garage.events == ["reconnect hub"]


def test_an_explicit_tool_may_use_a_lifecycle_name() -> None:
    class Blinds(Toolbox):
        @tool
        def close(self, room: str) -> str:
            """Close the blinds."""
            return room

    blinds = Blinds()
    assert [t.name for t in blinds] == ["close"]
    with blinds:  # a tool named close is not the toolbox's close()
        pass
    assert blinds["close"](room="den") == "den"


def test_not_a_tool_is_refused_on_a_tool_and_tool_refuses_a_marked_function() -> None:
    @tool
    def ping() -> None: ...

    with pytest.raises(ToolDefinitionError, match=r"'ping' is already a tool; remove @tool"):
        not_a_tool(ping)

    @not_a_tool
    def helper() -> None: ...

    with pytest.raises(ToolDefinitionError, match=r"  - it is marked @not_a_tool$"):
        tool(helper)


@pytest.mark.anyio
async def test_async_with_calls_aclose_once() -> None:
    async with Garage() as garage:
        assert isinstance(garage, Garage)
        assert garage.events == []
    assert garage.events == ["aclose"]


@pytest.mark.anyio
async def test_async_with_falls_back_to_close_sync_or_async() -> None:
    class Sync(Toolbox):
        closed = 0

        def close(self) -> None:
            self.closed += 1

    class Async(Sync):
        async def close(self) -> None:  # type: ignore[override]
            self.closed += 10

    async with Sync() as a, Async() as b:
        pass
    assert (a.closed, b.closed) == (1, 10)


@pytest.mark.anyio
async def test_async_with_closes_when_the_body_fails() -> None:
    with pytest.raises(ValueError, match="boom"):
        async with Garage() as garage:
            raise ValueError("boom")
    assert garage.events == ["aclose"]


def test_with_calls_close() -> None:
    with Garage() as garage:
        pass
    assert garage.events == ["close"]


def test_with_refuses_a_toolbox_that_closes_asynchronously() -> None:
    class Hub(Toolbox):
        async def aclose(self) -> None: ...

    class Session(Toolbox):
        async def close(self) -> None: ...

    for box, method in ((Hub(), "aclose"), (Session(), "close")):
        with (
            pytest.raises(TypeError, match=rf"closes with async {method}\(\); use `async with`"),
            box,
        ):
            pass


@pytest.mark.anyio
async def test_toolbox_without_close_is_a_context_manager_too() -> None:
    with Home(Client()) as home:
        assert "turn_on" in home
    async with Home(Client()) as home:
        assert "turn_on" in home


# --- a subclass that forgets super().__init__() ---------------------------------------------


class Forgetful(Toolbox):
    def __init__(self, client: Client) -> None:
        self.client = client

    def turn_on(self, room: str) -> list[str]:
        """Turn on the lights in a room."""
        self.client.lit.add(room)
        return sorted(self.client.lit)

    @tool(timeout=5)
    def dim(self, level: int) -> int:
        """Dim the lights."""
        return level


def test_forgotten_super_init_still_works() -> None:
    box = Forgetful(Client())
    assert box.name == "Forgetful"
    assert [t.name for t in box] == ["turn_on", "dim"]
    assert box.dim is box["dim"]
    assert box.dim(level=2) == 2
    assert box["turn_on"](room="den") == ["den"]
    assert collect_tools([box]) == [box["turn_on"], box["dim"]]
    assert repr(box) == "<Toolbox 'Forgetful' tools=['turn_on', 'dim']>"


def test_forgotten_super_init_keeps_a_name_set_by_the_subclass() -> None:
    class Named(Forgetful):
        def __init__(self) -> None:
            self.name = "lights"

        def turn_off(self, room: str) -> None: ...

    box = Named()
    assert (box.name, len(box), "turn_off" in box) == ("lights", 3, True)
