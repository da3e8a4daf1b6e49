"""A well-behaved plugin: one tool, a system instruction, and an event observer."""

from __future__ import annotations

from typing import Any

import agentkit

#: Every event this plugin observed, for tests.
seen: list[object] = []


@agentkit.tool
def testplug_echo(text: str) -> dict[str, Any]:
    """Echo the text back."""
    return {"echo": text}


@agentkit.hookimpl
def agentkit_tools() -> list[Any]:
    return [testplug_echo]


@agentkit.hookimpl
def agentkit_system_instruction() -> str:
    return "testplug-good is loaded."


@agentkit.hookimpl
def agentkit_session_event(event: object) -> None:
    seen.append(event)


@agentkit.hookimpl
def agentkit_register_commands(subparsers: Any) -> None:
    hello = subparsers.add_parser("testplug-hello", help="say hello (from testplug-good)")
    hello.add_argument("name")
    hello.set_defaults(func=lambda args: print(f"hello, {args.name}") or 0)
