"""connect(): URL, headers, setup handshake, send API frames, events, close codes."""

from __future__ import annotations

import base64
import logging

import pytest
from rawserver import Peer, frames_of, hold, raw_server

import agentkit
from agentkit import events
from agentkit.errors import (
    ConfigError,
    ConnectError,
    InvalidArgument,
    PolicyViolation,
    ServerError,
    SessionClosed,
    SessionError,
)

pytestmark = pytest.mark.anyio

PATH = "/ws/google.ai.generativelanguage.{}.GenerativeService.{}"


async def test_text_turn_with_exact_frames() -> None:
    async def handler(peer: Peer) -> None:
        setup = await peer.setup()
        assert setup == {
            "model": "models/gemini-2.0-flash-live-001",
            "generationConfig": {"responseModalities": ["TEXT"]},
            "systemInstruction": {"parts": [{"text": "Be brief."}]},
            "sessionResumption": {},
        }
        assert await peer.recv() == {
            "clientContent": {
                "turns": [{"role": "user", "parts": [{"text": "hi"}]}],
                "turnComplete": True,
            }
        }
        await peer.send({"serverContent": {"modelTurn": {"parts": [{"text": "hel"}]}}})
        await peer.send({"serverContent": {"modelTurn": {"parts": [{"text": "lo"}]}}}, binary=False)
        await peer.send({"serverContent": {"generationComplete": True}})
        await peer.send(
            {"serverContent": {"turnComplete": True}, "usageMetadata": {"totalTokenCount": 5}}
        )
        await hold(peer)

    async with raw_server(handler) as srv:
        config = {"response_modalities": ["TEXT"], "system_instruction": "Be brief."}
        async with agentkit.connect(
            "gemini-2.0-flash-live-001", config=config, base_url=srv.base_url
        ) as session:
            await session.send_text("hi")
            turn = await session.receive_turn()
    assert turn.text == "hello"
    assert turn.complete
    assert turn.usage is not None
    assert turn.usage.total_token_count == 5
    assert [type(e) for e in turn.events] == [
        events.SetupComplete,
        events.Text,
        events.Text,
        events.GenerationComplete,
        events.Usage,
        events.TurnComplete,
    ]
    assert session.closed


async def test_url_headers_and_key() -> None:
    seen: dict[str, object] = {}

    async def handler(peer: Peer) -> None:
        seen["path"] = peer.path
        seen["key"] = peer.headers.get("x-goog-api-key")
        seen["auth"] = peer.headers.get("authorization")
        await peer.setup()
        await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect(
            "m", base_url=srv.base_url.replace("ws://", "http://") + "/prefix/", api_key="k-123"
        ),
    ):
        pass
    assert seen == {
        "path": "/prefix" + PATH.format("v1beta", "BidiGenerateContent"),
        "key": "k-123",
        "auth": None,
    }


async def test_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    keys: list[str | None] = []

    async def handler(peer: Peer) -> None:
        keys.append(peer.headers.get("x-goog-api-key"))
        await peer.setup()
        await hold(peer)

    async with raw_server(handler) as srv:
        monkeypatch.setenv("GOOGLE_API_KEY", "google-key")
        async with agentkit.connect("m", base_url=srv.base_url):
            pass
        monkeypatch.setenv("GEMINI_API_KEY", "gemini-key")
        async with agentkit.connect("m", base_url=srv.base_url):
            pass
        async with agentkit.connect("m", base_url=srv.base_url, api_key="explicit"):
            pass
        monkeypatch.delenv("GEMINI_API_KEY")
        monkeypatch.delenv("GOOGLE_API_KEY")
        async with agentkit.connect("m", base_url=srv.base_url):
            pass
    assert keys == ["google-key", "gemini-key", "explicit", None]


async def test_ephemeral_token_uses_the_constrained_v1alpha_method() -> None:
    seen: dict[str, object] = {}

    async def handler(peer: Peer) -> None:
        seen.update(path=peer.path, auth=peer.headers.get("authorization"))
        await peer.setup()
        await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, api_key="auth_tokens/abc"),
    ):
        pass
    assert seen == {
        "path": PATH.format("v1alpha", "BidiGenerateContentConstrained"),
        "auth": "Token auth_tokens/abc",
    }


async def test_no_key_for_google_fails_before_connecting() -> None:
    with pytest.raises(ConfigError, match="no API key") as info:
        async with agentkit.connect("m"):
            pass
    assert info.value.field == "api_key"


@pytest.mark.parametrize(
    ("kwargs", "field", "match"),
    [
        (
            {"config": {"response_modalities": ["TEXT", "AUDIO"]}},
            "response_modalities",
            "exactly one modality",
        ),
        ({"config": {"sytem_instruction": "x"}}, "sytem_instruction", "unknown config option"),
        ({"base_url": "ftp://127.0.0.1:1"}, "base_url", "ws://, wss://, http:// or https://"),
        ({"base_url": "ws://127.0.0.1:1/?key=secret"}, "base_url", "must not carry credentials"),
        ({"api_version": "beta"}, "api_version", "api_version must look like"),
        ({"model": ""}, "model", "non-empty"),
    ],
)
async def test_bad_config_fails_before_connecting(
    kwargs: dict[str, object], field: str, match: str
) -> None:
    async def handler(peer: Peer) -> None:
        raise AssertionError("no connection may be attempted")

    async with raw_server(handler) as srv:
        args: dict[str, object] = {"base_url": srv.base_url, **kwargs}
        model = args.pop("model", "m")
        with pytest.raises(ConfigError, match=match) as info:
            async with agentkit.connect(model, **args):  # type: ignore[arg-type]
                pass
        assert srv.peers == []
    assert info.value.field == field
    assert "secret" not in str(info.value)


async def test_v1alpha_features_on_google_need_v1alpha() -> None:
    with pytest.raises(ConfigError, match="needs api_version='v1alpha'") as info:
        async with agentkit.connect(
            "m", api_key="k", config={"proactivity": {"proactive_audio": True}}
        ):
            pass
    assert info.value.field == "proactivity"


@pytest.mark.parametrize(
    ("code", "reason", "cls", "field"),
    [
        (
            1007,
            "Invalid JSON payload received. "
            """Unknown name "proactivity" at 'setup': Cannot find field.""",
            InvalidArgument,
            "setup.proactivity",
        ),
        (1007, "Request contains an invalid argument.", InvalidArgument, None),
        (
            1008,
            "models/nope is not found for API version v1beta, "
            "or is not supported for bidiGenerateContent.",
            PolicyViolation,
            "setup.model",
        ),
        (1011, "Internal error encountered.", ServerError, None),
    ],
)
async def test_setup_refused_raises_with_reason_and_field(
    code: int, reason: str, cls: type[SessionClosed], field: str | None
) -> None:
    async def handler(peer: Peer) -> None:
        await peer.recv()
        await peer.close(code, reason)

    async with raw_server(handler) as srv:
        with pytest.raises(cls) as info:
            async with agentkit.connect("nope", base_url=srv.base_url):
                pass
    assert (info.value.code, info.value.reason, info.value.field) == (code, reason, field)
    assert reason in str(info.value)


async def test_connection_refused_is_a_connect_error() -> None:
    async with raw_server(hold) as srv:
        url = srv.base_url
    with pytest.raises(ConnectError, match="could not connect"):
        async with agentkit.connect("m", base_url=url):
            pass


async def test_close_mid_session_surfaces_from_iteration_and_sends() -> None:
    async def handler(peer: Peer) -> None:
        await peer.setup(handle="h")
        await peer.recv()
        await peer.close(1007, "Request contains an invalid argument.")

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url) as session,
    ):
        await session.send_text("boom")
        with pytest.raises(InvalidArgument, match="invalid argument") as info:
            async for _ in session:
                pass
        assert info.value.code == 1007
        with pytest.raises(InvalidArgument):
            await session.send_text("again")


async def test_malformed_binary_and_unknown_frames_never_crash(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(peer: Peer) -> None:
        await peer.setup()
        await peer.send("this is not json", binary=False)
        await peer.ws.send(b"\xff\xfe\xfd")
        await peer.send("[1, 2, 3]")
        await peer.send('{"toolCall": "not an object"}')
        await peer.send({"brandNewMessage": {"k": 1}})
        await peer.send(
            {
                "serverContent": {
                    "futureField": True,
                    "modelTurn": {"parts": [{"text": "still here"}]},
                }
            }
        )
        await peer.send({"serverContent": {"turnComplete": True}})
        await hold(peer)

    caplog.set_level(logging.WARNING, "agentkit.session")
    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url) as session,
    ):
        turn = await session.receive_turn()
        assert not session.closed
    unknown = [(e.kind, e.data) for e in turn.events if isinstance(e, events.Unknown)]
    malformed = [data["frame"] for kind, data in unknown if kind == "malformed"]
    assert malformed == [
        "this is not json",
        b"\xff\xfe\xfd",
        [1, 2, 3],
        {"toolCall": "not an object"},
    ]
    assert [u for u in unknown if u[0] != "malformed"] == [
        ("brandNewMessage", {"k": 1}),
        ("serverContent.futureField", True),
    ]
    assert turn.text == "still here"
    assert len([r for r in caplog.records if "malformed server frame" in r.getMessage()]) == 4


async def test_send_api_frames() -> None:
    async def handler(peer: Peer) -> None:
        await peer.setup()
        for _ in range(9):
            await peer.recv()
        await hold(peer)

    async with raw_server(handler) as srv:
        config = {"realtime_input_config": {"automatic_activity_detection": {"disabled": True}}}
        async with agentkit.connect("m", base_url=srv.base_url, config=config) as session:
            await session.activity_start()
            await session.send_audio(b"\x01\x02\x03\x04", rate=24000)
            await session.activity_end()
            await session.send_audio(b"\x05\x06")
            await session.audio_stream_end()
            await session.send_video(b"\xff\xd8\xff")
            await session.send_realtime_text("hello realtime")
            await session.send_content(
                [
                    {"role": "user", "parts": [{"text": "a"}]},
                    {"role": "model", "parts": [{"text": "b"}]},
                ],
                turn_complete=False,
            )
            await session.send_content()
            with pytest.raises(ValueError, match="rate must be a positive int"):
                await session.send_audio(b"", rate=0)
        peer = srv.peers[0]
    assert peer.received[1:] == [
        {"realtimeInput": {"activityStart": {}}},
        {"realtimeInput": {"audio": {"mimeType": "audio/pcm;rate=24000", "data": "AQIDBA=="}}},
        {"realtimeInput": {"activityEnd": {}}},
        {"realtimeInput": {"audio": {"mimeType": "audio/pcm;rate=16000", "data": "BQY="}}},
        {"realtimeInput": {"audioStreamEnd": True}},
        {"realtimeInput": {"video": {"mimeType": "image/jpeg", "data": "/9j/"}}},
        {"realtimeInput": {"text": "hello realtime"}},
        {
            "clientContent": {
                "turns": [
                    {"role": "user", "parts": [{"text": "a"}]},
                    {"role": "model", "parts": [{"text": "b"}]},
                ],
                "turnComplete": False,
            }
        },
        {"clientContent": {"turnComplete": True}},
    ]
    assert frames_of(peer, "setup")[0]["realtimeInputConfig"] == {
        "automaticActivityDetection": {"disabled": True}
    }


async def test_send_after_close_raises_and_iteration_ends() -> None:
    async def handler(peer: Peer) -> None:
        await peer.setup()

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url) as session,
    ):
        await session.aclose()
        with pytest.raises(SessionError, match="the session is closed"):
            await session.send_text("x")
        assert [e async for e in session] == [events.SetupComplete()]


async def test_user_exception_comes_out_unwrapped() -> None:
    async def handler(peer: Peer) -> None:
        await peer.setup()
        await hold(peer)

    async with raw_server(handler) as srv:
        with pytest.raises(KeyError, match="mine"):
            async with agentkit.connect("m", base_url=srv.base_url):
                raise KeyError("mine")
        with pytest.raises(KeyError, match="mine"):
            async with agentkit.connect("m", base_url=srv.base_url, auto_dispatch=False):
                raise KeyError("mine")


async def test_api_key_never_leaks(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "AIzaSyTOTALLY-SECRET-KEY-42"

    async def handler(peer: Peer) -> None:
        await peer.setup()
        await peer.recv()
        await peer.close(1008, "Method doesn't allow unregistered callers")

    caplog.set_level(logging.DEBUG)
    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url, api_key=key) as session,
    ):
        assert key not in repr(session)
        assert key not in session.url
        await session.send_text("hi")
        with pytest.raises(PolicyViolation) as info:
            async for _ in session:
                pass
    assert srv.peers[0].headers["x-goog-api-key"] == key  # it did travel, in the header
    assert key not in str(info.value)
    assert key not in repr(info.value)
    ours = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith("websockets.server")
    )
    assert "x-goog-api-key" in ours  # websockets logged the handshake headers...
    assert key not in ours  # ...with the key scrubbed
    out = capsys.readouterr()
    assert key not in out.out
    assert key not in out.err


async def test_large_audio_frames_arrive_whole() -> None:
    pcm = bytes(range(256)) * 8192  # 2 MiB: twice websockets' default frame limit

    async def handler(peer: Peer) -> None:
        await peer.setup()
        data = base64.b64encode(pcm).decode()
        part = {"inlineData": {"mimeType": "audio/pcm;rate=24000", "data": data}}
        await peer.send({"serverContent": {"modelTurn": {"parts": [part]}, "turnComplete": True}})
        await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url) as session,
    ):
        turn = await session.receive_turn()
    assert turn.audio == pcm
    assert turn.audio_rate == 24000


async def test_declarations_from_tools_and_plugins() -> None:
    @agentkit.tool
    def lights(room: str) -> str:
        """Switch the lights."""
        return room

    async def handler(peer: Peer) -> None:
        await peer.setup()
        await hold(peer)

    async with raw_server(handler) as srv:
        async with agentkit.connect(
            "m", base_url=srv.base_url, tools=[lights], auto_dispatch=False, plugins=["timers"]
        ) as session:
            names = [
                d["name"]
                for t in session.setup.to_wire()["tools"]
                for d in t["functionDeclarations"]
            ]
        setup = frames_of(srv.peers[0], "setup")[0]
    declared = [d["name"] for d in setup["tools"][0]["functionDeclarations"]]
    assert declared == names
    assert declared[0] == "lights"
    assert "start_timer" in declared
    assert setup["tools"][0]["functionDeclarations"][0]["behavior"] == "BLOCKING"


async def test_normal_close_ends_iteration_and_refuses_sends() -> None:
    async def handler(peer: Peer) -> None:
        await peer.setup()
        await peer.send({"serverContent": {"modelTurn": {"parts": [{"text": "bye"}]}}})
        await peer.close(1000, "done")

    async with (
        raw_server(handler) as srv,
        agentkit.connect("m", base_url=srv.base_url) as session,
    ):
        seen = [e async for e in session]
        with pytest.raises(SessionClosed, match="1000: done"):
            await session.send_text("hello?")
    assert [type(e) for e in seen] == [events.SetupComplete, events.Text]


async def test_plugins_add_tools_instructions_and_observe_events() -> None:
    from agentkit_test_plugins import good  # installed with the plugin tests' packages

    good.seen.clear()

    async def handler(peer: Peer) -> None:
        setup = await peer.setup()
        assert setup["systemInstruction"] == {
            "parts": [{"text": "Be brief."}, {"text": "testplug-good is loaded."}]
        }
        assert setup["tools"][0]["functionDeclarations"][0]["name"] == "testplug_echo"
        await peer.send(
            {
                "toolCall": {
                    "functionCalls": [{"id": "p1", "name": "testplug_echo", "args": {"text": "x"}}]
                }
            }
        )
        body = await peer.recv_kind("toolResponse")
        assert body["functionResponses"][0]["response"] == {"echo": "x"}
        await peer.send({"serverContent": {"turnComplete": True}})
        await hold(peer)

    async with (
        raw_server(handler) as srv,
        agentkit.connect(
            "m",
            base_url=srv.base_url,
            plugins=["testplug-good"],
            config={"system_instruction": "Be brief."},
        ) as session,
    ):
        turn = await session.receive_turn()
    assert [type(e) for e in good.seen] == [type(e) for e in turn.events]
