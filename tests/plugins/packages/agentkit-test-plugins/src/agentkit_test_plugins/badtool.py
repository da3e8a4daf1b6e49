"""A plugin whose hook returns something that is not a tool."""

from __future__ import annotations

from typing import Any

import agentkit


@agentkit.hookimpl
def agentkit_tools() -> list[Any]:
    return [42]
