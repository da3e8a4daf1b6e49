"""connect() and LiveSession: the network side of agentkit.

The session runs on asyncio (it uses ``websockets.asyncio``); everything it runs for tools
is anyio.
"""

from __future__ import annotations

import ssl as _ssl
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import anyio

from ..errors import ConfigError
from ..protocol import LiveConfig
from ._live import LiveSession
from ._options import GOOGLE_BASE_URL, build_options, build_url
from ._turn import Turn

__all__ = ["GOOGLE_BASE_URL", "LiveSession", "Turn", "build_url", "connect"]


@asynccontextmanager
async def connect(
    model: str,
    *,
    tools: Iterable[Any] = (),
    config: LiveConfig | Mapping[str, Any] | Any | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    api_version: str = "v1beta",
    plugins: bool | str | Sequence[str] = False,
    auto_dispatch: bool = True,
    resume: bool = True,
    ssl: _ssl.SSLContext | None = None,
    max_concurrency: int = 256,
    redact_errors: bool = False,
    default_timeout: float | None = None,
    blocking_timeout: float | None = 120.0,
    ledger_size: int | None = 1000,
    max_events: int | None = 10_000,
    reconnect_attempts: int = 5,
    reconnect_backoff: tuple[float, float] = (0.5, 10.0),
    goaway_margin: float = 0.5,
    open_timeout: float = 10.0,
    setup_timeout: float = 30.0,
    close_timeout: float = 5.0,
    ping_interval: float | None = 20.0,
    ping_timeout: float | None = None,
    headers: Mapping[str, str] | None = None,
) -> AsyncIterator[LiveSession]:
    """Open a live session; ``async with connect(...) as session``.

    Everything is validated before connecting (a bad config raises
    :class:`~agentkit.errors.ConfigError` naming the field), and the block is entered only
    after the server accepted the setup.

    Args:
        model: The model id (``models/`` is prefixed when missing).
        tools: Tools, toolboxes or plain functions the model may call.
        config: A :class:`~agentkit.protocol.LiveConfig`, or a dict in snake_case or
            camelCase as in the Live API guide (google-genai's config objects work too).
        api_key: The key; default ``GEMINI_API_KEY``, then ``GOOGLE_API_KEY``. Sent only in
            the ``x-goog-api-key`` header. An ephemeral token (``auth_tokens/...``) switches
            to the v1alpha ``BidiGenerateContentConstrained`` method.
        base_url: ws, wss, http (-> ws) or https (-> wss) base; default Google's endpoint.
            A custom base (a local emulator) may run without a key.
        api_version: ``v1beta`` (default) or ``v1alpha`` (affective dialog, proactivity).
        plugins: True loads every installed plugin, a name or a list loads those by name.
            Their toolboxes are closed when the session ends.
        auto_dispatch: Run tool calls and answer them automatically.
        resume: Ask for resumption handles and resume on goAway or a dropped connection.
        ssl: The SSL context for wss (e.g. trusting a local emulator's certificate).
        max_concurrency: Tool calls running at once.
        redact_errors: Answer tool exceptions with a generic error text.
        default_timeout: Seconds a tool call may run when its tool sets no timeout.
        blocking_timeout: Seconds a BLOCKING call may keep the model waiting when neither
            its tool nor ``default_timeout`` sets a limit (None: no limit). On expiry the
            call is answered with a timeout error.
        ledger_size: How many ended calls ``session.calls`` keeps (the newest; running
            calls are always kept), and so how many answered calls a late server cancel can
            still compensate. None keeps every call of the session.
        max_events: How many unread events the session holds for ``async for``; when
            nobody reads them, the oldest are dropped (and a warning logged once), so a
            program that never iterates the session keeps flat memory. None: no limit.
        reconnect_attempts: Attempts per resume before :class:`ResumptionFailed`; also how
            many connections in a row may end (goAway or drop) within a second of opening
            with no model output (each such one backs off) before giving up.
        reconnect_backoff: First delay and cap (seconds) between resume attempts.
        goaway_margin: After a ``goAway`` the connection keeps serving the turn in
            progress (and BLOCKING calls in flight) until ``max(goaway_margin, 20 % of
            timeLeft)`` before the server's deadline, then the session resumes.
        open_timeout: Seconds to open the WebSocket.
        setup_timeout: Seconds to wait for ``setupComplete``.
        close_timeout: Seconds to wait for a polite close.
        ping_interval: Keepalive ping interval (None: no pings).
        ping_timeout: Seconds without a pong before the socket is dropped; None (default)
            never drops a healthy but slow session.
        headers: Extra HTTP headers for the upgrade request.
    """
    options = build_options(
        model,
        tools=tools,
        config=config,
        api_key=api_key,
        base_url=base_url,
        api_version=api_version,
        plugins=plugins,
        headers=headers,
        resume=resume,
        ssl=ssl,
        auto_dispatch=auto_dispatch,
        max_concurrency=max_concurrency,
        redact_errors=redact_errors,
        default_timeout=default_timeout,
        reconnect_attempts=reconnect_attempts,
        reconnect_backoff=reconnect_backoff,
        goaway_margin=goaway_margin,
        open_timeout=open_timeout,
        setup_timeout=setup_timeout,
        close_timeout=close_timeout,
        ping_interval=ping_interval,
        ping_timeout=ping_timeout,
        max_events=max_events,
    )
    session = LiveSession(options)
    try:
        dispatcher = (
            _make_dispatcher(
                session,
                max_concurrency=max_concurrency,
                redact_errors=redact_errors,
                default_timeout=default_timeout,
                blocking_timeout=blocking_timeout,
                ledger_size=ledger_size,
            )
            if auto_dispatch
            else None
        )
        conn, early = await session._open()
    except BaseException:
        if options.plugins is not None:
            await options.plugins.aclose()
        raise
    session._conn = conn
    error: BaseException | None = None
    try:
        async with AsyncExitStack() as stack:
            if dispatcher is not None:
                await stack.enter_async_context(dispatcher)
                session._dispatcher = dispatcher
            try:
                async with anyio.create_task_group() as tg:
                    tg.start_soon(session._supervise, conn, early)
                    try:
                        yield session
                    finally:
                        await session.aclose()
            except BaseExceptionGroup as group:
                # Background tasks never raise, so the group holds the body's own
                # exception: hand it back unwrapped, as the user raised it.
                error = _only(group)
                if error is None:
                    raise
    finally:
        await session._close_quietly(session._conn or conn)
        session._events.close()
        if options.plugins is not None:
            # Plugin toolboxes may hold clients (e.g. Home Assistant's httpx client).
            # Plugins.aclose is shielded and bounded by its own close_timeout.
            await options.plugins.aclose()
    if error is not None:
        raise error


def _make_dispatcher(
    session: LiveSession,
    *,
    max_concurrency: int,
    redact_errors: bool,
    default_timeout: float | None,
    blocking_timeout: float | None,
    ledger_size: int | None,
) -> Any:
    from ..dispatch import Dispatcher

    try:
        return Dispatcher(
            session._options.tools,
            max_concurrency=max_concurrency,
            redact_errors=redact_errors,
            session=session,
            default_timeout=default_timeout,
            blocking_timeout=blocking_timeout,
            ledger_size=ledger_size,
        )
    except ValueError as exc:
        raise ConfigError(str(exc), field=_field_of(str(exc))) from None


def _field_of(message: str) -> str | None:
    for name in ("blocking_timeout", "default_timeout", "max_concurrency", "ledger_size"):
        if name in message:
            return name
    return None


def _only(group: BaseExceptionGroup[BaseException]) -> BaseException | None:
    while len(group.exceptions) == 1:
        inner = group.exceptions[0]
        if not isinstance(inner, BaseExceptionGroup):
            return inner
        group = inner
    return None
