import json

import pytest
from langchain_core.messages import AIMessageChunk

from langchain_vertex_openai._response import (
    StreamState,
    chat_result_from_completion,
    chunk_to_message_chunk,
    final_chunk,
)
from langchain_vertex_openai._signatures import MESSAGE_SIGNATURE_KEY, SIGNATURES_KEY
from tests.helpers import merge_chunks


def _completion(message, finish_reason="stop", usage=None):
    return {
        "choices": [
            {"finish_reason": finish_reason, "index": 0, "logprobs": None, "message": message}
        ],
        "created": 1,
        "id": "abcDEF123",
        "model": "google/gemini-2.5-flash",
        "object": "chat.completion",
        "system_fingerprint": "",
        "usage": usage or {"completion_tokens": 3, "prompt_tokens": 4, "total_tokens": 20},
    }


def _call(name, args, call_id="", signature=None):
    call = {
        "function": {"arguments": json.dumps(args), "name": name},
        "id": call_id,
        "type": "function",
    }
    if signature:
        call["extra_content"] = {"google": {"thought_signature": signature}}
    return call


def test_text_answer_metadata_and_usage():
    result = chat_result_from_completion(
        _completion({"content": "Hello", "role": "assistant"}), requested_model="google/x"
    )
    message = result.generations[0].message
    assert message.content == "Hello"
    assert message.usage_metadata["output_token_details"] == {"reasoning": 13}
    assert message.response_metadata["model_name"] == "google/gemini-2.5-flash"
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.response_metadata["id"] == "abcDEF123"
    assert message.response_metadata["token_usage"]["total_tokens"] == 20


def test_parallel_calls_named_like_the_function_get_unique_ids_and_signatures():
    message = {
        "role": "assistant",
        "tool_calls": [
            _call("get_weather", {"city": "Paris"}, "get_weather", signature="c2ln"),
            _call("get_weather", {"city": "London"}, "get_weather"),
        ],
    }
    result = chat_result_from_completion(_completion(message, "stop"), requested_model="m")
    ai = result.generations[0].message
    ids = [call["id"] for call in ai.tool_calls]
    assert len(set(ids)) == 2 and all(ids) and "get_weather" not in ids
    assert [call["args"] for call in ai.tool_calls] == [{"city": "Paris"}, {"city": "London"}]
    assert ai.additional_kwargs[SIGNATURES_KEY] == {ids[0]: "c2ln"}
    assert ai.response_metadata["finish_reason"] == "tool_calls"


def test_unique_ids_from_vertex_are_kept_and_empty_args_become_empty_dict():
    message = {
        "role": "assistant",
        "tool_calls": [
            {
                "function": {"arguments": "", "name": "now"},
                "id": "function-call-1",
                "type": "function",
            }
        ],
    }
    ai = (
        chat_result_from_completion(_completion(message), requested_model="m")
        .generations[0]
        .message
    )
    assert ai.tool_calls[0]["id"] == "function-call-1"
    assert ai.tool_calls[0]["args"] == {}


def test_malformed_arguments_become_invalid_tool_calls():
    message = {
        "role": "assistant",
        "tool_calls": [
            {"function": {"arguments": "{not json", "name": "f"}, "id": "", "type": "function"}
        ],
    }
    ai = (
        chat_result_from_completion(_completion(message), requested_model="m")
        .generations[0]
        .message
    )
    assert ai.tool_calls == []
    assert ai.invalid_tool_calls[0]["args"] == "{not json"
    assert ai.invalid_tool_calls[0]["id"]


def test_message_level_signature_and_missing_message():
    ai = (
        chat_result_from_completion(
            _completion(
                {"content": "x", "extra_content": {"google": {"thought_signature": "c2ln"}}}
            ),
            requested_model="m",
        )
        .generations[0]
        .message
    )
    assert ai.additional_kwargs[SIGNATURES_KEY] == {MESSAGE_SIGNATURE_KEY: "c2ln"}
    empty = {
        "choices": [{"finish_reason": "length", "index": 0}],
        "usage": {"prompt_tokens": 7, "completion_tokens": 0, "total_tokens": 8},
    }
    ai = chat_result_from_completion(empty, requested_model="google/m").generations[0].message
    assert ai.content == ""
    assert ai.response_metadata["finish_reason"] == "length"
    assert ai.response_metadata["model_name"] == "google/m"


def test_response_without_choices_is_a_clear_error():
    from langchain_core.exceptions import ModelAPIError

    with pytest.raises(ModelAPIError, match="without choices"):
        chat_result_from_completion({"error": "x"}, requested_model="m")
    error_body = {
        "error": {"code": 429, "message": "Resource exhausted.", "status": "RESOURCE_EXHAUSTED"}
    }
    with pytest.raises(ModelAPIError, match="RESOURCE_EXHAUSTED: Resource exhausted"):
        chat_result_from_completion(error_body, requested_model="m")


def _run_stream(events, requested_model="google/gemini-2.5-flash"):
    state = StreamState(requested_model=requested_model)
    chunks = [c for e in events if (c := chunk_to_message_chunk(e, state)) is not None]
    chunks.append(final_chunk(state))
    return merge_chunks(chunks), chunks, state


def _event(delta, finish_reason=None, usage=None, **top):
    choice = {"delta": {"role": "assistant", **delta}, "index": 0}
    if finish_reason:
        choice["finish_reason"] = finish_reason
    event = {
        "choices": [choice],
        "model": "gemini-2.0-flash",
        "object": "chat.completion.chunk",
        **top,
    }
    if usage:
        event["usage"] = usage
    return event


def test_running_usage_is_never_summed():
    # Gemini API recording: usage repeated on every chunk.
    running = {"completion_tokens": 0, "prompt_tokens": 4, "total_tokens": 4}
    events = [
        _event({"content": "Hello"}, usage=running),
        _event({"content": " there"}, usage=running),
        _event(
            {"content": "!"},
            "stop",
            {"completion_tokens": 11, "prompt_tokens": 3, "total_tokens": 14},
        ),
    ]
    merged, chunks, _ = _run_stream(events)
    assert merged.content == "Hello there!"
    assert merged.usage_metadata == {"input_tokens": 3, "output_tokens": 11, "total_tokens": 14}
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert merged.response_metadata["finish_reason"] == "stop"
    assert merged.response_metadata["model_name"] == "gemini-2.0-flash"


def test_stream_tool_calls_without_index_never_merge_and_ids_are_unique():
    events = [
        _event({"tool_calls": [_call("get_weather", {"city": "Paris"}, "get_weather", "c2ln")]}),
        _event({"tool_calls": [_call("get_weather", {"city": "London"}, "get_weather")]}),
        _event({}, "stop", {"completion_tokens": 4, "prompt_tokens": 8, "total_tokens": 12}),
    ]
    merged, _, _ = _run_stream(events)
    assert isinstance(merged, AIMessageChunk)
    assert [c["args"] for c in merged.tool_calls] == [{"city": "Paris"}, {"city": "London"}]
    assert [c["name"] for c in merged.tool_calls] == ["get_weather", "get_weather"]
    ids = [c["id"] for c in merged.tool_calls]
    assert len(set(ids)) == 2 and "get_weather" not in ids
    assert merged.additional_kwargs[SIGNATURES_KEY] == {ids[0]: "c2ln"}
    assert merged.response_metadata["finish_reason"] == "tool_calls"


def test_fragmented_arguments_merge_by_id_not_index_and_name_is_not_repeated():
    # stream_function_call_arguments: fragments repeat name and id, index is unreliable.
    def fragment(call_id, name, args, index):
        return {
            "function": {"arguments": args, "name": name},
            "id": call_id,
            "index": index,
            "type": "function",
        }

    events = [
        _event({"tool_calls": [fragment("a1", "get_weather", '{"city": ', 1)]}),
        _event({"tool_calls": [fragment("b2", "get_time", '{"zone": ', 0)]}),
        _event({"tool_calls": [fragment("a1", "get_weather", '"Paris"}', 0)]}),
        _event({"tool_calls": [fragment("b2", "get_time", '"UTC"}', 1)]}),
        _event({}, "stop"),
    ]
    merged, _, _ = _run_stream(events)
    assert [(c["id"], c["name"], c["args"]) for c in merged.tool_calls] == [
        ("a1", "get_weather", {"city": "Paris"}),
        ("b2", "get_time", {"zone": "UTC"}),
    ]


def test_role_only_final_chunk_and_chunks_without_id():
    events = [
        {
            "choices": [{"delta": {"content": "Hi", "role": "assistant"}, "index": 0}],
            "model": "meta/llama",
        },
        {
            "choices": [{"delta": {"role": "assistant"}, "finish_reason": "stop", "index": 0}],
            "model": "meta/llama",
            "usage": {"completion_tokens": 102, "prompt_tokens": 7, "total_tokens": 109},
        },
    ]
    merged, _, state = _run_stream(events)
    assert merged.content == "Hi"
    assert merged.usage_metadata["total_tokens"] == 109
    assert state.finish_reason == "stop"


def test_final_chunk_carries_content_finish_and_usage_together():
    events = [
        _event(
            {"content": "Answer"},
            "stop",
            {"completion_tokens": 1, "prompt_tokens": 1, "total_tokens": 2},
            id="x1",
        ),
    ]
    merged, chunks, _ = _run_stream(events)
    assert merged.content == "Answer"
    assert merged.id == "x1"
    assert merged.usage_metadata["total_tokens"] == 2
    assert chunks[-1].chunk_position == "last"


def test_stream_usage_off_reports_no_usage():
    state = StreamState(requested_model="m", include_usage=False)
    chunk_to_message_chunk(
        _event(
            {"content": "a"},
            "stop",
            {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        ),
        state,
    )
    assert final_chunk(state).usage_metadata is None


def test_thought_deltas_go_to_reasoning_content_when_thoughts_were_requested():
    from langchain_vertex_openai._thoughts import ThoughtSplitter

    events = [
        _event({"content": "thinking...", "extra_content": {"google": {"thought": True}}}),
        _event({"content": "answer"}, "stop"),
    ]
    state = StreamState(requested_model="google/gemini-2.5-flash", thoughts=ThoughtSplitter())
    chunks = [c for e in events if (c := chunk_to_message_chunk(e, state)) is not None]
    merged = merge_chunks([*chunks, final_chunk(state)])
    assert merged.content == "answer"
    assert merged.additional_kwargs["reasoning_content"] == "thinking..."

    # Without thoughts requested the flag marks nothing: the text is the answer.
    merged, _, _ = _run_stream(events)
    assert merged.content == "thinking...answer"
    assert "reasoning_content" not in merged.additional_kwargs


def test_parallel_tool_calls_false_keeps_the_first_call_and_reports_the_rest():
    message = {
        "role": "assistant",
        "tool_calls": [_call("f", {"x": 1}, "f"), _call("g", {"y": 2}, "g")],
    }
    result = chat_result_from_completion(
        _completion(message), requested_model="m", single_tool_call=True
    )
    ai = result.generations[0].message
    assert [c["name"] for c in ai.tool_calls] == ["f"]
    assert [c["name"] for c in ai.response_metadata["dropped_tool_calls"]] == ["g"]

    state = StreamState(requested_model="m", single_tool_call=True)
    chunks = [
        chunk_to_message_chunk(_event({"tool_calls": [_call("f", {"x": 1}, "f")]}), state),
        chunk_to_message_chunk(_event({"tool_calls": [_call("g", {"y": 2}, "g")]}, "stop"), state),
        final_chunk(state),
    ]
    merged = merge_chunks([c for c in chunks if c is not None])
    assert [c["name"] for c in merged.tool_calls] == ["f"]
    assert merged.response_metadata["dropped_tool_calls"][0]["function"]["name"] == "g"


def test_no_choices_means_the_prompt_was_blocked():
    from langchain_core.exceptions import ModelRefusalError

    from langchain_vertex_openai import VertexPromptBlockedError
    from langchain_vertex_openai._response import check_finished

    usage = {"prompt_tokens": 9, "completion_tokens": 0, "total_tokens": 9}
    with pytest.raises(VertexPromptBlockedError, match="prompt was blocked") as info:
        chat_result_from_completion({"choices": [], "usage": usage}, requested_model="m")
    assert isinstance(info.value, ModelRefusalError)
    assert info.value.usage == usage
    state = StreamState(requested_model="m")
    chunk_to_message_chunk({"choices": [], "usage": usage}, state)
    with pytest.raises(VertexPromptBlockedError):
        check_finished(state)


def test_native_safety_finish_reasons_map_to_content_filter():
    result = chat_result_from_completion(
        _completion({"role": "assistant"}, "SAFETY"), requested_model="m"
    )
    assert result.generations[0].message.response_metadata["finish_reason"] == "content_filter"


def test_fragments_whose_id_is_the_function_name_merge_until_the_json_is_complete():
    def fragment(args):
        return {
            "function": {"arguments": args, "name": "get_weather"},
            "id": "get_weather",
            "type": "function",
        }

    events = [
        _event({"tool_calls": [fragment('{"ci')]}),
        _event({"tool_calls": [fragment('ty":"Paris"}')]}),
        _event({"tool_calls": [fragment('{"city":"Rome"}')]}),
        _event({}, "stop"),
    ]
    merged, _, _ = _run_stream(events)
    assert [c["args"] for c in merged.tool_calls] == [{"city": "Paris"}, {"city": "Rome"}]
    assert merged.invalid_tool_calls == []
