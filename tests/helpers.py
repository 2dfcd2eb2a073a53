"""Helpers shared by the tests: models on the emulator, chunk merging, raw HTTP requests.

Import them from here instead of writing another copy in a test module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

import httpx2

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai.testing import VertexEmulator

FLASH = "gemini-3.5-flash"
"""The Gemini model most tests use."""

_Chunk = TypeVar("_Chunk")
_http: httpx2.Client | None = None


def emulator_model(
    emulator: VertexEmulator, model: str = FLASH, *, credentials: Any = None, **kwargs: Any
) -> ChatVertexOpenAI:
    """A model on `emulator`, with credentials the emulator issues unless given."""
    return ChatVertexOpenAI(
        model=model,
        base_url=emulator.base_url,
        credentials=credentials or emulator.credentials(),
        **kwargs,
    )


def merge_chunks(chunks: Sequence[_Chunk]) -> _Chunk:
    """Add stream chunks up with `+`, as langchain-core does."""
    assert chunks, "no chunks to merge"
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk  # type: ignore[operator]
    return merged


def http() -> httpx2.Client:
    """One HTTP client for raw requests (a client per request costs ~30 ms of TLS setup).

    Closed at the end of the session by `tests/conftest.py`.
    """
    global _http  # noqa: PLW0603 - one client per test session
    if _http is None or _http.is_closed:
        _http = httpx2.Client(timeout=10)
    return _http


def close_http() -> None:
    """Close the shared client (and its pooled connections)."""
    global _http  # noqa: PLW0603 - one client per test session
    if _http is not None:
        _http.close()
        _http = None


def post_chat(
    emulator: VertexEmulator,
    body: Any,
    *,
    token: str | None = None,
    url: str | None = None,
    **kwargs: Any,
) -> httpx2.Response:
    """POST `body` to the emulator's chat completions with a token it issued.

    A dict is sent as JSON, `bytes`/`str` as they are; `url` replaces the endpoint and
    `headers=` adds headers.
    """
    headers = {"authorization": f"Bearer {token or emulator.issue_token()}"}
    headers.update(kwargs.pop("headers", {}))
    target = url or f"{emulator.base_url}/chat/completions"
    if isinstance(body, bytes | str):
        return http().post(target, content=body, headers=headers, **kwargs)
    return http().post(target, json=body, headers=headers, **kwargs)


def sse_events(response: httpx2.Response) -> list[dict[str, Any]]:
    """The JSON events of a server-sent-events answer (`data: {...}` lines)."""
    lines = response.text.split("\n")
    return [json.loads(line[6:]) for line in lines if line.startswith("data: {")]
