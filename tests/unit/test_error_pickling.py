"""Every exception the package raises pickles, loads back whole, and holds no credential.

Pure tests: the HTTP request and response an error keeps are built by hand, carrying a
bearer token, an API key and a key in the URL, as the SDK's would.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import Any

import cloudpickle
import httpx2
import openai
import pytest
from langchain_core import exceptions as core
from langchain_core.messages import AIMessage

import langchain_vertex_openai as package
from langchain_vertex_openai import _errors
from langchain_vertex_openai._structured import VertexRefusalError

TOKEN = "ya29.a0AfB-live-token-0123456789abcdefghij"
STATIC = "static-opaque-token-0123456789"
API_KEY = "AIzaSyD-fake-key-0123456789abcdefghijk"
SECRETS = (TOKEN, STATIC, API_KEY, TOKEN.removeprefix("ya29."))
URL = f"https://user:{STATIC}@aiplatform.googleapis.com/v1/projects/p/chat/completions"


def _request() -> httpx2.Request:
    return httpx2.Request(
        "POST",
        f"{URL}?key={API_KEY}&alt=json",
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "x-goog-api-key": API_KEY,
            "x-goog-user-project": "billing-project",
        },
        json={"messages": [{"role": "user", "content": "hello"}]},
    )


def _response(status: int, body: Any) -> httpx2.Response:
    return httpx2.Response(status, json=body, request=_request(), headers={"x-request-id": "req-1"})


def _status(cls: type[openai.APIStatusError], status: int) -> Callable[[], Exception]:
    # What a proxy answering for Vertex may do: echo the credentials it was sent.
    inner = {
        "code": status,
        "message": f"Denied for Authorization: Bearer {TOKEN} (key {API_KEY})",
        "status": "SOME_STATUS",
    }

    def build() -> Exception:
        return cls(
            f"Vertex AI returned HTTP {status} SOME_STATUS: {inner['message']}",
            response=_response(status, {"error": inner}),
            body=inner,
        )

    return build


SAMPLES: dict[type[Exception], tuple[Callable[[], Exception], type[Exception], type[Exception]]]
SAMPLES = {
    _errors.VertexBadRequestError: (
        _status(_errors.VertexBadRequestError, 400),
        openai.BadRequestError,
        core.ModelInvalidRequestError,
    ),
    _errors.VertexContextOverflowError: (
        _status(_errors.VertexContextOverflowError, 400),
        openai.BadRequestError,
        core.ContextOverflowError,
    ),
    _errors.VertexAuthenticationError: (
        _status(_errors.VertexAuthenticationError, 401),
        openai.AuthenticationError,
        core.ModelAuthenticationError,
    ),
    _errors.VertexPermissionDeniedError: (
        _status(_errors.VertexPermissionDeniedError, 403),
        openai.PermissionDeniedError,
        core.ModelPermissionDeniedError,
    ),
    _errors.VertexNotFoundError: (
        _status(_errors.VertexNotFoundError, 404),
        openai.NotFoundError,
        core.ModelNotFoundError,
    ),
    _errors.VertexRateLimitError: (
        _status(_errors.VertexRateLimitError, 429),
        openai.RateLimitError,
        core.ModelRateLimitError,
    ),
    _errors.VertexServerError: (
        _status(_errors.VertexServerError, 503),
        openai.InternalServerError,
        core.ModelAPIError,
    ),
    _errors.VertexAPIError: (
        _status(_errors.VertexAPIError, 409),
        openai.APIStatusError,
        core.ModelError,
    ),
    _errors.VertexConnectionError: (
        lambda: _errors.VertexConnectionError(
            message=f"Connection failed (ProxyError: 407 for Bearer {TOKEN})", request=_request()
        ),
        openai.APIConnectionError,
        core.ModelConnectionError,
    ),
    _errors.VertexTimeoutError: (
        lambda: _errors.VertexTimeoutError(request=_request()),
        openai.APITimeoutError,
        core.ModelTimeoutError,
    ),
    _errors.VertexResponseError: (
        lambda: _errors.VertexResponseError(
            f"Vertex AI reported an error in the response: echo {TOKEN}",
            _request(),
            body={"error": {"message": f"x-goog-api-key: {API_KEY}"}},
        ),
        openai.APIError,
        core.ModelAPIError,
    ),
    _errors.VertexAuthError: (
        lambda: _errors.VertexAuthError(f"Refreshing failed: invalid_grant for {TOKEN}"),
        openai.OpenAIError,
        core.ModelAuthenticationError,
    ),
    _errors.VertexPromptBlockedError: (
        lambda: _errors.VertexPromptBlockedError({"prompt_tokens": 7}),
        core.ModelRefusalError,
        core.ModelError,
    ),
    VertexRefusalError: (
        lambda: VertexRefusalError(raw_message=AIMessage("", id="run-1")),
        core.ModelRefusalError,
        core.ModelError,
    ),
}


def _dumps(how: str, error: Exception) -> bytes:
    return cloudpickle.dumps(error) if how == "cloudpickle" else pickle.dumps(error)


def _assert_clean(payload: bytes | str) -> None:
    data = payload if isinstance(payload, bytes) else payload.encode()
    for secret in SECRETS:
        assert secret.encode() not in data


def test_every_public_exception_has_a_sample() -> None:
    public = {
        value
        for name in package.__all__
        if isinstance(value := getattr(package, name), type)
        and issubclass(value, Exception)
        and not issubclass(value, Warning)  # warnings are not raised, so never pickled
    }
    assert public
    assert public | {VertexRefusalError} == set(SAMPLES)


@pytest.mark.parametrize("how", ["pickle", "cloudpickle", "copy"])
@pytest.mark.parametrize("cls", list(SAMPLES), ids=lambda cls: cls.__name__)
def test_exception_round_trips_whole_and_clean(cls: type[Exception], how: str) -> None:
    build, sdk_class, core_class = SAMPLES[cls]
    error = build()
    error.raw = {"piece": "kept"}  # type: ignore[attr-defined]  (attributes set later travel)
    error.add_note("a note")
    if how == "copy":
        loaded = copy.copy(error)
    else:
        payload = _dumps(how, error)
        _assert_clean(payload)
        loaded = pickle.loads(payload)
    assert type(loaded) is cls
    assert isinstance(loaded, sdk_class)
    assert isinstance(loaded, core_class)
    assert str(loaded) == str(error)
    assert loaded.args == error.args
    assert loaded.raw == {"piece": "kept"}  # type: ignore[attr-defined]
    assert loaded.__notes__ == ["a note"]
    assert set(vars(loaded)) == set(vars(error))
    for name in ("message", "body", "status_code", "code", "type", "request_id", "usage"):
        assert getattr(loaded, name, None) == getattr(error, name, None)
    if isinstance(error, openai.APIStatusError):
        assert loaded.response.status_code == error.status_code
        assert loaded.response.json() == {"error": error.body}
        assert loaded.response.headers["x-request-id"] == "req-1"
    if isinstance(error, core.ModelRefusalError):
        assert repr(loaded.raw_message) == repr(error.raw_message)


@pytest.mark.parametrize("cls", list(SAMPLES), ids=lambda cls: cls.__name__)
def test_live_exception_holds_no_credential(cls: type[Exception]) -> None:
    error = SAMPLES[cls][0]()
    request = getattr(error, "request", None)
    texts = [str(error), repr(error), repr(vars(error)), repr(error.args)]
    if request is not None:
        assert request.headers["authorization"] == "<redacted>"
        assert request.headers["x-goog-api-key"] == "<redacted>"
        assert request.headers["x-goog-user-project"] == "billing-project"
        assert request.content == b""  # the prompt is not kept either
        assert request.url.host == "aiplatform.googleapis.com"
        assert request.url.params["alt"] == "json"
        texts += [str(request.url), repr(list(request.headers.items()))]
    response = getattr(error, "response", None)
    if response is not None:
        texts += [response.text, repr(list(response.request.headers.items()))]
    for text in texts:
        _assert_clean(text)


def test_redaction_keeps_googles_message_readable() -> None:
    error = SAMPLES[_errors.VertexPermissionDeniedError][0]()
    assert str(error) == (
        "Vertex AI returned HTTP 403 SOME_STATUS: Denied for Authorization: "
        "Bearer <redacted> (key <redacted>)"
    )
    assert error.body == {
        "code": 403,
        "message": "Denied for Authorization: Bearer <redacted> (key <redacted>)",
        "status": "SOME_STATUS",
    }
