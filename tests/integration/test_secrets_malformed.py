"""Malformed 200 answers that echo the request's key, or nest without end, over real sockets.

A small loopback server answers 200 with a body (or stream event) that is not a valid
answer and quotes the static key it was sent (`api_key=`, a key of no recognisable shape,
so only knowing it can hide it). The `VertexResponseError` raised says what was wrong,
keeps the non-secret parts readable, and holds the key nowhere: text, repr, args, `raw`,
`body`, traceback, pickle. Answers nested hundreds or thousands deep give a
`VertexResponseError` that prints, pickles and crosses into a spawned process.
"""

from __future__ import annotations

import json
import multiprocessing
import pickle
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from langchain_vertex_openai import ChatVertexOpenAI, VertexResponseError
from tests.helpers import ReplyServer

KEY = "s3cr3t-opaque-key-123"
Reply = Callable[[str], tuple[str, bytes]]


class EchoServer(ReplyServer):
    """Answers each POST 200 with `answer(key_it_was_sent)`: (content type, body)."""

    def __init__(self) -> None:
        super().__init__()
        self.answer: Reply = lambda key: ("application/json", b"{}")

    def respond(self, auth: str) -> tuple[int, str, bytes]:
        return (200, *self.answer(auth.partition(" ")[2]))

    @property
    def keys(self) -> list[str]:
        """The keys the requests carried."""
        return [auth.partition(" ")[2] for auth in self.seen]

    def model(self, **kwargs: Any) -> ChatVertexOpenAI:
        return ChatVertexOpenAI(
            model="gemini-3.5-flash", base_url=self.base_url, api_key=KEY, max_retries=0, **kwargs
        )


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    with EchoServer() as server:
        yield server


def _json(data: Any) -> tuple[str, bytes]:
    return "application/json", json.dumps(data).encode()


def _sse(*events: str) -> tuple[str, bytes]:
    return "text/event-stream", "".join(f"data: {event}\n\n" for event in events).encode()


def _choice(message: Any) -> dict[str, Any]:
    return {"choices": [{"index": 0, "finish_reason": "stop", "message": message}]}


def _delta(delta: Any) -> str:
    return json.dumps({"choices": [{"index": 0, "delta": delta}]})


# A padding that puts the echoed key across the cut of the error's 200-character excerpt.
PAD = "p" * 180

# name: (reply, what the message must say, a non-secret part that stays readable)
ANSWERS: dict[str, tuple[Reply, str, str]] = {
    "no choices": (
        lambda key: _json({"choices": "none", "debug": {"credential": key, "region": "eu-west"}}),
        "without choices", "eu-west",
    ),
    "message a string": (
        lambda key: _json(_choice(f"key={key} region=eu-west")),
        r"choices[0].message is a string", "region=eu-west",
    ),
    "key cut by the excerpt": (
        lambda key: _json(_choice(PAD + key)),
        "choices[0].message is a string", PAD[:40],
    ),
    "key as an object key": (
        lambda key: _json(_choice({"content": "x", "tool_calls": {key: "region eu-west"}})),
        "message.tool_calls is an object", "region eu-west",
    ),
    "not JSON": (
        lambda key: ("application/json", f"<html>key {key} region eu-west".encode()),
        "not valid JSON", "region eu-west",
    ),
    "not UTF-8": (
        lambda key: ("application/json", f'{{"note": "{key} region eu-west'.encode() + b"\xff}"),
        "not valid UTF-8", "region eu-west",
    ),
    "not JSON, key cut": (
        lambda key: ("application/json", f"<html>{PAD} {key} tail".encode()),
        "not valid JSON", PAD[:40],
    ),
}  # fmt: skip

EVENTS: dict[str, tuple[Reply, str, str]] = {
    "delta a string": (
        lambda key: _sse(_delta({"content": "Hel"}), _delta(f"{key} region=eu-west")),
        "delta is a string", "region=eu-west",
    ),
    "tool calls an object": (
        lambda key: _sse(_delta({"tool_calls": {"id": key, "region": "eu-west"}})),
        "tool_calls is an object", "eu-west",
    ),
    "event not JSON": (
        lambda key: _sse(_delta({"content": "Hel"}), f"{{oops {key} region eu-west"),
        "not valid JSON", "region eu-west",
    ),
    "key cut by the excerpt": (
        lambda key: _sse(_delta(PAD + key)),
        "delta is a string", PAD[:40],
    ),
}  # fmt: skip


def _renderings(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), repr(error.args), repr(vars(error))]
    texts += ["".join(traceback.format_exception(error))]
    texts += [repr(getattr(error, name, None)) for name in ("raw", "body", "message")]
    context = error.__cause__ or error.__context__
    while context is not None:  # what our error chains (a JSON decoder's error quotes it)
        texts += [str(context), repr(context), repr(vars(context)), repr(context.args)]
        context = context.__cause__ or context.__context__
    return texts


def _assert_no_key(error: BaseException, readable: str) -> None:
    loaded = pickle.loads(pickle.dumps(error))
    assert KEY.encode() not in pickle.dumps(error)
    for text in [*_renderings(error), *_renderings(loaded)]:
        assert KEY not in text
        assert KEY[:8] not in text  # nor its start, left where an excerpt was cut
        assert KEY[-8:] not in text
    assert str(loaded) == str(error)
    assert readable in str(error) or readable in repr(error.raw)  # type: ignore[attr-defined]


async def _drain(model: ChatVertexOpenAI) -> None:
    async for _ in model.astream("hi"):
        pass


@pytest.mark.parametrize("answer", list(ANSWERS))
async def test_key_echoed_in_a_malformed_answer_is_hidden(echo: EchoServer, answer: str) -> None:
    echo.answer, problem, readable = ANSWERS[answer]
    model = echo.model()
    with pytest.raises(VertexResponseError) as sync:
        model.invoke("hi")
    with pytest.raises(VertexResponseError) as not_sync:
        await model.ainvoke("hi")
    assert echo.keys == [KEY, KEY]  # the server did get the key, and echoed it
    for error in (sync.value, not_sync.value):
        assert problem in str(error)
        _assert_no_key(error, readable)


@pytest.mark.parametrize("event", list(EVENTS))
async def test_key_echoed_in_a_malformed_stream_event_is_hidden(
    echo: EchoServer, event: str
) -> None:
    echo.answer, problem, readable = EVENTS[event]
    model = echo.model()
    with pytest.raises(VertexResponseError) as sync:
        list(model.stream("hi"))
    with pytest.raises(VertexResponseError) as not_sync:
        await _drain(model)
    assert echo.keys == [KEY, KEY]
    for error in (sync.value, not_sync.value):
        assert problem in str(error)
        _assert_no_key(error, readable)


def test_raw_keeps_what_the_server_said_around_the_key(echo: EchoServer) -> None:
    echo.answer = ANSWERS["no choices"][0]
    with pytest.raises(VertexResponseError) as info:
        echo.model().invoke("hi")
    assert info.value.raw == {  # type: ignore[attr-defined]
        "choices": "none",
        "debug": {"credential": "<redacted>", "region": "eu-west"},
    }


# -- nested without end -----------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + json.dumps(f"deep {KEY}") + "]" * depth


DEEP: dict[str, Reply] = {
    "whole body": lambda key: ("application/json", _nested(900).encode()),
    "a choice": lambda key: ("application/json", f'{{"choices": [{_nested(900)}]}}'.encode()),
    "a delta": lambda key: _sse(f'{{"choices": [{{"index": 0, "delta": {_nested(900)}}}]}}'),
}


def _round_trip(error: BaseException) -> BaseException:
    return error  # pickled into the worker and back


@pytest.fixture(scope="module")
def spawned() -> Iterator[ProcessPoolExecutor]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


@pytest.mark.parametrize("where", list(DEEP))
def test_answer_nested_900_deep_gives_an_error_that_crosses_processes(
    echo: EchoServer, spawned: ProcessPoolExecutor, where: str
) -> None:
    echo.answer = DEEP[where]
    model = echo.model()
    with pytest.raises(VertexResponseError) as info:
        list(model.stream("hi")) if where == "a delta" else model.invoke("hi")
    error = info.value
    back = spawned.submit(_round_trip, error).result(timeout=60)
    assert type(back) is VertexResponseError
    assert str(back) == str(error)
    assert "malformed answer" in str(error) or "without choices" in str(error)
    raw = back.raw  # type: ignore[attr-defined]
    depth = 0
    while isinstance(raw, list):
        raw, depth = raw[0], depth + 1
    # Cut, and saying so, well before pickle's own limit; the top stays as it was.
    assert raw == "<cut: nested more than 64 levels deep>"
    assert 50 < depth <= 64
    _assert_no_key(error, "[[[[")


def _serving(body: str, streamed: bool) -> Reply:
    if streamed:
        return lambda key: _sse(body)
    return lambda key: ("application/json", body.encode())


@pytest.mark.parametrize("streamed", [False, True])
async def test_answer_nested_10000_deep_is_a_vertex_response_error(
    echo: EchoServer, streamed: bool
) -> None:
    # The JSON decoder itself gives up (RecursionError); the caller gets our error.
    echo.answer = _serving(_nested(10_000), streamed)
    model = echo.model()
    with pytest.raises(VertexResponseError, match="nested too deeply"):
        list(model.stream("hi")) if streamed else model.invoke("hi")
    with pytest.raises(VertexResponseError, match="nested too deeply"):
        await (_drain(model) if streamed else model.ainvoke("hi"))


@pytest.mark.parametrize("streamed", [False, True])
async def test_tool_arguments_nested_10000_deep_make_an_invalid_call(
    echo: EchoServer, streamed: bool
) -> None:
    arguments = '{"a": ' + "[" * 10_000 + "]" * 10_000 + "}"
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": arguments}}
    if streamed:
        delta = {"role": "assistant", "content": "Let me see.", "tool_calls": [call]}
        event = {"choices": [{"index": 0, "delta": delta, "finish_reason": "stop"}]}
        echo.answer = lambda key: _sse(json.dumps(event), "[DONE]")
    else:
        message = {"role": "assistant", "content": "Let me see.", "tool_calls": [call]}
        echo.answer = lambda key: _json(_choice(message))
    model = echo.model(streaming=streamed)
    replies = [model.invoke("hi"), await model.ainvoke("hi")]
    for reply in replies:  # the reply is kept; the call cannot run
        assert reply.text == "Let me see."
        assert reply.tool_calls == []
        assert [call["id"] for call in reply.invalid_tool_calls] == ["c1"]
        reason = reply.response_metadata["invalid_tool_call_errors"]["c1"]
        assert "nested too deeply to read" in reason
