"""Plugins that agentkit's tests install for real (see pyproject.toml)."""
