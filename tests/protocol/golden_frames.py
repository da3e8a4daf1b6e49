"""Golden frames for protocol tests (tests/frames/*.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FRAMES = Path(__file__).parent.parent / "frames"


def golden(name: str) -> dict[str, dict[str, Any]]:
    """The frames of one golden file, by name."""
    data = json.loads((FRAMES / f"{name}.json").read_text())
    frames: dict[str, dict[str, Any]] = data["frames"]
    return frames
