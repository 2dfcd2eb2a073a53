"""Connection pools shared by every model: one per process (sync), one per event loop (async).

Models with this package's transport settings share them, so building a model opens no
pool and no SSL context (loading CA certificates costs ~10 ms). Credentials never live
on a pool: the token is set per request by the SDK's auth hook (`_httpx_auth`).

- **Event loops.** An async pool belongs to the loop that made it. Each loop gets its own,
  closed when the loop shuts down (`asyncio.run`, `asyncio.Runner` and pytest-asyncio
  call `loop.shutdown_asyncgens()`, which this module hooks), so no connection is ever
  used from a loop it does not belong to.
- **Fork.** In a forked child every pool is made anew: the child never reads from, writes
  to or closes a connection the parent may still be using, and never waits on a lock
  another parent thread held at fork time. A fork waits for an SSL context (or pool)
  another thread is making, and the child keeps the parent's context (see `_fork`).
- **Deadlines.** `deadline()` bounds every connect, read and write of one attempt (a
  server dripping one byte a second cannot stretch a call past its `timeout`); httpx's
  own timeouts only bound each single operation. A streamed body is bounded per line.

This module imports `httpx2` but not `openai`.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import ssl
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Iterable
from contextvars import ContextVar
from typing import Any

import httpcore2
import httpx2
from httpcore2._utils import is_socket_readable

POOL_LIMITS = httpx2.Limits(max_connections=100, max_keepalive_connections=100)
"""Bounded like httpx's default, but every pooled connection is kept alive for reuse."""

_DEADLINE: ContextVar[float | None] = ContextVar("vertex_deadline", default=None)


# -- deadlines -------------------------------------------------------------------------------


def current_deadline() -> float | None:
    """The `time.monotonic()` by which the current attempt must end, if any."""
    return _DEADLINE.get()


class deadline:  # noqa: N801 (used like a function: `with deadline(5.0):`)
    """Bound all network I/O (and the token refresh) inside the block to `seconds`."""

    # A class, not @contextmanager: it runs on every request attempt, and a generator-based
    # context manager costs several more Python calls each time.
    __slots__ = ("_at", "_reset")

    def __init__(self, seconds: float | None) -> None:
        self._at = None if seconds is None else time.monotonic() + seconds

    def __enter__(self) -> None:
        self._reset = _DEADLINE.set(self._at)

    def __exit__(self, *exc_info: object) -> None:
        _DEADLINE.reset(self._reset)


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout` cut to what is left of the current deadline; `error` once it has passed."""
    at = _DEADLINE.get()
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        msg = "the request's timeout elapsed"
        raise error(msg)
    return left if timeout is None else min(timeout, left)


_NO_LINE = "no line of the stream arrived within the request's timeout"

# Reads inside `_send_request` (deadline set) are bounded by the attempt's deadline. A
# streamed answer's body is read after it returned: there `timeout` bounds each wait for
# a line (an event's, or a keep-alive comment's) to begin, and a line must end within
# `timeout` of its first bytes, so a server dripping one event in a byte at a time cannot
# hold the stream open. The bytes are as they arrive: a chunked body's framing has a CRLF
# per flush, a plain one the events' own newlines, and a gzipped unchunked one neither,
# but each flush ends in `_GZIP_FLUSH`. Both branches run on every read, so they are
# inline (`_bounded` included), and a read that ends a line (nearly all) asks no clock.
_GZIP_FLUSH = b"\x00\x00\xff\xff"
_LF = ord("\n")
"""An int: `10 in data` is a byte search, ten times faster than `b"\\n" in data`."""


class _DeadlineStream(httpcore2.NetworkStream):
    def __init__(self, stream: httpcore2.NetworkStream) -> None:
        self._stream = stream
        self._line_since: float | None = None
        """When the unfinished line of a streamed body began to arrive (None: no such line)."""

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        at = _DEADLINE.get()
        if at is not None:
            self._line_since = None
            left = at - time.monotonic()
            if left <= 0:
                raise httpcore2.ReadTimeout("the request's timeout elapsed")
            return self._stream.read(max_bytes, left if timeout is None else min(timeout, left))
        since = self._line_since
        if since is None or timeout is None:
            data = self._stream.read(max_bytes, timeout)
        else:
            left = since + timeout - time.monotonic()
            if left <= 0:
                raise httpcore2.ReadTimeout(_NO_LINE)
            data = self._stream.read(max_bytes, left)
        if _LF in data or data.endswith(_GZIP_FLUSH):
            self._line_since = None
        elif since is None:
            self._line_since = time.monotonic()
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore2.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.NetworkStream:
        timeout = _bounded(timeout, httpcore2.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore2.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore2.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        timeout = _bounded(timeout, httpcore2.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore2.NetworkStream:
        timeout = _bounded(timeout, httpcore2.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _AsyncDeadlineStream(httpcore2.AsyncNetworkStream):
    def __init__(self, stream: httpcore2.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: Any = None
        self._line_since: float | None = None

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        # As `_DeadlineStream.read`.
        at = _DEADLINE.get()
        if at is not None:
            self._line_since = None
            left = at - time.monotonic()
            if left <= 0:
                raise httpcore2.ReadTimeout("the request's timeout elapsed")
            return await self._stream.read(
                max_bytes, left if timeout is None else min(timeout, left)
            )
        since = self._line_since
        if since is None or timeout is None:
            data = await self._stream.read(max_bytes, timeout)
        else:
            left = since + timeout - time.monotonic()
            if left <= 0:
                raise httpcore2.ReadTimeout(_NO_LINE)
            data = await self._stream.read(max_bytes, left)
        if _LF in data or data.endswith(_GZIP_FLUSH):
            self._line_since = None
        elif since is None:
            self._line_since = time.monotonic()
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, _bounded(timeout, httpcore2.WriteTimeout))

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        timeout = _bounded(timeout, httpcore2.ConnectTimeout)
        stream = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return _AsyncDeadlineStream(stream)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # The pool asks this of every idle connection on every request; anyio rebuilds
            # its attribute table (a getpeername() syscall included) on each ask, which
            # made the async path's CPU per request grow with the pool. The socket is
            # looked up once; the check is the one httpcore2 makes.
            if self._socket is None:
                self._socket = self._stream.get_extra_info("socket")
            return is_socket_readable(self._socket)
        return self._stream.get_extra_info(info)


class _AsyncDeadlineBackend(httpcore2.AsyncNetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore2.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        timeout = _bounded(timeout, httpcore2.ConnectTimeout)
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncDeadlineStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore2.AsyncNetworkStream:
        timeout = _bounded(timeout, httpcore2.ConnectTimeout)
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        return _AsyncDeadlineStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def _pool_options(ssl_context: ssl.SSLContext) -> dict[str, Any]:
    return {
        "ssl_context": ssl_context,
        "max_connections": POOL_LIMITS.max_connections,
        "max_keepalive_connections": POOL_LIMITS.max_keepalive_connections,
        "keepalive_expiry": POOL_LIMITS.keepalive_expiry,
    }


class _Transport(httpx2.HTTPTransport):
    """httpx2's transport on a connection pool whose I/O honours `deadline()`."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context, limits=POOL_LIMITS)
        # httpx2 takes no network backend, so its pool is swapped for one that has ours.
        self._pool = httpcore2.ConnectionPool(
            network_backend=_DeadlineBackend(), **_pool_options(ssl_context)
        )


class _AsyncTransport(httpx2.AsyncHTTPTransport):
    """`_Transport` for asyncio."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context, limits=POOL_LIMITS)
        self._pool = httpcore2.AsyncConnectionPool(
            network_backend=_AsyncDeadlineBackend(), **_pool_options(ssl_context)
        )


# -- the shared pools ------------------------------------------------------------------------


class _LoopPool:
    """One event loop's pool, and the hook that closes it when the loop shuts down."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self.client = httpx2.AsyncClient(transport=_AsyncTransport(ssl_context))
        self._pid = os.getpid()
        self.sdk_clients: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
        """Per model, its SDK client on this pool (dropped with the model or the loop)."""
        self._abandoned = False
        self._closer = self._close_at_shutdown()
        # Started here, on the loop's thread: the loop registers it as one of its async
        # generators and closes it in `shutdown_asyncgens()`, while it still runs.
        with contextlib.suppress(StopIteration):
            self._closer.asend(None).send(None)

    async def _close_at_shutdown(self) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            # Not when abandoned (already forgotten, under the lock), nor in a child forked
            # while the loop ran: its connections are the parent's.
            if not self._abandoned and self._pid == os.getpid():
                _STATE.forget_loop_pool(self)
                await self.client.aclose()

    def abandon(self) -> None:
        """Forget a pool whose loop closed without shutting down its async generators."""
        self._abandoned = True
        # Finishes the generator now, so asyncio never schedules its close on a dead loop.
        with contextlib.suppress(StopIteration, RuntimeError):
            self._closer.aclose().send(None)


class _State:
    """This process's pools; replaced wholesale in a forked child."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.ssl_context = ssl_context
        self.sync_pool: httpx2.Client | None = None
        # A plain dict (not every loop class takes weak references): entries leave when
        # their loop shuts down, or when a later loop finds theirs closed.
        self.loop_pools: dict[asyncio.AbstractEventLoop, _LoopPool] = {}

    def _ssl(self) -> ssl.SSLContext:  # under `self.lock`, which a fork waits for
        if self.ssl_context is None:
            self.ssl_context = httpx2.create_ssl_context()  # reads the CA bundle (~10 ms)
        return self.ssl_context

    def sync_client(self) -> httpx2.Client:
        pool = self.sync_pool
        if pool is not None:
            return pool
        with self.lock:
            if self.sync_pool is None:
                self.sync_pool = httpx2.Client(transport=_Transport(self._ssl()))
            return self.sync_pool

    def loop_pool(self) -> _LoopPool:
        loop = asyncio.get_running_loop()
        pool = self.loop_pools.get(loop)
        if pool is not None:
            return pool
        with self.lock:
            pool = self.loop_pools.get(loop)
            if pool is None:
                self._drop_closed_loops()
                pool = self.loop_pools[loop] = _LoopPool(self._ssl())
            return pool

    def _drop_closed_loops(self) -> None:
        for loop, pool in list(self.loop_pools.items()):
            if loop.is_closed():
                del self.loop_pools[loop]
                pool.abandon()

    def forget_loop_pool(self, pool: _LoopPool) -> None:
        with self.lock:
            for loop, known in list(self.loop_pools.items()):
                if known is pool:
                    del self.loop_pools[loop]

    def close_sync(self) -> None:
        pool, self.sync_pool = self.sync_pool, None
        if pool is not None and self.pid == os.getpid():
            pool.close()


_STATE = _State()
_INHERITED: list[_State] = []
"""A forked child's copy of its parent's pools: kept, never used or closed (their sockets
are the parent's too, and their locks may have been held by a parent thread)."""


def generation() -> int:
    """Changes in a forked child: clients built on the parent's pools must be rebuilt."""
    return _STATE.pid


def prepare() -> None:
    """Load the shared SSL context now (blocking file I/O), e.g. in a thread off the loop."""
    state = _STATE
    if state.ssl_context is None:
        with state.lock:
            state._ssl()


def sync_client() -> httpx2.Client:
    """The process's shared sync pool."""
    return _STATE.sync_client()


def loop_pool() -> _LoopPool:
    """The running event loop's shared pool (made on first use, closed with the loop)."""
    return _STATE.loop_pool()


_HELD_FOR_FORK: list[threading.Lock] = []
_FORK_WAIT_SECONDS = 10.0
"""Far longer than making an SSL context takes (~10 ms): past it, fork without waiting."""


def hold_for_fork() -> None:
    """Before a fork: wait for a pool or SSL context being made; start none until it is done.

    A thread loading CA certificates holds OpenSSL's own locks: a child forked meanwhile
    would wait for them forever when it makes its SSL context. After this, the context is
    either whole (the child keeps it and loads no certificates) or not begun.
    """
    lock = _STATE.lock
    if lock.acquire(timeout=_FORK_WAIT_SECONDS):
        _HELD_FOR_FORK.append(lock)


def _after_fork_in_parent() -> None:
    while _HELD_FOR_FORK:
        _HELD_FOR_FORK.pop().release()


def _after_fork_in_child() -> None:
    global _STATE  # noqa: PLW0603 -- the one place the process's pools are replaced
    _HELD_FOR_FORK.clear()  # the inherited state's lock stays held: it is never used again
    _INHERITED.append(_STATE)
    # An SSL context is settings and CA certificates, no connections: the child keeps it.
    _STATE = _State(_STATE.ssl_context)


def _close_at_exit() -> None:
    _STATE.close_sync()  # the current state: a forked child closes its own pool only


os.register_at_fork(after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child)
atexit.register(_close_at_exit)


def check_http_client(client: Any, field: str) -> Any:
    """Refuse an HTTP client the SDK's per-request auth cannot use, naming the fix.

    Raises:
        ValueError: For a classic `httpx` client (or anything else that is not `httpx2`'s).
    """
    if client is None:
        return None
    expected = "AsyncClient" if field == "http_async_client" else "Client"
    if isinstance(client, getattr(httpx2, expected)):
        return client
    kind = f"{type(client).__module__}.{type(client).__qualname__}"
    msg = (
        f"{field} must be an httpx2.{expected}, not {kind}: the openai SDK this package "
        f"uses runs on httpx2 (`import httpx2; httpx2.{expected}(...)` takes the same "
        "arguments as httpx's)."
    )
    raise ValueError(msg)
