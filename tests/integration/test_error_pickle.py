"""Errors of real calls cross process boundaries intact, and carry no token across.

Each error is raised by a real call over a socket to the emulator inside a worker process
(multiprocessing `spawn` and `fork`), pickled there (by the process pool, as Ray and
Celery do, or by pickle/cloudpickle for the bytes) and loaded back in this process.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import cloudpickle
import openai
import pytest
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
)

from langchain_vertex_openai import (
    ChatVertexOpenAI,
    VertexAuthenticationError,
    VertexAuthError,
    VertexBadRequestError,
    VertexConnectionError,
    VertexContextOverflowError,
    VertexNotFoundError,
    VertexPermissionDeniedError,
    VertexRateLimitError,
    VertexServerError,
)
from langchain_vertex_openai.testing import VertexEmulator

OVERFLOW = "The input token count (2000000) exceeds the maximum number of tokens allowed."


def _invoke(llm: ChatVertexOpenAI) -> str:
    return str(llm.invoke("hi").content)


def _invoke_and_dump(llm: ChatVertexOpenAI, dumps: str) -> bytes:
    try:
        llm.invoke("hi")
    except Exception as error:
        return cloudpickle.dumps(error) if dumps == "cloudpickle" else pickle.dumps(error)
    raise AssertionError("the call did not fail")


@pytest.fixture(scope="module", params=["spawn", "fork"])
def pool(request: pytest.FixtureRequest) -> Iterator[ProcessPoolExecutor]:
    # One worker per start method for the module: each test ships its own model to it.
    if request.param not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {request.param} start method here")
    context = multiprocessing.get_context(request.param)
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as executor:
        yield executor


def _model(emulator: VertexEmulator) -> ChatVertexOpenAI:
    return ChatVertexOpenAI(
        model="gemini-3.5-flash",
        base_url=emulator.base_url,
        credentials=emulator.credentials(),
        max_retries=0,
    )


def _tokens_sent(emulator: VertexEmulator) -> set[str]:
    tokens = {r.headers["authorization"].partition(" ")[2] for r in emulator.requests}
    assert tokens and all(tokens)
    return tokens


def _assert_no_token(payload: bytes, tokens: set[str]) -> None:
    for token in tokens:
        assert token.encode() not in payload
        assert token.split(".", 1)[1].encode() not in payload


def _assert_same(loaded: Any, cls: type[Exception], status: int, needle: str) -> None:
    assert type(loaded) is cls
    assert isinstance(loaded, openai.APIStatusError)
    assert isinstance(loaded, ModelError)
    assert loaded.status_code == status
    assert loaded.response.status_code == status
    assert f"HTTP {status}" in str(loaded)
    assert needle in str(loaded)
    assert loaded.message == str(loaded)
    assert needle in loaded.body["message"]
    assert loaded.body["code"] == status
    assert loaded.response.request.headers["authorization"] == "<redacted>"


STATUS_CASES = [
    (400, "Request contains an invalid argument.", VertexBadRequestError, ModelInvalidRequestError),
    (400, OVERFLOW, VertexContextOverflowError, ContextOverflowError),
    (401, "Request had invalid authentication credentials.", VertexAuthenticationError,
     ModelAuthenticationError),
    (403, "Permission denied on resource project.", VertexPermissionDeniedError,
     ModelPermissionDeniedError),
    (404, "Publisher Model was not found.", VertexNotFoundError, ModelNotFoundError),
    (429, "Resource exhausted. Please try again later.", VertexRateLimitError,
     ModelRateLimitError),
    (500, "Internal error encountered.", VertexServerError, ModelAPIError),
]  # fmt: skip


def test_status_errors_come_back_from_a_worker_intact_and_without_tokens(
    vertex_emulator: VertexEmulator, pool: ProcessPoolExecutor
) -> None:
    emulator = vertex_emulator
    llm = _model(emulator)
    llm.invoke("warm up")  # the model shipped to the worker has been used here first
    for status, message, cls, core_cls in STATUS_CASES:
        # A 401 is retried once after a refresh; both attempts must fail.
        times = 2 if status == 401 else 1
        emulator.queue_error(status, message, times=times)
        # Raised in the worker, pickled by the pool, re-raised here.
        with pytest.raises(cls) as info:
            pool.submit(_invoke, llm).result(timeout=60)
        error = info.value
        _assert_same(error, cls, status, message)
        assert isinstance(error, core_cls)
        for dumps in ("pickle", "cloudpickle"):
            emulator.queue_error(status, message, times=times)
            payload = pool.submit(_invoke_and_dump, llm, dumps).result(timeout=60)
            _assert_no_token(payload, _tokens_sent(emulator))
            _assert_same(pickle.loads(payload), cls, status, message)
    assert emulator.pending == 0


def test_list_shaped_body_and_retry_after_survive_the_trip(
    vertex_emulator: VertexEmulator, pool: ProcessPoolExecutor
) -> None:
    emulator = vertex_emulator
    emulator.queue_error(429, "Quota exceeded.", shape="list", retry_after=7)
    payload = pool.submit(_invoke_and_dump, _model(emulator), "pickle").result(timeout=60)
    _assert_no_token(payload, _tokens_sent(emulator))
    error = pickle.loads(payload)
    assert type(error) is VertexRateLimitError
    assert error.body[0]["error"]["message"] == "Quota exceeded."
    assert error.body[0]["error"]["details"][0]["retryDelay"] == "7s"
    assert error.response.headers["retry-after"] == "7"
    assert "RESOURCE_EXHAUSTED: Quota exceeded." in str(error)


def test_connection_and_auth_errors_come_back_from_a_worker(
    vertex_emulator: VertexEmulator, pool: ProcessPoolExecutor
) -> None:
    emulator = vertex_emulator
    llm = _model(emulator)
    llm.invoke("warm up")
    emulator.queue_disconnect()
    with pytest.raises(VertexConnectionError) as connection:
        pool.submit(_invoke, llm).result(timeout=60)
    assert isinstance(connection.value, openai.APIConnectionError)
    assert isinstance(connection.value, ModelConnectionError)
    assert "Connection to Vertex AI failed" in str(connection.value)
    assert connection.value.request.url.host == "127.0.0.1"

    emulator.expire_all_tokens()
    emulator.fail_token_requests(times=1)
    with pytest.raises(VertexAuthError) as auth:
        pool.submit(_invoke, llm).result(timeout=60)
    assert isinstance(auth.value, openai.OpenAIError)
    assert isinstance(auth.value, ModelAuthenticationError)
    assert "Refreshing Google credentials (EmulatorCredentials) failed" in str(auth.value)
    _assert_no_token(
        pickle.dumps(auth.value) + pickle.dumps(connection.value), _tokens_sent(emulator)
    )


def test_errors_raised_here_load_in_a_fresh_interpreter(
    vertex_emulator: VertexEmulator, pool: ProcessPoolExecutor
) -> None:
    emulator = vertex_emulator
    llm = _model(emulator)
    emulator.queue_error(400, "Request contains an invalid argument.")
    with pytest.raises(VertexBadRequestError) as info:
        llm.invoke("hi")
    for dumps in (pickle.dumps, cloudpickle.dumps):
        payload = dumps(info.value)
        _assert_no_token(payload, _tokens_sent(emulator))
        echoed = pool.submit(_reload_and_describe, payload).result(timeout=60)
        assert echoed == (
            "VertexBadRequestError",
            400,
            str(info.value),
            info.value.body,
            True,
        )


def _reload_and_describe(payload: bytes) -> tuple[Any, ...]:
    error = pickle.loads(payload)
    both = isinstance(error, openai.BadRequestError) and isinstance(error, ModelInvalidRequestError)
    return type(error).__name__, error.status_code, str(error), error.body, both
