"""Faults against the emulator, each with the exact behaviour a caller can rely on.

Rate limits and 5xx (retried with backoff, `Retry-After` honoured), connections dropped
before and during a stream, slow servers, 200 answers that are not JSON, HTML error pages
from proxies, and tokens that expire or cannot be refreshed. The basic sync cases already
in `test_chat_model.py` are not repeated here.
"""

from __future__ import annotations

import asyncio
import datetime
import time

import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from langchain_vertex_openai import (
    ChatVertexOpenAI,
    VertexAuthenticationError,
    VertexAuthError,
    VertexConnectionError,
    VertexNotFoundError,
    VertexRateLimitError,
    VertexResponseError,
    VertexServerError,
    VertexTimeoutError,
)
from tests.helpers import emulator_model, merge_chunks

PROMPT = "Repeat exactly: one two three four five six seven eight"
ANSWER = "one two three four five six seven eight"

# The page Google's front end serves for a 502 (its real pages carry an inline <style>).
GOOGLE_502_PAGE = """<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">
  <title>Error 502 (Server Error)!!1</title>
  <style>
    *{margin:0;padding:0}html,code{font:15px/22px arial,sans-serif}html{background:#fff;color:#222;padding:15px}body{margin:7% auto 0;max-width:390px;min-height:180px;padding:30px 0 15px}* > body{background:url(//www.google.com/images/errors/robot.png) 100% 5px no-repeat;padding-right:205px}p{margin:11px 0 22px;overflow:hidden}ins{color:#777;text-decoration:none}a img{border:0}
  </style>
  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>
  <p><b>502.</b> <ins>That\u2019s an error.</ins>
  <p>The server encountered a temporary error and could not complete your request.<p>Please try again in 30 seconds.  <ins>That\u2019s all we know.</ins>
"""


def make_llm(emulator, credentials=None, **kwargs):
    kwargs.setdefault("max_retries", 1)  # fault tests count attempts: few retries
    return emulator_model(emulator, credentials=credentials, **kwargs)


def counted(credentials):
    """Record every refresh attempt (successful or not) of `credentials`."""
    attempts = []
    refresh = credentials.refresh

    def wrapper(request):
        attempts.append(time.monotonic())
        return refresh(request)

    credentials.refresh = wrapper
    return attempts


async def collect(aiterator, into):
    async for chunk in aiterator:
        into.append(chunk)


# -- rate limits and server errors ---------------------------------------------------------


def test_retry_after_on_429_is_waited_before_the_retry(emulator):
    llm = make_llm(emulator)
    emulator.queue_error(429, retry_after=1)
    started = time.monotonic()
    assert llm.invoke("Repeat exactly: later").content == "later"
    assert time.monotonic() - started >= 1.0  # the SDK's own backoff would be <= 0.5 s
    assert len(emulator.requests) == 2


async def test_retry_after_on_429_is_waited_before_the_retry_async(emulator):
    llm = make_llm(emulator)
    emulator.queue_error(429, retry_after=1, shape="list")
    started = time.monotonic()
    assert (await llm.ainvoke("Repeat exactly: later")).content == "later"
    assert time.monotonic() - started >= 1.0
    assert len(emulator.requests) == 2


async def test_429_burst_within_max_retries_succeeds_after_growing_backoff(emulator):
    llm = make_llm(emulator, max_retries=2)
    emulator.queue_error(429, times=2)
    started = time.monotonic()
    assert (await llm.ainvoke("Repeat exactly: through")).content == "through"
    # Exponential backoff with at most 25 % jitter: >= 0.375 s, then >= 0.75 s.
    assert time.monotonic() - started >= 1.1
    assert len(emulator.requests) == 3


async def test_429_burst_longer_than_max_retries_raises_rate_limit_async(emulator):
    llm = make_llm(emulator, max_retries=1)
    emulator.queue_error(429, times=2)
    with pytest.raises(VertexRateLimitError, match="RESOURCE_EXHAUSTED") as info:
        await llm.ainvoke("hi")
    assert isinstance(info.value, ModelRateLimitError)
    assert "max_retries" in str(info.value)  # the message says how to get further
    assert len(emulator.requests) == 2
    assert (await llm.ainvoke("Repeat exactly: after")).content == "after"


@pytest.mark.parametrize(("status", "google_status"), [(500, "INTERNAL"), (503, "UNAVAILABLE")])
def test_one_5xx_is_retried_transparently(emulator, status, google_status):
    llm = make_llm(emulator)
    emulator.queue_error(status, google_status=google_status)
    assert llm.invoke("Repeat exactly: fine").content == "fine"
    assert len(emulator.requests) == 2


@pytest.mark.parametrize("shape", ["object", "list"])
async def test_5xx_burst_beyond_max_retries_raises_server_error_async(emulator, shape):
    llm = make_llm(emulator)
    emulator.queue_error(
        503, "The model is overloaded. Please try again later.", shape=shape, times=2
    )
    with pytest.raises(VertexServerError, match="UNAVAILABLE: The model is overloaded") as info:
        await llm.ainvoke("hi")
    assert isinstance(info.value, ModelAPIError)
    assert len(emulator.requests) == 2


# -- dropped connections -------------------------------------------------------------------


async def test_astream_dropped_mid_stream_raises_without_duplicating_or_finishing(emulator):
    llm = make_llm(emulator, max_retries=2)
    emulator.queue_disconnect(after_chunks=2)
    received = []
    with pytest.raises(VertexConnectionError, match="mid-stream after 2 chunks") as info:
        await collect(llm.astream(PROMPT), received)
    assert isinstance(info.value, ModelConnectionError)
    text = "".join(c.content for c in received)
    # What was handed on is a strict prefix of the answer: nothing repeated, nothing final.
    assert text
    assert ANSWER.startswith(text)
    assert len(text) < len(ANSWER)
    assert all(c.chunk_position != "last" for c in received)
    assert all(c.usage_metadata is None for c in received)
    assert all(c.response_metadata.get("finish_reason") is None for c in received)
    assert len(emulator.requests) == 1  # a half-read stream is never silently restarted


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_invoke_of_streaming_model_raises_instead_of_returning_partial_message(
    emulator, mode
):
    llm = make_llm(emulator, streaming=True, max_retries=2)
    emulator.queue_disconnect(after_chunks=2)

    async def call():
        return llm.invoke(PROMPT) if mode == "invoke" else await llm.ainvoke(PROMPT)

    with pytest.raises(VertexConnectionError, match="the answer is incomplete"):
        await call()
    assert len(emulator.requests) == 1
    # The model is usable afterwards and streams the whole answer.
    assert (await llm.ainvoke(PROMPT)).content == ANSWER


async def test_astream_dropped_before_the_first_chunk_is_a_connection_error(emulator):
    llm = make_llm(emulator)
    emulator.queue_disconnect(after_chunks=0)
    received = []
    with pytest.raises(VertexConnectionError, match="Connection to Vertex AI failed"):
        await collect(llm.astream(PROMPT), received)
    assert received == []


async def test_astream_ending_without_finish_reason_is_an_error_async(emulator):
    llm = make_llm(emulator)
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
    received = []
    with pytest.raises(VertexConnectionError, match="without a finish_reason"):
        await collect(llm.astream("hi"), received)
    assert all(c.chunk_position != "last" for c in received)


async def test_dropped_non_streaming_request_is_retried(emulator):
    llm = make_llm(emulator, max_retries=1)
    emulator.queue_disconnect()
    assert (await llm.ainvoke("Repeat exactly: again")).content == "again"
    assert len(emulator.requests) == 2
    emulator.queue_disconnect(times=2)
    with pytest.raises(VertexConnectionError, match="Connection to Vertex AI failed"):
        await llm.ainvoke("hi")
    assert len(emulator.requests) == 4


async def test_ainvoke_with_streaming_kwarg_streams(vertex_emulator):
    llm = make_llm(vertex_emulator, max_retries=2)
    vertex_emulator.queue_disconnect(after_chunks=2)
    with pytest.raises(VertexConnectionError, match="mid-stream"):
        await llm.ainvoke(PROMPT, streaming=True)
    body = vertex_emulator.last_request.body
    assert body.get("stream") is True
    assert "streaming" not in body


# -- slow server -------------------------------------------------------------------------


async def test_timeout_fires_async(emulator):
    llm = make_llm(emulator, timeout=0.2, max_retries=0)
    emulator.queue_delay(1.0)
    started = time.monotonic()
    with pytest.raises(VertexTimeoutError) as info:
        await llm.ainvoke("hi")
    assert isinstance(info.value, ModelTimeoutError)
    assert time.monotonic() - started < 0.9


def test_timeout_is_retried_then_raised(emulator):
    llm = make_llm(emulator, timeout=0.2, max_retries=1)
    emulator.queue_delay(1.0, times=2)
    with pytest.raises(VertexTimeoutError):
        llm.invoke("hi")
    assert len(emulator.requests) == 2


async def test_astream_times_out_before_headers(emulator):
    llm = make_llm(emulator, timeout=0.2, max_retries=0)
    emulator.queue_delay(1.0)
    with pytest.raises(VertexTimeoutError):
        await collect(llm.astream("hi"), [])


def test_per_call_timeout_overrides_the_default(emulator):
    llm = make_llm(emulator, max_retries=0)  # no model-level timeout
    emulator.queue_delay(1.0)
    started = time.monotonic()
    with pytest.raises(VertexTimeoutError):
        llm.invoke("hi", timeout=0.2)
    assert time.monotonic() - started < 0.9


# -- bodies that are not what they should be ---------------------------------------------


@pytest.mark.parametrize(
    "body",
    ['{"id": "x", "choices": [{"message": {"content": "hel', "upstream said no", ""],
    ids=["truncated", "text", "empty"],
)
def test_200_with_a_body_that_is_not_json_is_a_clear_error(emulator, body):
    llm = make_llm(emulator, max_retries=0)
    emulator.queue_raw(200, body)
    with pytest.raises(ModelError, match="JSON") as info:
        llm.invoke("hi")
    assert "Vertex AI" in str(info.value)
    assert body[:20] in str(info.value)


async def test_stream_event_that_is_not_json_is_a_clear_error(emulator):
    llm = make_llm(emulator, max_retries=0)
    emulator.queue_raw_sse(["upstream said no"], done=True)
    with pytest.raises(ModelError, match="JSON") as info:
        await collect(llm.astream("hi"), [])
    assert "upstream said no" in str(info.value)


def test_200_html_page_is_a_clear_error(emulator):
    llm = make_llm(emulator, max_retries=0)
    emulator.queue_raw(
        200, "<html><body>Sign in to the corporate proxy</body></html>", content_type="text/html"
    )
    with pytest.raises(VertexResponseError, match="Vertex AI answered 200 without choices") as info:
        llm.invoke("hi")
    assert "Sign in to the corporate proxy" in str(info.value)
    assert isinstance(info.value, ModelAPIError)


def test_html_404_for_a_wrong_url_is_readable_and_not_retried(emulator):
    wrong = emulator.base_url.replace("/v1/", "/v2/")
    llm = ChatVertexOpenAI(
        model="gemini-3.5-flash", base_url=wrong, credentials=emulator.credentials(), max_retries=2
    )
    with pytest.raises(VertexNotFoundError) as info:
        llm.invoke("hi")
    message = str(info.value)
    assert "HTTP 404" in message
    assert "was not found on this server" in message
    assert "base_url" in message  # the likely fix
    assert "<" not in message
    assert len(emulator.requests) == 1


def test_proxy_502_html_page_is_retried_then_summarised(emulator):
    llm = make_llm(emulator, max_retries=1)
    page = (
        "<html><head><title>502 Bad Gateway</title></head><body><center>"
        "<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
    )
    emulator.queue_raw(502, page, content_type="text/html")
    assert llm.invoke("Repeat exactly: recovered").content == "recovered"
    emulator.queue_raw(502, page, content_type="text/html")
    emulator.queue_raw(502, page, content_type="text/html")
    with pytest.raises(VertexServerError, match="HTTP 502") as info:
        llm.invoke("hi")
    assert "502 Bad Gateway" in str(info.value)
    assert "<" not in str(info.value)


def test_google_front_end_502_page_is_summarised_readably(emulator):
    llm = make_llm(emulator, max_retries=0)
    emulator.queue_raw(502, GOOGLE_502_PAGE, content_type="text/html; charset=UTF-8")
    with pytest.raises(VertexServerError) as info:
        llm.invoke("hi")
    message = str(info.value)
    assert "temporary error" in message
    assert "margin" not in message
    assert "{" not in message


# -- tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize("first_after_expiry", ["invoke", "stream", "ainvoke", "astream"])
async def test_token_expiring_mid_run_costs_one_refresh(emulator, first_after_expiry):
    llm = make_llm(emulator)
    assert llm.invoke("Repeat exactly: a").content == "a"
    assert emulator.tokens_issued == 1
    emulator.expire_all_tokens()  # the client still believes its token is valid

    async def call(kind, text):
        prompt = f"Repeat exactly: {text}"
        if kind == "invoke":
            return llm.invoke(prompt).content
        if kind == "stream":
            return merge_chunks(list(llm.stream(prompt))).content
        if kind == "ainvoke":
            return (await llm.ainvoke(prompt)).content
        chunks = []
        await collect(llm.astream(prompt), chunks)
        return merge_chunks(chunks).content

    kinds = [first_after_expiry, "invoke", "stream", "ainvoke", "astream"]
    results = [await call(kind, f"w{i}") for i, kind in enumerate(kinds)]
    assert results == [f"w{i}" for i in range(len(kinds))]
    assert emulator.tokens_issued == 2
    # One rejected attempt (401) then its retry; every later call goes straight through.
    assert len(emulator.requests) == 1 + 2 + (len(kinds) - 1)


def test_token_the_client_knows_is_stale_is_refreshed_before_sending(emulator):
    credentials = emulator.credentials()
    llm = make_llm(emulator, credentials=credentials)
    llm.invoke("hi")
    credentials.expiry -= datetime.timedelta(hours=2)  # past google-auth's threshold
    assert llm.invoke("Repeat exactly: fresh").content == "fresh"
    assert emulator.tokens_issued == 2
    assert len(emulator.requests) == 2  # no 401 round trip


def test_token_rejected_even_after_refresh_raises_authentication_error(emulator):
    llm = make_llm(emulator, max_retries=2)
    llm.invoke("hi")
    emulator.queue_error(401, times=2)
    with pytest.raises(VertexAuthenticationError, match="rejected even after a refresh"):
        llm.invoke("hi")
    assert emulator.tokens_issued == 2  # exactly one refresh for the rejected token
    assert len(emulator.requests) == 3  # 401s are not retried with backoff


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_failed_refresh_is_a_clear_auth_error_and_the_next_call_recovers(emulator, mode):
    credentials = emulator.credentials()
    attempts = counted(credentials)
    llm = make_llm(emulator, credentials=credentials, max_retries=2)
    emulator.fail_token_requests(times=1, status=400)  # not retryable (5xx are)

    async def call(prompt):
        return llm.invoke(prompt) if mode == "sync" else await llm.ainvoke(prompt)

    with pytest.raises(VertexAuthError) as info:
        await call("hi")
    message = str(info.value)
    assert isinstance(info.value, ModelAuthenticationError)
    assert "Refreshing Google credentials (EmulatorCredentials) failed" in message
    assert "400" in message
    assert "gcloud auth application-default login" in message
    assert len(attempts) == 1  # a failure google-auth does not call retryable is not retried
    assert emulator.requests == []  # nothing was sent without a token
    assert (await call("Repeat exactly: back")).content == "back"
    assert emulator.tokens_issued == 1


def test_failed_refresh_after_a_401_mid_run_then_recovery(emulator):
    llm = make_llm(emulator)
    llm.invoke("hi")
    emulator.expire_all_tokens()
    emulator.fail_token_requests(times=1, status=400)
    with pytest.raises(VertexAuthError, match="Refreshing Google credentials"):
        llm.invoke("hi")
    assert llm.invoke("Repeat exactly: back").content == "back"
    assert emulator.tokens_issued == 2


async def test_refresh_failing_every_time_fails_each_call_fast_and_sends_nothing(emulator):
    credentials = emulator.credentials()
    attempts = counted(credentials)
    llm = make_llm(emulator, credentials=credentials, max_retries=2)
    emulator.fail_token_requests(times=100, status=400)
    with pytest.raises(VertexAuthError):
        llm.invoke("hi")
    with pytest.raises(VertexAuthError):
        list(llm.stream("hi"))
    with pytest.raises(VertexAuthError):
        await llm.ainvoke("hi")
    with pytest.raises(VertexAuthError):
        await collect(llm.astream("hi"), [])
    results = await asyncio.gather(*(llm.ainvoke("hi") for _ in range(10)), return_exceptions=True)
    assert all(isinstance(r, VertexAuthError) for r in results)
    # One attempt per call at most (concurrent callers may share one), no retry storm.
    assert 4 < len(attempts) <= 4 + 10
    assert emulator.requests == []
    assert emulator.tokens_issued == 0
    emulator.reset()  # the token endpoint works again
    assert (await llm.ainvoke("Repeat exactly: up")).content == "up"
