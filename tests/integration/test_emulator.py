"""The Vertex emulator over real sockets: lifecycle, auth, routing, wire format, scripting.

Driven with the raw ``openai`` SDK and ``httpx2`` (never with the package's chat model), so
these tests pin down what a client can rely on from the emulator.
"""

from __future__ import annotations

import datetime
import json
import re
import threading
import time

import google.auth.transport.requests
import httpx2
import openai
import pytest
from google.auth import exceptions as ga_exceptions

from langchain_vertex_openai.testing import EmulatorCredentials, VertexEmulator
from tests.helpers import post_chat

HELLO = [{"role": "user", "content": "Hello there"}]
FLASH = "google/gemini-2.5-flash"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]


def sdk(emu: VertexEmulator, **kwargs) -> openai.OpenAI:
    return openai.OpenAI(base_url=emu.base_url, api_key=emu.issue_token(), max_retries=0, **kwargs)


def sse_payloads(text: str) -> list[str]:
    return [line[len("data: ") :] for line in text.split("\n") if line.startswith("data: ")]


def canonical(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


# -- lifecycle and entry points -----------------------------------------------------------


def test_urls_lifecycle_and_public_attributes():
    emu = VertexEmulator(project="p1", location="global")
    with pytest.raises(RuntimeError):
        _ = emu.base_url
    with emu:
        assert emu.port > 0
        assert emu.root_url == f"http://127.0.0.1:{emu.port}"
        assert emu.base_url == (
            f"http://127.0.0.1:{emu.port}/v1/projects/p1/locations/global/endpoints/openapi"
        )
        assert (emu.project, emu.location, emu.strict) == ("p1", "global", False)
        assert emu.last_request is None
        assert emu.requests == []
        port = emu.port
    with pytest.raises(httpx2.ConnectError):
        httpx2.post(f"http://127.0.0.1:{port}/token", timeout=2)


def test_pytest_plugin_fixtures(vertex_emulator, vertex_emulator_strict):
    assert vertex_emulator.strict is False
    assert vertex_emulator_strict.strict is True
    assert vertex_emulator.port != vertex_emulator_strict.port
    assert sdk(vertex_emulator).chat.completions.create(model=FLASH, messages=HELLO).choices


# -- auth (§2) ------------------------------------------------------------------------------


def test_missing_credentials_is_401(vertex_emulator):
    response = httpx2.post(f"{vertex_emulator.base_url}/chat/completions", json={}, timeout=5)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["status"] == "UNAUTHENTICATED"
    assert error["code"] == 401


def test_unknown_or_expired_token_is_401_with_notes_wording(vertex_emulator):
    body = {"model": FLASH, "messages": HELLO}
    for token in ("ya29.not-issued-here",):
        response = post_chat(vertex_emulator, body, token=token)
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["message"] == (
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential."
        )
        assert error["details"][0]["reason"] == "ACCESS_TOKEN_TYPE_UNSUPPORTED"
    token = vertex_emulator.issue_token()
    assert post_chat(vertex_emulator, body, token=token).status_code == 200
    vertex_emulator.expire_all_tokens()
    client = openai.OpenAI(base_url=vertex_emulator.base_url, api_key=token, max_retries=0)
    with client, pytest.raises(openai.AuthenticationError) as info:
        client.chat.completions.create(model=FLASH, messages=HELLO)
    assert info.value.body["status"] == "UNAUTHENTICATED"
    assert post_chat(vertex_emulator, body).status_code == 200  # a fresh token works again


def test_api_key_is_refused(vertex_emulator):
    client = openai.OpenAI(
        base_url=vertex_emulator.base_url, api_key="AIzaSyFakeKey123", max_retries=0
    )
    with client, pytest.raises(openai.AuthenticationError) as info:
        client.chat.completions.create(model=FLASH, messages=HELLO)
    assert info.value.body["message"].startswith(
        "API keys are not supported by this API. Expected OAuth2 access token"
    )


def test_credentials_refresh_through_google_auth(vertex_emulator):
    creds = vertex_emulator.credentials(quota_project_id="billing-project")
    assert isinstance(creds, EmulatorCredentials)
    assert not creds.valid
    assert vertex_emulator.tokens_issued == 0
    creds.refresh(google.auth.transport.requests.Request())
    assert creds.valid
    assert creds.token.startswith("ya29.emu-")
    assert creds.expiry.tzinfo is None
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    assert 3500 < (creds.expiry - now).total_seconds() <= 3600
    assert vertex_emulator.tokens_issued == 1
    headers: dict[str, str] = {}
    creds.apply(headers)
    assert headers["x-goog-user-project"] == "billing-project"
    client = openai.OpenAI(
        base_url=vertex_emulator.base_url,
        api_key=creds.token,
        default_headers={"x-goog-user-project": "billing-project"},
        max_retries=0,
    )
    client.chat.completions.create(model=FLASH, messages=HELLO)
    recorded = vertex_emulator.last_request
    assert recorded.headers["x-goog-user-project"] == "billing-project"
    assert recorded.headers["authorization"] == f"Bearer {creds.token}"
    other = creds.with_quota_project("other")
    assert other.quota_project_id == "other" and not other.valid


def test_tokens_are_random_and_short_lifetimes_are_not_valid():
    with VertexEmulator(token_lifetime=120) as emu:
        creds = emu.credentials()
        creds.refresh(google.auth.transport.requests.Request())
        # google-auth treats tokens as expired 3 min 45 s early (§2).
        assert creds.token and not creds.valid
        assert emu.issue_token() != emu.issue_token()


def test_token_endpoint_fault_then_success(vertex_emulator):
    vertex_emulator.fail_token_requests(times=1)
    creds = vertex_emulator.credentials()
    request = google.auth.transport.requests.Request()
    with pytest.raises(ga_exceptions.RefreshError):
        creds.refresh(request)
    assert vertex_emulator.tokens_issued == 0
    creds.refresh(request)
    assert creds.valid and vertex_emulator.tokens_issued == 1
    assert vertex_emulator.requests == []  # the token endpoint is not recorded


# -- routing and model ids (§1) -------------------------------------------------------------


def test_unknown_paths_get_the_html_404(vertex_emulator):
    emu = vertex_emulator
    token = emu.issue_token()
    for url in (
        f"{emu.root_url}/v1/projects/{emu.project}/locations/global/endpoints/openapi/completions",
        f"{emu.root_url}/v1beta/openai/chat/completions",
        f"{emu.root_url}/chat/completions",
    ):
        response = post_chat(emu, {"model": FLASH, "messages": HELLO}, token=token, url=url)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "That\u2019s an error." in response.text
    response = httpx2.get(f"{emu.base_url}/chat/completions", timeout=5)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_v1beta1_and_self_deployed_endpoints(vertex_emulator):
    emu = vertex_emulator
    beta = emu.base_url.replace("/v1/", "/v1beta1/") + "/chat/completions"
    assert post_chat(emu, {"model": FLASH, "messages": HELLO}, url=beta).status_code == 200
    deployed = emu.base_url.replace("/openapi", "/1234567890") + "/chat/completions"
    response = post_chat(emu, {"model": "my-own-llama", "messages": HELLO}, url=deployed)
    assert response.status_code == 200
    assert response.json()["model"] == "my-own-llama"


def test_wrong_project_or_location(vertex_emulator):
    emu = vertex_emulator
    url = emu.base_url.replace(f"projects/{emu.project}", "projects/someone-else")
    response = post_chat(emu, {"model": FLASH, "messages": HELLO}, url=url + "/chat/completions")
    assert response.status_code == 403
    assert response.json()["error"]["status"] == "PERMISSION_DENIED"
    url = emu.base_url.replace("locations/global", "locations/us-central1")
    response = post_chat(emu, {"model": FLASH, "messages": HELLO}, url=url + "/chat/completions")
    assert response.status_code == 404
    assert "was not found or your project does not have access to it." in response.text


@pytest.mark.parametrize(
    ("model", "status", "fragment"),
    [
        ("gemini-2.5-flash", 400, "Malformed publisher model name: expected format"),
        ("google/gemini-9-ultra", 404, "publishers/google/models/gemini-9-ultra was not found"),
        ("anthropic/claude-sonnet-4", 404, "was not found"),
        ("meta/llama-3.3-70b-instruct-maas", 200, ""),
        ("deepseek-ai/deepseek-v3.2-maas", 200, ""),
        ("qwen/some-new-model-maas", 200, ""),
        ("google/gemini-3.1-pro-preview", 200, ""),
    ],
)
def test_model_id_rules(vertex_emulator, model, status, fragment):
    response = post_chat(vertex_emulator, {"model": model, "messages": HELLO})
    assert response.status_code == status, response.text
    if status != 200:
        assert fragment in response.json()["error"]["message"]
    else:
        assert response.json()["model"] == model


@pytest.mark.parametrize(
    ("location", "model", "status"),
    [
        ("us-central1", "google/gemini-3.8-flash", 404),
        ("us-central1", "google/gemini-2.5-flash", 200),
        ("us", "google/gemini-3.8-flash", 200),
        ("eu", "google/gemini-3.1-pro-preview", 404),
    ],
)
def test_gemini3_location_rules(location, model, status):
    with VertexEmulator(location=location) as emu:
        response = post_chat(emu, {"model": model, "messages": HELLO})
        assert response.status_code == status
        if status == 404:
            assert response.json()["error"]["message"] == (
                f"Publisher Model projects/{emu.project}/locations/{location}/publishers/google"
                f"/models/{model.split('/')[1]} was not found or your project does not have "
                "access to it."
            )


# -- wire format (§7) and usage (§5) --------------------------------------------------------


def test_non_streaming_wire_format(vertex_emulator):
    response = post_chat(vertex_emulator, {"model": FLASH, "messages": HELLO})
    assert response.headers["content-type"].startswith("application/json")
    assert "content-length" in response.headers
    body = response.json()
    assert response.text == canonical(body)  # compact, sorted keys
    assert 20 <= len(body["id"]) <= 24 and not body["id"].startswith("chatcmpl")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", body["id"])
    assert body["object"] == "chat.completion"
    assert body["model"] == FLASH
    assert body["system_fingerprint"] == ""
    assert isinstance(body["created"], int)
    choice = body["choices"][0]
    assert choice["logprobs"] is None
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    assert choice["message"]["content"] == f"Emulated reply from {FLASH}: Hello there"
    # docs/vertex-facts.md §6: Gemini 2.5 signs no part of an answer without function calls.
    assert "extra_content" not in choice["message"]


def test_streaming_wire_format(vertex_emulator):
    body = {"model": FLASH, "messages": [{"role": "user", "content": "Tell me a long story"}]}
    response = post_chat(vertex_emulator, {**body, "stream": True})
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["transfer-encoding"] == "chunked"
    payloads = sse_payloads(response.text)
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert 3 <= len(chunks) <= 5
    for raw, chunk in zip(payloads, chunks, strict=False):
        assert raw == canonical(chunk)
        assert chunk["object"] == "chat.completion.chunk"
        assert chunk["choices"][0]["delta"]["role"] == "assistant"
        # §7: every chunk of Google's Vertex examples carries both.
        assert chunk["system_fingerprint"] == ""
        assert chunk["choices"][0]["logprobs"] is None
    for chunk in chunks[:-1]:
        assert "finish_reason" not in chunk["choices"][0]
        assert "usage" not in chunk
    final = chunks[-1]
    assert final["choices"][0]["finish_reason"] == "stop"
    assert final["usage"]["total_tokens"] > 0
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == f"Emulated reply from {FLASH}: Tell me a long story"


def test_usage_vertex_style(vertex_emulator):
    usage = post_chat(vertex_emulator, {"model": FLASH, "messages": HELLO}).json()["usage"]
    reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
    assert reasoning > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] + reasoning
    assert usage["extra_properties"] == {"google": {"traffic_type": "ON_DEMAND"}}
    off = post_chat(
        vertex_emulator, {"model": FLASH, "messages": HELLO, "reasoning_effort": "none"}
    ).json()["usage"]
    assert "completion_tokens_details" not in off
    assert off["total_tokens"] == off["prompt_tokens"] + off["completion_tokens"]
    partner = post_chat(
        vertex_emulator, {"model": "meta/llama-3.3-70b-instruct-maas", "messages": HELLO}
    ).json()
    assert "completion_tokens_details" not in partner["usage"]
    assert "extra_content" not in partner["choices"][0]["message"]


def test_usage_gemini_api_style():
    with VertexEmulator(usage_style="gemini_api") as emu:
        usage = post_chat(emu, {"model": FLASH, "messages": HELLO}).json()["usage"]
        assert set(usage) == {"prompt_tokens", "completion_tokens", "total_tokens"}
        assert usage["total_tokens"] > usage["prompt_tokens"] + usage["completion_tokens"]


def test_usage_is_deterministic(vertex_emulator):
    first = post_chat(vertex_emulator, {"model": FLASH, "messages": HELLO}).json()["usage"]
    second = post_chat(vertex_emulator, {"model": FLASH, "messages": HELLO}).json()["usage"]
    assert first == second


@pytest.mark.parametrize(
    ("style", "pattern"),
    [("function_name", r"get_weather"), ("empty", r""), ("numeric", r"function-call-\d+")],
)
def test_streamed_tool_calls_without_index_and_id_styles(style, pattern):
    with VertexEmulator(tool_call_id_style=style) as emu:
        messages = [
            {"role": "user", "content": "get_weather for 'Paris' and get_weather for 'London'"}
        ]
        body = {"model": FLASH, "messages": messages, "tools": TOOLS}
        chunks = [
            json.loads(p) for p in sse_payloads(post_chat(emu, {**body, "stream": True}).text)[:-1]
        ]
        assert len(chunks) == 1  # the calls, finish and usage in one chunk
        choice = chunks[0]["choices"][0]
        calls = choice["delta"]["tool_calls"]
        assert [json.loads(c["function"]["arguments"]) for c in calls] == [
            {"city": "Paris"},
            {"city": "London"},
        ]
        for call in calls:
            assert "index" not in call
            assert re.fullmatch(pattern, call["id"])
        assert choice["finish_reason"] == "tool_calls"  # §7: Google's stream example
        assert "usage" in chunks[0]
        assert "thought_signature" in calls[0]["extra_content"]["google"]
        assert "extra_content" not in calls[1]  # only the first parallel call carries one
        plain = post_chat(emu, body).json()["choices"][0]
        assert plain["finish_reason"] == "tool_calls"
        assert "content" not in plain["message"]


def test_gemini3_streamed_tool_turn_ends_on_the_call_with_tool_calls_and_usage(vertex_emulator):
    # docs/vertex-facts.md §7: Google's Vertex stream example: finish_reason "tool_calls" and
    # usage on the last fragment, no trailing empty chunk, logprobs/system_fingerprint on all.
    messages = [{"role": "user", "content": "please use get_weather for 'Rome'"}]
    body = {"model": "google/gemini-3.8-flash", "messages": messages, "tools": TOOLS}
    for extra in ({}, {"extra_body": {"google": {"stream_function_call_arguments": True}}}):
        payloads = sse_payloads(post_chat(vertex_emulator, {**body, **extra, "stream": True}).text)
        chunks = [json.loads(p) for p in payloads[:-1]]
        last = chunks[-1]
        assert last["choices"][0]["finish_reason"] == "tool_calls"
        assert last["choices"][0]["delta"]["tool_calls"][0]["function"]["name"] == "get_weather"
        assert last["usage"]["total_tokens"] > 0
        for chunk in chunks[:-1]:
            assert "finish_reason" not in chunk["choices"][0]
            assert "usage" not in chunk
        for chunk in chunks:
            assert chunk["system_fingerprint"] == ""
            assert chunk["choices"][0]["logprobs"] is None
            assert chunk["choices"][0]["delta"].get("content") != ""


def test_recorded_stop_variant_of_a_streamed_tool_turn_is_selectable():
    # §7: third-party recordings end tool turns with "stop" and a trailing empty chunk.
    messages = [{"role": "user", "content": "please use get_weather for 'Rome'"}]
    body = {"model": "google/gemini-3.8-flash", "messages": messages, "tools": TOOLS}
    with VertexEmulator(tool_stream_finish="stop") as emu:
        payloads = sse_payloads(post_chat(emu, {**body, "stream": True}).text)
        chunks = [json.loads(p) for p in payloads[:-1]]
        assert len(chunks) == 2
        assert "finish_reason" not in chunks[0]["choices"][0]
        assert chunks[1]["choices"][0] == {
            "delta": {"content": "", "role": "assistant"},
            "finish_reason": "stop",
            "index": 0,
            "logprobs": None,
        }
        assert "usage" in chunks[1]
        assert post_chat(emu, body).json()["choices"][0]["finish_reason"] == "tool_calls"


def test_sdk_stream_iterates_with_index_none(vertex_emulator):
    client = sdk(vertex_emulator)
    stream = client.chat.completions.create(
        model=FLASH,
        messages=[{"role": "user", "content": "use get_weather for 'Oslo'"}],
        tools=TOOLS,
        stream=True,
    )
    calls = [c for chunk in stream for c in (chunk.choices[0].delta.tool_calls or [])]
    assert len(calls) == 1 and calls[0].index is None
    assert calls[0].model_extra["extra_content"]["google"]["thought_signature"]


# -- scripting --------------------------------------------------------------------------------


def test_queue_reply_text_and_tool_calls(vertex_emulator):
    emu = vertex_emulator
    emu.queue_reply("scripted", usage={"prompt_tokens": 1}, message_extra_content={"x": 1})
    body = post_chat(emu, {"model": FLASH, "messages": HELLO}).json()
    assert body["choices"][0]["message"]["content"] == "scripted"
    assert body["choices"][0]["message"]["extra_content"]["x"] == 1
    assert body["usage"] == {"prompt_tokens": 1}
    emu.queue_reply(
        tool_calls=[
            {"name": "get_weather", "arguments": {"city": "Nice"}, "id": "call-1"},
            {"name": "get_weather", "arguments": '{"city": "Lyon"}'},
        ],
        finish_reason="stop",
        reasoning_tokens=7,
    )
    body = post_chat(emu, {"model": FLASH, "messages": HELLO, "tools": TOOLS}).json()
    calls = body["choices"][0]["message"]["tool_calls"]
    assert calls[0]["id"] == "call-1" and calls[1]["id"] == "get_weather"
    assert calls[0]["function"]["arguments"] == '{"city":"Nice"}'
    assert calls[1]["function"]["arguments"] == '{"city": "Lyon"}'
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"]["completion_tokens_details"] == {"reasoning_tokens": 7}
    emu.queue_reply(tool_calls=[{"name": "f", "arguments": {}, "thought_signature": "c2lnbg=="}])
    call = post_chat(emu, {"model": FLASH, "messages": HELLO}).json()["choices"][0]["message"]
    assert call["tool_calls"][0]["extra_content"]["google"]["thought_signature"] == "c2lnbg=="
    assert emu.signature_issued("c2lnbg==")
    assert emu.pending == 0


def test_queue_reply_is_streamed_when_requested(vertex_emulator):
    vertex_emulator.queue_reply("one two three four five six")
    stream = sdk(vertex_emulator).chat.completions.create(model=FLASH, messages=HELLO, stream=True)
    chunks = list(stream)
    assert len(chunks) > 1
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == (
        "one two three four five six"
    )


def test_queue_raw_sse(vertex_emulator):
    vertex_emulator.queue_raw_sse(
        [{"choices": [{"delta": {"content": "hi", "role": "assistant"}, "index": 0}]}, ": ping"],
        done=False,
    )
    response = post_chat(vertex_emulator, {"model": FLASH, "messages": HELLO, "stream": True})
    assert response.text == (
        'data: {"choices":[{"delta":{"content":"hi","role":"assistant"},"index":0}]}\n\n: ping\n\n'
    )


def test_queue_raw(vertex_emulator):
    vertex_emulator.queue_raw(502, "<html>bad gateway</html>", content_type="text/html")
    vertex_emulator.queue_raw(200, {"b": 1, "a": 2}, headers={"x-test": "yes"})
    first = post_chat(vertex_emulator, {"model": FLASH, "messages": HELLO})
    assert (first.status_code, first.text) == (502, "<html>bad gateway</html>")
    second = post_chat(vertex_emulator, {"model": FLASH, "messages": HELLO})
    assert second.text == '{"a":2,"b":1}' and second.headers["x-test"] == "yes"


def test_queue_error_shapes_and_defaults(vertex_emulator):
    emu = vertex_emulator
    client = sdk(emu)
    emu.queue_error(429, retry_after=2)
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(model=FLASH, messages=HELLO)
    assert info.value.response.headers["retry-after"] == "2"
    assert info.value.body["status"] == "RESOURCE_EXHAUSTED"
    assert info.value.body["message"].startswith("Resource exhausted. Please try again later.")
    emu.queue_error(400, "bad thing", shape="list")
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model=FLASH, messages=HELLO)
    assert info.value.body == [
        {"error": {"code": 400, "message": "bad thing", "status": "INVALID_ARGUMENT"}}
    ]
    expected = {
        403: (openai.PermissionDeniedError, "PERMISSION_DENIED"),
        404: (openai.NotFoundError, "NOT_FOUND"),
        500: (openai.InternalServerError, "INTERNAL"),
        503: (openai.InternalServerError, "UNAVAILABLE"),
    }
    for status, (exc, google_status) in expected.items():
        emu.queue_error(status)
        with pytest.raises(exc) as info:
            client.chat.completions.create(model=FLASH, messages=HELLO)
        assert info.value.body["status"] == google_status
        assert info.value.body["message"]
    emu.queue_error(503, times=2)
    assert post_chat(emu, {"model": FLASH, "messages": HELLO}).status_code == 503
    assert post_chat(emu, {"model": FLASH, "messages": HELLO}).status_code == 503
    assert post_chat(emu, {"model": FLASH, "messages": HELLO}).status_code == 200


def test_queue_delay_makes_the_client_time_out(vertex_emulator):
    vertex_emulator.queue_delay(0.6)
    client = sdk(vertex_emulator, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model=FLASH, messages=HELLO)
    assert time.monotonic() - started < 0.6
    assert client.chat.completions.create(model=FLASH, messages=HELLO).choices


def test_disconnect_mid_stream_raises_while_iterating(vertex_emulator):
    vertex_emulator.queue_disconnect(after_chunks=1)
    stream = sdk(vertex_emulator).chat.completions.create(
        model=FLASH, messages=[{"role": "user", "content": "a b c d e f g h"}], stream=True
    )
    received = []

    def consume() -> None:
        for chunk in stream:
            received.append(chunk)

    with pytest.raises((openai.APIConnectionError, httpx2.RemoteProtocolError)):
        consume()
    assert len(received) == 1


def test_disconnect_without_streaming(vertex_emulator):
    vertex_emulator.queue_disconnect()
    with pytest.raises(openai.APIConnectionError):
        sdk(vertex_emulator).chat.completions.create(model=FLASH, messages=HELLO)


def test_recorded_requests_and_reset(vertex_emulator):
    emu = vertex_emulator
    post_chat(emu, {"model": FLASH, "messages": HELLO}, headers={"X-Custom": "Value"})
    post_chat(emu, b"not json")
    first, second = emu.requests
    assert first.method == "POST"
    assert first.path.endswith("/endpoints/openapi/chat/completions")
    assert first.headers["x-custom"] == "Value"
    assert first.body == {"model": FLASH, "messages": HELLO}
    assert second.body is None and second.raw == b"not json"
    assert emu.last_request == second
    emu.queue_error(500)
    emu.reset()
    assert emu.requests == [] and emu.last_request is None and emu.pending == 0
    assert post_chat(emu, {"model": FLASH, "messages": HELLO}).status_code == 200


def test_many_concurrent_connections(vertex_emulator):
    token = vertex_emulator.issue_token()
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        response = post_chat(vertex_emulator, {"model": FLASH, "messages": HELLO}, token=token)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=worker) for _ in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 60
    assert len(vertex_emulator.requests) == 60


def test_keep_alive_connection_is_reused(vertex_emulator):
    with httpx2.Client(headers={"authorization": f"Bearer {vertex_emulator.issue_token()}"}) as c:
        for _ in range(3):
            response = c.post(
                f"{vertex_emulator.base_url}/chat/completions",
                json={"model": FLASH, "messages": HELLO, "stream": True},
            )
            assert response.status_code == 200
            assert sse_payloads(response.text)[-1] == "[DONE]"


def test_partner_model_chunks_carry_pipe_delimited_id_and_created(vertex_emulator):
    # docs/vertex-facts.md §12: Google's MaaS examples carry id, created, system_fingerprint
    # and logprobs on every chunk; ids are pipe-delimited.
    body = {"model": "meta/llama-3.3-70b-instruct-maas", "messages": HELLO, "stream": True}
    payloads = sse_payloads(post_chat(vertex_emulator, body).text)
    assert payloads[-1] == "[DONE]"
    chunks = list(map(json.loads, payloads[:-1]))
    assert len({chunk["id"] for chunk in chunks}) == 1
    for chunk in chunks:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\|[\d:.]+[+-]\d{2}\|[\d.]+\|-\d+", chunk["id"])
        assert isinstance(chunk["created"], int)
        assert chunk["system_fingerprint"] == ""
        assert chunk["choices"][0]["logprobs"] is None
        assert chunk["model"] == "meta/llama-3.3-70b-instruct-maas"
    plain = post_chat(vertex_emulator, {**body, "stream": False}).json()
    assert plain["id"].count("|") == 3
