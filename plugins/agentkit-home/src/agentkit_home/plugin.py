"""The agentkit plugin (entry point ``home``): the home tools on the home the environment names."""

from __future__ import annotations

from typing import Any

import agentkit

from . import home_from_env, home_toolbox

__all__ = ["agentkit_system_instruction", "agentkit_tools"]


@agentkit.hookimpl
def agentkit_tools() -> list[Any]:
    """A new home toolbox per call, on Home Assistant (``HA_URL``/``HA_TOKEN``) or a new
    virtual home. The toolbox owns its backend: closing it (``Plugins.aclose()``) closes
    the Home Assistant client. Its ``.home`` is the backend, e.g. to show the home's state."""
    return [home_toolbox(home_from_env(), close_home=True)]


@agentkit.hookimpl
def agentkit_system_instruction() -> str:
    """How the model should use the home tools."""
    return (
        "You control a smart home. Call list_devices when unsure what exists or how a device "
        "is named. Refer to devices by room or name, e.g. 'kitchen' or 'bed light'. Never set "
        "confirm=true on lock_door, unlock_door, arm_alarm or disarm_alarm unless the user "
        "explicitly confirmed in this conversation, and pass an alarm code only when the user "
        "gave it."
    )
