"""A plugin that fails to import: its dependency is missing."""

from __future__ import annotations

import agentkit_test_plugins_missing_dependency  # type: ignore[import-not-found]  # noqa: F401
