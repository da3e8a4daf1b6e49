"""The hot paths (direct JSON out, one-pass decode in) match the model paths exactly.

``ClientProtocol.send_audio`` and ``send_function_response`` write frames without building
models, and ``decode_server`` parses with pydantic's JSON parser first; each must give
what the plain model path gives, byte for byte and error for error.
"""

from __future__ import annotations

import base64
import datetime
import enum
import json
from typing import Any

import pytest

from agentkit.errors import LocalProtocolError, RemoteProtocolError
from agentkit.protocol import (
    ClientProtocol,
    LiveConfig,
    ServerMessage,
    build,
    decode_base64,
    decode_server,
    encode,
)


def opened(*ids: str, transparent: bool = False) -> ClientProtocol:
    proto = ClientProtocol(LiveConfig().to_setup("m", resume=True))
    proto.setup_frame()
    proto.receive('{"setupComplete": {}}')
    extra = {"lastConsumedClientMessageIndex": 0} if transparent else {}
    proto.receive(
        json.dumps({"sessionResumptionUpdate": {"newHandle": "h", "resumable": True, **extra}})
    )
    proto.receive(
        json.dumps({"toolCall": {"functionCalls": [{"id": i, "name": "f"} for i in ids]}})
    )
    return proto


class Color(enum.StrEnum):
    RED = "red"


RESPONSES: list[dict[str, Any]] = [
    {"result": "ok"},
    {},
    {"n": 1, "x": 2.5, "big": 10**30, "tiny": 5e-324, "t": True, "none": None},
    {"nested": {"a": [1, {"b": None}, 'é\u2028\x00"\\'], "e": []}},
    {"emoji": "😀", "ctrl": "\x1f\x7f"},
    # Not plain JSON data: these take the model path, which must still be what goes out.
    {"tuple": (1, 2)},
    {"when": datetime.date(2025, 1, 2)},
    {"color": Color.RED},
    {"bytes": b"\x00\xff"},
    {"k": {"inner": (3,)}},
]


def outcome(fn: Any, *args: Any, **kwargs: Any) -> object:
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # both paths must fail alike (bytes that are not UTF-8)
        return (type(exc), str(exc))


@pytest.mark.parametrize("response", RESPONSES)
@pytest.mark.parametrize(
    ("will_continue", "scheduling"),
    [(None, None), (True, "WHEN_IDLE"), (False, "SILENT"), (False, None), (None, Color.RED)],
)
def test_function_response_frame_equals_the_model_path(
    response: dict[str, Any], will_continue: bool | None, scheduling: Any
) -> None:
    fast, slow = opened("c1"), opened("c1")
    wire: dict[str, Any] = {"id": "c1", "name": "f", "response": response}
    if will_continue is not None:
        wire["will_continue"] = will_continue
    if scheduling is not None:
        wire["scheduling"] = scheduling
    assert outcome(
        fast.send_function_response,
        "c1",
        "f",
        response,
        will_continue=will_continue,
        scheduling=scheduling,
    ) == outcome(lambda: slow.send(build.tool_response(wire)))
    assert fast.pending_ids == slow.pending_ids
    assert fast.statistics() == slow.statistics()


def test_function_response_errors_equal_the_model_path() -> None:
    for proto_id in ("nope", "c1"):
        fast, slow = opened("c1"), opened("c1")
        if proto_id == "c1":  # answered once already: no longer pending
            fast.send_function_response("c1", "f", {})
            slow.send(build.tool_response({"id": "c1", "name": "f", "response": {}}))
        with pytest.raises(LocalProtocolError) as fast_error:
            fast.send_function_response(proto_id, "f", {})
        with pytest.raises(LocalProtocolError) as slow_error:
            slow.send(build.tool_response({"id": proto_id, "name": "f", "response": {}}))
        assert str(fast_error.value) == str(slow_error.value)
    closed = opened("c1")
    closed.connection_lost()
    with pytest.raises(LocalProtocolError, match="not open"):
        closed.send_function_response("c1", "f", {})
    assert closed.is_pending("c1")


@pytest.mark.parametrize("pcm", [b"", b"\x01\x02\x03\x04", bytes(range(256)) * 3])
@pytest.mark.parametrize("rate", [16000, 24000])
def test_audio_frame_equals_the_model_path(pcm: bytes, rate: int) -> None:
    fast, slow = opened(), opened()
    assert fast.send_audio(bytearray(pcm), rate) == slow.send(build.audio(pcm, rate))
    assert fast.send_audio(pcm, rate) == slow.send(build.audio(pcm, rate))
    with pytest.raises(ValueError, match="rate must be a positive int"):
        fast.send_audio(pcm, 0)
    assert fast.statistics() == slow.statistics()


def test_hot_path_messages_replay_as_they_were_sent() -> None:
    fast, slow = opened("c1", "c2", transparent=True), opened("c1", "c2", transparent=True)
    fast.send_audio(b"\x01\x02", 16000)
    fast.send_function_response("c1", "f", {"v": [1, 2]}, will_continue=True, scheduling="SILENT")
    slow.send(build.audio(b"\x01\x02", 16000))
    slow.send(
        build.tool_response(
            {
                "id": "c1",
                "name": "f",
                "response": {"v": [1, 2]},
                "will_continue": True,
                "scheduling": "SILENT",
            }
        )
    )
    fast_plan, slow_plan = fast.resume(), slow.resume()
    assert fast_plan.replay == slow_plan.replay
    assert [encode(m) for m in fast_plan.replay] == [encode(m) for m in slow_plan.replay]
    assert fast_plan.keep == slow_plan.keep


FRAMES = [
    '{"toolCall":{"functionCalls":[{"id":"a","name":"n","args":{"x":1,"x":2}}]}}',
    '{"toolCall":{"functionCalls":[{"id":"a","args":{"x":NaN,"y":-Infinity,"z":1e400}}]}}',
    '{"tool_call":{"function_calls":[{"id":"a","args":{"big":123456789012345678901234567890}}]}}',
    '{"brandNew":{"x":"\\ud83d\\ude00"},"goAway":{"timeLeft":"1s"}}',
    '{"usageMetadata":{"totalTokenCount":"12","promptTokenCount":3.0}}',
    '{"serverContent":{"turnComplete":"true","interrupted":1}}',
    '{"serverContent":{"modelTurn":{"parts":[{"inlineData":{"data":"QU-_","mimeType":"x"}}]}}}',
    ' \n{"setupComplete":{}}\n ',
    '{"toolCall":{"functionCalls":[{"id":"a","args":{"s":"\\ud800"}}]}}',  # lone surrogate
]


@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.parametrize("as_bytes", [False, True])
def test_decode_equals_json_loads_then_validate(frame: str, as_bytes: bool) -> None:
    expected = ServerMessage.model_validate(json.loads(frame))
    got = decode_server(frame.encode() if as_bytes else frame)
    assert repr(got) == repr(expected)
    assert got.unknown == expected.unknown


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (b"\xff\xfe", "not UTF-8 JSON"),
        ("\ufeff{}", "frame is not JSON"),
        ('{"setupComplete":{}} x', "frame is not JSON"),
        ("[1]", "not a JSON object"),
        ('{"goAway":{"timeLeft":5}}', "malformed server message: goAway.timeLeft"),
    ],
)
def test_decode_errors_are_unchanged(frame: str | bytes, error: str) -> None:
    with pytest.raises(RemoteProtocolError, match=error):
        decode_server(frame)


def test_decode_base64_fast_path_agrees_with_the_lenient_path() -> None:
    data = bytes(range(256))
    std = base64.b64encode(data).decode()
    assert decode_base64(std) == data
    assert decode_base64(base64.urlsafe_b64encode(data).decode().rstrip("=")) == data
    assert decode_base64(" ".join(std[i : i + 60] for i in range(0, len(std), 60))) == data
    with pytest.raises(ValueError, match="invalid base64"):
        decode_base64("QQ==QQ==")
