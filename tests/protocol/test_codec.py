"""Codec rules of docs/live-protocol.md §2: spellings, frames, base64, int64, unknown fields."""

from __future__ import annotations

import json

import pytest
from golden_frames import golden

from agentkit.errors import LocalProtocolError, RemoteProtocolError
from agentkit.protocol import (
    Blob,
    ClientMessage,
    FunctionResponse,
    RealtimeInput,
    ToolResponse,
    build,
    decode_base64,
    decode_client,
    decode_server,
    encode,
    parse_duration,
)


def test_encode_is_camel_case_and_leaves_unset_fields_out() -> None:
    frame = encode(
        ToolResponse(
            function_responses=[
                FunctionResponse(id="a", name="f", response={"x": 1}, will_continue=True)
            ]
        )
    )
    assert json.loads(frame) == {
        "toolResponse": {
            "functionResponses": [
                {"id": "a", "name": "f", "response": {"x": 1}, "willContinue": True}
            ]
        }
    }


@pytest.mark.parametrize("name", sorted(golden("client_python_sdk")))
def test_python_sdk_frames_decode_and_reencode_in_camel_case(name: str) -> None:
    frame = golden("client_python_sdk")[name]
    out = json.loads(encode(decode_client(json.dumps(frame))))
    text = json.dumps(out)
    for snake in (
        "client_content",
        "realtime_input",
        "tool_response",
        "mime_type",
        "will_continue",
        "voice_config",
        "automatic_activity_detection",
        "trigger_tokens",
        "parameters_json_schema",
        "thinking_budget",
    ):
        assert f'"{snake}"' not in text


def test_keys_inside_args_response_and_schemas_are_never_rewritten() -> None:
    frame = {
        "tool_response": {
            "function_responses": [
                {
                    "id": "a",
                    "name": "f",
                    "response": {"snake_key": {"inner_key": 1}, "camelKey": None},
                }
            ]
        }
    }
    out = json.loads(encode(decode_client(json.dumps(frame))))
    assert out["toolResponse"]["functionResponses"][0]["response"] == {
        "snake_key": {"inner_key": 1},
        "camelKey": None,
    }
    setup = golden("client_python_sdk")["setup_rich"]
    out = json.loads(encode(decode_client(json.dumps(setup))))
    decls = out["setup"]["tools"][3]["functionDeclarations"]
    assert decls[1]["parametersJsonSchema"] == {"type": "object", "properties": {}}
    server = decode_server(
        '{"tool_call": {"function_calls": [{"id": "1", "name": "f", "args": {"room_name": "x"}}]}}'
    )
    assert server.tool_call is not None
    assert server.tool_call.function_calls[0].args == {"room_name": "x"}


def test_base64_both_alphabets_with_or_without_padding() -> None:
    assert decode_base64("-_-__g==") == b"\xfb\xff\xbf\xfe"
    assert decode_base64("-_-__g") == b"\xfb\xff\xbf\xfe"
    assert decode_base64("+/+//g==") == b"\xfb\xff\xbf\xfe"
    assert decode_base64("_9j_") == b"\xff\xd8\xff"
    with pytest.raises(ValueError, match="invalid base64"):
        decode_base64("a")


def test_bytes_go_out_as_standard_base64() -> None:
    frame = json.loads(
        encode(RealtimeInput(video=Blob(mime_type="image/jpeg", data=b"\xff\xd8\xff")))
    )
    assert frame == {"realtimeInput": {"video": {"mimeType": "image/jpeg", "data": "/9j/"}}}


def test_int64_as_string_or_number() -> None:
    msg = decode_server(
        '{"sessionResumptionUpdate": {"newHandle": "h", "resumable": true, '
        '"lastConsumedClientMessageIndex": "42"}}'
    )
    assert msg.session_resumption_update is not None
    assert msg.session_resumption_update.last_consumed_client_message_index == 42
    setup = decode_client(
        '{"setup": {"model": "m", "contextWindowCompression": {"triggerTokens": "25600"}}}'
    )
    assert setup.setup is not None
    assert setup.setup.context_window_compression is not None
    assert setup.setup.context_window_compression.trigger_tokens == 25600


def test_text_and_binary_frames_decode_alike() -> None:
    text = '{"serverContent": {"modelTurn": {"parts": [{"text": "hi"}]}}}'
    assert (
        decode_server(text)
        == decode_server(text.encode())
        == decode_server(bytearray(text.encode()))
    )


def test_unknown_kinds_and_fields_are_kept() -> None:
    msg = decode_server(
        '{"brandNewThing": {"a_b": 1}, "serverContent": {"newField": true, "turnComplete": true}}'
    )
    assert msg.unknown == {"brandNewThing": {"a_b": 1}}
    assert msg.kind == "serverContent"
    assert msg.server_content is not None
    assert msg.server_content.model_extra == {"newField": True}
    only_unknown = decode_server('{"somethingElse": {}}')
    assert only_unknown.kind is None
    assert only_unknown.unknown == {"somethingElse": {}}


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        ("not json", "^frame is not JSON"),
        (b"\xff\xfe\x00", "^binary frame of 3 bytes is not UTF-8 JSON$"),
        ("[1, 2]", "^frame is not a JSON object"),
        ('{"toolCall": "oops"}', "^malformed server message: toolCall"),
    ],
)
def test_bad_frames_raise_remote_protocol_error(frame: str | bytes, match: str) -> None:
    with pytest.raises(RemoteProtocolError, match=match):
        decode_server(frame)


def test_encode_refuses_an_empty_or_double_envelope() -> None:
    with pytest.raises(LocalProtocolError, match="exactly one"):
        encode(ClientMessage())
    with pytest.raises(LocalProtocolError, match="exactly one"):
        encode(
            ClientMessage(
                realtime_input=build.audio_stream_end(), client_content=build.client_content("x")
            )
        )
    with pytest.raises(TypeError, match="not a client message"):
        encode(Blob())  # type: ignore[arg-type]


def test_durations() -> None:
    assert parse_duration("10s") == 10.0
    assert parse_duration("59.5s") == 59.5
    assert parse_duration(3) == 3.0
    assert parse_duration(None) is None
    assert parse_duration("soon") is None
    goaway = decode_server('{"goAway": {"timeLeft": "0.25s"}}').go_away
    assert goaway is not None
    assert goaway.seconds == 0.25
    assert goaway.time_left == "0.25s"


def test_builders() -> None:
    assert json.loads(encode(build.audio(b"\x01\x02\x03\x04", 24000))) == {
        "realtimeInput": {"audio": {"mimeType": "audio/pcm;rate=24000", "data": "AQIDBA=="}}
    }
    with pytest.raises(ValueError, match="rate must be a positive int"):
        build.audio(b"", 0)
    assert json.loads(encode(build.client_content())) == {"clientContent": {"turnComplete": True}}
    turns = build.client_content(
        ["a", {"role": "model", "parts": [{"text": "b"}]}], turn_complete=False
    )
    assert json.loads(encode(turns)) == {
        "clientContent": {
            "turns": [
                {"role": "user", "parts": [{"text": "a"}]},
                {"role": "model", "parts": [{"text": "b"}]},
            ],
            "turnComplete": False,
        }
    }
    resp = build.tool_response({"id": "a", "name": "f", "response": {}, "scheduling": "SILENT"})
    assert (
        json.loads(encode(resp))["toolResponse"]["functionResponses"][0]["scheduling"] == "SILENT"
    )


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": [1, 2.5, None, True, False, 'é\n"x\u2028'], "c": {"d": "ü", "e": {}}},
        {"toolResponse": {"functionResponses": [{"id": "c1", "response": {"n": -0.0}}]}},
        [1, [2, [3]]],
        {"big": 10**30, "small": 1e-300, "inf": float("inf")},
        "a string",
        7,
        None,
    ],
)
def test_frames_are_written_exactly_as_json_dumps_writes_them(value: object) -> None:
    from agentkit.protocol._codec import dump_json

    assert dump_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_a_value_with_no_json_form_is_refused_with_json_s_own_error() -> None:
    from agentkit.protocol._codec import dump_json

    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        dump_json({"ids": {1, 2}})
