"""Answers that come back wrong, served over real sockets by the emulator's raw scripting.

Each malformed answer raises `VertexResponseError` naming the piece (sync and async,
streamed and not); answers that are odd but valid (Gemini's `thought: true` beside a
signature, truncated or non-object tool arguments, partner reasoning, image output)
come back as the message a user can rely on.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_vertex_openai import ChatVertexOpenAI, VertexResponseError

GEMINI = "gemini-3-flash-preview"
DEEPSEEK = "deepseek-ai/deepseek-r1-0528-maas"
GROK = "xai/grok-4.1-fast-reasoning-maas"
LLAMA = "meta/llama-4-maverick-17b-128e-instruct-maas"
SIGNATURE = base64.b64encode(b"signature from the server").decode()
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(24)).decode()
_LIMIT = {"recursion_limit": 8}


@tool
def get_time() -> str:
    """Get the current time."""
    return "Noon"


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"sunny in {city}"


def llm(emulator, model: str = GEMINI, **kwargs: Any) -> ChatVertexOpenAI:
    kwargs.setdefault("max_retries", 0)
    return ChatVertexOpenAI(
        model=model, base_url=emulator.base_url, credentials=emulator.credentials(), **kwargs
    )


def completion(message: Any, model: str = GEMINI, **extra: Any) -> dict[str, Any]:
    return {
        "choices": [{"finish_reason": "stop", "index": 0, "message": message}],
        "created": 1,
        "id": "resp1",
        "model": model,
        "object": "chat.completion",
        "usage": {"completion_tokens": 2, "prompt_tokens": 3, "total_tokens": 5},
        **extra,
    }


def chunk(delta: dict[str, Any], finish_reason: str | None = None, **extra: Any):
    choice: dict[str, Any] = {"delta": {"role": "assistant", **delta}, "index": 0}
    if finish_reason:
        choice["finish_reason"] = finish_reason
    return {"choices": [choice], "id": "r|1", "object": "chat.completion.chunk", **extra}


def merged_stream(model: ChatVertexOpenAI, prompt: str = "hi"):
    merged = None
    for piece in model.stream(prompt):
        merged = piece if merged is None else merged + piece
    return merged


async def collect(pieces, into: list[Any]) -> None:
    async for piece in pieces:
        into.append(piece)


# -- thought: true beside a signature ---------------------------------------------------


FLAGGED = {"google": {"thought": True, "thought_signature": SIGNATURE}}


@pytest.mark.parametrize("streaming", [False, True])
def test_agent_tool_loop_ends_with_the_answer_gemini_flagged_as_thought(emulator, streaming):
    emulator.queue_reply(tool_calls=[{"name": "get_time", "arguments": {}}])
    emulator.queue_reply("The current time is Noon.", message_extra_content=FLAGGED)
    agent = create_agent(llm(emulator, streaming=streaming), tools=[get_time])
    state = agent.invoke({"messages": [HumanMessage("What time is it?")]}, _LIMIT)
    final = state["messages"][-1]
    assert isinstance(final, AIMessage)
    assert final.text == "The current time is Noon."
    assert "reasoning_content" not in final.additional_kwargs
    assert any(isinstance(m, ToolMessage) and m.content == "Noon" for m in state["messages"])


async def test_flagged_answer_with_thoughts_requested_is_still_the_answer(emulator):
    emulator.queue_reply("It is noon.", message_extra_content=FLAGGED)
    message = await llm(emulator, include_thoughts=True).ainvoke("What time is it?")
    assert message.text == "It is noon."


# -- tool arguments ---------------------------------------------------------------------


@pytest.mark.parametrize("finish_reason", ["stop", "length"])
def test_streamed_call_cut_off_is_invalid_and_the_agent_does_not_run_it(emulator, finish_reason):
    emulator.queue_raw_sse(
        [
            chunk({"content": "Checking the weather."}),
            chunk(
                {
                    "tool_calls": [
                        {
                            "function": {"arguments": '{"city": "San Fr', "name": "get_weather"},
                            "id": "get_weather",
                        }
                    ]
                },
                finish_reason,
            ),
        ]
    )
    model = llm(emulator, streaming=True).bind_tools([get_weather])
    message = model.invoke("Weather in San Francisco?")
    assert message.tool_calls == []
    (invalid,) = message.invalid_tool_calls
    assert invalid["name"] == "get_weather"
    assert json.loads(invalid["args"]) == '{"city": "San Fr'
    assert "not complete JSON" in next(
        iter(message.response_metadata["invalid_tool_call_errors"].values())
    )
    assert message.text == "Checking the weather."


@pytest.mark.parametrize("arguments", ['"Paris"', "42", "[1, 2]"])
@pytest.mark.parametrize("streaming", [False, True])
async def test_arguments_that_are_json_but_not_an_object_keep_the_reply(
    emulator, arguments, streaming
):
    emulator.queue_reply(
        "Here you go.",
        tool_calls=[{"name": "get_weather", "arguments": arguments}],
        finish_reason="stop",
    )
    model = llm(emulator, streaming=streaming).bind_tools([get_weather])
    message = await model.ainvoke("Weather in Paris?")
    assert message.text == "Here you go."
    assert message.tool_calls == []
    (invalid,) = message.invalid_tool_calls
    assert invalid["args"] == arguments
    reason = message.response_metadata["invalid_tool_call_errors"][invalid["id"]]
    assert "not an object" in reason


# -- malformed shapes -------------------------------------------------------------------


MALFORMED = {
    "choices [null]": ({"choices": [None]}, r"choices\[0\] is null"),
    "message a string": (completion("hello"), r"choices\[0\]\.message is a string"),
    "content a number": (completion({"content": 42}), r"message\.content is a number"),
    "tool_calls an object": (
        completion({"content": "x", "tool_calls": {"id": "a"}}),
        r"message\.tool_calls is an object, expected a list",
    ),
    "usage a list": (completion({"content": "x"}, usage=[5]), "usage is a list"),
}


@pytest.mark.parametrize(("body", "match"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_whole_answer_is_a_vertex_response_error(emulator, body, match):
    emulator.queue_raw(200, body)
    with pytest.raises(VertexResponseError, match=match) as info:
        llm(emulator, max_retries=2).invoke("hi")
    assert "raw" in vars(info.value)
    assert len(emulator.requests) == 1  # a 200 is not retried


MALFORMED_EVENTS = {
    "choice null": ({"choices": [None]}, r"choices\[0\] is null"),
    "delta a string": ({"choices": [{"delta": "hi", "index": 0}]}, "delta is a string"),
    "content a list": (chunk({"content": ["a"]}), "content is a list"),
    "usage a string": ({**chunk({"content": "x"}, "stop"), "usage": "5"}, "usage is a string"),
}


@pytest.mark.parametrize(("event", "match"), MALFORMED_EVENTS.values(), ids=MALFORMED_EVENTS.keys())
async def test_malformed_stream_event_is_a_vertex_response_error(emulator, event, match):
    emulator.queue_raw_sse([chunk({"content": "Hel"}), event])
    received: list[Any] = []
    with pytest.raises(VertexResponseError, match=match):
        await collect(llm(emulator).astream("hi"), received)
    assert "".join(p.text for p in received) == "Hel"


@pytest.mark.parametrize("shape", ["list", "object"])
def test_error_event_inside_a_stream_says_what_google_said(emulator, shape):
    error = {"error": {"code": 429, "message": "Resource exhausted.", "status": "EXHAUSTED"}}
    event = json.dumps([error] if shape == "list" else error)
    emulator.queue_raw_sse([chunk({"content": "Hel"}), event])
    with pytest.raises(VertexResponseError, match="EXHAUSTED: Resource exhausted"):
        list(llm(emulator).stream("hi"))


# -- partner reasoning ------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        {"content": "Paris.", "reasoning_content": "The capital of France."},
        {"content": "<think>The capital of France.</think>\n\nParis."},
        {"content": "The capital of France.</think>\n\nParis."},
    ],
    ids=["field", "tags", "bare closing tag"],
)
@pytest.mark.parametrize("output_version", ["v0", "v1"])
def test_partner_reasoning_in_a_whole_answer(emulator, message, output_version):
    emulator.queue_raw(200, completion({"role": "assistant", **message}, model=DEEPSEEK))
    answer = llm(emulator, DEEPSEEK, output_version=output_version).invoke("Capital of France?")
    assert answer.text == "Paris."
    if output_version == "v1":
        reasoning = [b for b in answer.content if b["type"] == "reasoning"]
        assert [b["reasoning"] for b in reasoning] == ["The capital of France."]
    else:
        assert answer.additional_kwargs["reasoning_content"] == "The capital of France."


STREAMED_REASONING = {
    "field": [{"reasoning_content": "The capital"}, {"reasoning_content": " of France."}],
    "split tags": [
        {"content": "<th"},
        {"content": "ink>The capital of France.</thi"},
        {"content": "nk>"},
    ],
    "bare closing tag": [{"content": "The capital of France.</"}, {"content": "think>\n"}],
}


@pytest.mark.parametrize("deltas", STREAMED_REASONING.values(), ids=STREAMED_REASONING.keys())
async def test_partner_reasoning_streamed_never_reaches_the_answer(emulator, deltas):
    events = [chunk(d) for d in deltas] + [chunk({"content": "Paris."}, "stop")]
    emulator.queue_raw_sse(events, done=False)  # one Vertex MaaS stream had no [DONE]
    pieces = [piece async for piece in llm(emulator, DEEPSEEK).astream("Capital of France?")]
    merged = pieces[0]
    for piece in pieces[1:]:
        merged = merged + piece
    assert merged.text == "Paris."
    assert merged.additional_kwargs["reasoning_content"] == "The capital of France."
    assert all("think" not in p.text and "capital" not in p.text for p in pieces)


def test_grok_usage_counts_reasoning_in_the_output(emulator):
    usage = {
        "completion_tokens": 45,
        "completion_tokens_details": {"reasoning_tokens": 504},
        "prompt_tokens": 27,
        "total_tokens": 72,
    }
    emulator.queue_raw(200, completion({"content": "Hi."}, model=GROK, usage=usage))
    message = llm(emulator, GROK).invoke("hi")
    assert message.usage_metadata["output_tokens"] == 549
    assert message.usage_metadata["total_tokens"] == 576
    assert message.usage_metadata["output_token_details"] == {"reasoning": 504}


def test_a_partner_model_that_does_not_reason_streams_its_answer_as_it_comes(emulator):
    emulator.queue_raw_sse([chunk({"content": "Par"}), chunk({"content": "is."}, "stop")])
    texts = [p.text for p in llm(emulator, LLAMA).stream("Capital of France?")]
    assert texts[:2] == ["Par", "is."]


# -- image output ------------------------------------------------------------------------


IMAGE_ANSWERS = {
    "message.audio": completion(
        {
            "audio": {"data": PNG, "extra_content": {"google": {"mime_type": "image/png"}}},
            "content": None,
            "role": "assistant",
        }
    ),
    "choices[].image": {
        **completion({"content": "A cat.", "role": "assistant"}),
        "choices": [
            {
                "finish_reason": "stop",
                "image": {"data": PNG, "mime_type": "image/png"},
                "index": 0,
                "message": {"content": "A cat.", "role": "assistant"},
            }
        ],
    },
}


@pytest.mark.parametrize("body", IMAGE_ANSWERS.values(), ids=IMAGE_ANSWERS.keys())
@pytest.mark.parametrize("output_version", ["v0", "v1"])
def test_image_output_becomes_image_blocks(emulator, body, output_version):
    emulator.queue_raw(200, body)
    model = llm(emulator, "gemini-3.1-flash-image", output_version=output_version)
    message = model.invoke("Draw a cat")
    assert isinstance(message.content, list)
    (image,) = [b for b in message.content if isinstance(b, dict) and b["type"] == "image"]
    assert (image["base64"], image["mime_type"]) == (PNG, "image/png")
    assert base64.b64decode(image["base64"]).startswith(b"\x89PNG")


@pytest.mark.parametrize("streaming", [False, True])
def test_json_nested_too_deeply_to_read_is_a_vertex_response_error(emulator, streaming):
    deep = '{"choices": [' + "[" * 100_000 + "]" * 100_000 + "]}"
    if streaming:
        emulator.queue_raw_sse([deep])
    else:
        emulator.queue_raw(200, deep)
    with pytest.raises(VertexResponseError, match="nested too deeply"):
        llm(emulator, streaming=streaming).invoke("hi")


def test_a_deep_but_readable_piece_is_named_without_printing_it_all(emulator):
    emulator.queue_raw(200, '{"choices": [' + "[" * 900 + "]" * 900 + "]}")
    with pytest.raises(VertexResponseError, match=r"choices\[0\] is a list") as info:
        llm(emulator).invoke("hi")
    assert len(str(info.value)) < 400
