"""The emulator's validation rules: strict-only refusals and what Gemini always refuses."""

from __future__ import annotations

import base64
import json

import httpx2
import pytest

from langchain_vertex_openai.testing import VertexEmulator
from tests.helpers import post_chat

FLASH = "google/gemini-2.5-flash"
G3 = "google/gemini-3.8-flash"
HELLO = [{"role": "user", "content": "Hello"}]
WEATHER = {
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
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()


def error_of(response: httpx2.Response, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == status
    return error


def ok(response: httpx2.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


# -- strict mode: fields Vertex silently ignores (§3) ----------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("stream_options", {"include_usage": True}),
        ("logprobs", True),
        ("parallel_tool_calls", False),
        ("user", "u-1"),
        ("metadata", {"k": "v"}),
        ("store", False),
        ("service_tier", "auto"),
        ("logit_bias", {"50256": -100}),
        ("top_logprobs", 2),
        ("google", {"thinking_config": {"include_thoughts": True}}),
    ],
)
def test_ignored_top_level_fields(vertex_emulator, vertex_emulator_strict, field, value):
    body = {"model": FLASH, "messages": HELLO, field: value}
    ok(post_chat(vertex_emulator, body))
    error = error_of(post_chat(vertex_emulator_strict, body))
    message = f'Invalid JSON payload received. Unknown name "{field}": Cannot find field.'
    assert error["message"] == message
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["details"][0]["fieldViolations"] == [{"description": message}]


def test_several_unknown_fields_are_all_listed(vertex_emulator_strict):
    body = {"model": FLASH, "messages": HELLO, "user": "u", "store": True}
    message = error_of(post_chat(vertex_emulator_strict, body))["message"]
    assert message.splitlines() == [
        'Invalid JSON payload received. Unknown name "user": Cannot find field.',
        'Invalid JSON payload received. Unknown name "store": Cannot find field.',
    ]


@pytest.mark.parametrize(
    ("patch", "name", "where"),
    [
        (
            {"tools": [{**WEATHER, "function": {**WEATHER["function"], "strict": True}}]},
            "strict",
            "tools[0].function",
        ),
        ({"extra_body": {"google": {"labels": {"a": "b"}}}}, "labels", "extra_body.google"),
        ({"extra_body": {"vertex": {}}}, "vertex", "extra_body"),
        (
            {"extra_body": {"google": {"thinking_config": {"thinking_effort": 1}}}},
            "thinking_effort",
            "extra_body.google.thinking_config",
        ),
        (
            {"messages": [{"role": "user", "content": "hi", "refusal": None}]},
            "refusal",
            "messages[0]",
        ),
        (
            {
                "messages": [
                    {
                        "role": "user",
                        "content": "hi",
                        "extra_content": {"vertex": {"thought": True}},
                    }
                ]
            },
            "vertex",
            "messages[0].extra_content",
        ),
        (
            {"web_search_options": {"search_context_size": "low"}},
            "search_context_size",
            "web_search_options",
        ),
    ],
)
def test_nested_unknown_fields(vertex_emulator, vertex_emulator_strict, patch, name, where):
    body = {"model": FLASH, "messages": HELLO, **patch}
    ok(post_chat(vertex_emulator, body))
    error = error_of(post_chat(vertex_emulator_strict, body))
    assert error["message"] == (
        f"Invalid JSON payload received. Unknown name \"{name}\" at '{where}': Cannot find field."
    )


def test_documented_fields_pass_strict_mode(vertex_emulator_strict):
    body = {
        "model": FLASH,
        "messages": [{"role": "system", "content": "Be brief."}, *HELLO],
        "max_tokens": 500,
        "max_completion_tokens": 500,
        "n": 1,
        "frequency_penalty": 0.1,
        "presence_penalty": 0.1,
        "reasoning_effort": "low",
        "response_format": {"type": "text"},
        "seed": 7,
        "stop": ["\n\n\n"],
        "stream": False,
        "temperature": 0.2,
        "top_p": 0.9,
        "tools": [WEATHER],
        "tool_choice": "none",
        "modalities": ["text"],
        "web_search_options": {},
        "extra_body": {
            "google": {
                "thought_tag_marker": "think",
                "safety_settings": [
                    {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_ONLY_HIGH"}
                ],
                "media_resolution": "MEDIA_RESOLUTION_LOW",
            }
        },
    }
    ok(post_chat(vertex_emulator_strict, body))


def test_developer_role_and_thinking_budget_on_gemini3_are_strict_only(
    vertex_emulator, vertex_emulator_strict
):
    developer = {"model": FLASH, "messages": [{"role": "developer", "content": "x"}, *HELLO]}
    ok(post_chat(vertex_emulator, developer))
    assert "messages[0].role" in error_of(post_chat(vertex_emulator_strict, developer))["message"]
    budget = {
        "model": G3,
        "messages": HELLO,
        "extra_body": {"google": {"thinking_config": {"thinking_budget": 1024}}},
    }
    ok(post_chat(vertex_emulator, budget))
    assert "thinking_budget" in error_of(post_chat(vertex_emulator_strict, budget))["message"]


# -- always refused ---------------------------------------------------------------------------


@pytest.fixture(params=[False, True], ids=["default", "strict"])
def emu(request):
    with VertexEmulator(strict=request.param) as emulator:
        yield emulator


def test_malformed_bodies(emu):
    error = error_of(post_chat(emu, b"{not json"))
    assert error["message"].startswith("Invalid JSON payload received.")
    error = error_of(post_chat(emu, b"[1, 2]"))
    assert "Root element must be a message" in error["message"]
    error = error_of(post_chat(emu, {"model": FLASH, "messages": HELLO, "stream": "yes"}))
    assert error["message"] == "Invalid value at 'stream' (TYPE_BOOL), \"yes\""
    error = error_of(post_chat(emu, {"model": FLASH, "messages": HELLO, "temperature": 3}))
    assert "temperature value of 3" in error["message"]
    error_of(post_chat(emu, {"model": FLASH, "messages": []}))


def test_n_greater_than_one(emu):
    error = error_of(post_chat(emu, {"model": G3, "messages": HELLO, "n": 2}))
    assert error["message"] == "Multiple candidates is not enabled for this model"
    body = ok(post_chat(emu, {"model": FLASH, "messages": HELLO, "n": 2}))
    assert [c["index"] for c in body["choices"]] == [0, 1]


@pytest.mark.parametrize(
    ("model", "patch", "fragment"),
    [
        (
            FLASH,
            {"reasoning_effort": "low", "extra_body": {"google": {"thinking_config": {}}}},
            "Only one of reasoning_effort and extra_body.google.thinking_config",
        ),
        (
            G3,
            {
                "extra_body": {
                    "google": {"thinking_config": {"thinking_budget": 10, "thinking_level": "low"}}
                }
            },
            "You can only set only one of thinking budget and thinking level.",
        ),
        (
            FLASH,
            {"extra_body": {"google": {"thinking_config": {"thinking_level": "low"}}}},
            "Thinking level is not supported for this model.",
        ),
        (G3, {"reasoning_effort": "minimal"}, "Thinking level 'minimal' is not supported"),
        (G3, {"reasoning_effort": "none"}, "Thinking level 'none' is not supported"),
        (
            "google/gemini-2.5-pro",
            {"reasoning_effort": "none"},
            "Budget 0 is invalid. This model only works in thinking mode.",
        ),
        (FLASH, {"reasoning_effort": "extreme"}, "Invalid value at 'reasoning_effort'"),
    ],
)
def test_thinking_conflicts(emu, model, patch, fragment):
    error = error_of(post_chat(emu, {"model": model, "messages": HELLO, **patch}))
    assert fragment in error["message"]


def test_thinking_levels_per_model(emu):
    ok(
        post_chat(
            emu,
            {"model": "google/gemini-3.5-flash", "messages": HELLO, "reasoning_effort": "minimal"},
        )
    )
    ok(post_chat(emu, {"model": G3, "messages": HELLO, "reasoning_effort": "high"}))


@pytest.mark.parametrize(
    ("schema", "keyword", "path"),
    [
        (
            {"type": "object", "properties": {}, "additionalProperties": False},
            "additionalProperties",
            "",
        ),
        (
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {},
            },
            "$schema",
            "",
        ),
        ({"type": "object", "properties": {"x": {"const": "a"}}}, "const", ".properties[0].value"),
        (
            {"type": "object", "properties": {"n": {"type": "integer", "exclusiveMinimum": 0}}},
            "exclusiveMinimum",
            ".properties[0].value",
        ),
        (
            {"type": "object", "properties": {"n": {"type": "number", "exclusiveMaximum": 9}}},
            "exclusiveMaximum",
            ".properties[0].value",
        ),
        (
            {
                "type": "object",
                "properties": {
                    "m": {"type": "object", "properties": {}, "propertyNames": {"pattern": "^a"}}
                },
            },
            "propertyNames",
            ".properties[0].value",
        ),
        (
            {
                "type": "object",
                "properties": {
                    "a": {"type": "string"},
                    "b": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {},
                            "additionalProperties": False,
                        },
                    },
                },
            },
            "additionalProperties",
            ".properties[1].value.items",
        ),
    ],
)
def test_tool_schema_keywords_are_refused(emu, schema, keyword, path):
    tool = {"type": "function", "function": {"name": "f", "parameters": schema}}
    other = {
        "type": "function",
        "function": {"name": "g", "parameters": {"type": "object", "properties": {}}},
    }
    error = error_of(post_chat(emu, {"model": FLASH, "messages": HELLO, "tools": [other, tool]}))
    assert error["message"] == (
        f'Invalid JSON payload received. Unknown name "{keyword}" at '
        f"'tools[0].function_declarations[1].parameters{path}': Cannot find field."
    )


def test_tool_schema_shape_rules(emu):
    def send(function):
        return post_chat(
            emu,
            {
                "model": FLASH,
                "messages": HELLO,
                "tools": [{"type": "function", "function": function}],
            },
        )

    error = error_of(send({"name": "f", "parameters": {"type": "string"}}))
    assert (
        "`f` functionDeclaration `parameters` schema should be of type `OBJECT`"
        in (error["message"])
    )
    error_of(send({"name": "f", "parameters": {"type": "object"}}))
    error = error_of(
        send({"name": "bad name!", "parameters": {"type": "object", "properties": {}}})
    )
    assert error["message"].startswith("Invalid function name.")
    ok(send({"name": "no_params"}))
    ok(send({"name": "empty", "parameters": {"type": "object", "properties": {}}}))
    tools = [WEATHER, WEATHER]
    error = error_of(post_chat(emu, {"model": FLASH, "messages": HELLO, "tools": tools}))
    assert error["message"] == "Duplicate function declaration found: get_weather"
    named = {"type": "function", "function": {"name": "other"}}
    error_of(
        post_chat(
            emu, {"model": FLASH, "messages": HELLO, "tools": [WEATHER], "tool_choice": named}
        )
    )


def test_partner_models_skip_gemini_schema_rules(emu):
    schema = {"type": "object", "properties": {}, "additionalProperties": False}
    tool = {"type": "function", "function": {"name": "f", "parameters": schema}}
    ok(
        post_chat(
            emu, {"model": "meta/llama-3.3-70b-instruct-maas", "messages": HELLO, "tools": [tool]}
        )
    )


def test_conversation_ending_with_assistant_turn(emu):
    messages = [*HELLO, {"role": "assistant", "content": "Sure"}]
    error = error_of(post_chat(emu, {"model": G3, "messages": messages}))
    assert error["message"] == "Requests ending with a model turn are not supported."
    ok(post_chat(emu, {"model": FLASH, "messages": messages}))


@pytest.mark.parametrize("content", [None, "", [], [{"type": "text", "text": ""}]])
def test_empty_content_is_refused(emu, content):
    messages = [{"role": "user", "content": content}]
    error = error_of(post_chat(emu, {"model": FLASH, "messages": messages}))
    assert "must include at least one parts field" in error["message"]


@pytest.mark.parametrize(
    ("part", "fragment"),
    [
        ({"type": "file", "file": {"file_id": "x"}}, "supported content part types"),
        ({"type": "image_url", "image_url": {"url": "data:image/png,abc"}}, "Invalid data URI"),
        ({"type": "image_url", "image_url": {"url": "data:;base64,AAAA"}}, "Invalid data URI"),
        (
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,@@@"}},
            "Base64 decoding failed",
        ),
        ({"type": "image_url", "image_url": {"url": "file:///etc/passwd"}}, "Invalid URL"),
        ({"type": "input_audio", "input_audio": {"data": PNG}}, "both 'data' and 'format'"),
        (
            {"type": "input_audio", "input_audio": {"data": "%%%", "format": "wav"}},
            "Base64 decoding failed",
        ),
    ],
)
def test_bad_content_parts(emu, part, fragment):
    messages = [{"role": "user", "content": [{"type": "text", "text": "look"}, part]}]
    assert fragment in error_of(post_chat(emu, {"model": FLASH, "messages": messages}))["message"]


def test_good_content_parts(emu):
    content = [
        {"type": "text", "text": "Describe"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        {"type": "image_url", "image_url": "gs://bucket/cat.jpg"},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "low"}},
        {"type": "input_audio", "input_audio": {"data": PNG, "format": "audio/mp3"}},
    ]
    body = ok(post_chat(emu, {"model": FLASH, "messages": [{"role": "user", "content": content}]}))
    assert body["choices"][0]["message"]["content"].endswith(
        "(received: 1 image/png (24 B), 1 image/jpeg (gs://bucket/cat.jpg), "
        "1 image/png (https://example.com/a.png), 1 audio/mp3 (24 B))"
    )
    assert body["usage"]["prompt_tokens"] > 3 * 258


def test_function_responses_must_follow_their_calls(emu):
    call = {
        "id": "get_weather",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
    }
    orphan = [*HELLO, {"role": "tool", "tool_call_id": "x", "content": "sunny"}]
    error = error_of(post_chat(emu, {"model": FLASH, "messages": orphan, "tools": [WEATHER]}))
    assert (
        "function response turn comes immediately after a function call turn" in (error["message"])
    )
    missing = [
        *HELLO,
        {"role": "assistant", "tool_calls": [call, call]},
        {"role": "tool", "tool_call_id": "get_weather", "content": "sunny"},
        {"role": "user", "content": "and?"},
    ]
    error = error_of(post_chat(emu, {"model": FLASH, "messages": missing, "tools": [WEATHER]}))
    assert (
        "number of function response parts is equal to the number of function call parts"
        in (error["message"])
    )


def test_text_with_tool_calls_refused_on_gemini_35(emu):
    call = {"id": "f", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
    messages = [
        *HELLO,
        {
            "role": "assistant",
            "content": "Let me check.",
            "tool_calls": [
                {
                    **call,
                    "extra_content": {
                        "google": {"thought_signature": "skip_thought_signature_validator"}
                    },
                }
            ],
        },
        {"role": "tool", "tool_call_id": "f", "content": "ok"},
    ]
    body = {"messages": messages, "tools": [WEATHER]}
    error = error_of(post_chat(emu, {"model": "google/gemini-3.5-flash", **body}))
    assert error["message"] == "Request contains an invalid argument."
    ok(post_chat(emu, {"model": G3, **body}))


# -- thought signatures (§6) -------------------------------------------------------------------


def _tool_turn(emu: VertexEmulator, model: str, prompt: str) -> tuple[list, dict]:
    messages = [{"role": "user", "content": prompt}]
    reply = ok(post_chat(emu, {"model": model, "messages": messages, "tools": [WEATHER]}))
    message = reply["choices"][0]["message"]
    return messages, message


def _results(message: dict) -> list[dict]:
    return [
        {"role": "tool", "tool_call_id": call["id"], "content": "sunny"}
        for call in message["tool_calls"]
    ]


def test_gemini3_signature_round_trip(emu):
    messages, message = _tool_turn(emu, G3, "use get_weather for 'Paris'")
    signature = message["tool_calls"][0]["extra_content"]["google"]["thought_signature"]
    assert emu.signature_issued(signature)
    history = [*messages, message, *_results(message)]
    final = ok(post_chat(emu, {"model": G3, "messages": history, "tools": [WEATHER]}))
    content = final["choices"][0]["message"]["content"]
    assert content == "Based on the tool results: get_weather: sunny"


def test_gemini3_missing_signature_vertex_wording(emu):
    messages, message = _tool_turn(emu, G3, "use get_weather for 'Paris'")
    del message["tool_calls"][0]["extra_content"]
    history = [{"role": "system", "content": "sys"}, *messages, message, *_results(message)]
    error = error_of(post_chat(emu, {"model": G3, "messages": history, "tools": [WEATHER]}))
    assert error["message"] == (
        "Unable to submit request because function call `default_api:get_weather` in the 2. "
        "content block is missing a `thought_signature`. Learn more: "
        "https://docs.cloud.google.com/vertex-ai/generative-ai/docs/thought-signatures"
    )
    assert error["status"] == "INVALID_ARGUMENT"


def test_gemini3_unknown_signature_and_placeholder(emu):
    messages, message = _tool_turn(emu, G3, "use get_weather for 'Paris'")
    google = message["tool_calls"][0]["extra_content"]["google"]
    google["thought_signature"] = base64.b64encode(b"from the Gemini API").decode()
    history = [*messages, message, *_results(message)]
    error = error_of(post_chat(emu, {"model": G3, "messages": history, "tools": [WEATHER]}))
    assert error["message"] == "Thought signature is not valid."
    google["thought_signature"] = "skip_thought_signature_validator"
    ok(post_chat(emu, {"model": G3, "messages": history, "tools": [WEATHER]}))


def test_signatures_of_earlier_turns_are_not_required(emu):
    messages, message = _tool_turn(emu, G3, "use get_weather for 'Paris'")
    del message["tool_calls"][0]["extra_content"]
    history = [
        *messages,
        message,
        *_results(message),
        {"role": "assistant", "content": "It is sunny."},
        {"role": "user", "content": "Thanks! Repeat exactly: bye"},
    ]
    body = ok(post_chat(emu, {"model": G3, "messages": history, "tools": [WEATHER]}))
    assert body["choices"][0]["message"]["content"] == "bye"


def test_gemini25_does_not_enforce_signatures(emu):
    messages, message = _tool_turn(emu, FLASH, "use get_weather for 'Paris'")
    assert "thought_signature" in message["tool_calls"][0]["extra_content"]["google"]
    del message["tool_calls"][0]["extra_content"]
    history = [*messages, message, *_results(message)]
    ok(post_chat(emu, {"model": FLASH, "messages": history, "tools": [WEATHER]}))


def test_parallel_calls_must_go_back_together(emu):
    prompt = "use get_weather for 'Paris' and get_weather for 'London'"
    messages, message = _tool_turn(emu, G3, prompt)
    first, second = message["tool_calls"]
    assert "extra_content" in first and "extra_content" not in second
    together = [*messages, message, *_results(message)]
    ok(post_chat(emu, {"model": G3, "messages": together, "tools": [WEATHER]}))
    interleaved = [
        *messages,
        {"role": "assistant", "tool_calls": [first]},
        {"role": "tool", "tool_call_id": first["id"], "content": "sunny"},
        {"role": "assistant", "tool_calls": [second]},
        {"role": "tool", "tool_call_id": second["id"], "content": "rainy"},
    ]
    for model in (G3, FLASH):
        error_of(post_chat(emu, {"model": model, "messages": interleaved, "tools": [WEATHER]}))


def test_stream_signature_on_first_call_delta(emu):
    body = {
        "model": G3,
        "messages": [{"role": "user", "content": "get_weather for 'Oslo'"}],
        "tools": [WEATHER],
        "stream": True,
    }
    text = post_chat(emu, body).text
    chunks = [json.loads(line[6:]) for line in text.split("\n") if line.startswith("data: {")]
    call = chunks[0]["choices"][0]["delta"]["tool_calls"][0]
    assert emu.signature_issued(call["extra_content"]["google"]["thought_signature"])


def test_mixed_image_detail_refused_before_gemini3(emu):
    url = f"data:image/png;base64,{PNG}"
    content = [
        {"type": "text", "text": "compare"},
        {"type": "image_url", "image_url": {"url": url, "detail": "low"}},
        {"type": "image_url", "image_url": {"url": url, "detail": "high"}},
    ]
    messages = [{"role": "user", "content": content}]
    assert "detail" in error_of(post_chat(emu, {"model": FLASH, "messages": messages}))["message"]
    ok(post_chat(emu, {"model": G3, "messages": messages}))
