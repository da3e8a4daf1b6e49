"""Native audio output, affective dialog and proactive audio (guide: "Yerel ses çıkışı").

Native audio models speak directly. Affective dialog (the model adapts to the user's
tone) and proactive audio (the model may choose not to answer irrelevant input) are
preview features: they need ``api_version="v1alpha"``.
"""

from __future__ import annotations

import anyio
from _common import target

import agentkit

MODEL = "gemini-2.5-flash-preview-native-audio-dialog"
CONFIG = {
    "response_modalities": ["AUDIO"],
    "enable_affective_dialog": True,
    "proactivity": {"proactive_audio": True},
}


async def main(base_url: str | None = None) -> int:
    """Returns how many bytes of audio the answer had."""
    async with agentkit.connect(
        MODEL, config=CONFIG, api_version="v1alpha", base_url=target(base_url)
    ) as session:
        await session.send_text("I just got great news, guess what!")
        turn = await session.receive_turn()
    print(f"answer: {len(turn.audio) / 48000:.2f} s of audio")
    return len(turn.audio)


if __name__ == "__main__":
    anyio.run(main)
