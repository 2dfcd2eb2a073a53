import warnings

import pytest
from langchain_core.messages import (
    AIMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_vertex_openai._request import build_body, message_to_dict, normalize_extra_body
from langchain_vertex_openai._signatures import PLACEHOLDER_SIGNATURE, SIGNATURES_KEY
from langchain_vertex_openai._validation import check_messages


def test_roles_names_and_ids_are_preserved():
    assert message_to_dict(SystemMessage("be brief")) == {"role": "system", "content": "be brief"}
    assert message_to_dict(HumanMessage("hi", name="ann")) == {
        "role": "user",
        "content": "hi",
        "name": "ann",
    }
    assert message_to_dict(ToolMessage("42", tool_call_id="call_1")) == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "42",
    }
    assert message_to_dict(FunctionMessage(name="f", content="x")) == {
        "role": "function",
        "name": "f",
        "content": "x",
    }


def test_text_blocks_are_joined_and_reasoning_is_not_sent_back():
    ai = AIMessage(
        content=[{"type": "reasoning", "reasoning": "hmm"}, {"type": "text", "text": "Answer"}]
    )
    assert message_to_dict(ai) == {"role": "assistant", "content": "Answer"}
    human = HumanMessage(content=[{"type": "text", "text": "a"}, {"type": "text", "text": "b"}])
    assert message_to_dict(human)["content"] == "ab"


def test_captured_signature_is_sent_back_verbatim_on_its_call():
    ai = AIMessage(
        content="",
        tool_calls=[
            {"name": "f", "args": {"x": 1}, "id": "call_a"},
            {"name": "f", "args": {"x": 2}, "id": "call_b"},
        ],
        additional_kwargs={SIGNATURES_KEY: {"call_a": "c2lnLWE="}},
    )
    result = message_to_dict(ai)
    assert result["content"] is None
    first, second = result["tool_calls"]
    assert first["extra_content"] == {"google": {"thought_signature": "c2lnLWE="}}
    assert first["function"] == {"name": "f", "arguments": '{"x": 1}'}
    assert "extra_content" not in second


def test_unsigned_history_gets_the_placeholder_on_the_first_call_only_for_gemini():
    ai = AIMessage(
        content="",
        tool_calls=[{"name": "f", "args": {}, "id": "c1"}, {"name": "g", "args": {}, "id": "c2"}],
    )
    result = message_to_dict(ai, google_model=True)
    assert (
        result["tool_calls"][0]["extra_content"]["google"]["thought_signature"]
        == PLACEHOLDER_SIGNATURE
    )
    assert "extra_content" not in result["tool_calls"][1]
    assert "extra_content" not in message_to_dict(ai, google_model=False)["tool_calls"][0]


def test_invalid_tool_calls_are_replayed_with_object_arguments():
    # Gemini's calls take an object of arguments: text that is not one goes back as {}.
    ai = AIMessage(
        content="",
        invalid_tool_calls=[
            {"name": "f", "args": "{bad", "id": "c9", "error": "x", "type": "invalid_tool_call"},
            {"name": "", "args": '{"a": 1}', "id": "", "error": "x", "type": "invalid_tool_call"},
            {"name": "g", "args": "[1]", "id": "c8", "error": "x", "type": "invalid_tool_call"},
        ],
    )
    calls = message_to_dict(ai)["tool_calls"]
    assert [c["function"]["arguments"] for c in calls] == ["{}", '{"a": 1}', "{}"]
    assert [c["id"] for c in calls] == ["c9", "", "c8"]  # "" pairs with tool_call_id=""


def test_tool_result_media_go_back_as_native_gemini_parts():
    tool = ToolMessage(
        content=[
            {"type": "text", "text": "chart attached"},
            {"type": "image", "url": "gs://bucket/chart.png"},
            {"type": "image", "base64": "iVBORw0KGgo=", "mime_type": "image/png"},
        ],
        tool_call_id="c1",
    )
    result = message_to_dict(tool)
    assert result["content"] == "chart attached"
    assert result["extra_content"]["google"]["parts"] == [
        {"file_data": {"mime_type": "image/png", "file_uri": "gs://bucket/chart.png"}},
        {"inline_data": {"mime_type": "image/png", "data": "iVBORw0KGgo="}},
    ]


def test_errors_name_the_message_and_block():
    with pytest.raises(ValueError, match=r"Message 1 \(human\): Content block 0: .*mime_type"):
        build_body(
            [SystemMessage("s"), HumanMessage(content=[{"type": "image", "base64": "aGk="}])],
            {"model": "google/gemini-2.5-flash"},
            google_model=True,
        )


def test_google_key_at_top_level_moves_under_extra_body():
    body = normalize_extra_body({"google": {"thinking_config": {"include_thoughts": True}}, "x": 1})
    assert body == {
        "x": 1,
        "extra_body": {"google": {"thinking_config": {"include_thoughts": True}}},
    }


def test_build_body_drops_none_and_parameters_vertex_ignores_with_a_warning(monkeypatch):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        body = build_body(
            [HumanMessage("hi")],
            {
                "model": "google/gemini-2.5-flash",
                "temperature": None,
                "logit_bias": {"1": 2},
                "seed": 3,
            },
            google_model=True,
        )
    assert body == {
        "model": "google/gemini-2.5-flash",
        "seed": 3,
        "messages": [{"role": "user", "content": "hi"}],
    }
    assert any("logit_bias" in str(w.message) for w in caught)


def test_text_beside_tool_calls_is_dropped_only_for_models_that_refuse_it():
    ai = AIMessage(content="Let me check.", tool_calls=[{"name": "f", "args": {}, "id": "c1"}])
    history = [HumanMessage("hi"), ai, ToolMessage("ok", tool_call_id="c1")]
    refused = build_body(history, {"model": "google/gemini-3.6-flash"}, google_model=True)
    assert refused["messages"][1]["content"] is None
    kept = build_body(history, {"model": "google/gemini-2.5-flash"}, google_model=True)
    assert kept["messages"][1]["content"] == "Let me check."


def test_empty_messages_are_refused_before_gemini_does():
    with pytest.raises(ValueError, match=r"Message 1 \(assistant\) is empty"):
        build_body(
            [HumanMessage("hi"), AIMessage(""), HumanMessage("again")],
            {"model": "google/gemini-2.5-flash"},
            google_model=True,
        )
    body = build_body(
        [HumanMessage("hi"), AIMessage("")],
        {"model": "meta/llama-3.3-70b-instruct-maas"},
        google_model=False,
    )
    assert body["messages"][1]["content"] is None


def test_failed_tool_result_says_so():
    result = message_to_dict(ToolMessage("division by zero", tool_call_id="c1", status="error"))
    assert result["content"] == "Error: division by zero"


def test_anthropic_source_blocks_are_accepted():
    message = HumanMessage(
        content=[
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
            }
        ]
    )
    assert message_to_dict(message)["content"] == [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
    ]


def test_undocumented_parameters_are_not_sent_to_gemini_but_are_to_partners(monkeypatch):
    with pytest.warns(UserWarning, match="top_k"):
        body = build_body(
            [HumanMessage("hi")],
            {"model": "google/gemini-2.5-flash", "top_k": 5},
            google_model=True,
        )
    assert "top_k" not in body
    partner = build_body(
        [HumanMessage("hi")],
        {"model": "meta/llama-3.3-70b-instruct-maas", "top_k": 5},
        google_model=False,
    )
    assert partner["top_k"] == 5


def test_media_in_a_system_message_is_refused_not_dropped():
    system = SystemMessage(
        content=[{"type": "text", "text": "s"}, {"type": "image", "url": "gs://bucket/a.png"}]
    )
    with pytest.raises(
        ValueError, match="Message 0 .*block 1: a system message can hold text only"
    ):
        check_messages([system, HumanMessage("hi")], model="google/gemini-3.5-flash")
