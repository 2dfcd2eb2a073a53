"""`timeout` holds against servers that misbehave slowly (real loopback sockets).

A non-streamed call is bounded end to end, slow drip included; a stream is bounded per
gap between events (keep-alive comments count); a token refresh counts against the same
deadline, and callers queued behind a hung refresh are released with its error.
Upper bounds are generous: these check that calls end, not how fast.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import zlib
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from google.oauth2.credentials import Credentials
from langchain_core.exceptions import ModelAuthenticationError

from langchain_vertex_openai import ChatVertexOpenAI, VertexAuthError, VertexTimeoutError
from langchain_vertex_openai import auth as auth_module
from langchain_vertex_openai.testing import EmulatorCredentials

MODEL = "google/gemini-3.5-flash"
COMPLETION = json.dumps(
    {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": MODEL,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
).encode()
CHUNK = json.dumps(
    {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": MODEL,
        "choices": [
            {"index": 0, "delta": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
).encode()
SSE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"


class Server:
    """A loopback server handing each connection to `handler(connection, stop)`."""

    def __init__(self, handler: Callable[[socket.socket, threading.Event], None]) -> None:
        self._handler = handler
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.connections = 0
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(0.1)
            try:
                _read_request(connection, self._stop)
                self._handler(connection, self._stop)
            except OSError:
                pass  # the client gave up: that is the point

    def close(self) -> None:
        self._stop.set()
        self._accepting.join(5)
        for thread in self._threads:
            thread.join(5)
        self._listener.close()


def _read_request(connection: socket.socket, stop: threading.Event) -> None:
    data = b""
    while b"\r\n\r\n" not in data and not stop.is_set():
        try:
            chunk = connection.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length and not stop.is_set():
        try:
            body += connection.recv(65536)
        except TimeoutError:
            continue


def _sleep(stop: threading.Event, seconds: float) -> bool:
    """Wait; False once the server is stopping."""
    return not stop.wait(seconds)


def slow_drip(connection: socket.socket, stop: threading.Event) -> None:
    """A complete, valid answer, one byte a second."""
    connection.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(COMPLETION)}\r\n\r\n".encode()
    )
    for byte in COMPLETION:
        connection.sendall(bytes([byte]))
        if not _sleep(stop, 1.0):
            return


def silent(connection: socket.socket, stop: threading.Event) -> None:
    """Reads the request and never answers."""
    stop.wait(30)


def keep_alive_then_answer(connection: socket.socket, stop: threading.Event) -> None:
    """A stream that thinks for 2.5 s, sending SSE keep-alive comments, then answers."""
    connection.sendall(SSE_HEAD)
    for _ in range(8):
        connection.sendall(b": keep-alive\n\n")
        if not _sleep(stop, 0.3):
            return
    connection.sendall(b"data: " + CHUNK + b"\n\ndata: [DONE]\n\n")


def first_event_then_stall(connection: socket.socket, stop: threading.Event) -> None:
    """One event, then nothing for longer than any timeout used here."""
    partial = CHUNK.replace(b'"finish_reason": "stop"', b'"finish_reason": null')
    connection.sendall(SSE_HEAD + b"data: " + partial + b"\n\n")
    stop.wait(30)


def drip_inside_an_event(connection: socket.socket, stop: threading.Event) -> None:
    """A stream whose one event arrives a byte every 0.2 s (a minute in all)."""
    connection.sendall(SSE_HEAD)
    for byte in b"data: " + CHUNK + b"\n\ndata: [DONE]\n\n":
        connection.sendall(bytes([byte]))
        if not _sleep(stop, 0.2):
            return


def gzipped_keep_alive_then_answer(connection: socket.socket, stop: threading.Event) -> None:
    """`keep_alive_then_answer` gzipped, unchunked: a flush carries no newline byte."""
    gzip = zlib.compressobj(wbits=31)
    connection.sendall(SSE_HEAD.replace(b"\r\n\r\n", b"\r\nContent-Encoding: gzip\r\n\r\n"))
    for _ in range(8):
        connection.sendall(gzip.compress(b": keep-alive\n\n") + gzip.flush(zlib.Z_SYNC_FLUSH))
        if not _sleep(stop, 0.3):
            return
    connection.sendall(gzip.compress(b"data: " + CHUNK + b"\n\ndata: [DONE]\n\n") + gzip.flush())


def content_for_a_while(connection: socket.socket, stop: threading.Event) -> None:
    """A stream whose events come 0.4 s apart for 2.4 s, then its last one."""
    partial = CHUNK.replace(b'"finish_reason": "stop"', b'"finish_reason": null')
    connection.sendall(SSE_HEAD)
    for _ in range(6):
        connection.sendall(b"data: " + partial + b"\n\n")
        if not _sleep(stop, 0.4):
            return
    connection.sendall(b"data: " + CHUNK + b"\n\ndata: [DONE]\n\n")


@pytest.fixture
def serve():
    servers: list[Server] = []

    def start(handler: Callable[[socket.socket, threading.Event], None]) -> Server:
        server = Server(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def make_llm(url: str, **kwargs) -> ChatVertexOpenAI:
    kwargs.setdefault("credentials", Credentials(token="ya29.test"))  # valid, never refreshed
    return ChatVertexOpenAI(model="gemini-3.5-flash", base_url=url, **kwargs)


async def call(llm: ChatVertexOpenAI, mode: str, **kwargs) -> str:
    if mode == "sync":
        return str(llm.invoke("hi", **kwargs).content)
    return str((await llm.ainvoke("hi", **kwargs)).content)


async def stream(llm: ChatVertexOpenAI, mode: str) -> str:
    if mode == "sync":
        return "".join(str(chunk.content) for chunk in llm.stream("hi"))
    return "".join([str(chunk.content) async for chunk in llm.astream("hi")])


# -- the call ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_slow_drip_answer_times_out_at_the_timeout(serve, mode):
    server = serve(slow_drip)
    llm = make_llm(server.url, timeout=2, max_retries=0)
    started = time.monotonic()
    with pytest.raises(VertexTimeoutError):
        await call(llm, mode)
    assert 1.5 < time.monotonic() - started < 10


def test_each_retry_gets_the_whole_timeout_again(serve):
    server = serve(slow_drip)
    llm = make_llm(server.url, timeout=1, max_retries=1)
    started = time.monotonic()
    with pytest.raises(VertexTimeoutError):
        llm.invoke("hi")
    assert time.monotonic() - started < 15
    assert server.connections == 2


def test_a_per_call_timeout_bounds_a_slow_drip_too(serve):
    server = serve(slow_drip)
    llm = make_llm(server.url, max_retries=0)  # no model-level timeout
    with pytest.raises(VertexTimeoutError):
        llm.invoke("hi", timeout=1)


# -- streams -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_keep_alive_comments_keep_a_long_thinking_stream_alive(serve, mode):
    server = serve(keep_alive_then_answer)
    llm = make_llm(server.url, timeout=1, max_retries=0)  # the stream lasts 2.5 s
    assert await stream(llm, mode) == "hi"


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_gzipped_keep_alive_comments_keep_a_stream_alive_too(serve, mode):
    server = serve(gzipped_keep_alive_then_answer)
    llm = make_llm(server.url, timeout=1, max_retries=0)
    assert await stream(llm, mode) == "hi"


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    "script",
    [
        pytest.param(first_event_then_stall, id="a gap between events longer than the timeout"),
        # Each byte arrives well within `timeout`, but the event it belongs to does not.
        pytest.param(drip_inside_an_event, id="an event dripping in a byte at a time"),
    ],
)
async def test_a_stream_that_stops_progressing_times_out_at_the_timeout(serve, script, mode):
    server = serve(script)
    llm = make_llm(server.url, timeout=1, max_retries=0)
    started = time.monotonic()
    with pytest.raises(VertexTimeoutError):
        await stream(llm, mode)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_content_arriving_keeps_a_stream_alive_past_the_timeout(serve, mode):
    server = serve(content_for_a_while)
    llm = make_llm(server.url, timeout=1, max_retries=0)  # the stream lasts 2.4 s
    assert await stream(llm, mode) == "hi" * 7


# -- the token refresh -------------------------------------------------------------------


def silent_token_llm(serve, **kwargs) -> tuple[ChatVertexOpenAI, Server]:
    token_endpoint = serve(silent)
    chat = serve(silent)  # must never be reached without a token
    credentials = EmulatorCredentials(f"{token_endpoint.url}/token")
    return make_llm(chat.url, credentials=credentials, **kwargs), chat


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_silent_token_endpoint_fails_the_call_within_its_timeout(serve, mode):
    llm, chat = silent_token_llm(serve, timeout=1)
    started = time.monotonic()
    with pytest.raises(VertexAuthError) as info:
        await call(llm, mode)
    assert time.monotonic() - started < 10
    assert isinstance(info.value, ModelAuthenticationError)
    assert chat.connections == 0


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_hung_metadata_server_fails_the_call_within_its_timeout(serve, monkeypatch, mode):
    # google-auth tries the metadata server five times, sleeping 1, 2, 4 and 8 s between
    # tries: cutting each try to the deadline is not enough, the call must not wait for
    # the rest (nor must `asyncio.run`, for the thread the refresh runs in).
    from google.auth import _exponential_backoff, compute_engine
    from google.auth.compute_engine import _metadata

    metadata_server = serve(silent)
    monkeypatch.setattr(_metadata, "_GCE_METADATA_HOST", metadata_server.url[len("http://") :])
    chat = serve(silent)
    credentials = compute_engine.Credentials()
    llm = make_llm(chat.url, credentials=credentials, timeout=1, max_retries=0)
    started = time.monotonic()
    with pytest.raises(VertexAuthError):
        llm.invoke("hi") if mode == "sync" else asyncio.run(llm.ainvoke("hi"))
    assert time.monotonic() - started < 5
    assert chat.connections == 0
    # The refresh goes on in its thread: let it end now, so it outlives no test.
    flight = llm.credentials_provider._flight
    monkeypatch.setattr(_exponential_backoff, "time", SimpleNamespace(sleep=lambda _: None))
    assert flight is None or flight.done.wait(10)


def test_three_threads_behind_a_hung_refresh_are_released_with_its_error(serve):
    llm, chat = silent_token_llm(serve, timeout=1)
    outcomes: list[tuple[BaseException | None, float]] = []
    start = threading.Barrier(3)

    def worker() -> None:
        start.wait(10)
        began = time.monotonic()
        try:
            llm.invoke("hi")
        except BaseException as error:
            outcomes.append((error, time.monotonic() - began))
        else:
            outcomes.append((None, time.monotonic() - began))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert len(outcomes) == 3
    assert all(isinstance(error, VertexAuthError) for error, _ in outcomes)
    assert all(seconds < 10 for _, seconds in outcomes)
    assert chat.connections == 0


async def test_coroutines_behind_a_hung_refresh_are_released(serve):
    llm, _ = silent_token_llm(serve, timeout=1)
    started = time.monotonic()
    results = await asyncio.gather(*(llm.ainvoke("hi") for _ in range(5)), return_exceptions=True)
    assert all(isinstance(result, VertexAuthError) for result in results)
    assert time.monotonic() - started < 10


def test_without_a_timeout_the_refresh_has_a_deadline_of_its_own(serve, monkeypatch):
    monkeypatch.setattr(auth_module, "REFRESH_TIMEOUT", 1.0)  # 30 s in real life
    llm, _ = silent_token_llm(serve)  # timeout=None
    started = time.monotonic()
    with pytest.raises(VertexAuthError):
        llm.invoke("hi")
    assert time.monotonic() - started < 10


def test_retryable_refresh_failures_are_retried_within_max_retries(vertex_emulator):
    credentials = vertex_emulator.credentials()
    llm = ChatVertexOpenAI(
        base_url=vertex_emulator.base_url, credentials=credentials, max_retries=2
    )
    vertex_emulator.fail_token_requests(times=2, status=503)
    assert llm.invoke("Repeat exactly: through").content == "through"
    assert credentials.refresh_count == 1  # after two failed attempts

    vertex_emulator.expire_all_tokens()
    vertex_emulator.fail_token_requests(times=3, status=503)
    with pytest.raises(VertexAuthError, match="503"):
        llm.invoke("hi")
