"""Refused inputs never reach the server: the strict emulator records no request.

Each case is one a user meets in practice (a history cut by `trim_messages`, a tool call
left unanswered, broken text, a recursive tool, a partner model's turn rules); the unit
tests in tests/unit/test_input_validation.py cover the messages in detail.
"""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_vertex_openai import ChatVertexOpenAI

GEMINI_3 = "gemini-3.5-flash"
LLAMA = "meta/llama-3.3-70b-instruct-maas"


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return "sunny"


class Node(BaseModel):
    """A tree node."""

    name: str
    children: list[Node] = []


def _llm(emulator, model: str = GEMINI_3) -> ChatVertexOpenAI:
    return ChatVertexOpenAI(
        model=model, base_url=emulator.base_url, credentials=emulator.credentials(), max_retries=0
    )


def _turn(call_id: str = "c1") -> AIMessage:
    return AIMessage(
        "", tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": call_id}]
    )


CASES = {
    "orphan-tool-result": (
        GEMINI_3,
        [ToolMessage("sunny", tool_call_id="c1"), HumanMessage("and tomorrow?")],
        'start_on="human"',
    ),
    "unanswered-call": (
        GEMINI_3,
        [HumanMessage("hi"), _turn(), HumanMessage("?")],
        "no ToolMessage",
    ),
    "text-none": (
        GEMINI_3,
        [HumanMessage(content=[{"type": "text", "text": None}])],
        "text is None",
    ),
    "lone-surrogate": (GEMINI_3, [HumanMessage("caf\ud800")], "lone surrogate"),
    "gemini-3-final-assistant": (
        GEMINI_3,
        [HumanMessage("Write a haiku"), AIMessage("Autumn moon")],
        "ends the conversation",
    ),
    "partner-starts-with-assistant": (
        LLAMA,
        [SystemMessage("s"), AIMessage("Hello!"), HumanMessage("hi")],
        "start with a user turn",
    ),
    "partner-two-user-turns": (LLAMA, [HumanMessage("a"), HumanMessage("b")], "alternating"),
}


def _send(llm: ChatVertexOpenAI, messages: list, mode: str) -> None:
    if mode == "invoke":
        llm.invoke(messages)
    elif mode == "stream":
        list(llm.stream(messages))
    elif mode == "ainvoke":
        asyncio.run(llm.ainvoke(messages))
    else:

        async def consume() -> None:
            async for _ in llm.astream(messages):
                pass

        asyncio.run(consume())


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("mode", ["invoke", "stream", "ainvoke", "astream"])
def test_refused_histories_send_nothing(emulator, case, mode):
    model, messages, fix = CASES[case]
    with pytest.raises(ValueError, match=fix):
        _send(_llm(emulator, model), messages, mode)
    assert emulator.requests == []


def test_refused_tools_and_choices_send_nothing(emulator):
    llm = _llm(emulator)
    with pytest.raises(ValueError, match="recursive"):
        llm.bind_tools([Node])
    with pytest.raises(ValueError, match="recursive"):
        llm.with_structured_output(Node, method="function_calling")
    with pytest.raises(ValueError, match="not one Gemini accepts"):
        llm.bind_tools([{"type": "function", "function": {"name": "get weather"}}])
    with pytest.raises(ValueError, match="no function tools are bound"):
        llm.invoke("hi", tool_choice="required")
    with pytest.raises(ValueError, match="tool_choice names 'nope'"):
        llm.bind_tools([get_weather]).invoke(
            "hi", tool_choice={"type": "function", "function": {"name": "nope"}}
        )
    assert emulator.requests == []


def test_the_legitimate_shapes_around_the_refusals_are_answered(emulator):
    # A trimmed history that starts on a human turn, a tool loop answered in full, and a
    # partner model continuing a final assistant turn all reach the emulator and pass it.
    llm = _llm(emulator).bind_tools([get_weather])
    first = llm.invoke("What's the weather in Paris? Use the tool.")
    assert first.tool_calls
    results = [ToolMessage("sunny", tool_call_id=call["id"]) for call in first.tool_calls]
    answer = llm.invoke([HumanMessage("What's the weather in Paris?"), first, *results])
    assert answer.content
    partner = _llm(emulator, LLAMA)
    partner.invoke([HumanMessage("Count to three"), AIMessage("One,")])
    assert len(emulator.requests) == 3
