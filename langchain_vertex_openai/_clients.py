"""The `openai` clients a model uses, and the connection pools it makes for them.

This module and `_errors` are the only ones that import `openai`, and nothing imports
them until a model makes its first call: `openai` takes about 300 ms to import, more
than everything else this package adds to langchain-core (issue #8).

The provider's auth (`_httpx_auth`) is handed to the SDK for each request (the SDK's
own per-request auth hook) rather than set on an `httpx2` client, so one user-supplied
HTTP client can serve several models with different credentials.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx2
import openai

from langchain_vertex_openai._httpx_auth import VertexHttpxAuth
from langchain_vertex_openai.auth import PLACEHOLDER_API_KEY

if TYPE_CHECKING:
    from langchain_vertex_openai.auth import GoogleCredentialsProvider

COMPLETIONS_PATH = "/chat/completions"
# Bounded like httpx's default, but every pooled connection is kept alive for reuse.
POOL_LIMITS = httpx2.Limits(max_connections=100, max_keepalive_connections=100)


class _OwnPool(httpx2.Client):
    """The pool a model makes for itself, closed when the model is dropped.

    Garbage collection would close its sockets anyway, but with a ResourceWarning per
    socket (an error under `pytest -W error`); the SDK closes its own default pool the
    same way. A pool the user passes in is theirs to close.
    """

    def __del__(self) -> None:
        if not self.is_closed:
            with contextlib.suppress(Exception):
                self.close()


class _OwnAsyncPool(httpx2.AsyncClient):
    """`_OwnPool` for async clients: closed on the loop its connections belong to.

    Only while that loop is the running one: from another loop (a later `asyncio.run`,
    pytest-asyncio's per-test loops) the close would fail, and the sockets are left to
    garbage collection as before.
    """

    _loop: asyncio.AbstractEventLoop | None = None

    async def send(self, *args: Any, **kwargs: Any) -> httpx2.Response:
        self._loop = asyncio.get_running_loop()
        return await super().send(*args, **kwargs)

    def __del__(self) -> None:
        if self.is_closed or self._loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            return
        if running is self._loop:
            task = running.create_task(self.aclose())
            _CLOSING.add(task)  # asyncio keeps only weak references to tasks
            task.add_done_callback(_closed)


_CLOSING: set[asyncio.Task[None]] = set()


def _closed(task: asyncio.Task[None]) -> None:
    _CLOSING.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: a failed close is not worth an asyncio error log


class VertexOpenAI(openai.OpenAI):
    """`openai.OpenAI` whose requests carry a Google token from `auth`."""

    def __init__(self, *, auth: httpx2.Auth, **kwargs: Any) -> None:
        self._vertex_auth = auth
        super().__init__(api_key=PLACEHOLDER_API_KEY, **kwargs)
        # The SDK reads OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment; those
        # headers mean nothing to Vertex.
        self.organization = None
        self.project = None

    def _custom_auth(self, security: Any) -> httpx2.Auth | None:  # noqa: ARG002
        return self._vertex_auth

    def chat_completion(self, body: Mapping[str, Any], options: Any) -> object:
        """POST a chat completion; the answer as parsed JSON (no typed models)."""
        return self.post(COMPLETIONS_PATH, body=body, options=options, cast_to=object)

    def chat_stream(self, body: Mapping[str, Any], options: Any) -> openai.Stream[object]:
        """POST a streamed chat completion; its events as parsed JSON."""
        return self.post(
            COMPLETIONS_PATH,
            body=body,
            options=options,
            cast_to=object,
            stream=True,
            stream_cls=openai.Stream[object],
        )


class VertexAsyncOpenAI(openai.AsyncOpenAI):
    """`openai.AsyncOpenAI` whose requests carry a Google token from `auth`."""

    def __init__(self, *, auth: httpx2.Auth, **kwargs: Any) -> None:
        self._vertex_auth = auth
        super().__init__(api_key=PLACEHOLDER_API_KEY, **kwargs)
        self.organization = None
        self.project = None

    @property
    def custom_auth(self) -> httpx2.Auth | None:
        """The per-request auth the SDK applies."""
        return self._vertex_auth

    async def chat_completion(self, body: Mapping[str, Any], options: Any) -> object:
        """POST a chat completion; the answer as parsed JSON (no typed models)."""
        return await self.post(COMPLETIONS_PATH, body=body, options=options, cast_to=object)

    async def chat_stream(
        self, body: Mapping[str, Any], options: Any
    ) -> openai.AsyncStream[object]:
        """POST a streamed chat completion; its events as parsed JSON."""
        return await self.post(
            COMPLETIONS_PATH,
            body=body,
            options=options,
            cast_to=object,
            stream=True,
            stream_cls=openai.AsyncStream[object],
        )


def sync_client(
    provider: GoogleCredentialsProvider, http_client: httpx2.Client | None, options: dict[str, Any]
) -> VertexOpenAI:
    """A sync client on `http_client` (or a new pooled one); `options` go to the SDK."""
    http_client = http_client or _OwnPool(limits=POOL_LIMITS)
    return VertexOpenAI(auth=VertexHttpxAuth(provider), http_client=http_client, **options)


def async_client(
    provider: GoogleCredentialsProvider,
    http_client: httpx2.AsyncClient | None,
    options: dict[str, Any],
) -> VertexAsyncOpenAI:
    """An async client on `http_client` (or a new pooled one); `options` go to the SDK."""
    http_client = http_client or _OwnAsyncPool(limits=POOL_LIMITS)
    return VertexAsyncOpenAI(auth=VertexHttpxAuth(provider), http_client=http_client, **options)
