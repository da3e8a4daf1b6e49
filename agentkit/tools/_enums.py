"""Wire enums for function declarations and responses."""

from __future__ import annotations

from enum import Enum

__all__ = ["Behavior", "Scheduling"]


class Behavior(str, Enum):
    """How the model waits for a function: ``FunctionDeclaration.behavior`` on the wire."""

    BLOCKING = "BLOCKING"
    NON_BLOCKING = "NON_BLOCKING"

    def __str__(self) -> str:
        return self.value


class Scheduling(str, Enum):
    """When the model speaks about a NON_BLOCKING result: ``FunctionResponse.scheduling``."""

    SILENT = "SILENT"
    WHEN_IDLE = "WHEN_IDLE"
    INTERRUPT = "INTERRUPT"

    def __str__(self) -> str:
        return self.value
