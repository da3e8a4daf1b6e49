"""The agentkit plugin (entry point ``home``): the home tools on the home the environment names."""

from __future__ import annotations

from typing import Any

import agentkit

from . import home_from_env, home_toolbox
from ._backend import Home

__all__ = ["agentkit_system_instruction", "agentkit_tools", "last_home"]

#: The backend the most recent ``agentkit_tools`` call built, so a demo can show its state.
last_home: Home | None = None


@agentkit.hookimpl
def agentkit_tools() -> list[Any]:
    """The home toolbox, on Home Assistant (``HA_URL``/``HA_TOKEN``) or the virtual home."""
    global last_home
    last_home = home_from_env()
    return [home_toolbox(last_home)]


@agentkit.hookimpl
def agentkit_system_instruction() -> str:
    """How the model should use the home tools."""
    return (
        "You control a smart home. Call list_devices when unsure what exists or how a device "
        "is named. Refer to devices by room or name, e.g. 'kitchen' or 'bed light'. Never set "
        "confirm=true on lock_door or unlock_door unless the user explicitly confirmed in this "
        "conversation."
    )
