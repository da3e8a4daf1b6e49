"""Shared fixtures: a clean environment and the anyio backends."""

from __future__ import annotations

import pytest

_SECRET_VARS = (
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "AGENTKIT_PLUGINS",
    "GOOGLE_GEMINI_BASE_URL",
    "HA_URL",
    "HA_TOKEN",
    "AGENTKIT_BASE_URL",
    "AGENTKIT_MODEL",
    "GOOGLE_GENAI_API_VERSION",
)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's real key, plugin choice and Home Assistant out of every test."""
    for name in _SECRET_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Backend-neutral tests run on both asyncio and trio; override per module for asyncio-only."""
    return str(request.param)
