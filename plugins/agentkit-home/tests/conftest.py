"""Fixtures for agentkit-home: both anyio backends, a clean environment, a virtual home."""

from __future__ import annotations

import pytest
from agentkit_home import VirtualHome


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _no_plugin_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTKIT_PLUGINS", raising=False)


@pytest.fixture
def home() -> VirtualHome:
    return VirtualHome()
