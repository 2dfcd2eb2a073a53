"""Exact token counts through Vertex's countTokens method, against the emulator."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from langchain_vertex_openai import ChatVertexOpenAI, VertexNotFoundError
from tests.helpers import emulator_model


def test_exact_count_matches_what_a_call_reports_as_prompt_tokens(emulator):
    history = [
        SystemMessage("Be brief."),
        HumanMessage("Tell me about the sea"),
        AIMessage("It is big."),
        HumanMessage("And rivers?"),
    ]
    exact = emulator_model(emulator, exact_token_count=True).get_num_tokens_from_messages(history)
    request = emulator.last_request
    assert request.path.endswith("/publishers/google/models/gemini-3.5-flash:countTokens")
    assert request.body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert [c["role"] for c in request.body["contents"]] == ["user", "model", "user"]
    reply = emulator_model(emulator).invoke(history)
    assert exact == reply.usage_metadata["input_tokens"]


def test_offline_estimate_makes_no_request(emulator):
    assert emulator_model(emulator).get_num_tokens("hello world, how are you") > 0
    assert emulator.requests == []


def test_exact_get_num_tokens_and_errors(emulator):
    llm = emulator_model(emulator, exact_token_count=True)
    assert llm.get_num_tokens("hello there") > 0
    unknown = ChatVertexOpenAI(
        model="gemini-0-unknown",
        base_url=emulator.base_url,
        credentials=emulator.credentials(),
        exact_token_count=True,
    )
    with pytest.raises(VertexNotFoundError):
        unknown.get_num_tokens("hi")
    with pytest.raises(ValueError, match="Google models only"):
        ChatVertexOpenAI(
            model="meta/llama-3.3-70b-instruct-maas", project="p-12345", exact_token_count=True
        )
