"""Access tokens never leak: not in reprs, serialization, logs, errors or tracing params.

The secrets searched for are the emulator's real tokens (what a user's credentials hold
after a call) and static `api_key` tokens. Calls go to a local emulator (loopback only).
"""

from __future__ import annotations

import logging
import traceback

import pytest
from langchain_core.callbacks import AsyncCallbackHandler, BaseCallbackHandler
from langchain_core.load import dumpd, dumps

from langchain_vertex_openai import (
    ChatVertexOpenAI,
    VertexAuthenticationError,
    VertexAuthError,
    VertexBadRequestError,
)

STATIC = "ya29.SECRET-static-token-0123456789abcdef"
LOGGERS = (
    "",
    "openai",
    "httpx2",
    "httpx",
    "httpcore2",
    "httpcore",
    "google",
    "urllib3",
    "langchain_vertex_openai",
    "langchain_core",
)


@pytest.fixture
def emulator(vertex_emulator):
    return vertex_emulator


class TokenLog:
    """Every token the credentials ever held (recorded after each refresh)."""

    def __init__(self, credentials):
        self.tokens: list[str] = []
        refresh = credentials.refresh

        def wrapper(request):
            refresh(request)
            self.tokens.append(credentials.token)

        credentials.refresh = wrapper


def with_credentials(emulator, **kwargs):
    credentials = emulator.credentials()
    log = TokenLog(credentials)
    kwargs.setdefault("max_retries", 0)
    llm = ChatVertexOpenAI(
        model="gemini-3.5-flash", base_url=emulator.base_url, credentials=credentials, **kwargs
    )
    return llm, log


def with_static_token(emulator, token, **kwargs):
    kwargs.setdefault("max_retries", 0)
    return ChatVertexOpenAI(
        model="gemini-3.5-flash", base_url=emulator.base_url, api_key=token, **kwargs
    )


def assert_hidden(secrets, *texts):
    assert secrets, "nothing to look for"
    for secret in secrets:
        assert secret
        for text in texts:
            assert secret not in text
            # Also the part after "ya29." (a prefix-stripping redaction is not enough).
            assert secret.split(".", 1)[-1] not in text


def rendered(error):
    return (
        str(error),
        repr(error),
        "".join(traceback.format_exception(error)),
        repr(vars(error)),
        repr(getattr(error, "body", None)),
    )


# -- reprs and serialization -------------------------------------------------------------


def test_repr_str_and_model_dump_hide_live_and_static_tokens(emulator):
    llm, tokens = with_credentials(emulator)
    assert llm.invoke("Repeat exactly: ok").content == "ok"
    assert llm.credentials.token == tokens.tokens[-1]
    static = with_static_token(emulator, STATIC)
    static.credentials_provider  # noqa: B018  (builds the provider holding the token)
    texts = []
    for model in (llm, static):
        texts += [repr(model), str(model), model.model_dump_json(), repr(model.model_dump())]
        texts += [repr(model.credentials_provider), str(model.credentials_provider)]
    assert_hidden([*tokens.tokens, STATIC], *texts)
    assert "token_cached=True" in repr(llm.credentials_provider)


def test_dumpd_and_dumps_hide_static_and_live_tokens(emulator):
    llm, tokens = with_credentials(emulator)
    llm.invoke("hi")
    static = with_static_token(emulator, STATIC)
    texts = []
    for model in (llm, static):
        texts += [repr(dumpd(model)), dumps(model), dumps(model, pretty=True)]
    assert_hidden([*tokens.tokens, STATIC], *texts)
    # The static token is a declared secret (loadable from the environment), not dropped silently.
    assert dumpd(static)["kwargs"]["access_token"] == {
        "lc": 1,
        "type": "secret",
        "id": ["VERTEX_ACCESS_TOKEN"],
    }
    assert "credentials" not in dumpd(llm)["kwargs"]


# -- logs --------------------------------------------------------------------------------


async def test_debug_logs_of_every_library_hide_tokens(emulator, caplog):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    llm, tokens = with_credentials(emulator)
    llm.invoke("hi")
    list(llm.stream("hi"))
    await llm.ainvoke("hi")
    _ = [c async for c in llm.astream("hi")]
    emulator.expire_all_tokens()  # 401, refresh, retry
    await llm.ainvoke("hi")
    llm.invoke("hi")
    emulator.queue_error(401, times=2)  # rejected even after the refresh
    with pytest.raises(VertexAuthenticationError):
        llm.invoke("hi")
    emulator.expire_all_tokens()
    emulator.fail_token_requests(times=1)  # 401, then the refresh fails
    with pytest.raises(VertexAuthError):
        await llm.ainvoke("hi")
    working_static = emulator.issue_token()
    assert with_static_token(emulator, working_static).invoke("Repeat exactly: s").content == "s"
    with pytest.raises(VertexAuthError):  # an unknown static token: 401, cannot refresh
        with_static_token(emulator, STATIC).invoke("hi")

    names = {record.name.split(".")[0] for record in caplog.records}
    # The capture is real: each library logged at DEBUG during these calls.
    assert {"openai", "httpx2", "httpcore2", "urllib3", "langchain_vertex_openai"} <= names
    assert any(r.levelno == logging.DEBUG for r in caplog.records)
    secrets = [*tokens.tokens, working_static, STATIC]
    assert len(tokens.tokens) == 3
    assert_hidden(
        secrets,
        caplog.text,
        *(repr(vars(record)) for record in caplog.records),
        *(record.getMessage() for record in caplog.records),
    )


# -- errors ------------------------------------------------------------------------------


async def test_errors_of_failing_calls_hide_tokens(emulator):
    llm, tokens = with_credentials(emulator)
    llm.invoke("hi")
    errors = []

    emulator.queue_error(400, "Request contains an invalid argument.")
    with pytest.raises(VertexBadRequestError) as info:
        llm.invoke("hi")
    errors.append(info.value)

    emulator.queue_error(401, times=2)
    with pytest.raises(VertexAuthenticationError) as info:
        await llm.ainvoke("hi")
    errors.append(info.value)

    emulator.expire_all_tokens()
    emulator.fail_token_requests(times=1)
    with pytest.raises(VertexAuthError) as info:
        list(llm.stream("hi"))
    errors.append(info.value)

    with pytest.raises(VertexAuthError) as info:
        await with_static_token(emulator, STATIC).ainvoke("hi")
    errors.append(info.value)

    assert len(tokens.tokens) == 2
    texts = [text for error in errors for text in rendered(error)]
    assert_hidden([*tokens.tokens, STATIC], *texts)


# -- tracing params ----------------------------------------------------------------------


class StartRecorder(BaseCallbackHandler):
    def __init__(self):
        self.seen = []

    def on_chat_model_start(self, serialized, messages, **kwargs):
        self.seen.append((serialized, kwargs))


class AsyncStartRecorder(AsyncCallbackHandler):
    def __init__(self):
        self.seen = []

    async def on_chat_model_start(self, serialized, messages, **kwargs):
        self.seen.append((serialized, kwargs))


async def test_langsmith_params_and_callbacks_hide_tokens(emulator):
    llm, tokens = with_credentials(emulator)
    working_static = emulator.issue_token()
    static = with_static_token(emulator, working_static)
    sync_recorder, async_recorder = StartRecorder(), AsyncStartRecorder()
    texts = []
    for model in (llm, static):
        model.invoke("hi", config={"callbacks": [sync_recorder]})
        list(model.stream("hi", config={"callbacks": [sync_recorder]}))
        await model.ainvoke("hi", config={"callbacks": [async_recorder]})
        texts += [
            repr(model._get_ls_params()),
            repr(model._get_invocation_params()),
            repr(model._get_ls_params(stop=["x"], model="gemini-3.1-pro-preview")),
        ]
    seen = sync_recorder.seen + async_recorder.seen
    assert len(seen) == 6
    for serialized, kwargs in seen:
        assert kwargs["invocation_params"]["model"] == "google/gemini-3.5-flash"
        texts += [repr(serialized), repr(kwargs), repr(kwargs["invocation_params"])]
        texts.append(repr(kwargs.get("metadata")))
    assert_hidden([*tokens.tokens, working_static], *texts)
