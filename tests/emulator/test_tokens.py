"""REST ephemeral tokens on the same port, and their use on the constrained method."""

from __future__ import annotations

import datetime
import json
import ssl

import anyio
import httpx
import pytest
from google import genai
from google.genai import errors, types

from agentkit.emulator import Emulator

from .test_protocol import TEXT_SETUP, recv, refused

pytestmark = pytest.mark.anyio

CONSTRAINED = (
    "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained"
)


@pytest.mark.filterwarnings("ignore:The SDK's token creation")
@pytest.mark.filterwarnings("ignore:The SDK's ephemeral token support")
async def test_google_sdk_creates_and_uses_a_token() -> None:
    async with Emulator(tls=True, require_key=True, api_keys=["real-key"]) as emu:
        ctx = ssl.create_default_context(cafile=str(emu.ca_file))
        admin = genai.Client(
            api_key="real-key",
            http_options=types.HttpOptions(
                base_url=emu.http_base_url, api_version="v1alpha", client_args={"verify": ctx}
            ),
        )
        now = datetime.datetime.now(tz=datetime.UTC)
        token = await anyio.to_thread.run_sync(
            lambda: admin.auth_tokens.create(
                config={
                    "uses": 1,
                    "expire_time": now + datetime.timedelta(minutes=30),
                    "new_session_expire_time": now + datetime.timedelta(minutes=1),
                    "live_connect_constraints": {
                        "model": "gemini-2.0-flash-live-001",
                        "config": {"response_modalities": ["TEXT"], "temperature": 0.2},
                    },
                }
            )
        )
        assert token.name.startswith("auth_tokens/")

        user = genai.Client(
            api_key=token.name,
            http_options=types.HttpOptions(
                base_url=emu.http_base_url, api_version="v1alpha", async_client_args={"ssl": ctx}
            ),
        )
        async with user.aio.live.connect(
            model="gemini-2.0-flash-live-001",
            config={"response_modalities": ["TEXT"], "temperature": 0.9},
        ) as s:
            await s.send_client_content(turns={"parts": [{"text": "hi"}]})
            text = "".join([m.text async for m in s.receive() if m.text])
        assert text.startswith('You said: "hi"')
        record = emu.connections[0]
        assert record.method == "BidiGenerateContentConstrained"
        assert record.credential == "token"
        assert record.setup["generationConfig"]["temperature"] == 0.2  # locked by the token
        assert token.name not in repr(record)

        # uses: 1 -> a second session is refused
        with pytest.raises(errors.APIError) as info:
            async with user.aio.live.connect(
                model="gemini-2.0-flash-live-001", config={"response_modalities": ["TEXT"]}
            ) as s:
                pass
        assert info.value.code == 1008


async def test_rest_errors_and_token_rules() -> None:
    async with Emulator(require_key=True, api_keys=["k"]) as emu:
        async with httpx.AsyncClient(base_url=emu.http_base_url) as http:
            assert (await http.post("/v1alpha/auth_tokens", json={})).status_code == 403
            assert (await http.post("/v1alpha/auth_tokens?key=bad", json={})).status_code == 400
            assert (await http.post("/v1alpha/nope?key=k", json={})).status_code == 404
            bad = await http.post("/v1alpha/auth_tokens?key=k", content=b"[1]")
            assert bad.status_code == 400
            assert "error" in bad.json()
            made = await http.post(
                "/v1alpha/auth_tokens",
                headers={"x-goog-api-key": "k"},
                json={
                    "uses": 0,
                    "fieldMask": "generationConfig.temperature",
                    "bidiGenerateContentSetup": {
                        "model": "models/gemini-2.0-flash-live-001",
                        "generationConfig": {"temperature": 0.1},
                    },
                },
            )
            assert made.status_code == 200
            name = made.json()["name"]
        # a token on the normal method fails like a bad key; a key on the constrained one too
        code, reason = await refused(
            emu,
            TEXT_SETUP,
            path="/ws/google.ai.generativelanguage.v1alpha."
            f"GenerativeService.BidiGenerateContent?access_token={name}",
        )
        assert (code, reason) == (1007, "API key not valid. Please pass a valid API key.")
        assert (await refused(emu, TEXT_SETUP, path=CONSTRAINED + "?key=k"))[0] == 1008
        # field mask: only temperature is locked; uses 0 = unlimited
        from websockets.asyncio.client import connect

        for _ in range(2):
            async with connect(emu.base_url + CONSTRAINED + f"?access_token={name}") as ws:
                await ws.send(json.dumps(TEXT_SETUP))
                assert await recv(ws) == {"setupComplete": {}}
        setup = emu.connections[-1].setup
        assert setup["generationConfig"] == {"responseModalities": ["TEXT"], "temperature": 0.1}
