"""agentkit-home: a home-automation plugin for agentkit.

Tools that drive a home through a :class:`Home` backend: :class:`HomeAssistant` (a real
server over its REST API) or :class:`VirtualHome` (in memory, the default). As a plugin
(entry point ``home`` in group ``agentkit``) the backend is chosen from the environment:
``HA_URL`` and ``HA_TOKEN`` set → Home Assistant, else the virtual home.

Use it without the plugin machinery::

    from agentkit_home import VirtualHome, home_toolbox

    home = VirtualHome()
    async with agentkit.connect(model, tools=[home_toolbox(home)]) as session: ...

A toolbox made with ``close_home=True`` (as the plugin's are) owns its backend: its
``aclose()`` (or ``async with``) closes the Home Assistant client.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ._backend import (
    EntityState,
    Home,
    HomeAuthError,
    HomeError,
    HomeUnavailable,
    ServiceError,
    UnknownEntity,
)
from ._hass import HomeAssistant
from ._tools import HomeTools, home_toolbox
from ._virtual import Change, VirtualHome

__all__ = [
    "Change",
    "EntityState",
    "Home",
    "HomeAssistant",
    "HomeAuthError",
    "HomeError",
    "HomeTools",
    "HomeUnavailable",
    "ServiceError",
    "UnknownEntity",
    "VirtualHome",
    "home_from_env",
    "home_toolbox",
]


def home_from_env(env: Mapping[str, str] | None = None) -> Home:
    """``HomeAssistant(HA_URL, HA_TOKEN)`` when both are set, else a new ``VirtualHome``."""
    env = os.environ if env is None else env
    url, token = env.get("HA_URL", "").strip(), env.get("HA_TOKEN", "").strip()
    if url and token:
        return HomeAssistant(url, token)
    return VirtualHome()
