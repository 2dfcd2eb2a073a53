"""Answers in the wrong form, over real sockets: a stream request answered without a stream,
and error bodies in a shape that is not Google's.

A small loopback server answers every request with one canned (status, content type,
body). A stream request answered with a plain JSON body (a completion, Google's error, a
proxy's `{"error": "bad"}`) or a proxy's page says so, surfacing the error it carries,
instead of "the stream ended after 0 chunks"; events under another label still stream.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from typing import Any

import pytest

from langchain_vertex_openai import (
    ChatVertexOpenAI,
    VertexBadRequestError,
    VertexResponseError,
    VertexServerError,
)
from tests.helpers import ReplyServer

KEY = "s3cr3t-opaque-key-123"
Answer = tuple[int, str, str]


class CannedServer(ReplyServer):
    """Answers each POST with `self.answer`, `{KEY}` in its text replaced by the key."""

    def __init__(self) -> None:
        super().__init__()
        self.answer: Answer = (200, "application/json", "{}")

    def respond(self, auth: str) -> tuple[int, str, bytes]:
        status, content_type, text = self.answer
        return status, content_type, text.replace("{KEY}", KEY).encode()

    @property
    def keys(self) -> list[str]:
        """The keys the requests carried."""
        return [auth.partition(" ")[2] for auth in self.seen]

    def model(self) -> ChatVertexOpenAI:
        return ChatVertexOpenAI(
            model="gemini-3.5-flash", base_url=self.base_url, api_key=KEY, max_retries=0
        )


@pytest.fixture
def canned() -> Iterator[CannedServer]:
    with CannedServer() as server:
        yield server


COMPLETION = {
    "choices": [
        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"}}
    ]
}
GOOGLE_ERROR = {"error": {"code": 400, "message": "Bad thing {KEY}", "status": "INVALID_ARGUMENT"}}

NOT_STREAMS: dict[str, tuple[Answer, str]] = {
    "a JSON completion": (
        (200, "application/json", json.dumps(COMPLETION)),
        r"with a body that is not a stream \(HTTP 200, application/json, not "
        r"text/event-stream\): \{\"choices\".*proxy or gateway that does not pass streams",
    ),
    "Google's error": (
        (200, "application/json", json.dumps(GOOGLE_ERROR)),
        r"with an error instead of a stream \(HTTP 200, application/json\): "
        r"INVALID_ARGUMENT: Bad thing <redacted>$",
    ),
    "Google's error as a list": (
        (200, "application/json; charset=utf-8", json.dumps([GOOGLE_ERROR])),
        r"with an error instead of a stream .*: INVALID_ARGUMENT: Bad thing <redacted>$",
    ),
    "a string error": (
        (200, "application/json", '{"error": "bad {KEY}"}'),
        r"with an error instead of a stream .*: error 'bad <redacted>' \(a JSON body not in "
        r"Google's error shape",
    ),
    "a proxy's page": (
        (200, "text/html", "<html>Sign in to the proxy</html>"),
        r"not a stream \(HTTP 200, text/html, not text/event-stream\): <html>Sign in",
    ),
    "an empty body": ((200, "text/plain", ""), r"not a stream .*: \(empty body\)"),
}


async def _drain(model: ChatVertexOpenAI) -> list[Any]:
    return [chunk async for chunk in model.astream("hi")]


@pytest.mark.parametrize("case", list(NOT_STREAMS))
async def test_stream_request_answered_without_a_stream_says_so(
    canned: CannedServer, case: str
) -> None:
    canned.answer, pattern = NOT_STREAMS[case]
    model = canned.model()
    with pytest.raises(VertexResponseError, match=pattern) as sync:
        list(model.stream("hi"))
    with pytest.raises(VertexResponseError, match=pattern) as not_sync:
        await _drain(model)
    assert canned.keys == [KEY, KEY]
    for error in (sync.value, not_sync.value):
        assert "0 chunks" not in str(error)
        assert KEY.encode() not in pickle.dumps(error)
        assert KEY not in repr(error.raw)  # type: ignore[attr-defined]
        assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_google_error_instead_of_a_stream_keeps_its_body(canned: CannedServer) -> None:
    canned.answer = NOT_STREAMS["Google's error"][0]
    with pytest.raises(VertexResponseError) as info:
        list(canned.model().stream("hi"))
    assert info.value.body["error"]["status"] == "INVALID_ARGUMENT"  # type: ignore[index]
    assert info.value.body["error"]["message"] == "Bad thing <redacted>"  # type: ignore[index]


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", ""])
async def test_events_under_another_label_still_stream(
    canned: CannedServer, content_type: str
) -> None:
    events = [
        {"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}}]},
        {"choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}]},
    ]
    text = "".join(f"data: {json.dumps(event)}\n\n" for event in events) + "data: [DONE]\n\n"
    canned.answer = (200, content_type, text)
    model = canned.model()
    assert "".join(chunk.text for chunk in model.stream("hi")) == "Hello"
    assert "".join(chunk.text for chunk in await _drain(model)) == "Hello"


@pytest.mark.parametrize(
    ("status", "cls"), [(400, VertexBadRequestError), (503, VertexServerError)]
)
@pytest.mark.parametrize("streamed", [False, True])
def test_string_error_body_is_described_as_json(
    canned: CannedServer, status: int, cls: type[Exception], streamed: bool
) -> None:
    canned.answer = (status, "application/json", '{"error": "bad"}')
    model = canned.model()
    with pytest.raises(cls) as info:
        list(model.stream("hi")) if streamed else model.invoke("hi")
    assert str(info.value) == (
        f"Vertex AI returned HTTP {status} error 'bad' (a JSON body not in Google's error "
        "shape: a proxy?)"
    )
    assert "non-JSON" not in str(info.value)


def test_json_error_body_in_another_shape_is_quoted(canned: CannedServer) -> None:
    canned.answer = (502, "application/json", '{"detail": "upstream timed out", "code": 502}')
    with pytest.raises(VertexServerError) as info:
        canned.model().invoke("hi")
    assert "JSON body not in Google's error shape" in str(info.value)
    assert '"detail": "upstream timed out"' in str(info.value)
