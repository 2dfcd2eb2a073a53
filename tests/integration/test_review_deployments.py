"""Found by review: what a demanding deployment hits that the other suites did not.

A server or proxy that echoes the bearer token into a 200 answer which is not a valid
chat completion (an SSE body to a non-streamed call, a chunk of the wrong shape, JSON cut
short) must not put the token into the `VertexResponseError` we raise: not in its `raw`
piece, not in the JSON error chained to it.
"""

from __future__ import annotations

import inspect
import json
import os
import pickle
import signal
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from langchain_vertex_openai import ChatVertexOpenAI, VertexResponseError
from tests.helpers import Reply, ReplyServer, exception_chain

TOKEN = "ya29.c.review-echoed-token-0123456789abcdef"

_CHUNK = {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m"}

SHAPES: dict[str, tuple[Reply, bool]] = {
    # (reply, streamed call?)
    "sse body to a non-streamed call": (
        lambda auth: (
            200,
            "text/event-stream",
            b"data: " + json.dumps({**_CHUNK, "choices": [], "note": auth}).encode() + b"\n\n",
        ),
        False,
    ),
    "chunk with choices of the wrong type": (
        lambda auth: (
            200,
            "text/event-stream",
            b"data: " + json.dumps({**_CHUNK, "choices": auth}).encode() + b"\n\n",
        ),
        True,
    ),
    "chunk that is not valid JSON": (
        lambda auth: (200, "text/event-stream", f'data: {{"id": "x", "{auth}\n\n'.encode()),
        True,
    ),
    "body that is not valid JSON": (
        lambda auth: (200, "application/json", f"not json {auth}".encode()),
        False,
    ),
}  # fmt: skip


@pytest.fixture
def echo() -> Iterator[ReplyServer]:
    with ReplyServer() as server:
        yield server


async def _drain(chunks: Any) -> list[Any]:
    return [chunk async for chunk in chunks]


async def _maybe_await(call: Any) -> Any:
    result = call()
    return await result if inspect.isawaitable(result) else result


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_echoed_token_stays_out_of_malformed_answer_errors(
    echo: ReplyServer, shape: str
) -> None:
    echo.reply, streamed = SHAPES[shape]
    llm = ChatVertexOpenAI(
        model="gemini-3.5-flash", base_url=echo.base_url, api_key=TOKEN, max_retries=0
    )
    calls: list[Any]
    if streamed:
        calls = [lambda: list(llm.stream("hi")), lambda: _drain(llm.astream("hi"))]
    else:
        calls = [lambda: llm.invoke("hi"), lambda: llm.ainvoke("hi")]
    for call in calls:
        with pytest.raises(VertexResponseError) as info:
            await _maybe_await(call)
        secret = TOKEN.removeprefix("ya29.")
        for exc in exception_chain(info.value):
            for text in (str(exc), repr(exc), repr(vars(exc)), repr(exc.args)):
                assert secret not in text, f"{type(exc).__name__}: {text[:300]}"
        assert secret.encode() not in pickle.dumps(info.value)
    assert echo.seen == [f"Bearer {TOKEN}"] * 2  # the server did get (and echo) the token


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_while_another_thread_builds_clients_does_not_hang_the_child(
    emulator: Any,
) -> None:
    from langchain_vertex_openai import chat_models

    def model() -> ChatVertexOpenAI:
        return ChatVertexOpenAI(
            model="gemini-3.5-flash", base_url=emulator.base_url, credentials=emulator.credentials()
        )

    warm = model()
    warm.invoke("warm")
    clients = warm._model_clients()
    held, release = threading.Event(), threading.Event()

    def builder() -> None:  # a parent thread in the middle of a first call
        with chat_models._INIT_LOCK, clients._lock:
            held.set()
            release.wait(30)

    thread = threading.Thread(target=builder)
    thread.start()
    held.wait(10)
    clients._sync = None  # the warm model's next call builds its client again
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves without pytest
        ok = model().invoke("child").content.endswith("child")
        ok = ok and warm.invoke("child2").content.endswith("child2")
        os._exit(0 if ok else 3)
    try:
        for _ in range(200):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the child hung on a lock its parent's thread held at the fork")
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        release.set()
        thread.join(10)
