"""The `openai` clients a model uses, and the `httpx2.Auth` that puts a token on each request.

This module and `_errors` are the only ones that import `openai` (and `httpx2`), and
nothing imports them until a model makes its first call: `openai` takes about 300 ms
to import, more than everything else this package adds to langchain-core (issue #8).

The provider's auth is handed to the SDK for each request (the SDK's own per-request
auth hook) rather than set on an `httpx2` client, so one user-supplied HTTP client can
serve several models with different credentials.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Generator, Mapping
from typing import TYPE_CHECKING, Any

import httpx2
import openai

from langchain_vertex_openai.auth import PLACEHOLDER_API_KEY

if TYPE_CHECKING:
    from langchain_vertex_openai.auth import GoogleCredentialsProvider

COMPLETIONS_PATH = "/chat/completions"
# Bounded like httpx's default, but every pooled connection is kept alive for reuse.
POOL_LIMITS = httpx2.Limits(max_connections=100, max_keepalive_connections=100)


class VertexHttpxAuth(httpx2.Auth):
    """Sets the provider's bearer token (and quota project) and retries once on a 401."""

    # The body must be buffered so the request can be re-sent after a 401.
    requires_request_body = True

    def __init__(self, provider: GoogleCredentialsProvider) -> None:
        self._provider = provider

    def _apply(self, request: httpx2.Request, token: str) -> None:
        # Overwrites the openai SDK's placeholder `Authorization` header.
        request.headers["Authorization"] = f"Bearer {token}"
        quota_project = self._provider.quota_project
        if quota_project:
            request.headers["x-goog-user-project"] = quota_project

    def sync_auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        request.read()
        token = self._provider.token()
        self._apply(request, token)
        response = yield request
        if response.status_code != 401:
            return
        # Read (which closes) the 401 first so its connection returns to the pool before
        # a possibly slow refresh; httpx2's own read after the retry is then a no-op.
        response.read()
        self._provider.invalidate(token)
        self._apply(request, self._provider.token())
        yield request

    async def async_auth_flow(
        self, request: httpx2.Request
    ) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        await request.aread()
        token = await self._provider.atoken()
        self._apply(request, token)
        response = yield request
        if response.status_code != 401:
            return
        await response.aread()
        self._provider.invalidate(token)
        self._apply(request, await self._provider.atoken())
        yield request


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
    """`_OwnPool` for async clients: closed on the running loop, if there is one."""

    def __del__(self) -> None:
        if not self.is_closed:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().create_task(self.aclose())


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
