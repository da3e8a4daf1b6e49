"""Media resolution (guide: "Medya çözünürlüğü").

``media_resolution`` sets how many tokens each input image or video frame costs
(LOW = 64). Frames are sent as JPEG images, at most about one per second.
"""

from __future__ import annotations

from pathlib import Path

import anyio
from _common import DATA, target

import agentkit

MODEL = "gemini-2.0-flash-live-001"
CONFIG = {"response_modalities": ["TEXT"], "media_resolution": "MEDIA_RESOLUTION_LOW"}


async def main(base_url: str | None = None, frame: str | Path = DATA / "frame.jpg") -> str:
    """Returns the model's answer about the frame."""
    jpeg = await anyio.Path(frame).read_bytes()
    async with agentkit.connect(MODEL, config=CONFIG, base_url=target(base_url)) as session:
        print("media resolution:", session.setup.generation_config.media_resolution)
        await session.send_video(jpeg, mime_type="image/jpeg")
        await session.send_text("What do you see?")
        turn = await session.receive_turn()
    print(turn.text)
    return turn.text


if __name__ == "__main__":
    anyio.run(main)
