"""Fixtures for plugin tests: fake installed distributions with real entry points.

``installed`` writes a ``*.dist-info`` (METADATA + entry_points.txt) and the plugin's module
into a temporary directory on ``sys.path``: ``importlib.metadata`` then discovers the entry
point exactly as it does for a pip-installed package, without touching the venv.
"""

from __future__ import annotations

import itertools
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

_counter = itertools.count()

Install = Callable[[dict[str, str]], dict[str, str]]


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Install plugins given as ``{entry point name: module source}``.

    Returns the mapping entry point name -> module name. Module names are unique per test,
    and are removed from ``sys.modules`` afterwards.
    """
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    modules: list[str] = []

    def install(plugins: dict[str, str]) -> dict[str, str]:
        n = next(_counter)
        dist = site / f"akfake_dist{n}-0.1.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: akfake-dist{n}\nVersion: 0.1\n"
        )
        lines = ["[agentkit]"]
        names: dict[str, str] = {}
        for ep_name, source in plugins.items():
            module = f"akfake_{n}_{len(names)}"
            (site / f"{module}.py").write_text(textwrap.dedent(source))
            lines.append(f"{ep_name} = {module}")
            names[ep_name] = module
            modules.append(module)
        (dist / "entry_points.txt").write_text("\n".join(lines) + "\n")
        return names

    yield install
    for module in modules:
        sys.modules.pop(module, None)
