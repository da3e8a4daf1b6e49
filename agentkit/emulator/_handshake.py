"""The first frame: ``setup`` extraction, credentials, ephemeral tokens, refusals."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._faults import Faults
from ._tokens import apply_constraints
from ._wire import INVALID_ARGUMENT, Route, SetupRefused, credential_from, normalise

if TYPE_CHECKING:
    from ._server import Emulator

__all__ = ["admit"]

_BAD_KEY = "API key not valid. Please pass a valid API key."
_UNREGISTERED = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)


def admit(
    emu: Emulator, route: Route, headers: Mapping[str, str], raw: str | bytes, faults: Faults
) -> tuple[Any, str | None, Any]:
    """Check the first frame and the credential; return (raw setup, credential kind, handle).

    The credential kind is ``"key"``, ``"token"`` or ``None``; the credential itself is
    never returned or stored. Raises :class:`SetupRefused` like the real service.
    """

    try:
        first = json.loads(raw)
    except ValueError:
        raise SetupRefused(1007, INVALID_ARGUMENT) from None
    if not isinstance(first, dict):
        raise SetupRefused(1007, INVALID_ARGUMENT)
    setup_raw = first.get("setup")
    if setup_raw is None and not emu.strict:
        setup_raw = first.get("config")  # an alias seen in one tutorial revision
    if setup_raw is None or (emu.strict and len(first) != 1):
        raise SetupRefused(1007, INVALID_ARGUMENT)
    if faults.refuse_setup is not None:
        raise SetupRefused(*faults.refuse_setup)
    handle = ((normalise(setup_raw) or {}).get("sessionResumption") or {}).get("handle")
    credential = credential_from(route.query, headers)
    kind = None
    if credential and credential.startswith("auth_tokens/"):
        kind = "token"
        if not route.constrained:
            raise SetupRefused(1007, _BAD_KEY)
        token = emu.tokens.admit(credential, resuming=bool(handle))
        setup_raw = apply_constraints(setup_raw, token)
    elif route.constrained:
        raise SetupRefused(1008, _UNREGISTERED)
    elif credential is None:
        if emu.require_key:
            raise SetupRefused(1008, _UNREGISTERED)
    else:
        kind = "key"
        if emu.api_keys is not None and credential not in emu.api_keys:
            raise SetupRefused(1007, _BAD_KEY)
    return setup_raw, kind, handle
