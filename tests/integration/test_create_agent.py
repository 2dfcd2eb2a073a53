"""LangChain 1.x `create_agent` end to end against the strict emulator."""

from __future__ import annotations

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware, SummarizationMiddleware
from langchain.agents.structured_output import ProviderStrategy, ToolStrategy
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from pydantic import BaseModel, Field

from tests.helpers import emulator_model


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"sunny in {city}"


@tool
def send_email(to: str, body: str) -> str:
    """Send an email."""
    return f"sent to {to}"


class WeatherReport(BaseModel):
    """A weather report."""

    city: str = Field(description="The city")
    summary: str
    temperature_c: int | None = None


_LIMIT = {"recursion_limit": 12}  # a looping agent fails fast instead of hanging


def _llm(emulator, model="gemini-3.5-flash", **kwargs):
    return emulator_model(emulator, model, **kwargs)


def test_profile_lets_create_agent_choose_provider_strategy(emulator):
    agent = create_agent(_llm(emulator), tools=[get_weather], response_format=WeatherReport)
    state = agent.invoke(
        {"messages": [HumanMessage("Use get_weather for 'Paris' and report it")]}, _LIMIT
    )
    assert isinstance(state["structured_response"], WeatherReport)
    assert any(isinstance(m, ToolMessage) for m in state["messages"])
    formats = [r.body.get("response_format") for r in emulator.requests]
    assert any(f and f["type"] == "json_schema" for f in formats)
    assert all("$defs" not in str(f) for f in formats)


def test_tool_strategy_path(emulator):
    agent = create_agent(
        _llm(emulator), tools=[get_weather], response_format=ToolStrategy(WeatherReport)
    )
    state = agent.invoke(
        {"messages": [HumanMessage("Use get_weather for 'Rome' and report it")]}, _LIMIT
    )
    assert isinstance(state["structured_response"], WeatherReport)


@pytest.mark.filterwarnings("ignore::langchain_vertex_openai.RetiredModelWarning")
def test_gemini_2_5_with_tools_uses_tool_strategy(emulator):
    agent = create_agent(
        _llm(emulator, "gemini-2.5-flash"), tools=[get_weather], response_format=WeatherReport
    )
    state = agent.invoke(
        {"messages": [HumanMessage("Use get_weather for 'Oslo' and report it")]}, _LIMIT
    )
    assert isinstance(state["structured_response"], WeatherReport)
    # Gemini before 3 does not combine tools with a JSON response type: never both at once.
    for request in emulator.requests:
        assert not (request.body.get("tools") and request.body.get("response_format"))


def test_provider_strategy_explicit(emulator):
    agent = create_agent(_llm(emulator), response_format=ProviderStrategy(WeatherReport))
    state = agent.invoke({"messages": [HumanMessage("Report the weather for 'Lima'")]}, _LIMIT)
    assert isinstance(state["structured_response"], WeatherReport)


def test_streaming_agent(emulator):
    agent = create_agent(_llm(emulator, streaming=True), tools=[get_weather])
    chunks = list(
        agent.stream(
            {"messages": [HumanMessage("Use get_weather for 'Paris'")]}, stream_mode="messages"
        )
    )
    texts = "".join(getattr(message, "text", "") for message, _ in chunks)
    assert "sunny in Paris" in texts


def test_human_in_the_loop_resume_keeps_the_thought_signature(emulator):
    agent = create_agent(
        _llm(emulator),
        tools=[send_email],
        middleware=[HumanInTheLoopMiddleware(interrupt_on={"send_email": True})],
        checkpointer=InMemorySaver(),
    )
    config = {"configurable": {"thread_id": "hitl"}, **_LIMIT}
    first = agent.invoke(
        {"messages": [HumanMessage("Use send_email to 'ann@example.com' saying 'hi'")]}, config
    )
    assert "__interrupt__" in first
    state = agent.invoke(Command(resume={"decisions": [{"type": "approve"}]}), config)
    assert isinstance(state["messages"][-1], AIMessage)
    assert any(isinstance(m, ToolMessage) and m.name == "send_email" for m in state["messages"])
    # The resumed request carried the tool-call turn out of storage with its signature.
    last = emulator.last_request.body["messages"]
    call_turn = next(m for m in last if m.get("tool_calls"))
    assert (
        call_turn["tool_calls"][0]["extra_content"]["google"]["thought_signature"]
        != "skip_thought_signature_validator"
    )


def test_summarization_middleware_uses_the_profile_window(emulator):
    llm = _llm(emulator, "gemini-3.5-flash")
    SummarizationMiddleware(model=llm, trigger=("fraction", 0.8))  # needs max_input_tokens
    unprofiled = _llm(emulator, "gemini-3.5-flash", profile={})
    with pytest.raises(ValueError, match="max_input_tokens"):
        SummarizationMiddleware(model=unprofiled, trigger=("fraction", 0.8))
    small = _llm(emulator, "gemini-3.5-flash", profile={"max_input_tokens": 400})
    agent = create_agent(
        small,
        middleware=[
            SummarizationMiddleware(model=small, trigger=("fraction", 0.5), keep=("messages", 2))
        ],
    )
    history = []
    for i in range(6):
        history += [HumanMessage(f"Message {i}: " + "words " * 40), AIMessage(f"Answer {i}")]
    state = agent.invoke({"messages": [*history, HumanMessage("Repeat exactly: done")]}, _LIMIT)
    assert state["messages"][-1].text == "done"
    assert len(state["messages"]) < len(history)
