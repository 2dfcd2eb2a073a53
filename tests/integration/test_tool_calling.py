"""Tool calling through agent loops against the strict emulator, which enforces
Gemini 3's thought-signature rules (docs/vertex-facts.md §6, §11)."""

from __future__ import annotations

import json

import pytest
from langchain.agents import create_agent
from langchain_core.load import dumpd, dumps, load, loads
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import BaseModel, Field

from langchain_vertex_openai import ChatVertexOpenAI, VertexBadRequestError
from langchain_vertex_openai._signatures import PLACEHOLDER_SIGNATURE, SIGNATURES_KEY
from tests.helpers import emulator_model, merge_chunks

GEMINI_3 = "gemini-3.5-flash"


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"sunny in {city}"


@tool
def get_population(city: str) -> int:
    """Get the population of a city."""
    return 2_100_000


@tool
def convert_units(value: float, unit: str) -> str:
    """Convert a temperature value to another unit."""
    return f"{value} {unit}"


class Forecast(BaseModel):
    """Forecast request."""

    city: str = Field(description="City name")
    days: int = Field(gt=0, le=14)


@pytest.fixture
def llm(emulator):
    return emulator_model(emulator, GEMINI_3)


def _round_trip(llm, first: AIMessage, question: HumanMessage) -> AIMessage:
    results = [
        ToolMessage(f"result for {c['args']}", tool_call_id=c["id"]) for c in first.tool_calls
    ]
    return llm.invoke([question, first, *results])


@pytest.mark.parametrize("mode", ["invoke", "stream"])
def test_signature_is_replayed_after_invoke_and_stream(llm, emulator, mode):
    bound = llm.bind_tools([get_weather])
    question = HumanMessage("Use get_weather for 'Paris'")
    first = (
        bound.invoke([question])
        if mode == "invoke"
        else merge_chunks(list(bound.stream([question])))
    )
    assert first.tool_calls[0]["name"] == "get_weather"
    assert first.tool_calls[0]["args"] == {"city": "Paris"}
    signature = first.additional_kwargs[SIGNATURES_KEY][first.tool_calls[0]["id"]]
    answer = _round_trip(bound, first, question)
    assert answer.text
    sent_call = emulator.last_request.body["messages"][1]["tool_calls"][0]
    assert sent_call["extra_content"]["google"]["thought_signature"] == signature


@pytest.mark.parametrize("serialise", ["dumpd", "json", "dumps"])
def test_signature_survives_serialisation(llm, emulator, serialise):
    bound = llm.bind_tools([get_weather])
    question = HumanMessage("Use get_weather for 'Rome'")
    first = bound.invoke([question])
    if serialise == "dumpd":
        restored = load(dumpd(first), allowed_objects="core")
    elif serialise == "dumps":
        restored = loads(dumps(first), allowed_objects="core")
    else:
        restored = AIMessage(**json.loads(first.model_dump_json()))
    assert _round_trip(bound, restored, question).text


def test_signature_missing_gets_gemini_3_error_without_our_replay(llm, emulator):
    # What langchain-openai does: drop extra_content. The server must refuse it.
    bound = llm.bind_tools([get_weather])
    question = HumanMessage("Use get_weather for 'Oslo'")
    first = bound.invoke([question])
    stripped = AIMessage(
        content="",
        tool_calls=first.tool_calls,
        additional_kwargs={SIGNATURES_KEY: {first.tool_calls[0]["id"]: "bm90LWlzc3VlZA=="}},
    )
    with pytest.raises(VertexBadRequestError, match="thought"):
        _round_trip(bound, stripped, question)


def _hand_written_tool_turn() -> list:
    """A tool-call turn built by hand, so it carries no thought signature."""
    return [
        HumanMessage("Use get_weather for 'Lima'"),
        AIMessage(
            content="",
            tool_calls=[{"name": "get_weather", "args": {"city": "Lima"}, "id": "manual-1"}],
        ),
        ToolMessage("sunny", tool_call_id="manual-1"),
    ]


def test_hand_written_history_gets_the_placeholder(llm, emulator):
    bound = llm.bind_tools([get_weather])
    history = _hand_written_tool_turn()
    assert bound.invoke(history).text
    sent = emulator.last_request.body["messages"][1]["tool_calls"][0]
    assert sent["extra_content"]["google"]["thought_signature"] == PLACEHOLDER_SIGNATURE


def test_parallel_calls_to_the_same_function_get_distinct_ids(llm):
    bound = llm.bind_tools([get_weather])
    prompt = "Use get_weather for 'Paris' and get_weather for 'London'"
    invoked = bound.invoke(prompt)
    streamed = merge_chunks(list(bound.stream(prompt)))
    for message in (invoked, streamed):
        assert [c["args"]["city"] for c in message.tool_calls] == ["Paris", "London"]
        ids = [c["id"] for c in message.tool_calls]
        assert len(set(ids)) == 2
        assert all(ids)


def test_parallel_round_trip_all_calls_then_all_results(llm):
    bound = llm.bind_tools([get_weather])
    question = HumanMessage("Use get_weather for 'Paris' and get_weather for 'London'")
    first = bound.invoke([question])
    assert len(first.tool_calls) == 2
    assert _round_trip(bound, first, question).text


@pytest.mark.parametrize(
    ("tool_choice", "expected"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("any", "required"),
        ("required", "required"),
        ("get_population", {"type": "function", "function": {"name": "get_population"}}),
    ],
)
def test_tool_choice_variants(llm, emulator, tool_choice, expected):
    bound = llm.bind_tools([get_weather, get_population], tool_choice=tool_choice)
    message = bound.invoke("How big is 'Paris'?")
    assert emulator.last_request.body["tool_choice"] == expected
    if tool_choice == "none":
        assert message.tool_calls == []
    elif tool_choice != "auto":
        assert message.tool_calls
    if tool_choice == "get_population":
        assert message.tool_calls[0]["name"] == "get_population"


def test_pydantic_tool_schema_is_accepted_by_strict_server_and_args_validate(llm):
    message = llm.bind_tools([Forecast], tool_choice="Forecast").invoke(
        "Forecast for 'Berlin' for 3 days"
    )
    Forecast.model_validate(message.tool_calls[0]["args"])


def _agent(llm, checkpointer=None):
    return create_agent(
        llm, [get_weather, get_population, convert_units], checkpointer=checkpointer
    )


_THREE_ROUNDS = [
    "Use get_weather for 'Paris'",
    "Now use get_population for 'Paris'",
    "Finally use convert_units for 21 and 'fahrenheit'",
]


@pytest.mark.parametrize("streaming", [False, True])
@pytest.mark.parametrize("with_checkpointer", [False, True])
def test_react_agent_three_tool_rounds_sync(emulator, streaming, with_checkpointer):
    llm = ChatVertexOpenAI(
        model=GEMINI_3,
        base_url=emulator.base_url,
        credentials=emulator.credentials(),
        streaming=streaming,
    )
    checkpointer = InMemorySaver() if with_checkpointer else None
    agent = _agent(llm, checkpointer)
    config = {"configurable": {"thread_id": "t1"}}
    messages = []
    for prompt in _THREE_ROUNDS:
        state = agent.invoke(
            {"messages": [*messages, HumanMessage(prompt)]}
            if not with_checkpointer
            else {"messages": [HumanMessage(prompt)]},
            config,
        )
        messages = state["messages"]
        assert isinstance(messages[-1], AIMessage)
        assert messages[-1].text
    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    assert [m.name for m in tool_messages] == ["get_weather", "get_population", "convert_units"]


@pytest.mark.parametrize("streaming", [False, True])
async def test_react_agent_three_tool_rounds_async_with_checkpointer(emulator, streaming):
    llm = ChatVertexOpenAI(
        model=GEMINI_3,
        base_url=emulator.base_url,
        credentials=emulator.credentials(),
        streaming=streaming,
    )
    agent = _agent(llm, InMemorySaver())
    config = {"configurable": {"thread_id": "t2"}}
    for prompt in _THREE_ROUNDS:
        state = await agent.ainvoke({"messages": [HumanMessage(prompt)]}, config)
    tool_messages = [m for m in state["messages"] if isinstance(m, ToolMessage)]
    assert len(tool_messages) == 3
    # Each later request carried the earlier tool-call turns with their signatures.
    for request in emulator.requests:
        for message in request.body["messages"]:
            for call in message.get("tool_calls") or []:
                assert call.get("extra_content", {}).get("google", {}).get("thought_signature")


def test_placeholder_can_be_turned_off_to_surface_lost_signatures(emulator):
    llm = ChatVertexOpenAI(
        model=GEMINI_3,
        base_url=emulator.base_url,
        credentials=emulator.credentials(),
        thought_signature_placeholder=False,
    )
    history = _hand_written_tool_turn()
    with pytest.raises(VertexBadRequestError, match="thought_signature") as info:
        llm.bind_tools([get_weather]).invoke(history)
    assert "Pass the AIMessage objects returned by the model back unchanged" in str(info.value)
