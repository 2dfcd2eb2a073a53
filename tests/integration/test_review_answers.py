"""Malformed answers found in review, served over real sockets by the emulator's raw scripting.

A body that is not UTF-8 (a broken proxy, a truncated multi-byte character) must come out
as a `VertexResponseError`, like any other unreadable answer, streamed or not, sync or async.
"""

from __future__ import annotations

import asyncio

import pytest

from langchain_vertex_openai import ChatVertexOpenAI, VertexResponseError

BAD_UTF8_COMPLETION = (
    b'{"choices":[{"index":0,"message":{"role":"assistant","content":"\xff\xfe"},'
    b'"finish_reason":"stop"}]}'
)
BAD_UTF8_EVENTS = (
    b'data: {"choices":[{"index":0,"delta":{"content":"\xff"},"finish_reason":"stop"}]}\n\n'
    b"data: [DONE]\n\n"
)


def llm(emulator) -> ChatVertexOpenAI:
    return ChatVertexOpenAI(
        model="gemini-3.5-flash",
        base_url=emulator.base_url,
        credentials=emulator.credentials(),
        max_retries=0,
    )


async def _astream(model: ChatVertexOpenAI) -> list[object]:
    return [chunk async for chunk in model.astream("hi")]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
def test_a_body_that_is_not_utf8_raises_a_response_error(emulator, mode: str) -> None:
    model = llm(emulator)
    if mode in ("invoke", "ainvoke"):
        emulator.queue_raw(200, BAD_UTF8_COMPLETION)
    else:
        emulator.queue_raw(200, BAD_UTF8_EVENTS, content_type="text/event-stream")
    run = {
        "invoke": lambda: model.invoke("hi"),
        "ainvoke": lambda: asyncio.run(model.ainvoke("hi")),
        "stream": lambda: list(model.stream("hi")),
        "astream": lambda: asyncio.run(_astream(model)),
    }[mode]
    with pytest.raises(VertexResponseError, match="not valid UTF-8"):
        run()
