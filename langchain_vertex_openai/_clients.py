"""The `openai` clients a model uses, authenticated per request by its provider.

The provider's `httpx2.Auth` is handed to the SDK for each request (the SDK's own
per-request auth hook) rather than set on an `httpx2` client, so one user-supplied HTTP
client can serve several models with different credentials.
"""

from __future__ import annotations

from typing import Any

import httpx2
import openai

from langchain_vertex_openai.auth import PLACEHOLDER_API_KEY

# Bounded like httpx's default, but every pooled connection is kept alive for reuse.
POOL_LIMITS = httpx2.Limits(max_connections=100, max_keepalive_connections=100)


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


def client_options(
    base_url: str, *, max_retries: int, timeout: float | None, headers: dict[str, str] | None
) -> dict[str, Any]:
    """Keyword arguments shared by the sync and async clients."""
    options: dict[str, Any] = {
        "base_url": base_url,
        "max_retries": max_retries,
        "default_headers": headers,
    }
    if timeout is not None:
        options["timeout"] = timeout
    return options
