"""Helpers shared by the tests: models on the emulator, chunk merging, raw HTTP requests,
and a loopback server that answers what a test scripts.

Import them from here instead of writing another copy in a test module.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx2
from langchain_core.messages import BaseMessage

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai._call import PreparedCall, prepare_call
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


Reply = Callable[[str], tuple[int, str, bytes]]
"""What a `ReplyServer` answers, given the request's Authorization header:
(status, content type, body)."""


class ReplyServer:
    """A loopback HTTP server answering each POST with `respond(authorization_header)`.

    For answers no emulator gives (a proxy that echoes the credentials, a body in the wrong
    shape): set `reply`, or override `respond`. `seen` lists the Authorization headers the
    requests carried. Use as a context manager: the server runs inside the block.
    """

    def __init__(self, reply: Reply = lambda auth: (400, "application/json", b"{}")) -> None:
        self.reply = reply
        self.seen: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                auth = self.headers.get("authorization", "")
                owner.seen.append(auth)
                status, content_type, body = owner.respond(auth)
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def respond(self, auth: str) -> tuple[int, str, bytes]:
        """The answer to a request that carried `auth` (by default, `reply`'s)."""
        return self.reply(auth)

    @property
    def base_url(self) -> str:
        """The `base_url` a model points at this server with."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)


def prepare_request(
    messages: Sequence[BaseMessage],
    model: str = f"google/{FLASH}",
    *,
    stop: Any = None,
    **call_kwargs: Any,
) -> PreparedCall:
    """The request a non-streamed call on `global` would send (no I/O)."""
    return prepare_call(
        messages,
        defaults={"model": model},
        extra_body=None,
        call_kwargs=call_kwargs,
        stop=stop,
        stream=False,
        stream_usage=True,
        cache_location="global",
    )


def exception_chain(error: BaseException) -> list[BaseException]:
    """`error` and every exception chained to it (causes and contexts), each once."""
    chain: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is not None and all(current is not seen for seen in chain):
            chain.append(current)
            pending += [current.__cause__, current.__context__]
    return chain
