"""A server or proxy that echoes the credentials it was sent does not put them in our errors.

A small loopback server answers every request with an error whose body quotes the request's
`Authorization` header (as some proxies and debugging gateways do), in each shape Vertex
errors take and as a proxy's plain-text page.
"""

from __future__ import annotations

import inspect
import json
import logging
import pickle
import socket
import traceback
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from langchain_vertex_openai import (
    ChatVertexOpenAI,
    VertexBadRequestError,
    VertexConnectionError,
    VertexPermissionDeniedError,
    VertexRateLimitError,
    VertexResponseError,
    VertexServerError,
)
from tests.helpers import Reply, ReplyServer, exception_chain

GOOGLE_TOKEN = "ya29.c.echoed-google-token-0123456789abcdef"
OPAQUE_TOKEN = "opaque0123456789tokenABCDEF"  # a static token of no known shape


@pytest.fixture
def echo() -> Iterator[ReplyServer]:
    with ReplyServer() as server:
        yield server


def _json(status: int, data: Any) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(data).encode()


def _google_error(status: int, google_status: str, message: str) -> dict[str, Any]:
    return {"code": status, "message": message, "status": google_status}


SHAPES: dict[str, tuple[Reply, type[Exception]]] = {
    "object body": (
        lambda auth: _json(
            400,
            {"error": _google_error(400, "INVALID_ARGUMENT", f"Bad header Authorization: {auth}")},
        ),
        VertexBadRequestError,
    ),
    "list body": (
        lambda auth: _json(
            429, [{"error": _google_error(429, "RESOURCE_EXHAUSTED", f"quota for {auth}")}]
        ),
        VertexRateLimitError,
    ),
    "bare token in details": (
        lambda auth: _json(
            403,
            {
                "error": {
                    **_google_error(403, "PERMISSION_DENIED", "Permission denied."),
                    "details": [{"metadata": {"credential": auth.partition(" ")[2]}}],
                }
            },
        ),
        VertexPermissionDeniedError,
    ),
    "proxy text page": (
        lambda auth: (502, "text/plain", f"Bad gateway. Request headers: Authorization={auth}".encode()),
        VertexServerError,
    ),
    "error event in a 200 stream": (
        lambda auth: (
            200,
            "text/event-stream",
            b"data: " + json.dumps({"error": _google_error(500, "INTERNAL", auth)}).encode() + b"\n\n",
        ),
        VertexResponseError,
    ),
}  # fmt: skip


def _texts(error: BaseException) -> list[str]:
    texts = ["".join(traceback.format_exception(error))]
    # Every exception reachable from ours, the hidden __context__ (the SDK's) included.
    for exc in exception_chain(error):
        texts += [str(exc), repr(exc), repr(vars(exc)), repr(exc.args)]
        texts += [repr(getattr(exc, "body", None)), str(getattr(exc, "message", ""))]
        for value in vars(exc).values():
            request = value
            if isinstance(value, httpx2.Response):
                texts.append(value.text)
                request = value.request
            if isinstance(request, httpx2.Request):
                texts += [str(request.url), repr(list(request.headers.items()))]
    return texts


async def _drain(chunks: Any) -> list[Any]:
    return [chunk async for chunk in chunks]


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


@pytest.mark.parametrize("token", [GOOGLE_TOKEN, OPAQUE_TOKEN], ids=["ya29", "opaque"])
@pytest.mark.parametrize("shape", list(SHAPES))
async def test_echoed_token_is_redacted_from_every_rendering(
    echo: ReplyServer, shape: str, token: str
) -> None:
    echo.reply, cls = SHAPES[shape]
    llm = ChatVertexOpenAI(
        model="gemini-3.5-flash", base_url=echo.base_url, api_key=token, max_retries=0
    )
    if shape.endswith("stream"):
        calls = [lambda: list(llm.stream("hi")), lambda: _drain(llm.astream("hi"))]
    else:
        calls = [lambda: llm.invoke("hi"), lambda: llm.ainvoke("hi")]
    errors: list[BaseException] = []
    for call in calls:
        with pytest.raises(cls) as info:
            await _maybe_await(call())
        errors.append(info.value)
    assert echo.seen == [f"Bearer {token}"] * 2  # the server did get (and echo) the token
    for error in errors:
        texts = [*_texts(error), *_texts(pickle.loads(pickle.dumps(error)))]
        for text in texts:
            assert token not in text
            assert token.removeprefix("ya29.") not in text
        assert token.encode() not in pickle.dumps(error)
        assert "<redacted>" in str(error) or "<redacted>" in repr(error.body)  # type: ignore[attr-defined]


def test_googles_own_message_is_kept_word_for_word(echo: ReplyServer) -> None:
    message = (
        "Request contains an invalid argument: messages[2].tool_calls[0].id "
        "'call_0123456789abcdefghijABCDEFGHIJ' has no matching tool message."
    )
    echo.reply = lambda auth: _json(400, {"error": _google_error(400, "INVALID_ARGUMENT", message)})
    llm = ChatVertexOpenAI(
        model="gemini-3.5-flash", base_url=echo.base_url, api_key=GOOGLE_TOKEN, max_retries=0
    )
    with pytest.raises(VertexBadRequestError) as info:
        llm.invoke("hi")
    assert str(info.value) == f"Vertex AI returned HTTP 400 INVALID_ARGUMENT: {message}"
    assert info.value.body["message"] == message


async def test_connection_errors_hold_no_token_down_their_whole_chain() -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    llm = ChatVertexOpenAI(
        model="gemini-3.5-flash",
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key=GOOGLE_TOKEN,
        max_retries=0,
    )
    errors = []
    with pytest.raises(VertexConnectionError) as info:
        llm.invoke("hi")
    errors.append(info.value)
    with pytest.raises(VertexConnectionError) as info:
        await llm.ainvoke("hi")
    errors.append(info.value)
    for error in errors:
        chain = exception_chain(error)
        assert len(chain) >= 3  # ours, the SDK's, the transport's: all kept, all scrubbed
        requests = [
            getattr(exc, "_request", None) or getattr(exc, "request", None) for exc in chain
        ]
        assert any(isinstance(request, httpx2.Request) for request in requests)
        for text in _texts(error):
            assert GOOGLE_TOKEN not in text
            assert GOOGLE_TOKEN.removeprefix("ya29.") not in text


def test_debug_logs_of_an_echoed_error_hold_no_token(
    echo: ReplyServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo.reply = SHAPES["object body"][0]
    llm = ChatVertexOpenAI(
        model="gemini-3.5-flash", base_url=echo.base_url, api_key=OPAQUE_TOKEN, max_retries=1
    )
    with pytest.raises(VertexBadRequestError):
        llm.invoke("hi")
    assert {"openai", "httpx2", "httpcore2"} <= {r.name.split(".")[0] for r in caplog.records}
    texts = [caplog.text, *(record.getMessage() for record in caplog.records)]
    texts += [repr(vars(record)) for record in caplog.records]
    for text in texts:
        assert OPAQUE_TOKEN not in text
