"""An offline Live API (BidiGenerateContent) server that Google's SDKs accept.

agentkit or any raw WebSocket client::

    async with Emulator() as emu:                       # ws://127.0.0.1:<port>
        ...connect to emu.base_url...

Google's Python SDK always uses TLS with a key, so give it ``tls=True``::

    async with Emulator(tls=True) as emu:
        ctx = ssl.create_default_context(cafile=str(emu.ca_file))
        client = genai.Client(api_key="any", http_options=types.HttpOptions(
            base_url=emu.http_base_url, api_version="v1beta", async_client_args={"ssl": ctx}))

The JS SDK takes ``emu.http_base_url`` of a plain ``Emulator()`` as its ``baseUrl``.
``agentkit emulator --port 8765 [--tls]`` serves the same from the command line.

Without ``script=`` a deterministic rule-based model answers (see :class:`RuleModel`);
with it, :class:`Script` steps (``expect_text``, ``say``, ``call``, ``wait_responses``,
``go_away``, ``drop``, ``close``, ``interrupt``, ``cancel``...) run instead.

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
