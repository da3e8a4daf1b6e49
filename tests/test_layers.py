"""The layer rules of DESIGN.md, enforced by scanning imports (no module is executed)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "agentkit"


def _imports(path: Path) -> set[str]:
    """Absolute module names imported by one file (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[:-1]  # the containing package, for __init__ files too
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _layer_files(layer: str) -> list[Path]:
    target = PACKAGE / layer
    if target.is_dir():
        return sorted(target.rglob("*.py"))
    return [target.with_suffix(".py")]


def _violations(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in _layer_files(layer):
        for name in sorted(_imports(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return bad


RULES = [
    # sans-I/O: no event loop, no sockets
    (
        "protocol",
        (
            "anyio",
            "websockets",
            "asyncio",
            "trio",
            "socket",
            "httpx",
            "agentkit.session",
            "agentkit.dispatch",
        ),
    ),
    (
        "tools",
        (
            "anyio",
            "websockets",
            "asyncio",
            "httpx",
            "agentkit.session",
            "agentkit.dispatch",
            "agentkit.protocol",
        ),
    ),
    # concurrency only: no network code
    ("dispatch", ("websockets", "httpx", "agentkit.session", "agentkit.protocol")),
    # the emulator is the other side of the wire, written independently of the client
    ("emulator", ("agentkit.session", "agentkit.dispatch", "agentkit.tools", "agentkit.events")),
]


@pytest.mark.parametrize(("layer", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_layer_imports_only_what_it_may(layer: str, forbidden: tuple[str, ...]) -> None:
    assert _layer_files(layer)[0].exists(), f"layer {layer} is missing"
    assert _violations(layer, forbidden) == []


def test_nothing_imports_the_cli() -> None:
    users = [
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if path.name not in {"cli.py", "__main__.py"} and "agentkit.cli" in _imports(path)
    ]
    assert users == []
