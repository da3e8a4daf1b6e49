"""ClientProtocol: what may be sent when, and resumption bookkeeping.

docs/live-protocol.md §3, §6.3, §7.3, §11.
"""

from __future__ import annotations

import json
import tracemalloc

import pytest

from agentkit.errors import LocalProtocolError, RemoteProtocolError
from agentkit.protocol import ClientProtocol, LiveConfig, State, build


def opened(handle: str | None = "h1") -> ClientProtocol:
    proto = ClientProtocol(LiveConfig().to_setup("m", resume=True))
    proto.setup_frame()
    proto.receive('{"setupComplete": {}}')
    if handle:
        proto.receive(
            json.dumps({"sessionResumptionUpdate": {"newHandle": handle, "resumable": True}})
        )
    return proto


def call(proto: ClientProtocol, *ids: str) -> None:
    proto.receive(
        json.dumps(
            {"toolCall": {"functionCalls": [{"id": i, "name": "f", "args": {}} for i in ids]}}
        )
    )


def answer(id_: str, **extra: object) -> object:
    return build.tool_response({"id": id_, "name": "f", "response": {"ok": True}, **extra})


def test_setup_first_then_nothing_until_setup_complete() -> None:
    proto = ClientProtocol(LiveConfig().to_setup("m"))
    with pytest.raises(
        LocalProtocolError,
        match=r"^cannot send clientContent: the connection is not open \(state IDLE\)$",
    ):
        proto.send(build.client_content("x"))
    assert json.loads(proto.setup_frame()) == {"setup": {"model": "models/m"}}
    assert proto.state is State.SETUP_SENT
    with pytest.raises(LocalProtocolError, match="state SETUP_SENT"):
        proto.send(build.realtime_text("x"))
    with pytest.raises(LocalProtocolError, match="already sent"):
        proto.setup_frame()
    proto.receive(b'{"setupComplete": {}}')
    assert proto.state is State.OPEN
    assert json.loads(proto.send(build.realtime_text("x"))) == {"realtimeInput": {"text": "x"}}
    with pytest.raises(LocalProtocolError, match="once per connection"):
        proto.send(LiveConfig().to_setup("m"))


def test_tool_responses_only_for_pending_ids() -> None:
    proto = opened()
    with pytest.raises(
        LocalProtocolError,
        match=r"^cannot send toolResponse for id 'x': no such pending call \(state OPEN\)$",
    ):
        proto.send(answer("x"))
    call(proto, "a", "b")
    assert proto.pending_ids == ["a", "b"]
    proto.send(answer("a", will_continue=True))
    assert proto.pending_ids == ["a", "b"]
    proto.send(answer("a"))
    assert proto.pending_ids == ["b"]
    with pytest.raises(LocalProtocolError, match="no such pending call"):
        proto.send(answer("a"))
    with pytest.raises(LocalProtocolError, match="without an id"):
        proto.send(build.tool_response({"name": "f", "response": {}}))


def test_cancellation_clears_exactly_those_ids() -> None:
    proto = opened()
    call(proto, "a", "b", "c")
    proto.receive('{"toolCallCancellation": {"ids": ["a", "c"]}}')
    assert proto.pending_ids == ["b"]
    assert [c.id for c in proto.pending_calls] == ["b"]
    with pytest.raises(LocalProtocolError):
        proto.send(answer("a"))


def test_malformed_frames_leave_the_state_alone() -> None:
    proto = opened()
    with pytest.raises(RemoteProtocolError):
        proto.receive("{nope")
    assert proto.state is State.OPEN


def test_resume_keeps_calls_before_the_handle_and_cancels_those_after() -> None:
    proto = opened("h1")
    call(proto, "early")
    proto.receive('{"sessionResumptionUpdate": {"newHandle": "h2", "resumable": true}}')
    call(proto, "late")
    proto.receive('{"sessionResumptionUpdate": {"resumable": false}}')  # not resumable: ignored
    assert proto.resumption_handle == "h2"
    proto.connection_lost()
    plan = proto.resume()
    assert (plan.handle, plan.keep, plan.cancel) == ("h2", ("early",), ("late",))
    assert proto.pending_ids == ["early"]
    setup = json.loads(proto.setup_frame())["setup"]
    assert setup["sessionResumption"] == {"handle": "h2"}
    proto.receive('{"setupComplete": {}}')
    proto.send(answer("early"))  # answers on the new connection
    assert proto.statistics()["connections"] == 2


def test_resume_without_a_handle_is_refused() -> None:
    proto = opened(handle=None)
    with pytest.raises(LocalProtocolError, match="never sent a resumable handle"):
        proto.resume()


def test_gemini_resume_reports_possibly_lost_and_resends_expected_answers() -> None:
    proto = opened("h1")
    call(proto, "early")
    proto.receive('{"sessionResumptionUpdate": {"newHandle": "h2", "resumable": true}}')
    call(proto, "late")
    proto.send(build.realtime_text("hi"))
    proto.send(
        build.tool_response(
            [
                {"id": "early", "name": "f", "response": {"r": 1}},
                {"id": "late", "name": "f", "response": {"r": 2}},
            ]
        )
    )
    plan = proto.resume()
    assert plan.transparent is False
    assert plan.possibly_lost == ("realtimeInput", "toolResponse")
    # The resumed model still waits for "early" (issued before h2): answer it again.
    assert len(plan.replay) == 1
    assert plan.replay[0].tool_response is not None
    assert [r.id for r in plan.replay[0].tool_response.function_responses] == ["early"]


def test_transparent_resume_replays_what_was_not_consumed() -> None:
    config = LiveConfig.model_validate({"session_resumption": {"transparent": True}})
    proto = ClientProtocol(config.to_setup("m", resume=True))
    proto.setup_frame()
    proto.receive('{"setupComplete": {}}')
    for text in ("one", "two", "three"):
        proto.send(build.realtime_text(text))
    proto.receive(
        '{"sessionResumptionUpdate": {"newHandle": "h", "resumable": true, '
        '"lastConsumedClientMessageIndex": "1"}}'
    )
    plan = proto.resume()
    assert plan.transparent is True
    assert [m.realtime_input.text for m in plan.replay if m.realtime_input] == ["two", "three"]
    proto.setup_frame()
    proto.receive('{"setupComplete": {}}')
    for msg in plan.replay:
        proto.send(msg, replay=True)
    assert proto.statistics()["replayed"] == 2


def test_calls_cancelled_by_a_resume_can_be_answered_with_an_error() -> None:
    proto = opened("h1")
    call(proto, "late")
    proto.connection_lost()
    plan = proto.resume()
    assert [c.id for c in plan.cancelled_calls] == ["late"]
    proto.setup_frame()
    with pytest.raises(LocalProtocolError):  # not before setupComplete
        proto.answer_cancelled(plan.cancelled_calls, "gone")
    proto.receive('{"setupComplete": {}}')
    frame = json.loads(proto.answer_cancelled(plan.cancelled_calls, "gone"))
    assert frame == {
        "toolResponse": {
            "functionResponses": [{"id": "late", "name": "f", "response": {"error": "gone"}}]
        }
    }
    assert proto.pending_ids == []
    with pytest.raises(LocalProtocolError):  # still not pending: no second answer
        proto.send(answer("late"))


def test_salvage_keeps_good_calls_and_makes_malformed_ones_answerable() -> None:
    proto = opened()
    frame = json.dumps(
        {
            "toolCall": {
                "functionCalls": [
                    {"id": "a", "name": "ping", "args": "oops"},
                    {"id": "b", "name": "ping", "args": {}},
                    {"name": "no id", "args": 1},
                ]
            }
        }
    )
    with pytest.raises(RemoteProtocolError):
        proto.receive(frame)
    salvage = proto.salvage(frame)
    assert salvage.raw == json.loads(frame)
    assert salvage.message is not None
    assert [c.id for c in salvage.message.tool_call.function_calls] == ["b"]  # type: ignore[union-attr]
    assert [(i, n) for i, n, _ in salvage.malformed_calls] == [("a", "ping")]
    assert "args" in salvage.malformed_calls[0][2]
    assert sorted(proto.pending_ids) == ["a", "b"]
    proto.send_function_response("a", "ping", {"error": "malformed function call"})
    assert proto.pending_ids == ["b"]


@pytest.mark.parametrize("frame", ["not json", b"\xff", "[1]", '{"toolCall": 3}'])
def test_salvage_of_other_malformed_frames_keeps_the_raw_data(frame: str | bytes) -> None:
    salvage = opened().salvage(frame)
    assert salvage.message is None
    assert salvage.malformed_calls == ()
    assert salvage.raw is not None


def test_frames_no_resume_can_replay_are_not_kept() -> None:
    """Without transparent resumption only tool responses are ever replayed: an hour of
    audio between two handles must not stay in memory."""
    chunk = b"\x01\x02" * 32000  # 2 s of 16 kHz audio
    for config, resume, kept in (
        (LiveConfig(), True, False),
        (LiveConfig(), False, False),
        (LiveConfig.model_validate({"session_resumption": {"transparent": True}}), True, True),
    ):
        proto = ClientProtocol(config.to_setup("m", resume=resume))
        proto.setup_frame()
        proto.receive('{"setupComplete": {}}')
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(100):  # 200 s of audio, ~8.5 MB of frames
                proto.send_audio(chunk, 16000)
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert (grown > 5_000_000) is kept, (config, resume, grown)


def test_without_transparent_resumption_a_resume_names_what_may_be_lost() -> None:
    proto = opened("h1")
    call(proto, "early")
    proto.receive(json.dumps({"sessionResumptionUpdate": {"newHandle": "h2", "resumable": True}}))
    proto.send_audio(b"\x00\x00" * 160, 16000)
    proto.send(build.realtime_text("hello"))
    proto.send_function_response("early", "f", {"result": 1})
    proto.connection_lost()
    plan = proto.resume()
    assert plan.possibly_lost == ("realtimeInput", "realtimeInput")
    [again] = plan.replay
    assert again.tool_response is not None
    assert [r.id for r in again.tool_response.function_responses] == ["early"]
