"""pytest plugin for agentkit users: emulator fixtures (filled by the emulator work)."""
