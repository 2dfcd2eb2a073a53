"""The `openai` clients a model uses, on the connection pools of `_pools`.

This module and `_errors` are the only ones that import `openai`, and nothing imports
them until a model makes its first call: `openai` takes about 300 ms to import, more
than everything else this package adds to langchain-core (issue #8).

The provider's auth (`_httpx_auth`) is handed to the SDK for each request (the SDK's
own per-request auth hook) rather than set on an `httpx2` client, so one HTTP client
(the shared pools, or one the user passes) serves models with different credentials.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx2
import openai

from langchain_vertex_openai import _pools
from langchain_vertex_openai._errors import non_stream_answer_error
from langchain_vertex_openai._httpx_auth import VertexHttpxAuth
from langchain_vertex_openai.auth import PLACEHOLDER_API_KEY

if TYPE_CHECKING:
    from langchain_vertex_openai.auth import GoogleCredentialsProvider

COMPLETIONS_PATH = "/chat/completions"
POOL_LIMITS = _pools.POOL_LIMITS


def _attempt_seconds(request: httpx2.Request) -> float | None:
    # The SDK's per-call timeout, as httpx2 carries it: the largest of its parts (the SDK's
    # default has a shorter connect timeout) bounds the whole attempt.
    timeouts = request.extensions.get("timeout") or {}
    parts = [part for part in timeouts.values() if part is not None]
    return max(parts) if parts else None


def _is_event_stream(response: httpx2.Response) -> bool:
    media_type = response.headers.get("content-type", "").partition(";")[0]
    return media_type.strip().lower() == "text/event-stream"


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

    def _send_request(
        self, request: httpx2.Request, *, stream: bool, **kwargs: Any
    ) -> httpx2.Response:
        # One attempt (the SDK retries around it): the token, connect, send and, unless
        # streamed, the whole body within `timeout`.
        with _pools.deadline(_attempt_seconds(request)):
            return super()._send_request(request, stream=stream, **kwargs)

    def chat_completion(self, body: Mapping[str, Any], options: Any) -> object:
        """POST a chat completion; the answer as parsed JSON (no typed models)."""
        return self.post(COMPLETIONS_PATH, body=body, options=options, cast_to=object)

    def chat_stream(self, body: Mapping[str, Any], options: Any) -> openai.Stream[object]:
        """POST a streamed chat completion; its events as parsed JSON.

        Raises:
            VertexResponseError: The answer is not a stream (a JSON body, a proxy's page).
        """
        stream = self.post(
            COMPLETIONS_PATH,
            body=body,
            options=options,
            cast_to=object,
            stream=True,
            stream_cls=openai.Stream[object],
        )
        if not _is_event_stream(stream.response):
            stream.response.read()  # still iterable afterwards, from the buffered body
            error = non_stream_answer_error(stream.response)
            if error is not None:
                stream.close()
                raise error
        return stream


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

    async def _send_request(
        self, request: httpx2.Request, *, stream: bool, **kwargs: Any
    ) -> httpx2.Response:
        with _pools.deadline(_attempt_seconds(request)):
            return await super()._send_request(request, stream=stream, **kwargs)

    async def chat_completion(self, body: Mapping[str, Any], options: Any) -> object:
        """POST a chat completion; the answer as parsed JSON (no typed models)."""
        return await self.post(COMPLETIONS_PATH, body=body, options=options, cast_to=object)

    async def chat_stream(
        self, body: Mapping[str, Any], options: Any
    ) -> openai.AsyncStream[object]:
        """POST a streamed chat completion; its events as parsed JSON.

        Raises:
            VertexResponseError: The answer is not a stream (a JSON body, a proxy's page).
        """
        stream = await self.post(
            COMPLETIONS_PATH,
            body=body,
            options=options,
            cast_to=object,
            stream=True,
            stream_cls=openai.AsyncStream[object],
        )
        if not _is_event_stream(stream.response):
            await stream.response.aread()
            error = non_stream_answer_error(stream.response)
            if error is not None:
                await stream.close()
                raise error
        return stream


def _warn_forked_http_client() -> None:
    from langchain_vertex_openai._warnings import warn_once

    warn_once(
        "This model's http_client was used before os.fork(): its pooled connections are "
        "shared with the parent process, whose answers can reach this one. Pass a new "
        "httpx2.Client in each child, or leave http_client unset (the package's own pool "
        "is made again after a fork).",
        key=("http_client used across fork", _pools.generation()),
    )


def _another_loop_error() -> RuntimeError:
    return RuntimeError(
        "This model's http_async_client was first used on another event loop, and an "
        "httpx2.AsyncClient's connections belong to the loop they were made on. Leave "
        "http_async_client unset (the package gives each event loop its own pool), or use "
        "a model with a client made for this loop: "
        "llm.model_copy(update={'http_async_client': httpx2.AsyncClient(...)})."
    )


_USERS_LOOPS: weakref.WeakKeyDictionary[httpx2.AsyncClient, asyncio.AbstractEventLoop] = (
    weakref.WeakKeyDictionary()
)
"""The loop each user's `http_async_client` was first used on by a model.

Its connections belong to that loop: on another one they fail with a bare "Event loop is
closed", or with "bound to a different event loop" while the first still runs."""


_LIVE_CLIENTS: weakref.WeakSet[ModelClients] = weakref.WeakSet()


def _new_locks_in_child() -> None:
    # A fork while another thread builds a client would leave the child a lock held by a
    # thread it does not have: the model's first call there would wait forever.
    for clients in list(_LIVE_CLIENTS):
        clients._lock = threading.Lock()


os.register_at_fork(after_in_child=_new_locks_in_child)


class ModelClients:
    """One model's SDK clients: on the shared pools, or on the HTTP clients the user gave.

    The SDK clients are small (no sockets of their own); the pools they use are made
    again after a fork (sync) and per event loop (async), and so are the clients on them.
    A user's `http_async_client` belongs to the loop the user made it on.
    """

    def __init__(
        self,
        provider: GoogleCredentialsProvider,
        options: dict[str, Any],
        http_client: httpx2.Client | None = None,
        http_async_client: httpx2.AsyncClient | None = None,
    ) -> None:
        self._auth = VertexHttpxAuth(provider, refresh_retries=int(options.get("max_retries", 0)))
        self._options = options
        self._http_client = http_client
        self._http_async_client = http_async_client
        self._lock = threading.Lock()
        _LIVE_CLIENTS.add(self)
        self._sync: VertexOpenAI | None = None
        self._sync_generation = 0
        self._users_async: VertexAsyncOpenAI | None = None
        self._users_loop: asyncio.AbstractEventLoop | None = None
        _pools.prepare()  # built off the event loop on an async first call

    def sync(self) -> VertexOpenAI:
        """The sync client, on this process's pool unless the user gave one."""
        client = self._sync
        if client is not None and self._sync_generation == _pools.generation():
            return client
        with self._lock:  # the threads of one batch must not each build a client
            if self._sync is None or self._sync_generation != _pools.generation():
                if self._sync is not None and self._http_client is not None:
                    _warn_forked_http_client()
                http_client = self._http_client or _pools.sync_client()
                self._sync = VertexOpenAI(auth=self._auth, http_client=http_client, **self._options)
                self._sync_generation = _pools.generation()
            return self._sync

    def for_running_loop(self) -> VertexAsyncOpenAI:
        """The async client for the running loop, on its pool unless the user gave one."""
        if self._http_async_client is not None:
            loop = asyncio.get_running_loop()
            if self._users_async is None:
                # Per client, not per model: close() and model copies keep the client.
                self._users_loop = _USERS_LOOPS.setdefault(self._http_async_client, loop)
                self._users_async = VertexAsyncOpenAI(
                    auth=self._auth, http_client=self._http_async_client, **self._options
                )
            if loop is not self._users_loop:
                raise _another_loop_error()
            return self._users_async
        pool = _pools.loop_pool()
        client: VertexAsyncOpenAI | None = pool.sdk_clients.get(self)
        if client is None:
            client = VertexAsyncOpenAI(auth=self._auth, http_client=pool.client, **self._options)
            pool.sdk_clients[self] = client
        return client

    def close(self) -> None:
        """Forget the clients; the shared pools stay for other models, users' stay theirs."""
        self._sync = self._users_async = None
