"""ChatVertexOpenAI against the emulator over real sockets (strict mode)."""

from __future__ import annotations

import asyncio
import gc
import warnings

import httpx2
import openai
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import ModelRateLimitError
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage

from langchain_vertex_openai import (
    ChatVertexOpenAI,
    VertexBadRequestError,
    VertexConnectionError,
    VertexNotFoundError,
    VertexRateLimitError,
    VertexServerError,
    VertexTimeoutError,
)
from langchain_vertex_openai.testing import VertexEmulator
from tests.helpers import emulator_model, merge_chunks


@pytest.fixture
def llm(emulator):
    return emulator_model(emulator, max_retries=2)


def test_invoke_returns_text_usage_and_metadata(llm, emulator):
    message = llm.invoke([SystemMessage("Be brief."), HumanMessage("Repeat exactly: bonjour")])
    assert isinstance(message, AIMessage)
    assert message.content == "bonjour"
    usage = message.usage_metadata
    assert usage["input_tokens"] + usage["output_tokens"] == usage["total_tokens"]
    assert usage["input_tokens"] > 0
    metadata = message.response_metadata
    assert "gemini-3.5-flash" in metadata["model_name"]
    assert metadata["finish_reason"] == "stop"
    assert metadata["id"]
    assert metadata["token_usage"]["total_tokens"] == usage["total_tokens"]
    sent = emulator.last_request.body
    assert sent["model"] == "google/gemini-3.5-flash"
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."}


def test_thinking_tokens_are_reported_as_reasoning(llm):
    message = llm.invoke("Repeat exactly: ok")
    usage = message.usage_metadata
    reasoning = usage.get("output_token_details", {}).get("reasoning", 0)
    raw = message.response_metadata["token_usage"]
    assert reasoning == raw["total_tokens"] - raw["prompt_tokens"] - raw["completion_tokens"]
    assert usage["output_tokens"] >= reasoning
    assert usage["input_tokens"] + usage["output_tokens"] == usage["total_tokens"]


def test_stream_yields_text_and_one_final_usage(llm):
    chunks = list(llm.stream("Tell me something about the sea in a few words please"))
    assert len(chunks) >= 3
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    merged = merge_chunks(chunks)
    assert (
        merged.content
        == llm.invoke("Tell me something about the sea in a few words please").content
    )
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert (
        merged.usage_metadata["input_tokens"] + merged.usage_metadata["output_tokens"]
        == (merged.usage_metadata["total_tokens"])
    )
    assert merged.response_metadata["finish_reason"] == "stop"
    assert "gemini-3.5-flash" in merged.response_metadata["model_name"]
    assert chunks[-1].chunk_position == "last"


def test_stream_usage_can_be_turned_off(emulator):
    llm = emulator_model(emulator, stream_usage=False)
    merged = merge_chunks(list(llm.stream("hi")))
    assert merged.usage_metadata is None


async def test_ainvoke_astream_and_abatch(llm):
    message = await llm.ainvoke("Repeat exactly: async")
    assert message.content == "async"
    chunks = [c async for c in llm.astream("Repeat exactly: streamed async")]
    assert merge_chunks(chunks).content == "streamed async"
    results = await llm.abatch(["Repeat exactly: one", "Repeat exactly: two"])
    assert [r.content for r in results] == ["one", "two"]


def test_batch_with_threads(llm):
    results = llm.batch(
        [f"Repeat exactly: item {i}" for i in range(6)], config={"max_concurrency": 3}
    )
    assert [r.content for r in results] == [f"item {i}" for i in range(6)]


def test_callbacks_see_every_streamed_token(llm):
    class Recorder(BaseCallbackHandler):
        def __init__(self):
            self.tokens = []

        def on_llm_new_token(self, token, **kwargs):
            self.tokens.append(token)

    recorder = Recorder()
    merged = merge_chunks(
        list(llm.stream("Repeat exactly: one two three four", config={"callbacks": [recorder]}))
    )
    assert "".join(recorder.tokens) == merged.content == "one two three four"


def test_parameters_reach_the_server(emulator):
    llm = emulator_model(
        emulator,
        temperature=0.3,
        top_p=0.9,
        max_tokens=50,
        seed=7,
        stop=["END"],
        presence_penalty=0.1,
        frequency_penalty=0.2,
        default_headers={"x-team": "search"},
    )
    llm.invoke("hi")
    request = emulator.last_request
    for key, value in {
        "temperature": 0.3,
        "top_p": 0.9,
        "max_tokens": 50,
        "seed": 7,
        "stop": ["END"],
        "presence_penalty": 0.1,
        "frequency_penalty": 0.2,
    }.items():
        assert request.body[key] == value
    assert request.headers["x-team"] == "search"
    assert "openai-organization" not in request.headers


def test_max_tokens_truncates_with_length_finish(llm):
    message = llm.invoke("Tell me a long story about a lighthouse keeper and the sea", max_tokens=3)
    assert message.response_metadata["finish_reason"] == "length"


@pytest.mark.filterwarnings("ignore::langchain_vertex_openai.RetiredModelWarning")
def test_google_extensions_are_nested_under_extra_body(emulator):
    # Gemini 2.5 (retired) is the model whose thinking a budget of 0 turns off.
    llm = emulator_model(
        emulator,
        "gemini-2.5-flash",
        extra_body={"google": {"thinking_config": {"thinking_budget": 0}}},
    )
    message = llm.invoke("Repeat exactly: no thoughts")
    assert emulator.last_request.body["extra_body"] == {
        "google": {"thinking_config": {"thinking_budget": 0}}
    }
    assert "output_token_details" not in message.usage_metadata


def test_model_override_per_call(llm, emulator):
    message = llm.invoke("hi", model="gemini-3.1-pro-preview")
    assert emulator.last_request.body["model"] == "google/gemini-3.1-pro-preview"
    assert "gemini-3.1-pro-preview" in message.response_metadata["model_name"]


def test_partner_model_through_the_same_class(emulator):
    llm = ChatVertexOpenAI(
        model="meta/llama-3.3-70b-instruct-maas",
        base_url=emulator.base_url,
        credentials=emulator.credentials(),
    )
    message = llm.invoke("Repeat exactly: llama")
    assert message.content == "llama"
    assert "output_token_details" not in (message.usage_metadata or {})


def test_quota_project_is_sent_as_header(emulator):
    llm = emulator_model(emulator, quota_project="billing-project")
    llm.invoke("hi")
    assert emulator.last_request.headers["x-goog-user-project"] == "billing-project"


def test_list_shaped_error_body_is_surfaced_and_not_retried(llm, emulator):
    emulator.queue_error(
        400, "Something specific is wrong", google_status="INVALID_ARGUMENT", shape="list"
    )
    with pytest.raises(
        VertexBadRequestError, match="INVALID_ARGUMENT: Something specific is wrong"
    ) as info:
        llm.invoke("hi")
    assert isinstance(info.value, openai.BadRequestError)
    assert len(emulator.requests) == 1


def test_object_shaped_error_body_is_surfaced(llm, emulator):
    emulator.queue_error(404, "Publisher Model `x` was not found", google_status="NOT_FOUND")
    with pytest.raises(VertexNotFoundError, match="NOT_FOUND"):
        llm.invoke("hi")


def test_429_is_retried_then_succeeds(llm, emulator):
    emulator.queue_error(429, times=2)
    assert llm.invoke("Repeat exactly: finally").content == "finally"
    assert len(emulator.requests) == 3


def test_429_beyond_max_retries_raises_rate_limit(llm, emulator):
    emulator.queue_error(429, times=3, shape="list")
    with pytest.raises(VertexRateLimitError) as info:
        llm.invoke("hi")
    assert isinstance(info.value, ModelRateLimitError)
    assert "RESOURCE_EXHAUSTED" in str(info.value)
    assert len(emulator.requests) == 3


def test_503_is_retried_then_raised_as_server_error(llm, emulator):
    emulator.queue_error(503, times=3)
    with pytest.raises(VertexServerError):
        llm.invoke("hi")
    assert len(emulator.requests) == 3


def test_bare_model_rejected_by_server_is_prevented_client_side(emulator):
    with pytest.raises(ValueError, match="publisher"):
        ChatVertexOpenAI(
            model="llama-3", base_url=emulator.base_url, credentials=emulator.credentials()
        )


def test_expired_token_is_refreshed_once_after_401(llm, emulator):
    llm.invoke("hi")
    issued = emulator.tokens_issued
    emulator.expire_all_tokens()  # the client still believes its token is valid
    assert llm.invoke("Repeat exactly: recovered").content == "recovered"
    assert emulator.tokens_issued == issued + 1
    statuses = [r.path for r in emulator.requests]
    assert len(statuses) == 3  # first call, rejected retry, accepted retry


async def test_100_concurrent_coroutines_share_one_refresh(emulator):
    credentials = emulator.credentials()
    llm = ChatVertexOpenAI(
        model="gemini-3.5-flash", base_url=emulator.base_url, credentials=credentials
    )
    assert emulator.tokens_issued == 0  # no token until the first call
    results = await asyncio.gather(*(llm.ainvoke(f"Repeat exactly: n{i}") for i in range(100)))
    assert [r.content for r in results] == [f"n{i}" for i in range(100)]
    assert emulator.tokens_issued == 1


def test_stream_dropped_midway_raises_instead_of_returning_partial(llm, emulator):
    emulator.queue_disconnect(after_chunks=1)
    received = []

    def consume():
        received.extend(llm.stream("Tell me a long story about the sea and the wind"))

    with pytest.raises(VertexConnectionError, match="mid-stream"):
        consume()
    assert all(c.chunk_position != "last" for c in received)


def test_timeout_fires(emulator):
    llm = emulator_model(emulator, timeout=0.3, max_retries=0)
    emulator.queue_delay(2.0)
    with pytest.raises(VertexTimeoutError):
        llm.invoke("hi")


@pytest.mark.parametrize("done", [True, False])
def test_recorded_stream_shapes(llm, emulator, done):
    # Vertex MaaS: no id/created, role in every delta, content+finish+usage together; sometimes no [DONE].
    emulator.queue_raw_sse(
        [
            {
                "choices": [{"delta": {"content": "Hel", "role": "assistant"}, "index": 0}],
                "model": "google/gemini-3.5-flash",
                "object": "chat.completion.chunk",
            },
            {
                "choices": [
                    {
                        "delta": {"content": "lo", "role": "assistant"},
                        "finish_reason": "stop",
                        "index": 0,
                    }
                ],
                "model": "google/gemini-3.5-flash",
                "object": "chat.completion.chunk",
                "usage": {"completion_tokens": 2, "prompt_tokens": 3, "total_tokens": 9},
            },
        ],
        done=done,
    )
    merged = merge_chunks(list(llm.stream("hi")))
    assert merged.content == "Hello"
    assert merged.usage_metadata == {
        "input_tokens": 3,
        "output_tokens": 6,
        "total_tokens": 9,
        "output_token_details": {"reasoning": 4},
    }


def test_role_only_final_chunk(llm, emulator):
    emulator.queue_raw_sse(
        [
            {
                "choices": [{"delta": {"content": "Hi", "role": "assistant"}, "index": 0}],
                "created": 1,
                "id": "q",
                "model": "google/gemini-3.5-flash",
                "object": "chat.completion.chunk",
            },
            {
                "choices": [{"delta": {"role": "assistant"}, "finish_reason": "stop", "index": 0}],
                "created": 1,
                "id": "q",
                "model": "google/gemini-3.5-flash",
                "object": "chat.completion.chunk",
                "usage": {"completion_tokens": 1, "prompt_tokens": 5, "total_tokens": 6},
            },
        ]
    )
    merged = merge_chunks(list(llm.stream("hi")))
    assert merged.content == "Hi"
    assert merged.response_metadata["finish_reason"] == "stop"


def test_stream_that_ends_without_finishing_is_an_error(llm, emulator):
    emulator.queue_raw_sse(
        [
            {
                "choices": [{"delta": {"content": "Hal", "role": "assistant"}, "index": 0}],
                "model": "google/gemini-3.5-flash",
                "object": "chat.completion.chunk",
            }
        ],
        done=False,
    )
    with pytest.raises(VertexConnectionError, match="without a finish_reason"):
        list(llm.stream("hi"))


def test_html_error_page_from_a_proxy(llm, emulator):
    emulator.queue_raw(
        502, "<html><body><h1>502 Bad Gateway</h1></body></html>", content_type="text/html"
    )
    emulator.queue_raw(
        502, "<html><body><h1>502 Bad Gateway</h1></body></html>", content_type="text/html"
    )
    emulator.queue_raw(
        502, "<html><body><h1>502 Bad Gateway</h1></body></html>", content_type="text/html"
    )
    with pytest.raises(VertexServerError, match="502 Bad Gateway"):
        llm.invoke("hi")


def test_models_sharing_one_http_client_keep_their_own_credentials(vertex_emulator_strict):
    import httpx2

    emulator = vertex_emulator_strict
    with httpx2.Client() as shared:  # the user's client: the user closes it
        a = ChatVertexOpenAI(
            base_url=emulator.base_url,
            credentials=emulator.credentials(),
            quota_project="project-aaa",
            http_client=shared,
        )
        b = ChatVertexOpenAI(
            base_url=emulator.base_url,
            credentials=emulator.credentials(),
            quota_project="project-bbb",
            http_client=shared,
        )
        b.invoke("hi")
        a.invoke("hi")
        assert emulator.last_request.headers["x-goog-user-project"] == "project-aaa"
        b.invoke("hi")
        assert emulator.last_request.headers["x-goog-user-project"] == "project-bbb"
        assert shared.auth is None or type(shared.auth).__name__ == "Auth"


def test_thoughts_requested_through_extra_body_are_still_split_off(llm, emulator):
    message = llm.invoke(
        "Repeat exactly: answer",
        extra_body={"google": {"thinking_config": {"include_thoughts": True}}},
    )
    assert message.content == "answer"
    assert message.additional_kwargs["reasoning_content"]
    assert emulator.last_request.body["extra_body"]["google"]["thought_tag_marker"] == "thought"


def test_stream_options_include_usage_false_turns_usage_off_and_is_not_sent(llm, emulator):
    merged = merge_chunks(list(llm.stream("hi", stream_options={"include_usage": False})))
    assert merged.usage_metadata is None
    assert "stream_options" not in emulator.last_request.body


def test_per_call_values_get_the_construction_checks(emulator):
    llm = ChatVertexOpenAI(
        model="gemini-3.5-flash", base_url=emulator.base_url, credentials=emulator.credentials()
    )
    with pytest.raises(ValueError, match="n=1"):
        llm.invoke("hi", n=2)
    with pytest.raises(ValueError, match="temperature"):
        llm.invoke("hi", temperature=5)
    assert emulator.requests == []


def test_model_copy_with_a_new_url_builds_new_clients(llm, emulator):
    llm.invoke("hi")
    with VertexEmulator(strict=True) as other:
        copied = llm.model_copy(
            update={"base_url": other.base_url, "credentials": other.credentials()}
        )
        assert copied.invoke("Repeat exactly: moved").content == "moved"
        assert len(other.requests) == 1
    assert llm.invoke("Repeat exactly: stayed").content == "stayed"
    import copy

    deep = copy.deepcopy(llm)
    assert deep.invoke("Repeat exactly: deep").content == "deep"
    assert deep._clients is not llm._clients


def test_structured_output_with_extra_tools(llm, emulator):
    from pydantic import BaseModel

    class Answer(BaseModel):
        city: str

    def get_weather(city: str) -> str:
        """Get the weather."""
        return "sunny"

    result = llm.with_structured_output(Answer, tools=[get_weather]).invoke("Report on 'Paris'")
    assert isinstance(result, Answer)
    assert [t["function"]["name"] for t in emulator.last_request.body["tools"]] == ["get_weather"]


def _resource_warnings(caught) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


def _dropped_after(emulator, call) -> list[str]:
    """Warnings raised while a model that made `call` is dropped and collected."""
    model = emulator_model(emulator)
    call(model)
    gc.collect()  # other tests' garbage is not this model's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del model
        gc.collect()
    return _resource_warnings(caught)


def test_a_dropped_model_closes_its_own_connections(emulator):
    # Users building a model per request (or running pytest with -W error) must not
    # get "unclosed socket" warnings from the pool the model made for itself.
    assert _dropped_after(emulator, lambda m: m.invoke("Repeat exactly: a")) == []
    assert _dropped_after(emulator, lambda m: list(m.stream("Repeat exactly: b"))) == []


def test_a_dropped_model_leaves_a_users_http_client_open(emulator):
    with httpx2.Client() as shared:
        model = emulator_model(emulator, http_client=shared)
        model.invoke("Repeat exactly: a")
        del model
        gc.collect()
        assert not shared.is_closed
        again = emulator_model(emulator, http_client=shared)
        assert again.invoke("Repeat exactly: c").content == "c"


async def test_a_model_dropped_on_a_running_loop_closes_its_async_connections(emulator):
    model = emulator_model(emulator)
    assert (await model.ainvoke("Repeat exactly: a")).content == "a"
    gc.collect()  # other tests' garbage is not this model's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del model
        gc.collect()
        for _ in range(5):  # the close runs as a task on this loop
            await asyncio.sleep(0.01)
        gc.collect()
    assert _resource_warnings(caught) == []


def test_a_model_dropped_on_another_loop_logs_no_asyncio_error(emulator, caplog):
    # asyncio.run per request, or pytest-asyncio's loop per test: the pool's loop is
    # gone when the model is collected, and closing it there must not log a failed task.
    model = emulator_model(emulator)
    assert asyncio.run(model.ainvoke("Repeat exactly: a")).content == "a"
    holder = [model]
    del model

    async def drop_here() -> None:
        holder.clear()
        gc.collect()
        await asyncio.sleep(0.05)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # left to gc, as documented
        asyncio.run(drop_here())
        gc.collect()
    assert [r for r in caplog.records if r.name == "asyncio" and r.levelname == "ERROR"] == []
