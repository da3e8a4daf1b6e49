"""Wire enums for function declarations and responses."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Behavior", "Scheduling"]


class Behavior(StrEnum):
    """How the model waits for a function: ``FunctionDeclaration.behavior`` on the wire."""

    BLOCKING = "BLOCKING"
    NON_BLOCKING = "NON_BLOCKING"


class Scheduling(StrEnum):
    """When the model speaks about a NON_BLOCKING result: ``FunctionResponse.scheduling``."""

    SILENT = "SILENT"
    WHEN_IDLE = "WHEN_IDLE"
    INTERRUPT = "INTERRUPT"
