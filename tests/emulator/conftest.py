"""Fixtures for the emulator's own tests (asyncio only: the server runs on websockets.asyncio)."""

from __future__ import annotations

import math
import ssl
import struct
from collections.abc import AsyncIterator
from typing import Any

import pytest

from agentkit.emulator import Emulator


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def tls_emu() -> AsyncIterator[Emulator]:
    async with Emulator(tls=True) as emu:
        yield emu


def genai_client(emu: Emulator, *, api_version: str = "v1beta", api_key: str = "test-key") -> Any:
    """Google's own SDK pointed at the emulator over TLS (live-protocol §13.2, recipe A)."""
    from google import genai
    from google.genai import types

    assert emu.ca_file is not None
    ctx = ssl.create_default_context(cafile=str(emu.ca_file))
    return genai.Client(
        api_key=api_key,
        http_options=types.HttpOptions(
            base_url=emu.http_base_url,
            api_version=api_version,
            async_client_args={"ssl": ctx},
        ),
    )


def tone(seconds: float, *, rate: int = 16_000, freq: float = 440.0, amp: int = 8000) -> bytes:
    """PCM16LE mono sine: something the energy VAD hears as speech."""
    n = int(rate * seconds)
    return b"".join(
        struct.pack("<h", int(amp * math.sin(2 * math.pi * freq * i / rate))) for i in range(n)
    )


def silence(seconds: float, *, rate: int = 16_000) -> bytes:
    return bytes(int(rate * seconds) * 2)
