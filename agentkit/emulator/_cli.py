"""``agentkit emulator``: serve the emulator from the command line until Ctrl-C / SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys

import anyio

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentkit emulator",
        description="An offline Gemini Live API server that Google's SDKs and agentkit accept.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any)")
    parser.add_argument("--tls", action="store_true", help="serve wss:// with a minted certificate")
    parser.add_argument("--strict", action="store_true", help="refuse unknown fields (1007)")
    parser.add_argument("--script", metavar="FILE", help="a JSON script replacing the model")
    parser.add_argument(
        "--lifetime",
        type=float,
        default=None,
        help="seconds before goAway and close (default: unlimited)",
    )
    parser.add_argument(
        "--require-key",
        action="store_true",
        help="refuse connections without a key or token (1008)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv``, serve until interrupted, return the exit status."""
    args = _parser().parse_args(argv)
    from ._script import Script
    from ._server import Emulator

    script = None
    if args.script:
        try:
            script = Script.load(args.script)
        except (OSError, ValueError) as exc:
            print(f"agentkit emulator: cannot load script {args.script}: {exc}", file=sys.stderr)
            return 2
    emu = Emulator(
        args.host,
        args.port,
        tls=args.tls,
        strict=args.strict,
        script=script,
        lifetime=args.lifetime,
        require_key=args.require_key,
    )

    async def serve() -> None:
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with emu:
                print(f"agentkit emulator listening on {emu.base_url}", flush=True)
                print(f"base_url for Google's SDKs: {emu.http_base_url}", flush=True)
                if emu.ca_file is not None:
                    print(f"CA file: {emu.ca_file}", flush=True)
                async for _ in signals:
                    break
        print("agentkit emulator stopped", flush=True)

    try:
        anyio.run(serve, backend="asyncio")
    except OSError as exc:
        print(f"agentkit emulator: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
