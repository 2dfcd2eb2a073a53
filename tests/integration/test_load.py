"""Bounded load against the emulator: many concurrent calls on one model and a stale token.

What is asserted for connections: the emulator's server is wrapped to count the TCP
connections it accepts (`total`) and the most open at once (`peak`). The model's own
`httpx2` clients are used unchanged, so the bound checked is what users get:
pool of `ChatVertexOpenAI` (at most 100 connections, all kept alive) plus the one
keep-alive connection of the google-auth token session (the emulator also serves
`/token`). With 1,000 concurrent coroutines the server therefore never sees more than 101
connections; 1,000 at once are never attempted.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

import pytest

from langchain_vertex_openai import GoogleCredentialsProvider, _pools
from langchain_vertex_openai import _clients as clients_module
from langchain_vertex_openai import chat_models as chat_models_module
from langchain_vertex_openai._clients import POOL_LIMITS
from tests.helpers import emulator_model

POOL_LIMIT = POOL_LIMITS.max_connections
TOKEN_SESSION = 1  # google-auth's requests.Session, one keep-alive connection


@dataclass
class Connections:
    open: int = 0
    peak: int = 0
    total: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def emulator(vertex_emulator):
    return vertex_emulator


@pytest.fixture
def connections(emulator, monkeypatch):
    """Count the connections the emulator's server accepts and holds open."""
    server = emulator._server
    seen = Connections()
    accept, close = server.process_request, server.shutdown_request

    def process_request(request, client_address):
        with seen.lock:
            seen.open += 1
            seen.total += 1
            seen.peak = max(seen.peak, seen.open)
        accept(request, client_address)

    def shutdown_request(request):
        with seen.lock:
            seen.open -= 1
        close(request)

    monkeypatch.setattr(server, "process_request", process_request)
    monkeypatch.setattr(server, "shutdown_request", shutdown_request)
    return seen


async def test_1000_concurrent_ainvoke_on_a_cold_token(emulator, connections):
    llm = emulator_model(emulator)  # the credentials hold no token yet
    calls = 1000
    started = time.monotonic()
    results = await asyncio.gather(
        *(llm.ainvoke(f"Repeat exactly: n{i}") for i in range(calls)), return_exceptions=True
    )
    elapsed = time.monotonic() - started
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    assert [r.content for r in results] == [f"n{i}" for i in range(calls)]
    assert emulator.tokens_issued == 1
    assert len(emulator.chat_requests) == calls  # refreshed before sending: no 401 retries
    assert connections.peak <= POOL_LIMIT + TOKEN_SESSION
    assert connections.total <= 2 * (POOL_LIMIT + TOKEN_SESSION)  # reused, not one per call
    assert elapsed < 60  # a hang guard, not a benchmark


async def test_200_concurrent_astream_after_the_token_expired(emulator, connections):
    llm = emulator_model(emulator)
    await llm.ainvoke("warm up")
    emulator.expire_all_tokens()  # server-side: every stream first meets a 401
    streams = 200

    async def stream(i):
        return [chunk async for chunk in llm.astream(f"Repeat exactly: s{i} and more words")]

    results = await asyncio.gather(*(stream(i) for i in range(streams)), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    for i, chunks in enumerate(results):
        assert "".join(c.content for c in chunks) == f"s{i} and more words"
        assert sum(1 for c in chunks if c.usage_metadata) == 1
        assert chunks[-1].chunk_position == "last"
    assert emulator.tokens_issued == 2  # one refresh for 200 rejected streams
    rejected = len(emulator.chat_requests) - 1 - streams
    assert 1 <= rejected <= streams  # each stream was retried at most once
    assert connections.peak <= POOL_LIMIT + TOKEN_SESSION


def test_batch_of_200_on_16_threads_after_the_token_expired(emulator, connections):
    llm = emulator_model(emulator)
    llm.invoke("warm up")
    emulator.expire_all_tokens()
    inputs = [f"Repeat exactly: b{i}" for i in range(200)]
    results = llm.batch(inputs, config={"max_concurrency": 16}, return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    assert [r.content for r in results] == [f"b{i}" for i in range(200)]
    assert emulator.tokens_issued == 2
    # max_concurrency bounds the connections: 16 in flight plus the token session.
    assert connections.peak <= 16 + TOKEN_SESSION
    assert connections.total <= 2 * (16 + TOKEN_SESSION)


def test_first_calls_from_many_threads_share_one_provider_and_one_client(
    emulator, connections, monkeypatch
):
    # Construction is made slow (as google-auth's can be) so the race is deterministic.
    providers, clients = [], []

    class SlowProvider(GoogleCredentialsProvider):
        def __init__(self, *args, **kwargs):
            time.sleep(0.2)
            super().__init__(*args, **kwargs)
            providers.append(self)

    class SlowOpenAI(clients_module.VertexOpenAI):
        def __init__(self, *args, **kwargs):
            time.sleep(0.2)
            super().__init__(*args, **kwargs)
            clients.append(self)

    monkeypatch.setattr(chat_models_module, "GoogleCredentialsProvider", SlowProvider)
    monkeypatch.setattr(clients_module, "VertexOpenAI", SlowOpenAI)
    llm = emulator_model(emulator)
    threads = 8
    results = llm.batch(
        [f"Repeat exactly: t{i}" for i in range(threads)], config={"max_concurrency": threads}
    )
    assert [r.content for r in results] == [f"t{i}" for i in range(threads)]
    assert len(providers) == 1
    assert len(clients) == 1
    assert emulator.tokens_issued == 1


async def test_abatch_rounds_on_one_loop_reuse_the_loops_connections(emulator, connections):
    llm = emulator_model(emulator)
    rounds, prompts, concurrency = 5, 48, 16
    emulator.queue_delay(0.02, times=rounds * prompts)  # keeps `concurrency` calls in flight
    for round_ in range(rounds):
        inputs = [f"Repeat exactly: r{round_}n{i}" for i in range(prompts)]
        outputs = await llm.abatch(inputs, config={"max_concurrency": concurrency})
        assert [o.content for o in outputs] == [f"r{round_}n{i}" for i in range(prompts)]
    # Every round runs on the connections the first one opened: none closed and reopened.
    assert connections.total <= concurrency + TOKEN_SESSION


async def test_idle_connection_checks_see_a_server_close_and_look_up_the_socket_once():
    # httpcore2's pool asks every idle connection whether it is readable (closed by the
    # server) on every request; anyio rebuilds its attribute table on each lookup.
    closed = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await closed.wait()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    stream = await _pools._AsyncDeadlineBackend().connect_tcp("127.0.0.1", port, timeout=5)
    inner = stream._stream
    lookups = []
    original = inner.get_extra_info

    def counting(info: str) -> object:
        lookups.append(info)
        return original(info)

    inner.get_extra_info = counting
    try:
        assert not any(stream.get_extra_info("is_readable") for _ in range(50))
        closed.set()
        for _ in range(500):  # the close reaches the client socket within a few loop turns
            if stream.get_extra_info("is_readable"):
                break
            await asyncio.sleep(0.01)
        assert stream.get_extra_info("is_readable")
        assert lookups == ["socket"]
    finally:
        await stream.aclose()
        server.close()
        await server.wait_closed()
