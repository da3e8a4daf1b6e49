"""An offline Live API (BidiGenerateContent) server that Google's SDKs accept.

>>> async with Emulator() as emu:           # doctest: +SKIP
...     session = await agentkit.connect(base_url=emu.base_url, ...)

The emulator is the other side of the wire, written independently of agentkit's client
(it never imports ``agentkit.session``, ``dispatch``, ``tools`` or ``events``). It speaks the
protocol as captured in ``docs/live-protocol.md``: path quirks, both key spellings, URL-safe
base64, binary frames, real close codes, the per-model tool table, VAD and barge-in,
resumption handles, GoAway, fault injection and REST ephemeral tokens.
"""

from __future__ import annotations

from ._faults import Faults
from ._model import RuleModel
from ._records import ConnectionRecord
from ._script import (
    Script,
    Step,
    call,
    calls,
    cancel,
    close,
    drop,
    expect_audio,
    expect_input,
    expect_text,
    go_away,
    interrupt,
    resumption_update,
    say,
    send,
    sleep,
    turn_complete,
    wait_responses,
)
from ._server import Emulator
from ._setup import MODELS, ModelInfo
from ._thread import EmulatorThread

__all__ = [
    "MODELS",
    "ConnectionRecord",
    "Emulator",
    "EmulatorThread",
    "Faults",
    "ModelInfo",
    "RuleModel",
    "Script",
    "Step",
    "call",
    "calls",
    "cancel",
    "close",
    "drop",
    "expect_audio",
    "expect_input",
    "expect_text",
    "go_away",
    "interrupt",
    "resumption_update",
    "say",
    "send",
    "sleep",
    "turn_complete",
    "wait_responses",
]
