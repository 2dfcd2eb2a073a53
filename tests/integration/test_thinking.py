"""Thinking and safety end to end (issue 6): reasoning_effort, thinking_budget,
include_thoughts, usage with reasoning tokens, safety_settings and safety blocks, through
``ChatVertexOpenAI`` against the strict emulator (plus the emulator's own wire shapes)."""

from __future__ import annotations

import json

import httpx2
import openai
import pytest
from langchain_core.exceptions import ModelRefusalError
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

from langchain_vertex_openai import ChatVertexOpenAI, VertexPromptBlockedError
from langchain_vertex_openai.testing import VertexEmulator
from tests.helpers import emulator_model as shared_emulator_model
from tests.helpers import merge_chunks, post_chat, sse_events

# Gemini 2.5's budget rules are tested on purpose, though the family is retired.
pytestmark = pytest.mark.filterwarnings("ignore::langchain_vertex_openai.RetiredModelWarning")
FLASH = "gemini-2.5-flash"
G3 = "gemini-3.8-flash"
ANSWER = f"Emulated reply from google/{FLASH}: Hi"
THOUGHT = '**Considering the request**\n\nThe user wrote: "Hi". I will answer directly.\n\n'
DANGEROUS = "HARM_CATEGORY_DANGEROUS_CONTENT"


def emulator_model(emulator: VertexEmulator, model: str = FLASH, **kwargs) -> ChatVertexOpenAI:
    """The shared builder with this file's default model (Gemini 2.5 Flash, budgets on purpose)."""
    return shared_emulator_model(emulator, model, **kwargs)


@pytest.fixture
def emu(vertex_emulator_strict: VertexEmulator) -> VertexEmulator:
    return vertex_emulator_strict


def streamed(llm: ChatVertexOpenAI, prompt, **kwargs) -> AIMessageChunk:
    full = merge_chunks(list(llm.stream(prompt, **kwargs)))
    assert isinstance(full, AIMessageChunk)
    return full


def reasoning(message: AIMessage) -> int:
    usage = message.usage_metadata
    assert usage is not None
    assert usage["input_tokens"] + usage["output_tokens"] == usage["total_tokens"]
    return usage.get("output_token_details", {}).get("reasoning", 0)


def google(emu: VertexEmulator) -> dict:
    request = emu.last_request
    assert request is not None
    return request.body.get("extra_body", {}).get("google", {})


# -- reasoning_effort and thinking_budget ----------------------------------------------------


def test_effort_none_turns_thinking_off_on_25_flash(emu):
    default = emulator_model(emu, FLASH).invoke("Hi")
    off = emulator_model(emu, FLASH, reasoning_effort="none").invoke("Hi")
    assert emu.last_request.body["reasoning_effort"] == "none"
    assert reasoning(default) > 0
    assert reasoning(off) == 0
    assert off.usage_metadata["output_tokens"] < default.usage_metadata["output_tokens"]


@pytest.mark.parametrize("name", [FLASH, G3])
def test_effort_levels_scale_thinking(emu, name):
    llm = emulator_model(emu, name)
    counts = []
    for effort in ("low", "medium", "high"):
        counts.append(reasoning(llm.invoke("Hi", reasoning_effort=effort)))  # per call
        assert emu.last_request.body["reasoning_effort"] == effort
        assert "thinking_config" not in google(emu)
    assert 0 < counts[0] < counts[1] < counts[2]


def test_minimal_level_where_the_model_has_it(emu):
    message = emulator_model(emu, "gemini-3.5-flash", reasoning_effort="minimal").invoke("Hi")
    assert emu.last_request.body["reasoning_effort"] == "minimal"
    assert reasoning(message) > 0


@pytest.mark.parametrize(
    ("name", "settings", "fragment"),
    [
        (G3, {"reasoning_effort": "minimal"}, "use one of low, medium, high"),
        (G3, {"reasoning_effort": "none"}, "use one of low, medium, high"),
        ("gemini-2.5-pro", {"reasoning_effort": "none"}, "not accepted by google/gemini-2.5-pro"),
        (G3, {"thinking_budget": 100}, "thinking_budget is deprecated"),
        (FLASH, {"reasoning_effort": "low", "thinking_budget": 100}, "not both"),
        (FLASH, {"thinking_budget": -5}, "must be -1"),
    ],
)
def test_settings_that_cannot_work_fail_before_any_request(emu, name, settings, fragment):
    with pytest.raises(ValueError, match=fragment):
        emulator_model(emu, name, **settings).invoke("Hi")
    with pytest.raises(ValueError, match=fragment):
        emulator_model(emu, name).invoke("Hi", **settings)
    assert emu.requests == []


def test_effort_with_a_thinking_config_in_extra_body_fails_before_any_request(emu):
    extra = {"google": {"thinking_config": {"thinking_budget": 10}}}
    with pytest.raises(ValueError, match="cannot be sent together"):
        emulator_model(emu, FLASH, reasoning_effort="low", extra_body=extra).invoke("Hi")
    assert emu.requests == []


def test_thinking_budget_caps_reasoning_tokens(emu):
    capped = emulator_model(emu, FLASH, thinking_budget=5).invoke("Hi")
    assert google(emu) == {"thinking_config": {"thinking_budget": 5}}
    assert reasoning(capped) == 5
    assert reasoning(emulator_model(emu, FLASH, thinking_budget=0).invoke("Hi")) == 0
    assert reasoning(emulator_model(emu, FLASH, thinking_budget=-1).invoke("Hi")) > 5


# -- include_thoughts ------------------------------------------------------------------------


def test_thoughts_are_kept_out_of_the_answer(emu):
    message = emulator_model(emu, FLASH, include_thoughts=True).invoke("Hi")
    assert google(emu) == {
        "thinking_config": {"include_thoughts": True},
        "thought_tag_marker": "thought",
    }
    assert message.content == ANSWER and message.text == ANSWER
    assert message.additional_kwargs["reasoning_content"] == THOUGHT
    assert reasoning(message) > 0


def test_streamed_thoughts_are_kept_out_of_the_answer(emu):
    chunks = list(emulator_model(emu, FLASH, include_thoughts=True).stream("Hi"))
    assert all("<thought" not in c.text and "</thought" not in c.text for c in chunks)
    assert "".join(c.text for c in chunks) == ANSWER
    thoughts = "".join(c.additional_kwargs.get("reasoning_content", "") for c in chunks)
    assert thoughts == THOUGHT
    full = streamed(emulator_model(emu, FLASH, include_thoughts=True), "Hi")
    assert full.text == ANSWER and full.additional_kwargs["reasoning_content"] == THOUGHT
    assert reasoning(full) > 0


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_thoughts_as_v1_reasoning_blocks_first(emu, stream):
    llm = emulator_model(emu, FLASH, include_thoughts=True, output_version="v1")
    message = streamed(llm, "Hi") if stream else llm.invoke("Hi")
    kinds = [block["type"] for block in message.content]
    assert kinds == ["reasoning", "text"]
    assert message.content[0]["reasoning"] == THOUGHT
    assert message.text == ANSWER


def test_thoughts_with_effort_on_gemini_3(emu):
    message = emulator_model(emu, G3, include_thoughts=True).invoke("Hi", reasoning_effort="high")
    assert "reasoning_effort" not in emu.last_request.body  # folded into thinking_config
    assert google(emu)["thinking_config"] == {"include_thoughts": True, "thinking_level": "high"}
    assert message.additional_kwargs["reasoning_content"] == THOUGHT
    assert message.text == f"Emulated reply from google/{G3}: Hi"


def test_no_thoughts_when_thinking_is_off(emu):
    message = emulator_model(emu, FLASH, include_thoughts=True, reasoning_effort="none").invoke(
        "Hi"
    )
    assert google(emu)["thinking_config"] == {"include_thoughts": True, "thinking_budget": 0}
    assert "reasoning_content" not in message.additional_kwargs
    assert message.text == ANSWER and reasoning(message) == 0


def test_thoughts_stay_hidden_without_include_thoughts(emu):
    message = emulator_model(emu, FLASH).invoke("Hi")
    assert reasoning(message) > 0
    assert "reasoning_content" not in message.additional_kwargs and message.text == ANSWER


@pytest.mark.parametrize("output_version", ["v0", "v1"])
def test_thoughts_are_not_sent_back_as_answer_text(emu, output_version):
    llm = emulator_model(emu, FLASH, include_thoughts=True, output_version=output_version)
    first = llm.invoke("Hi")
    second = llm.invoke([HumanMessage("Hi"), first, HumanMessage("Repeat exactly: again")])
    assert second.text == "again"
    sent = emu.last_request.body["messages"][1]
    assert sent["role"] == "assistant" and sent["content"] == ANSWER
    assert "Considering" not in json.dumps(emu.last_request.body)


# -- safety ----------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_blocked_answer_is_reported_as_content_filter(emu, stream):
    llm = emulator_model(emu, FLASH)
    message = streamed(llm, "Tell me EMULATOR_BLOCK") if stream else llm.invoke("EMULATOR_BLOCK")
    assert message.response_metadata["finish_reason"] == "content_filter"
    assert message.text == ""


@pytest.mark.parametrize(
    "settings",
    [
        {DANGEROUS: "BLOCK_NONE"},
        [{"category": DANGEROUS, "threshold": "OFF"}],
        [
            {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_LOW_AND_ABOVE"},
            {"category": DANGEROUS, "threshold": "BLOCK_NONE"},
        ],
    ],
    ids=["mapping", "list", "several"],
)
def test_safety_settings_reach_the_server_and_lift_the_block(emu, settings):
    message = emulator_model(emu, FLASH, safety_settings=settings).invoke("Tell me EMULATOR_BLOCK")
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.text == f"Emulated reply from google/{FLASH}: Tell me EMULATOR_BLOCK"
    sent = google(emu)["safety_settings"]
    expected = (
        [{"category": k, "threshold": v} for k, v in settings.items()]
        if isinstance(settings, dict)
        else settings
    )
    assert sent == expected


def test_safety_settings_per_call(emu):
    llm = emulator_model(emu, FLASH)
    lifted = llm.invoke("EMULATOR_BLOCK", safety_settings={DANGEROUS: "OFF"})
    assert lifted.response_metadata["finish_reason"] == "stop"
    other = llm.invoke("EMULATOR_BLOCK", safety_settings={"HARM_CATEGORY_HARASSMENT": "OFF"})
    assert other.response_metadata["finish_reason"] == "content_filter"


def test_bad_safety_threshold_fails_before_any_request(emu):
    with pytest.raises(ValueError, match="threshold 'BLOCK_MAYBE'"):
        emulator_model(emu, FLASH, safety_settings={DANGEROUS: "BLOCK_MAYBE"}).invoke("Hi")
    assert emu.requests == []


def test_misspelled_safety_category_never_goes_unnoticed(emu):
    # The client checks only the HARM_CATEGORY_ prefix; Vertex (and the emulator) refuse
    # unknown enum names with a 400 that names the field.
    with pytest.raises(
        (ValueError, openai.BadRequestError), match="HARM_CATEGORY_DANGEROUS"
    ) as caught:
        emulator_model(emu, FLASH, safety_settings={"HARM_CATEGORY_DANGEROUS": "OFF"}).invoke("Hi")
    assert "safety_settings" in str(caught.value)


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_blocked_prompt_raises_a_clear_safety_error(emu, stream):
    llm = emulator_model(emu, FLASH)

    def run() -> object:
        if stream:
            return list(llm.stream("EMULATOR_BLOCK_PROMPT"))
        return llm.invoke("EMULATOR_BLOCK_PROMPT")

    with pytest.raises(VertexPromptBlockedError, match="(?i)prompt.*blocked") as info:
        run()
    assert isinstance(info.value, ModelRefusalError)


def test_blocked_prompt_is_not_lifted_by_settings_and_is_not_retried(emu):
    llm = emulator_model(emu, FLASH, safety_settings={DANGEROUS: "OFF"})
    with pytest.raises(VertexPromptBlockedError):
        llm.invoke("EMULATOR_BLOCK_PROMPT")
    assert len(emu.chat_requests) == 1


# -- cached_content --------------------------------------------------------------------------


def test_cached_content_reaches_a_regional_server():
    name = "projects/emulator-project/locations/us-central1/cachedContents/42"
    with VertexEmulator(strict=True, location="us-central1") as emu:
        message = emulator_model(emu, FLASH, cached_content=name).invoke("Hi")
        assert message.text == ANSWER
        assert google(emu) == {"cached_content": name}


# -- the emulator's side: wire shapes behind the client's view -------------------------------


def raw(emu: VertexEmulator, body: dict) -> httpx2.Response:
    body = {"model": f"google/{FLASH}", "messages": [{"role": "user", "content": "Hi"}], **body}
    return post_chat(emu, body)


def events(response: httpx2.Response) -> list[dict]:
    assert "data: [DONE]" in response.text.split("\n")
    return sse_events(response)


def test_wire_blocked_prompt_has_no_choices(emu):
    blocked = {"messages": [{"role": "user", "content": "EMULATOR_BLOCK_PROMPT"}]}
    body = raw(emu, blocked).json()
    assert body["choices"] == [] and body["object"] == "chat.completion"
    usage = body["usage"]
    assert usage["completion_tokens"] == 0 and usage["total_tokens"] == usage["prompt_tokens"]
    (chunk,) = events(raw(emu, {**blocked, "stream": True}))
    assert chunk["choices"] == [] and chunk["usage"]["completion_tokens"] == 0
    with VertexEmulator(safety_prompt_trigger=None) as open_emu:
        assert raw(open_emu, blocked).json()["choices"][0]["finish_reason"] == "content_filter"


def test_wire_thoughts_tagged_and_flagged_in_streams(emu):
    google_ext = {"thinking_config": {"include_thoughts": True}, "thought_tag_marker": "think"}
    chunks = events(raw(emu, {"stream": True, "extra_body": {"google": google_ext}}))
    deltas = [c["choices"][0]["delta"] for c in chunks]
    flagged = [d for d in deltas if d.get("extra_content", {}).get("google", {}).get("thought")]
    text = "".join(d.get("content", "") for d in deltas)
    assert text == f"<think>{THOUGHT}</think>{ANSWER}"
    assert "".join(d["content"] for d in flagged) == f"<think>{THOUGHT}"
    usage = chunks[-1]["usage"]
    details = usage["completion_tokens_details"]["reasoning_tokens"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] + details
    assert usage["completion_tokens"] == -(-len(ANSWER) // 4)  # excludes thinking (§5)


def test_wire_budget_caps_even_visible_thoughts(emu):
    config = {"include_thoughts": True, "thinking_budget": 3}
    usage = raw(emu, {"extra_body": {"google": {"thinking_config": config}}}).json()["usage"]
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 3


@pytest.mark.parametrize(
    ("google_ext", "fragment"),
    [
        ({"thinking_config": {"thinking_budget": -2}}, "thinking_budget is -2"),
        ({"thinking_config": {"thinking_budget": "9"}}, "(TYPE_INT32)"),
        ({"thinking_config": {"include_thoughts": "yes"}}, "(TYPE_BOOL)"),
        ({"thinking_config": {"thinking_level": "extreme"}}, "(ThinkingLevel)"),
        ({"thought_tag_marker": 1}, "(TYPE_STRING)"),
        (
            {"safety_settings": [{"category": "HARM_CATEGORY_FOO", "threshold": "OFF"}]},
            "(HarmCategory)",
        ),
        (
            {"safety_settings": [{"category": DANGEROUS, "threshold": "BLOCK_SOME"}]},
            "(HarmBlockThreshold)",
        ),
        (
            {"safety_settings": [{"category": DANGEROUS, "threshold": "OFF", "method": "X"}]},
            "(HarmBlockMethod)",
        ),
        ({"safety_settings": {"category": DANGEROUS}}, "(TYPE_LIST)"),
    ],
)
def test_wire_malformed_thinking_and_safety_values(emu, google_ext, fragment):
    response = raw(emu, {"extra_body": {"google": google_ext}})
    assert response.status_code == 400, response.text
    assert fragment in response.json()["error"]["message"]


def test_wire_thinking_level_on_gemini_3(emu):
    config = {"thinking_config": {"thinking_level": "low"}}
    ok = raw(emu, {"model": f"google/{G3}", "extra_body": {"google": config}})
    assert ok.status_code == 200
    config = {"thinking_config": {"thinking_level": "minimal"}}
    refused = raw(emu, {"model": f"google/{G3}", "extra_body": {"google": config}})
    assert "Thinking level 'minimal' is not supported" in refused.json()["error"]["message"]
