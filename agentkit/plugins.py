"""Plugins: pluggy hookspecs, the plugin manager, and the entry-point group ``agentkit``.

A plugin package declares an entry point in group ``agentkit`` whose value is a module (or
any object) with hook implementations marked ``@agentkit.hookimpl``::

    # pyproject.toml
    [project.entry-points.agentkit]
    timers = "agentkit_timers"

    # agentkit_timers/__init__.py
    import agentkit

    class Timers(agentkit.Toolbox): ...   # tools as methods, state on the instance

    @agentkit.hookimpl
    def agentkit_tools():
        return [Timers()]                # a new toolbox, so each agent has its own timers

Nothing is loaded at import time: :func:`get_plugin_manager` builds a fresh manager on every
call, and :func:`load_plugins` loads, validates and collects in one step. ``agentkit_tools``
is called once per :func:`load_plugins`, so a plugin that returns a NEW toolbox on each call
gives every agent its own state; :meth:`Plugins.aclose` closes those toolboxes. A plugin that
fails to import, implements a misspelled hook, raises from a hook or returns a bad tool is
reported by name (a WARNING on the ``agentkit.plugins`` logger and an entry in
:attr:`Plugins.failures`) and skipped; the others load. Two plugins declaring the same tool
name is an error that names both.
"""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from types import TracebackType
from typing import Any

import anyio
import pluggy

from .errors import PluginError
from .tools import Tool, Toolbox, collect_tools

__all__ = [
    "ENTRY_POINT_GROUP",
    "ENV_VAR",
    "AgentkitSpec",
    "PluginFailure",
    "Plugins",
    "get_plugin_manager",
    "hookimpl",
    "hookspec",
    "load_plugins",
]

#: The entry-point group plugin packages declare.
ENTRY_POINT_GROUP = "agentkit"
#: Environment variable that narrows which installed plugins load: ``"a,b"``, or ``""`` /
#: ``"none"`` for none. Honoured only when no explicit selection is given.
ENV_VAR = "AGENTKIT_PLUGINS"

hookspec = pluggy.HookspecMarker("agentkit")
hookimpl = pluggy.HookimplMarker("agentkit")

logger = logging.getLogger("agentkit.plugins")


class AgentkitSpec:
    """The hooks a plugin may implement. Each is optional; all are synchronous."""

    @hookspec
    def agentkit_tools(self) -> Sequence[Any]:  # type: ignore[empty-body]
        """Return tools for every agent: ``Tool`` objects, ``Toolbox`` instances or plain
        functions (which become tools with the default options)."""

    @hookspec
    def agentkit_system_instruction(self) -> str | None:
        """Return text appended to the session's system instruction, or None."""

    @hookspec
    def agentkit_session_event(self, event: object) -> None:
        """Observe one session event (``agentkit.events.*``). Keep it quick: it runs inline."""

    @hookspec
    def agentkit_register_commands(self, subparsers: Any) -> None:
        """Add subcommands to the ``agentkit`` CLI (an ``argparse`` subparsers action)."""


@dataclass(frozen=True, slots=True)
class PluginFailure:
    """A plugin that was skipped, and why.

    Attributes:
        name: The plugin's entry-point (or registration) name.
        error: What went wrong, as one line: ``"ImportError: No module named 'x'"``.
    """

    name: str
    error: str

    def __str__(self) -> str:
        return f"{self.name}: {self.error}"


def get_plugin_manager(*, load_entrypoints: bool = True) -> pluggy.PluginManager:
    """Return a NEW plugin manager with agentkit's hookspecs.

    Args:
        load_entrypoints: Also register every installed plugin (group ``agentkit``).
            Broken plugins are logged and skipped; use :func:`load_plugins` to get the
            list of failures too.
    """
    pm = pluggy.PluginManager("agentkit")
    pm.add_hookspecs(AgentkitSpec)
    if load_entrypoints:
        _register_entry_points(pm, _installed(), None)
    return pm


def load_plugins(
    selection: bool | str | Sequence[str] | None = True,
    *,
    env: Mapping[str, str] | None = None,
    manager: pluggy.PluginManager | None = None,
) -> Plugins:
    """Load installed plugins, validate them, and collect their tools.

    Args:
        selection: ``True`` or ``None``: every installed plugin, narrowed by
            ``AGENTKIT_PLUGINS`` when set. ``False``: none. A list of names: exactly those
            (the environment variable is ignored); a single ``str`` is one name.
        env: Where to read ``AGENTKIT_PLUGINS``; default ``os.environ``.
        manager: A manager to load into (it may already hold plugins registered by hand,
            e.g. in tests); default a fresh one from :func:`get_plugin_manager`.

    Raises:
        PluginError: A requested name is not installed, or two plugins declare the same
            tool name.
        TypeError: ``selection`` is not one of the above (e.g. bytes, or a list holding
            something other than names).
    """
    if manager is None:
        pm = get_plugin_manager(load_entrypoints=False)
    else:
        pm = manager
        try:
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"a plugin registered by hand is invalid: {exc}") from exc
    installed = _installed()
    wanted = _wanted(selection, os.environ if env is None else env)
    if wanted is not None:
        missing = [name for name in wanted if name not in installed and not pm.has_plugin(name)]
        if missing:
            have = ", ".join(sorted(installed)) or "none"
            raise PluginError(
                f"no agentkit plugin named {', '.join(map(repr, missing))} is installed "
                f"(installed: {have})"
            )
    failures = _register_entry_points(pm, installed, wanted)
    return Plugins(pm, failures=failures)


class Plugins:
    """What :func:`load_plugins` loaded: the manager, the plugins, their tools, the failures.

    Attributes:
        manager: The pluggy manager holding every plugin that loaded.
        names: Names of the loaded plugins, in load order.
        failures: Plugins that were skipped, with the reason.
        tools: Every plugin's tools, in plugin order.
        by_plugin: Plugin name to the tools it contributed.
        toolboxes: The Toolbox instances the plugins returned; :meth:`aclose` closes them.

    Use it as ``async with load_plugins() as plugins:`` (or call :meth:`aclose`) so the
    resources plugin toolboxes hold (HTTP clients, ...) are released.
    """

    #: Seconds :meth:`aclose` allows all toolboxes together before giving up (logged).
    close_timeout: float = 10.0

    def __init__(
        self, manager: pluggy.PluginManager, *, failures: Sequence[PluginFailure] = ()
    ) -> None:
        self.manager = manager
        self.failures: list[PluginFailure] = list(failures)
        self.by_plugin: dict[str, list[Tool]] = {}
        self.toolboxes: list[Toolbox] = []
        owner: dict[str, str] = {}
        for name in self._plugin_names():
            try:
                tools = self._tools_of(name)
            except Exception as exc:  # a plugin's bug must not stop the others
                self._fail(name, _describe(exc))
                continue
            for t in tools:
                if t.name in owner:
                    raise PluginError(
                        f"tool name {t.name!r} is declared by two plugins: "
                        f"{owner[t.name]!r} and {name!r}"
                    )
            for t in tools:
                owner[t.name] = name
            self.by_plugin[name] = tools
        self.names: list[str] = self._plugin_names()
        self.tools: list[Tool] = [t for ts in self.by_plugin.values() for t in ts]

    def system_instructions(self) -> list[str]:
        """Every plugin's addition to the system instruction (errors are logged, skipped)."""
        texts: list[str] = []
        for name, result in self._call_each("agentkit_system_instruction", {}):
            if result is None:
                continue
            if not isinstance(result, str):
                logger.warning(
                    "agentkit plugin %r: agentkit_system_instruction returned %r, not a str",
                    name,
                    result,
                )
                continue
            if result.strip():
                texts.append(result)
        return texts

    def emit(self, event: object) -> None:
        """Pass one session event to every ``agentkit_session_event`` hook; errors are logged."""
        for _ in self._call_each("agentkit_session_event", {"event": event}):
            pass

    def register_commands(self, subparsers: Any) -> None:
        """Let plugins add CLI subcommands; a plugin that raises is logged and skipped."""
        for _ in self._call_each("agentkit_register_commands", {"subparsers": subparsers}):
            pass

    async def aclose(self) -> None:
        """Close every toolbox the plugins returned (its ``aclose()`` or ``close()``),
        newest first. Shielded from cancellation, so it also runs during teardown; a
        toolbox that fails to close is logged and the others are still closed. Safe to
        call twice."""
        boxes, self.toolboxes = self.toolboxes, []
        with anyio.move_on_after(self.close_timeout, shield=True) as scope:
            for box in reversed(boxes):
                try:
                    await box.__aexit__(None, None, None)
                except Exception as exc:
                    logger.warning(
                        "agentkit plugin toolbox %r failed to close: %s", box.name, _describe(exc)
                    )
        if scope.cancelled_caught:
            logger.warning("agentkit plugin toolboxes did not close within %gs", self.close_timeout)

    async def __aenter__(self) -> Plugins:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def declarations(self) -> list[dict[str, Any]]:
        """The FunctionDeclaration (wire dict) of every tool, in order."""
        return [t.declaration for t in self.tools]

    def describe(self) -> dict[str, Any]:
        """A JSON-ready summary for ``agentkit tools``: plugins, their declarations, failures."""
        return {
            "plugins": [
                {"name": name, "tools": [t.declaration for t in self.by_plugin.get(name, [])]}
                for name in self.names
            ],
            "failures": [{"name": f.name, "error": f.error} for f in self.failures],
        }

    def __repr__(self) -> str:
        return (
            f"<Plugins names={self.names!r} tools={len(self.tools)} "
            f"failures={[f.name for f in self.failures]!r}>"
        )

    # -- internals ---------------------------------------------------------------------

    def _plugin_names(self) -> list[str]:
        return [name for name, _ in self.manager.list_name_plugin() if name is not None]

    def _tools_of(self, name: str) -> list[Tool]:
        items: list[Any] = []
        for impl in self.manager.hook.agentkit_tools.get_hookimpls():
            if impl.plugin_name == name:
                items.extend(_as_items(impl.function()))
        # Kept even if the plugin fails below: whatever it opened is closed by aclose().
        self.toolboxes.extend(item for item in items if isinstance(item, Toolbox))
        return collect_tools(items)

    def _fail(self, name: str, error: str) -> None:
        logger.warning("agentkit plugin %r skipped: %s", name, error)
        self.failures.append(PluginFailure(name, error))
        plugin = self.manager.get_plugin(name)
        if plugin is not None:
            self.manager.unregister(plugin, name=name)

    def _call_each(self, hook_name: str, kwargs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
        """Call each implementation on its own, so one plugin's error spares the others."""
        caller = getattr(self.manager.hook, hook_name)
        # get_hookimpls() is in registration order (pluggy itself calls the newest first).
        for impl in caller.get_hookimpls():
            try:
                result = impl.function(*[kwargs[arg] for arg in impl.argnames])
            except Exception as exc:
                logger.warning(
                    "agentkit plugin %r: %s raised %s", impl.plugin_name, hook_name, _describe(exc)
                )
                continue
            if inspect.isawaitable(result):
                if inspect.iscoroutine(result):
                    result.close()
                logger.warning(
                    "agentkit plugin %r: %s returned an awaitable; hooks are synchronous",
                    impl.plugin_name,
                    hook_name,
                )
                continue
            yield impl.plugin_name, result


def _installed() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep)  # the first on sys.path wins, as for imports
    return found


def _wanted(
    selection: bool | str | Sequence[str] | None, env: Mapping[str, str]
) -> list[str] | None:
    """The names to load, or None for every installed plugin."""
    if selection is False:
        return []
    if selection is True or selection is None:
        raw = env.get(ENV_VAR)
        if raw is None:
            return None
        raw = raw.strip()
        if raw.lower() in ("", "none"):
            return []
        return [name.strip() for name in raw.split(",") if name.strip()]
    if isinstance(selection, str):
        return [selection]  # one name: never its letters
    if isinstance(selection, bytes | bytearray) or not isinstance(selection, Iterable):
        raise TypeError(
            f"plugin selection must be True, False, None, a name or a list of names, "
            f"not {type(selection).__name__}"
        )
    names = list(selection)
    bad = [name for name in names if not isinstance(name, str)]
    if bad:
        raise TypeError(f"plugin names must be str, got {bad[0]!r}")
    return list(dict.fromkeys(names))


def _register_entry_points(
    pm: pluggy.PluginManager, installed: Mapping[str, EntryPoint], wanted: Sequence[str] | None
) -> list[PluginFailure]:
    failures: list[PluginFailure] = []
    for name in wanted if wanted is not None else sorted(installed):
        if pm.has_plugin(name) or pm.is_blocked(name) or name not in installed:
            continue
        error = _register_one(pm, name, installed[name].load)
        if error is not None:
            logger.warning("agentkit plugin %r skipped: %s", name, error)
            failures.append(PluginFailure(name, error))
    return failures


def _register_one(pm: pluggy.PluginManager, name: str, load: Callable[[], object]) -> str | None:
    """Import and register one plugin; return the reason it was skipped, or None."""
    try:
        plugin = load()
    except BaseException as exc:  # SystemExit in a plugin's import must not end the host
        if isinstance(exc, KeyboardInterrupt):
            raise
        return _describe(exc)
    try:
        pm.register(plugin, name=name)
    except Exception as exc:  # PluginValidationError: a hookimpl that does not fit its spec
        return _describe(exc)
    try:
        # A misspelled hook (an @hookimpl with no matching spec) fails here, loudly.
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        pm.unregister(plugin, name=name)
        return _describe(exc)
    return None


def _as_items(result: object) -> list[Any]:
    if result is None:
        return []
    if isinstance(result, Tool | Toolbox):
        return [result]
    if isinstance(result, str | bytes | Mapping):
        raise PluginError(f"agentkit_tools must return a list of tools, got {result!r:.80}")
    if isinstance(result, Iterable):
        return list(result)
    return [result]


def _describe(exc: BaseException) -> str:
    """One line: the exception's type and its message (multi-line messages joined)."""
    text = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
