"""Found by review: what a demanding deployment hits that the other suites did not.

A server or proxy that echoes the bearer token into a 200 answer which is not a valid
chat completion (an SSE body to a non-streamed call, a chunk of the wrong shape, JSON cut
short) must not put the token into the `VertexResponseError` we raise: not in its `raw`
piece, not in the JSON error chained to it.
"""

from __future__ import annotations

import inspect
import json
import pickle
from collections.abc import Iterator
from typing import Any

import pytest

from langchain_vertex_openai import ChatVertexOpenAI, VertexResponseError
from tests.integration.test_echoed_secrets import EchoServer, Reply

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
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        server.thread.join(5)


def _chain(error: BaseException) -> list[BaseException]:
    chain, pending = [], [error]
    while pending:
        current = pending.pop()
        if current is not None and all(current is not seen for seen in chain):
            chain.append(current)
            pending += [current.__cause__, current.__context__]
    return chain


async def _drain(chunks: Any) -> list[Any]:
    return [chunk async for chunk in chunks]


async def _maybe_await(call: Any) -> Any:
    result = call()
    return await result if inspect.isawaitable(result) else result


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_echoed_token_stays_out_of_malformed_answer_errors(
    echo: EchoServer, shape: str
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
        for exc in _chain(info.value):
            for text in (str(exc), repr(exc), repr(vars(exc)), repr(exc.args)):
                assert secret not in text, f"{type(exc).__name__}: {text[:300]}"
        assert secret.encode() not in pickle.dumps(info.value)
    assert echo.seen == [f"Bearer {TOKEN}"] * 2  # the server did get (and echo) the token
