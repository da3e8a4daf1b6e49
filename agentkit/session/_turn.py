"""Turn: one model turn collected from the event stream, for simple scripts."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import events as ev
from ..protocol import FunctionCall, UsageMetadata

__all__ = ["Turn"]


@dataclass(slots=True)
class Turn:
    """What :meth:`LiveSession.receive_turn` gathered until ``turnComplete``.

    Attributes:
        text: The model's text (thought summaries left out).
        audio: The model's audio, concatenated PCM16LE mono.
        audio_rate: The sample rate of ``audio`` (24000 unless the server said otherwise).
        input_transcription: What the user said, as transcribed.
        output_transcription: What the model said, as transcribed.
        tool_calls: The function calls the model made during the turn.
        interrupted: True if the user barged in.
        usage: The last usage report of the turn, if any.
        complete: False if the session ended before ``turnComplete``.
        events: Every event of the turn, in order.
    """

    text: str = ""
    audio: bytes = b""
    audio_rate: int = ev.DEFAULT_OUTPUT_RATE
    input_transcription: str = ""
    output_transcription: str = ""
    tool_calls: list[FunctionCall] = field(default_factory=list)
    interrupted: bool = False
    usage: UsageMetadata | None = None
    complete: bool = False
    events: list[ev.Event] = field(default_factory=list, repr=False)

    def add(self, event: ev.Event) -> bool:
        """Fold one event in; True once the turn is complete."""
        self.events.append(event)
        match event:
            case ev.Text(text=text, thought=False):
                self.text += text
            case ev.Audio(data=data, rate=rate):
                self.audio += data
                self.audio_rate = rate
            case ev.InputTranscription(text=text):
                self.input_transcription += text
            case ev.OutputTranscription(text=text):
                self.output_transcription += text
            case ev.ToolCall(calls=calls):
                self.tool_calls.extend(calls)
            case ev.Interrupted():
                self.interrupted = True
            case ev.Usage(usage=usage):
                self.usage = usage
            case ev.TurnComplete():
                self.complete = True
        return self.complete
