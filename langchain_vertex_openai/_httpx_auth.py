"""The `httpx2.Auth` that puts a provider's token on each request (no `openai` import).

Used by the model's SDK clients and by `GoogleCredentialsProvider.httpx_auth()` for
users' own `httpx2` or raw-SDK clients.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING

import httpx2

from langchain_vertex_openai._pools import current_deadline

if TYPE_CHECKING:
    from langchain_vertex_openai.auth import GoogleCredentialsProvider


class VertexHttpxAuth(httpx2.Auth):
    """Sets the provider's bearer token (and quota project) and retries once on a 401.

    A token refresh counts against the request's deadline (`_pools.deadline`), and a
    refresh that fails in a way google-auth calls retryable is tried `refresh_retries`
    more times within it.
    """

    # The body must be buffered so the request can be re-sent after a 401.
    requires_request_body = True

    def __init__(self, provider: GoogleCredentialsProvider, *, refresh_retries: int = 0) -> None:
        self._provider = provider
        self._retries = refresh_retries

    def _apply(self, request: httpx2.Request, token: str) -> None:
        # Overwrites the openai SDK's placeholder `Authorization` header.
        request.headers["Authorization"] = f"Bearer {token}"
        quota_project = self._provider.quota_project
        if quota_project:
            request.headers["x-goog-user-project"] = quota_project

    def _token(self) -> str:
        return self._provider.token(timeout=_time_left(), retries=self._retries)

    async def _atoken(self) -> str:
        return await self._provider.atoken(timeout=_time_left(), retries=self._retries)

    def sync_auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        request.read()
        token = self._token()
        self._apply(request, token)
        response = yield request
        if response.status_code != 401:
            return
        # Read (which closes) the 401 first so its connection returns to the pool before
        # a possibly slow refresh; httpx2's own read after the retry is then a no-op.
        response.read()
        self._provider.invalidate(token)
        self._apply(request, self._token())
        yield request

    async def async_auth_flow(
        self, request: httpx2.Request
    ) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        await request.aread()
        token = await self._atoken()
        self._apply(request, token)
        response = yield request
        if response.status_code != 401:
            return
        await response.aread()
        self._provider.invalidate(token)
        self._apply(request, await self._atoken())
        yield request


def _time_left() -> float | None:
    deadline = current_deadline()
    return None if deadline is None else max(deadline - time.monotonic(), 0.0)
