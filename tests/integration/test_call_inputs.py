"""Per-call tools and malformed-call histories, sent to the strict emulator over sockets.

Tools given to one call (`invoke(..., tools=[...])`) go out converted as `bind_tools`
converts them, and a tool loop runs on them; a malformed tool call answered by a
ToolMessage goes back in a shape the endpoint takes; settings and messages the endpoint
cannot take are refused before anything is sent (the emulator records no request).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    ChatMessage,
    HumanMessage,
    RemoveMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_vertex_openai import ChatVertexOpenAI


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"sunny in {city}"


class Ping(BaseModel):
    """Check that the service answers."""


def _llm(emulator: Any, **kwargs: Any) -> ChatVertexOpenAI:
    return ChatVertexOpenAI(
        model="gemini-3.5-flash",
        base_url=emulator.base_url,
        credentials=emulator.credentials(),
        max_retries=0,
        **kwargs,
    )


@pytest.mark.parametrize("streaming", [False, True])
async def test_tool_loop_on_per_call_tools(emulator: Any, streaming: bool) -> None:
    emulator.queue_reply(tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}])
    emulator.queue_reply("Sunny in Paris.")
    model = _llm(emulator, streaming=streaming)
    tools = [get_weather, Ping]
    history: list[Any] = [HumanMessage("Weather in Paris?")]
    first = await model.ainvoke(history, tools=tools)
    (call,) = first.tool_calls
    assert call["name"] == "get_weather"
    history += [first, ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])]
    final = model.invoke(history, tools=tools)
    assert final.text == "Sunny in Paris."
    sent = emulator.requests[0].body["tools"]
    assert [t["function"]["name"] for t in sent] == ["get_weather", "Ping"]
    assert sent[1]["function"]["parameters"] == {"type": "object", "properties": {}}


async def test_answered_malformed_call_round_trips(emulator: Any) -> None:
    emulator.queue_reply(
        "Let me check.",
        tool_calls=[{"name": "get_weather", "arguments": '{"city": "San Fr', "id": "c1"}],
        finish_reason="stop",
    )
    emulator.queue_reply("Which city did you mean?")
    model = _llm(emulator).bind_tools([get_weather])
    history: list[Any] = [HumanMessage("Weather in San Francisco?")]
    first = await model.ainvoke(history)
    (invalid,) = first.invalid_tool_calls
    answer = ToolMessage(f"Error: {invalid['error']}", tool_call_id=invalid["id"], status="error")
    final = await model.ainvoke([*history, first, answer])
    assert final.text == "Which city did you mean?"
    replayed = emulator.requests[1].body["messages"][1]["tool_calls"][0]
    assert replayed["function"] == {"name": "get_weather", "arguments": "{}"}
    assert replayed["id"] == invalid["id"]
    assert first.invalid_tool_calls[0]["args"] == '{"city": "San Fr'  # kept on the message


REFUSED: dict[str, tuple[Any, dict[str, Any], str]] = {
    "unknown role": ([ChatMessage(role="wizard", content="hi")], {}, "role 'wizard'"),
    "RemoveMessage": ([HumanMessage("hi"), RemoveMessage(id="x")], {}, "RemoveMessage"),
    "stop=5": ([HumanMessage("hi")], {"stop": 5}, "stop must be a list of strings"),
    "seed=1.5": ([HumanMessage("hi")], {"seed": 1.5}, "seed must be a whole number"),
    "parallel_tool_calls='no'": (
        [HumanMessage("hi")],
        {"parallel_tool_calls": "no"},
        "parallel_tool_calls must be True or False",
    ),
    "id-less malformed call": (
        [
            HumanMessage("hi"),
            AIMessage(
                "",
                invalid_tool_calls=[
                    {
                        "type": "invalid_tool_call",
                        "id": None,
                        "name": "f",
                        "args": "{",
                        "error": "x",
                    }
                ],
            ),
            HumanMessage("again"),
        ],
        {},
        "invalid tool call 0 .* has no id",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_refused_before_anything_is_sent(emulator: Any, case: str) -> None:
    messages, kwargs, pattern = REFUSED[case]
    model = _llm(emulator)
    with pytest.raises(ValueError, match=pattern):
        model.invoke(messages, **kwargs)
    with pytest.raises(ValueError, match=pattern):
        await model.ainvoke(messages, **kwargs)
    with pytest.raises(ValueError, match=pattern):
        list(model.stream(messages, **kwargs))
    assert emulator.requests == []
