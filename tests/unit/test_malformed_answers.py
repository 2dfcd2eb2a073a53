"""Answers that come back wrong: each becomes a valid message or a `VertexResponseError`.

Pure parsing only; the same answers over real sockets are in
`tests/integration/test_hostile_answers.py`.
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
from typing import Any

import pytest
from langchain_core.exceptions import ModelError
from langchain_core.messages import AIMessage, AIMessageChunk

from langchain_vertex_openai import VertexPromptBlockedError, VertexResponseError
from langchain_vertex_openai._response import (
    INVALID_CALL_ERRORS_KEY,
    StreamState,
    chat_result_from_completion,
    chunk_to_message_chunk,
    final_chunk,
)
from langchain_vertex_openai._thoughts import ThoughtSplitter

MODEL = "google/gemini-3-flash-preview"
SIGNATURE = "c2lnbmF0dXJl"


def completion(message: Any = None, **choice: Any) -> dict[str, Any]:
    choice = {"finish_reason": "stop", "index": 0, **choice}
    if message is not None:
        choice["message"] = message
    return {
        "choices": [choice],
        "created": 1,
        "id": "resp1",
        "model": MODEL,
        "object": "chat.completion",
        "usage": {"completion_tokens": 2, "prompt_tokens": 3, "total_tokens": 5},
    }


def call(name: Any, arguments: Any, call_id: str = "call-1") -> dict[str, Any]:
    return {"function": {"arguments": arguments, "name": name}, "id": call_id, "type": "function"}


def parse(body: object, **kwargs: Any) -> AIMessage:
    result = chat_result_from_completion(body, requested_model=MODEL, **kwargs)
    message = result.generations[0].message
    assert isinstance(message, AIMessage)
    return message


def event(delta: dict[str, Any] | None = None, finish_reason: Any = None, **top: Any):
    choice: dict[str, Any] = {"delta": {"role": "assistant", **(delta or {})}, "index": 0}
    if finish_reason:
        choice["finish_reason"] = finish_reason
    return {"choices": [choice], "model": MODEL, "object": "chat.completion.chunk", **top}


def stream(events: list[object], state: StreamState | None = None) -> AIMessageChunk:
    state = state or StreamState(requested_model=MODEL)
    chunks = [c for e in events if (c := chunk_to_message_chunk(e, state)) is not None]
    merged = chunks[0] if chunks else None
    for chunk in [*chunks[1:], final_chunk(state)]:
        merged = chunk if merged is None else merged + chunk
    assert isinstance(merged, AIMessageChunk)
    return merged


# -- thought: true beside a signature is an answer, not a thought ------------------------


ANSWER_FLAGGED_AS_THOUGHT = {
    "content": "The current time is Noon.",
    "extra_content": {"google": {"thought": True, "thought_signature": SIGNATURE}},
    "role": "assistant",
    "thought_signature": SIGNATURE,
}


@pytest.mark.parametrize("thought_tag", [None, "thought"])
def test_a_whole_answer_flagged_thought_stays_the_answer(thought_tag):
    message = parse(completion(ANSWER_FLAGGED_AS_THOUGHT), thought_tag=thought_tag)
    assert message.content == "The current time is Noon."
    assert "reasoning_content" not in message.additional_kwargs
    # Its signature is still kept, to go back on the next turn.
    assert SIGNATURE in json.dumps(message.additional_kwargs)


def test_tagged_thoughts_are_split_even_when_the_message_is_flagged():
    flagged = {**ANSWER_FLAGGED_AS_THOUGHT, "content": "<thought>Noon?</thought>It is noon."}
    message = parse(completion(flagged), thought_tag="thought")
    assert message.content == "It is noon."
    assert message.additional_kwargs["reasoning_content"] == "Noon?"


def test_a_streamed_answer_flagged_beside_its_signature_stays_the_answer():
    delta = {"content": "It is noon.", "extra_content": ANSWER_FLAGGED_AS_THOUGHT["extra_content"]}
    for thoughts in (None, ThoughtSplitter()):
        state = StreamState(requested_model=MODEL, thoughts=thoughts)
        merged = stream([event(delta, "stop")], state)
        assert merged.content == "It is noon."
        assert "reasoning_content" not in merged.additional_kwargs


# -- tool arguments: one rule, whole or streamed ------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ('"Paris"', "not an object"),
        ("42", "not an object"),
        ("[1, 2]", "not an object"),
        ("null", "not an object"),
        ('{"city": "San Fr', "not complete JSON"),
        ('{"city": San}', "not complete JSON"),
    ],
)
def test_arguments_that_are_not_a_json_object_make_an_invalid_call(arguments, reason):
    message = {
        "content": "Checking.",
        "role": "assistant",
        "tool_calls": [call("get_weather", arguments), call("get_time", '{"zone": "UTC"}', "b")],
    }
    whole = parse(completion(message), thought_tag=None)
    assert [c["name"] for c in whole.tool_calls] == ["get_time"]
    (invalid,) = whole.invalid_tool_calls
    assert invalid["name"] == "get_weather"
    assert invalid["args"] == arguments
    assert reason in invalid["error"]
    assert reason in whole.response_metadata[INVALID_CALL_ERRORS_KEY]["call-1"]
    assert whole.content == "Checking."

    streamed = stream([event(message), event(finish_reason="stop")])
    assert [c["name"] for c in streamed.tool_calls] == ["get_time"]
    (invalid,) = streamed.invalid_tool_calls
    assert invalid["name"] == "get_weather"
    # Sent JSON-encoded where core's lenient merge would repair it into an object.
    assert invalid["args"] == arguments or json.loads(invalid["args"]) == arguments
    assert reason in streamed.response_metadata[INVALID_CALL_ERRORS_KEY][invalid["id"]]
    assert streamed.content == "Checking."


@pytest.mark.parametrize("finish_reason", ["stop", "length", "tool_calls"])
def test_streamed_arguments_cut_off_are_an_invalid_call_not_a_runnable_one(finish_reason):
    def fragment(arguments):
        return event({"tool_calls": [{**call("get_weather", arguments, "fc-1"), "index": 0}]})

    merged = stream(
        [fragment('{"city": '), fragment('"San Fr'), event(finish_reason=finish_reason)]
    )
    assert merged.tool_calls == []
    (invalid,) = merged.invalid_tool_calls
    assert (invalid["name"], invalid["id"]) == ("get_weather", "fc-1")
    assert json.loads(invalid["args"]) == '{"city": "San Fr'
    assert "not complete JSON" in merged.response_metadata[INVALID_CALL_ERRORS_KEY]["fc-1"]
    assert merged.response_metadata["finish_reason"] == finish_reason


def test_streamed_arguments_completed_by_later_fragments_are_one_runnable_call():
    def fragment(arguments, **extra):
        return event({"tool_calls": [{"function": {"arguments": arguments}, **extra}]})

    # The OpenAI convention: name and id on the first fragment only, then by index.
    merged = stream(
        [
            event({"tool_calls": [{**call("get_weather", '{"city"', "c1"), "index": 0}]}),
            fragment(': "Paris"}', index=0),
            event(finish_reason="tool_calls"),
        ]
    )
    assert [(c["name"], c["args"], c["id"]) for c in merged.tool_calls] == [
        ("get_weather", {"city": "Paris"}, "c1")
    ]
    assert merged.invalid_tool_calls == []


def test_a_call_without_a_name_is_invalid_whole_and_streamed():
    message = {"role": "assistant", "tool_calls": [call("", '{"a": 1}')]}
    assert parse(completion(message)).tool_calls == []
    assert "names no function" in parse(completion(message)).invalid_tool_calls[0]["error"]
    streamed = stream([event(message, "stop")])
    assert streamed.tool_calls == []
    assert len(streamed.invalid_tool_calls) == 1


def test_arguments_already_decoded_by_a_gateway_are_accepted():
    message = {"role": "assistant", "tool_calls": [call("f", {"x": 1})]}
    assert parse(completion(message)).tool_calls[0]["args"] == {"x": 1}


# -- shapes that are not a chat completion ------------------------------------------------


MALFORMED_BODIES = {
    "choices [null]": {"choices": [None]},
    "choices [string]": {"choices": ["hello"]},
    "choice a list": {"choices": [[{"message": {"content": "x"}}]]},
    "message a string": completion("hello"),
    "message a list": completion([{"content": "x"}]),
    "content a number": completion({"content": 42}),
    "content an object": completion({"content": {"text": "x"}}),
    "content a list": completion({"content": [{"type": "text", "text": "x"}]}),
    "tool_calls an object": completion({"tool_calls": {"name": "f"}}),
    "tool call null": completion({"tool_calls": [None]}),
    "tool call function null": completion({"tool_calls": [{"id": "a", "function": None}]}),
    "tool call name a number": completion({"tool_calls": [call(7, "{}")]}),
    "tool call arguments a number": completion({"tool_calls": [call("f", 1)]}),
    "reasoning_content a list": completion({"content": "x", "reasoning_content": ["a"]}),
    "usage a list": {**completion({"content": "x"}), "usage": [1, 2]},
    "usage a string": {**completion({"content": "x"}), "usage": "5 tokens"},
    "usage details a list": {
        **completion({"content": "x"}),
        "usage": {"prompt_tokens": 1, "completion_tokens_details": [504]},
    },
    "finish_reason a number": completion({"content": "x"}, finish_reason=1),
    "id a number": {**completion({"content": "x"}), "id": 12},
    "model an object": {**completion({"content": "x"}), "model": {"name": "m"}},
    "audio a string": completion({"content": None, "audio": "iVBORw0KGgo"}),
    "image without data": completion({"content": None}, image={"mime_type": "image/png"}),
    "image a number": completion({"content": None}, image=3),
    "body a list": [{"choices": []}],
    "body null": None,
    "choices an object": {"choices": {"0": {}}},
}


@pytest.mark.parametrize("body", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
def test_malformed_whole_answer_raises_vertex_response_error_with_the_piece(body):
    with pytest.raises(VertexResponseError, match="Vertex AI") as info:
        chat_result_from_completion(copy.deepcopy(body), requested_model=MODEL)
    error = info.value
    assert isinstance(error, ModelError)
    assert "raw" in vars(error)  # the offending piece (which may itself be null)
    # The message names the piece or the body that is wrong.
    assert any(word in str(error) for word in ("choices", "usage", "id", "model", "without"))


def test_choices_null_names_the_choice_and_carries_it():
    with pytest.raises(VertexResponseError, match=r"choices\[0\] is null") as info:
        chat_result_from_completion({"choices": [None]}, requested_model=MODEL)
    assert info.value.raw is None
    with pytest.raises(VertexResponseError, match=r"choices\[0\]\.message is a string") as info:
        chat_result_from_completion(completion("hello"), requested_model=MODEL)
    assert info.value.raw == "hello"


def test_a_missing_or_null_message_is_an_empty_answer():
    # Vertex has been seen to omit `message` intermittently.
    for body in (completion(), completion(None), {"choices": [{"message": None}]}):
        message = parse(body)
        assert message.content == ""
        assert message.tool_calls == []


MALFORMED_EVENTS = {
    "list-shaped error": [{"error": {"code": 429, "message": "quota", "status": "EXHAUSTED"}}],
    "string": "hello",
    "number": 3,
    "choices an object": {"choices": {"delta": {}}},
    "choice null": {"choices": [None]},
    "delta a string": {"choices": [{"delta": "hi", "index": 0}]},
    "content a number": event({"content": 5}),
    "tool_calls an object": event({"tool_calls": {"id": "a"}}),
    "tool call a string": event({"tool_calls": ["f()"]}),
    "function a list": event({"tool_calls": [{"id": "a", "function": ["f"]}]}),
    "usage a number": {**event({"content": "x"}), "usage": 7},
    "finish_reason a list": event({"content": "x"}, finish_reason=["stop"]),
    "id an object": {**event({"content": "x"}), "id": {"a": 1}},
    "reasoning_content a number": event({"reasoning_content": 1}),
}


@pytest.mark.parametrize("bad", MALFORMED_EVENTS.values(), ids=MALFORMED_EVENTS.keys())
def test_malformed_stream_event_raises_vertex_response_error(bad):
    state = StreamState(requested_model=MODEL)
    chunk_to_message_chunk(event({"content": "Hel"}), state)
    with pytest.raises(VertexResponseError, match="Vertex AI (sent a malformed|reported an)"):
        chunk_to_message_chunk(copy.deepcopy(bad), state)


def test_a_list_shaped_error_event_says_what_google_said():
    bad = [{"error": {"code": 429, "message": "Resource exhausted.", "status": "EXHAUSTED"}}]
    match = "reported an error in the response: EXHAUSTED: Resource exhausted."
    with pytest.raises(VertexResponseError, match=match) as info:
        chunk_to_message_chunk(bad, StreamState(requested_model=MODEL))
    assert info.value.raw == bad
    assert info.value.body == bad


# -- fuzzing: mutate valid answers at random, bounded and seeded --------------------------


VALID_BODY = completion(
    {
        "content": "<thought>hm</thought>Answer",
        "extra_content": {"google": {"thought_signature": SIGNATURE}},
        "role": "assistant",
        "tool_calls": [call("get_weather", '{"city": "Paris"}', "get_weather")],
    },
    image={"data": "iVBORw0KGgo=", "mime_type": "image/png"},
)
VALID_EVENTS = [
    event({"content": "<thought>hm</thought>Ans"}, id="r1"),
    event({"reasoning_content": "why", "tool_calls": [call("f", '{"a": 1}', "f")]}),
    {**event({"content": "wer"}, "stop"), "usage": {"prompt_tokens": 1, "total_tokens": 4}},
]
ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    True,
    1.5,
    "",
    "x",
    "{",
    [],
    [None],
    {},
    {"x": None},
    [{"error": {"message": "m"}}],
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutated(value: Any, path: tuple[Any, ...], replacement: Any) -> Any:
    if not path:
        return replacement
    copied = copy.deepcopy(value)
    holder = copied
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = replacement
    return copied


def _outcome_is_allowed(run) -> None:
    # The only errors a malformed answer may raise; anything else fails the test.
    with contextlib.suppress(VertexResponseError, VertexPromptBlockedError):
        run()


def test_fuzzed_whole_answers_give_a_message_or_a_vertex_response_error():
    rng = random.Random(16)
    for _ in range(600):
        body: Any = VALID_BODY
        for _ in range(rng.randint(1, 3)):
            body = _mutated(body, rng.choice(_paths(body)), rng.choice(ODD_VALUES))
        model = rng.choice([MODEL, "deepseek-ai/deepseek-r1-0528-maas"])
        for tag in (None, "thought"):
            _outcome_is_allowed(
                lambda body=body, model=model, tag=tag: chat_result_from_completion(
                    body, requested_model=model, thought_tag=tag
                )
            )


def test_fuzzed_streams_give_chunks_or_a_vertex_response_error():
    rng = random.Random(17)
    for _ in range(400):
        events: list[Any] = list(VALID_EVENTS)
        position = rng.randrange(len(events))
        paths = _paths(events[position])
        events[position] = _mutated(events[position], rng.choice(paths), rng.choice(ODD_VALUES))
        model = rng.choice([MODEL, "deepseek-ai/deepseek-v3.2-maas", "xai/grok-4-maas"])

        def run(events=events, model=model):
            state = StreamState(requested_model=model, thoughts=ThoughtSplitter())
            for item in events:
                chunk_to_message_chunk(item, state)
            final_chunk(state)

        _outcome_is_allowed(run)
