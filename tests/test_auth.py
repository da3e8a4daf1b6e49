"""agentkit.auth against a real HTTP server on 127.0.0.1 (stdlib http.server in a thread)."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from agentkit import auth
from agentkit.errors import ConfigError, TokenError

KEY = "AIzaSy-test-secret-key-0123456789"
NOW = datetime(2030, 1, 1, 0, 0, tzinfo=UTC)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class TokenServer:
    """Answers every POST with ``status``/``reply`` and records what it received."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    status: int = 200
    reply: bytes = b'{"name": "auth_tokens/abc123", "expireTime": "2030-01-01T00:30:00Z"}'


@pytest.fixture
def server() -> Iterator[TokenServer]:
    state = TokenServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", 0)))
            state.requests.append(
                Recorded(
                    "POST",
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    json.loads(raw) if raw else None,
                )
            )
            self.send_response(state.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(state.reply)))
            self.end_headers()
            self.wfile.write(state.reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_create_token_sends_the_documented_request(server: TokenServer) -> None:
    token = auth.create_token(
        api_key=KEY,
        uses=1,
        expire_time=datetime(2030, 1, 1, 0, 30, tzinfo=UTC),
        new_session_expire_time="2030-01-01T00:01:00+00:00",
        model="gemini-2.0-flash-live-001",
        base_url=server.url,
    )
    (request,) = server.requests
    assert request.path == "/v1alpha/auth_tokens"
    assert request.headers["x-goog-api-key"] == KEY
    assert request.headers["content-type"] == "application/json"
    assert "key=" not in request.path
    assert request.body == {
        "uses": 1,
        "expireTime": "2030-01-01T00:30:00+00:00",
        "newSessionExpireTime": "2030-01-01T00:01:00+00:00",
        "bidiGenerateContentSetup": {"model": "models/gemini-2.0-flash-live-001"},
    }
    assert token.name == "auth_tokens/abc123"
    assert token.expire_time == "2030-01-01T00:30:00Z"
    assert token.raw["name"] == "auth_tokens/abc123"


@pytest.mark.anyio
async def test_acreate_token_sends_the_same_request(server: TokenServer) -> None:
    token = await auth.acreate_token(api_key=KEY, uses=0, base_url=server.url + "/")
    (request,) = server.requests
    assert request.path == "/v1alpha/auth_tokens"
    assert request.headers["x-goog-api-key"] == KEY
    assert request.body == {"uses": 0}
    assert token.name == "auth_tokens/abc123"


def test_key_comes_from_gemini_then_google_env(
    server: TokenServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_API_KEY", "google-key")
    auth.create_token(base_url=server.url)
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-key")
    auth.create_token(base_url=server.url)
    auth.create_token(api_key="arg-key", base_url=server.url)
    assert [r.headers["x-goog-api-key"] for r in server.requests] == [
        "google-key",
        "gemini-key",
        "arg-key",
    ]


def test_ws_emulator_url_is_accepted_as_http(server: TokenServer) -> None:
    auth.create_token(api_key=KEY, base_url=server.url.replace("http://", "ws://"))
    assert server.requests[0].path == "/v1alpha/auth_tokens"


@pytest.mark.parametrize(
    ("kwargs", "field_name"),
    [
        ({}, "api_key"),
        ({"api_key": "auth_tokens/xyz"}, "api_key"),
        ({"api_key": KEY, "uses": -1}, "uses"),
        ({"api_key": KEY, "expire_time": datetime(2030, 1, 1)}, "expire_time"),
        ({"api_key": KEY, "new_session_expire_time": "soon"}, "new_session_expire_time"),
        ({"api_key": KEY, "base_url": "ftp://example"}, "base_url"),
        ({"api_key": KEY, "lock_additional_fields": "temperature"}, "lock_additional_fields"),
    ],
)
def test_bad_arguments_fail_before_sending(
    server: TokenServer, kwargs: dict[str, Any], field_name: str
) -> None:
    kwargs.setdefault("base_url", server.url)
    with pytest.raises(ConfigError) as info:
        auth.create_token(**kwargs)
    assert info.value.field == field_name
    assert server.requests == []
    assert KEY not in str(info.value)


def test_timedelta_expiry_is_relative_to_now() -> None:
    body = auth.build_request(
        expire_time=timedelta(minutes=30),
        new_session_expire_time=timedelta(minutes=1),
        now=NOW,
    )
    assert body == {
        "uses": 1,
        "expireTime": "2030-01-01T00:30:00+00:00",
        "newSessionExpireTime": "2030-01-01T00:01:00+00:00",
    }


def test_uses_none_is_left_to_the_server() -> None:
    assert auth.build_request(uses=None) == {}


class TestFieldMask:
    """live-protocol §12: how lock_additional_fields becomes fieldMask (as Google's SDK)."""

    def test_none_locks_everything_without_a_mask(self) -> None:
        body = auth.build_request(model="m", lock_additional_fields=None)
        assert body["bidiGenerateContentSetup"] == {"model": "models/m"}
        assert "fieldMask" not in body

    def test_empty_list_locks_the_set_fields(self) -> None:
        body = auth.build_request(
            model="m",
            config={
                "response_modalities": ["AUDIO"],
                "temperature": 0.7,
                "system_instruction": "Be brief.",
                "session_resumption": {},
            },
            lock_additional_fields=[],
        )
        assert body["bidiGenerateContentSetup"]["generationConfig"] == {
            "responseModalities": ["AUDIO"],
            "temperature": 0.7,
        }
        assert body["fieldMask"] == (
            "model,generationConfig.responseModalities,generationConfig.temperature,"
            "systemInstruction.parts,sessionResumption"
        )

    def test_bad_config_names_the_field(self) -> None:
        with pytest.raises(ConfigError) as info:
            auth.build_request(config={"response_modalities": ["AUDIO", "TEXT"]})
        assert info.value.field == "response_modalities"

    def test_additional_fields_are_prefixed_and_camel_cased(self) -> None:
        body = auth.build_request(
            model="m",
            config={"responseModalities": ["TEXT"]},
            lock_additional_fields=["temperature", "top_k", "sessionResumption.handle"],
        )
        assert body["fieldMask"] == (
            "model,generationConfig.responseModalities,generationConfig.temperature,"
            "generationConfig.topK,sessionResumption.handle"
        )


def test_http_error_carries_status_and_server_message(server: TokenServer) -> None:
    server.status = 400
    server.reply = json.dumps(
        {
            "error": {
                "code": 400,
                "message": f"API key not valid. Please pass a valid API key. ({KEY})",
                "status": "INVALID_ARGUMENT",
            }
        }
    ).encode()
    with pytest.raises(TokenError) as info:
        auth.create_token(api_key=KEY, base_url=server.url)
    error = info.value
    assert error.status == 400
    assert error.server_message.startswith("API key not valid. Please pass a valid API key.")
    assert str(error).startswith(
        "could not create an ephemeral token: HTTP 400 INVALID_ARGUMENT: API key not valid."
    )
    for text in (str(error), repr(error), error.server_message, repr(error.args)):
        assert KEY not in text


@pytest.mark.anyio
async def test_non_json_error_body_is_reported(server: TokenServer) -> None:
    server.status = 503
    server.reply = b"upstream unavailable"
    with pytest.raises(TokenError, match=r"HTTP 503: upstream unavailable$") as info:
        await auth.acreate_token(api_key=KEY, base_url=server.url)
    assert info.value.status == 503


def test_success_without_a_name_is_an_error(server: TokenServer) -> None:
    server.reply = b'{"expireTime": "2030-01-01T00:30:00Z"}'
    with pytest.raises(TokenError, match="without a token name") as info:
        auth.create_token(api_key=KEY, base_url=server.url)
    assert info.value.status == 200


@pytest.mark.anyio
async def test_unreachable_server_is_a_token_error_without_status() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TokenError, match=r"^could not create an ephemeral token: Connect") as info:
        await auth.acreate_token(api_key=KEY, base_url=f"http://127.0.0.1:{port}")
    assert info.value.status is None
    assert KEY not in str(info.value)
    assert info.value.__cause__ is None


def test_token_repr_hides_the_credential() -> None:
    token = auth.AuthToken("auth_tokens/supersecret", {"expireTime": "2030-01-01T00:30:00Z"})
    assert "supersecret" not in repr(token)
    assert "supersecret" not in str(token)
    assert repr(token) == "AuthToken(name='auth_tokens/***', expire_time='2030-01-01T00:30:00Z')"


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_emulator_issues_a_token_with_our_constraints(anyio_backend: str) -> None:
    from agentkit.emulator import Emulator

    async with Emulator(require_key=True, api_keys=[KEY]) as emu:
        token = await auth.acreate_token(
            api_key=KEY,
            uses=2,
            model="gemini-2.0-flash-live-001",
            config={"response_modalities": ["TEXT"], "temperature": 0.2},
            lock_additional_fields=[],
            base_url=emu.base_url,
        )
        (stored,) = emu.tokens.tokens.values()
        with pytest.raises(TokenError) as info:
            await auth.acreate_token(api_key="wrong-key", base_url=emu.base_url)
    assert token.name.startswith("auth_tokens/")
    assert stored.name == token.name
    assert stored.uses == 2
    assert stored.setup == {
        "model": "models/gemini-2.0-flash-live-001",
        "generationConfig": {"responseModalities": ["TEXT"], "temperature": 0.2},
    }
    assert stored.body["fieldMask"] == (
        "model,generationConfig.responseModalities,generationConfig.temperature"
    )
    assert token.raw["uses"] == 2
    assert info.value.status == 400
    assert "API key not valid" in str(info.value)
    assert "wrong-key" not in str(info.value)


def test_key_and_token_never_reach_the_logs(
    server: TokenServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = auth.create_token(api_key=KEY, base_url=server.url)
    server.status = 401
    server.reply = b'{"error": {"code": 401, "message": "no", "status": "UNAUTHENTICATED"}}'
    with pytest.raises(TokenError):
        auth.create_token(api_key=KEY, base_url=server.url)
    assert caplog.records  # httpx did log the requests
    assert KEY not in caplog.text
    assert token.name not in caplog.text
