"""Partner models' reasoning (`reasoning_content`, inline `<think>`) and Grok's usage."""

from __future__ import annotations

import random
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk

from langchain_vertex_openai._reasoning import (
    InlineReasoning,
    opens_reasoning_implicitly,
    split_inline_reasoning,
)
from langchain_vertex_openai._response import (
    StreamState,
    chat_result_from_completion,
    chunk_to_message_chunk,
    final_chunk,
)
from langchain_vertex_openai._usage import counts_reasoning_apart, usage_to_metadata

DEEPSEEK = "deepseek-ai/deepseek-r1-0528-maas"
LLAMA = "meta/llama-4-maverick-17b-128e-instruct-maas"
GROK = "xai/grok-4.1-fast-reasoning-maas"
GEMINI = "google/gemini-3-flash-preview"

WHOLE_CASES = {
    "tagged": ("<think>Paris is the capital.</think>\n\nParis.", "Paris is the capital.", "Paris."),
    "leading whitespace": ("\n <think>why</think>Paris.", "why", "Paris."),
    "bare closing tag": (
        "Paris is the capital.\n</think>\n\nParis.",
        "Paris is the capital.\n",
        "Paris.",
    ),
    "no reasoning": ("Paris.", "", "Paris."),
    "cut off inside reasoning": ("<think>Paris is", "Paris is", ""),
    "later tags are answer text": ("<think>a</think>Use <think> tags.", "a", "Use <think> tags."),
    "empty reasoning": ("<think></think>Paris.", "", "Paris."),
    "a lone angle bracket": ("<b>Paris</b>", "", "<b>Paris</b>"),
    "only whitespace": ("  ", "", "  "),
}


@pytest.mark.parametrize(
    ("text", "reasoning", "answer"), WHOLE_CASES.values(), ids=WHOLE_CASES.keys()
)
def test_whole_replies_split_into_reasoning_and_answer(text, reasoning, answer):
    assert split_inline_reasoning(text) == (reasoning, answer)


def _stream_split(pieces: list[str], *, implicit_open: bool) -> tuple[str, str]:
    splitter = InlineReasoning(implicit_open=implicit_open)
    reasoning = answer = ""
    for piece in pieces:
        more_reasoning, more_answer = splitter.feed(piece)
        reasoning, answer = reasoning + more_reasoning, answer + more_answer
    more_reasoning, more_answer = splitter.flush()
    return reasoning + more_reasoning, answer + more_answer


@pytest.mark.parametrize(
    ("text", "reasoning", "answer"), WHOLE_CASES.values(), ids=WHOLE_CASES.keys()
)
def test_every_split_point_of_a_stream_gives_the_whole_reply_split(text, reasoning, answer):
    # Tags cut anywhere, in two or three chunks, including inside `<think>`/`</think>`.
    for first in range(len(text) + 1):
        for second in range(first, len(text) + 1):
            pieces = [text[:first], text[first:second], text[second:]]
            assert _stream_split(pieces, implicit_open=True) == (reasoning, answer), pieces


def test_one_character_at_a_time():
    text = WHOLE_CASES["bare closing tag"][0]
    assert _stream_split(list(text), implicit_open=True) == split_inline_reasoning(text)
    text = WHOLE_CASES["tagged"][0]
    assert _stream_split(list(text), implicit_open=False) == split_inline_reasoning(text)


def test_answer_streams_at_once_when_the_model_cannot_start_inside_reasoning():
    splitter = InlineReasoning(implicit_open=False)
    assert splitter.feed("Par") == ("", "Par")
    assert splitter.feed("is.") == ("", "is.")


def test_reasoning_streams_as_it_comes_and_only_a_partial_tag_is_held():
    splitter = InlineReasoning(implicit_open=True)
    assert splitter.feed("<think>Paris") == ("Paris", "")
    assert splitter.feed(" is</thi") == (" is", "")
    assert splitter.feed("nk>Paris.") == ("", "Paris.")


def test_a_model_that_may_start_inside_reasoning_is_held_until_the_closing_tag():
    splitter = InlineReasoning(implicit_open=True)
    assert splitter.feed("The user asks") == ("", "")
    assert splitter.feed(" about Paris.</think>\n") == ("The user asks about Paris.", "")
    assert splitter.feed("Paris.") == ("", "Paris.")


def test_a_reasoning_content_field_ends_the_hold_for_a_bare_closing_tag():
    splitter = InlineReasoning(implicit_open=True)
    assert splitter.feed("Par") == ("", "")  # might be reasoning ended by a bare </think>
    splitter.field_seen()  # the model reasons in the field: its content is the answer
    assert splitter.feed("is.") == ("", "Paris.")
    assert splitter.feed(" More.") == ("", " More.")


def test_which_partner_models_may_start_inside_reasoning():
    assert opens_reasoning_implicitly(DEEPSEEK)
    assert opens_reasoning_implicitly("deepseek-ai/deepseek-v3.2-maas")
    assert not opens_reasoning_implicitly(LLAMA)
    assert not opens_reasoning_implicitly("openai/gpt-oss-120b-maas")


# -- through the answer parser ------------------------------------------------------------


def completion(message: dict[str, Any], usage: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "choices": [{"finish_reason": "stop", "index": 0, "message": message}],
        "id": "2025-06-11|10:00:00.292195-07|9.7.144.202|-123456789",
        "model": "deepseek-ai/deepseek-r1-0528-maas",
        "object": "chat.completion",
        "usage": usage or {"completion_tokens": 9, "prompt_tokens": 5, "total_tokens": 14},
    }


def parse(body: dict[str, Any], model: str = DEEPSEEK, **kwargs: Any) -> AIMessage:
    message = chat_result_from_completion(body, requested_model=model, **kwargs)
    result = message.generations[0].message
    assert isinstance(result, AIMessage)
    return result


def event(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    choice: dict[str, Any] = {"delta": {"role": "assistant", **delta}, "index": 0}
    if finish_reason:
        choice["finish_reason"] = finish_reason
    return {"choices": [choice], "id": "x|1", "created": 1, "object": "chat.completion.chunk"}


def stream(deltas: list[dict[str, Any]], model: str = DEEPSEEK) -> tuple[AIMessageChunk, list]:
    state = StreamState(requested_model=model)
    events = [event(d) for d in deltas] + [event({}, "stop")]
    chunks = [c for e in events if (c := chunk_to_message_chunk(e, state)) is not None]
    chunks.append(final_chunk(state))
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert isinstance(merged, AIMessageChunk)
    return merged, chunks


@pytest.mark.parametrize(
    "message",
    [
        {"content": "Paris.", "reasoning_content": "The capital of France."},
        {"content": "<think>The capital of France.</think>\n\nParis."},
        {"content": "The capital of France.</think>\n\nParis."},
    ],
    ids=["field", "tags", "bare closing tag"],
)
def test_whole_partner_answer_keeps_reasoning_out_of_the_answer(message):
    ai = parse(completion({"role": "assistant", **message}))
    assert ai.content == "Paris."
    assert ai.additional_kwargs["reasoning_content"] == "The capital of France."
    assert [b["type"] for b in ai.content_blocks] == ["reasoning", "text"]
    assert ai.content_blocks[0]["reasoning"] == "The capital of France."


@pytest.mark.parametrize(
    "deltas",
    [
        [
            {"reasoning_content": "The capital"},
            {"reasoning_content": " of France."},
            {"content": "Paris."},
        ],
        [
            {"content": "<thi"},
            {"content": "nk>The capital of"},
            {"content": " France.</th"},
            {"content": "ink>Paris."},
        ],
        [{"content": "The capital of France.</"}, {"content": "think>"}, {"content": "\n\nParis."}],
    ],
    ids=["field", "split tags", "bare closing tag split"],
)
def test_streamed_partner_answer_keeps_reasoning_out_of_every_chunk(deltas):
    merged, chunks = stream(deltas)
    assert merged.content == "Paris."
    assert merged.additional_kwargs["reasoning_content"] == "The capital of France."
    assert all("think" not in str(chunk.content) for chunk in chunks)


def test_deepseek_answer_streams_as_it_comes_once_reasoning_arrives_in_the_field():
    _, chunks = stream(
        [{"reasoning_content": "The capital of France."}, {"content": "Par"}, {"content": "is."}]
    )
    assert [c.text for c in chunks if c.text] == ["Par", "is."]


def test_gemini_answers_are_not_searched_for_think_tags():
    body = completion({"role": "assistant", "content": "Use </think> to end a thought."})
    assert parse(body, model=GEMINI).content == "Use </think> to end a thought."
    merged, _ = stream([{"content": "Use </think> to end."}], model=GEMINI)
    assert merged.content == "Use </think> to end."


def test_reasoning_content_is_read_for_gemini_too_and_never_becomes_answer():
    body = completion({"role": "assistant", "content": "Paris.", "reasoning_content": "why"})
    ai = parse(body, model=GEMINI)
    assert (ai.content, ai.additional_kwargs["reasoning_content"]) == ("Paris.", "why")


def test_partner_reasoning_beside_tool_calls():
    message = {
        "content": "<think>Need the weather.</think>",
        "role": "assistant",
        "tool_calls": [
            {"function": {"arguments": '{"city": "Paris"}', "name": "get_weather"}, "id": "w"}
        ],
    }
    ai = parse(completion(message))
    assert ai.content == ""
    assert ai.additional_kwargs["reasoning_content"] == "Need the weather."
    assert ai.tool_calls[0]["args"] == {"city": "Paris"}


# -- Grok's usage ------------------------------------------------------------------------


GROK_USAGE = {
    "completion_tokens": 45,
    "completion_tokens_details": {"reasoning_tokens": 504},
    "prompt_tokens": 27,
}


@pytest.mark.parametrize("total", [72, 576, None], ids=["total without", "total with", "none"])
def test_grok_output_is_completion_plus_reasoning_whatever_the_total(total):
    usage = {**GROK_USAGE, "total_tokens": total}
    metadata = usage_to_metadata(usage, reasoning_apart=True)
    assert metadata["output_tokens"] == 45 + 504
    assert metadata["total_tokens"] == 27 + 45 + 504
    assert metadata["output_token_details"] == {"reasoning": 504}
    assert counts_reasoning_apart(GROK)
    assert not counts_reasoning_apart(GEMINI)
    assert not counts_reasoning_apart(DEEPSEEK)


def test_grok_usage_through_the_answer_parser_whole_and_streamed():
    usage = {**GROK_USAGE, "total_tokens": 72}
    ai = parse(completion({"role": "assistant", "content": "Hi"}, usage), model=GROK)
    assert (ai.usage_metadata["output_tokens"], ai.usage_metadata["total_tokens"]) == (549, 576)
    state = StreamState(requested_model=GROK)
    chunk_to_message_chunk({**event({"content": "Hi"}, "stop"), "usage": usage}, state)
    assert final_chunk(state).usage_metadata["output_tokens"] == 549


def test_gemini_rule_is_kept_for_the_same_figures():
    # Vertex's Gemini example: 27 + 45 + 504 = 576, reasoning outside completion_tokens.
    usage = {**GROK_USAGE, "total_tokens": 576}
    assert usage_to_metadata(usage)["output_tokens"] == 549
    # A partner model that follows OpenAI (reasoning inside completion) is left alone.
    openai_style = {
        "completion_tokens": 600,
        "completion_tokens_details": {"reasoning_tokens": 504},
        "prompt_tokens": 27,
        "total_tokens": 627,
    }
    metadata = usage_to_metadata(openai_style)
    assert (metadata["output_tokens"], metadata["total_tokens"]) == (600, 627)


def test_random_texts_split_the_same_streamed_in_random_chunks_or_whole():
    rng = random.Random(12)
    pieces = ["<think>", "</think>", "<", "</", "think", ">", "a", "b", " ", "\n"]
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        cuts = sorted(rng.sample(range(len(text) + 1), k=min(3, len(text) + 1)))
        chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        reasoning, answer = _stream_split(chunks, implicit_open=True)
        assert (reasoning, answer) == split_inline_reasoning(text), chunks
        # Nothing but the first tag pair and the whitespace after it is ever dropped.
        assert len(reasoning) + len(answer) >= len(text) - len("<think></think>") - text.count(
            " "
        ) - text.count("\n")
