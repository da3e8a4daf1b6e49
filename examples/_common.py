"""Where the examples connect (shared plumbing, not part of any lesson).

Every example takes a base URL: ``--base-url URL`` on the command line, else the
``AGENTKIT_BASE_URL`` environment variable, else none at all, which means Google's endpoint
with the key in ``GEMINI_API_KEY``. To run them offline, start the emulator first::

    agentkit emulator --port 8765
    python examples/text.py --base-url ws://127.0.0.1:8765
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DATA = Path(__file__).parent / "data"
"""Sample media used by the examples: ``hello.wav`` (speech-like sound) and ``frame.jpg``."""


def target(base_url: str | None = None) -> str | None:
    """The base URL to use: the argument, ``--base-url``, ``$AGENTKIT_BASE_URL``, or None."""
    if base_url:
        return base_url
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg == "--base-url" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--base-url="):
            return arg.split("=", 1)[1]
    return os.environ.get("AGENTKIT_BASE_URL") or None
