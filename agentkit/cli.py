"""The ``agentkit`` command: ``tools``, ``emulator``, ``chat`` and ``demo``.

Nothing imports this module; it sits on top of every layer.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence

from ._version import __version__
from .errors import AgentkitError

__all__ = ["main"]

DEFAULT_MODEL = "gemini-2.5-flash-native-audio-latest"
#: ``--text`` needs a half-cascade model: native-audio models refuse TEXT answers (1007).
TEXT_MODEL = "gemini-2.0-flash-live-001"


def _plugin_selection(value: str | None) -> bool | list[str]:
    """``--plugins a,b`` -> ["a", "b"]; ``--plugins none`` -> False; unset -> all (True)."""
    if value is None:
        return True
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names or names == ["none"]:
        return False
    return names


def _cmd_tools(args: argparse.Namespace) -> int:
    from .plugins import load_plugins

    selection = _plugin_selection(args.plugins)
    plugins = load_plugins(selection if selection is not False else [])
    if args.json:
        print(json.dumps(plugins.describe(), indent=2))
    else:
        out = sys.stdout
        out.write(f"plugins loaded: {', '.join(plugins.names) or '(none)'}\n")
        for failure in plugins.failures:
            out.write(f"plugin {failure.name!r} skipped: {failure.error}\n")
        out.write(f"tools ({len(plugins.tools)}):\n")
        for t in plugins.tools:
            summary = t.description.splitlines()[0] if t.description else ""
            out.write(f"  {t.name:<24} {t.behavior.value:<12} {summary}\n")
        out.write("\ndeclarations:\n")
        out.write(json.dumps(plugins.declarations(), indent=2) + "\n")
    return 0


def _cmd_emulator(args: argparse.Namespace) -> int:
    from .emulator._cli import main as emulator_main

    return emulator_main(args.rest)


def _cmd_chat(args: argparse.Namespace) -> int:
    import anyio

    from ._chat import chat

    anyio.run(
        lambda: chat(
            model=args.model or (TEXT_MODEL if args.text else DEFAULT_MODEL),
            base_url=args.base_url,
            api_version=args.api_version,
            plugins=_plugin_selection(args.plugins),
            system=args.system,
            audio_in=args.audio_in,
            audio_out=args.audio_out,
            text_only=args.text,
        )
    )
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    import anyio

    from ._demo import run_demo

    return anyio.run(
        lambda: run_demo(
            model=args.model, base_url=args.base_url, offline=args.offline, keep=args.keep
        )
    )


_BUILTIN = ("tools", "emulator", "chat", "demo")


def _add_plugin_commands(parser: argparse.ArgumentParser) -> None:
    """Let plugins add subcommands (hook ``agentkit_register_commands``).

    A plugin command sets ``func`` with ``set_defaults(func=...)``: a callable taking the
    parsed arguments and returning an exit code.
    """
    from .plugins import load_plugins

    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    load_plugins().register_commands(subparsers)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``agentkit`` command."""
    parser = argparse.ArgumentParser(
        prog="agentkit",
        description="Tool-calling agents on the Gemini Live API.",
    )
    parser.add_argument("--version", action="version", version=f"agentkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tools = sub.add_parser("tools", help="list plugins, their tools and declarations")
    tools.add_argument(
        "--plugins", help="comma-separated plugin names (default: all; env AGENTKIT_PLUGINS)"
    )
    tools.add_argument(
        "--json", action="store_true", help="print plugins, declarations and failures as JSON"
    )
    tools.set_defaults(func=_cmd_tools)

    emu = sub.add_parser("emulator", help="serve the offline Live API emulator", add_help=False)
    emu.add_argument("rest", nargs=argparse.REMAINDER)
    emu.set_defaults(func=_cmd_emulator)

    for name, helptext in (
        ("chat", "an interactive text (or audio file) session with every plugin's tools"),
        ("demo", "the home-automation agent: emulator by default, Gemini with GEMINI_API_KEY"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument(
            "--model",
            default=os.environ.get("AGENTKIT_MODEL"),
            help=f"Live model (default: {DEFAULT_MODEL}; {TEXT_MODEL} with --text)",
        )
        p.add_argument(
            "--base-url",
            default=os.environ.get("AGENTKIT_BASE_URL"),
            help="Live API server (default: Google's; the demo starts an emulator without a key)",
        )
        if name == "chat":
            p.add_argument("--api-version", default="v1beta")
            p.add_argument("--plugins", help="comma-separated plugin names, or 'none'")
            p.add_argument("--system", help="system instruction")
            p.add_argument(
                "--audio-in", metavar="FILE.wav", help="send this WAV as the first user turn"
            )
            p.add_argument(
                "--audio-out", metavar="FILE.wav", help="write the audio answers to this WAV"
            )
            p.add_argument(
                "--text",
                action="store_true",
                help="ask for TEXT answers (half-cascade models) instead of audio",
            )
            p.set_defaults(func=_cmd_chat)
        else:
            p.add_argument(
                "--offline",
                action="store_true",
                help="use the local emulator even when GEMINI_API_KEY is set",
            )
            p.add_argument(
                "--keep",
                action="store_true",
                help="on a real Home Assistant (HA_URL), leave the demo's changes in place",
            )
            p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``agentkit`` command; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if argv[:1] == ["emulator"]:  # its options belong to the emulator's own parser
        args = argparse.Namespace(func=_cmd_emulator, rest=argv[1:])
    else:
        if argv[:1] not in ([c] for c in _BUILTIN):
            try:
                _add_plugin_commands(parser)  # only when needed: loading plugins imports them
            except AgentkitError as exc:
                print(f"agentkit: plugin commands unavailable: {exc}", file=sys.stderr)
        args = parser.parse_args(argv)
    if args.func in (_cmd_chat, _cmd_demo):
        # Applications show library warnings (a plugin skipped, a tool that failed).
        logging.basicConfig(level=logging.WARNING, format="%(levelname)-7s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except AgentkitError as exc:
        # A user-facing failure (bad plugin name, refused setup, no connection): one line,
        # no traceback. Messages never contain credentials.
        print(f"agentkit: error: {exc}", file=sys.stderr)
        return 2
