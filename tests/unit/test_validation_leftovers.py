"""Per-call inputs and histories refused (or mended) before any request, naming the fix.

Pure: `prepare_call` is the one place a call's request is made, so what it refuses never
reaches a socket (tests/integration/test_call_inputs.py sends the mended ones to the
strict emulator).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_vertex_openai._tools import GeminiTools, convert_tools
from tests.helpers import prepare_request

GEMINI = "google/gemini-3.5-flash"


def prepare(messages: list[BaseMessage], *, stop: Any = None, **kwargs: Any) -> dict[str, Any]:
    return prepare_request(messages, GEMINI, stop=stop, **kwargs).body


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return "sunny"


class Lookup(BaseModel):
    """Look a word up."""

    word: str
    limit: int | None = None


# -- per-call tools -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "tools",
    [
        [get_weather],
        [Lookup],
        [{"type": "function", "function": {"name": "ping", "description": "Ping."}}],
        [{"type": "function", "function": {"name": "ping", "parameters": {"type": "object"}}}],
    ],
    ids=["BaseTool", "pydantic", "no parameters", "object without properties"],
)
def test_per_call_tools_get_the_conversion_bind_tools_gives(tools: list[Any]) -> None:
    body = prepare([HumanMessage("hi")], tools=tools)
    assert body["tools"] == convert_tools(tools)
    for declared in body["tools"]:
        parameters = declared["function"]["parameters"]
        assert parameters["type"] == "object"
        assert "properties" in parameters  # Gemini wants it, empty or not (§9)


def test_per_call_pydantic_tool_is_cut_to_gemini_schema() -> None:
    (declared,) = prepare([HumanMessage("hi")], tools=[Lookup])["tools"]
    limit = declared["function"]["parameters"]["properties"]["limit"]
    assert limit == {"type": "integer", "nullable": True}  # anyOf-with-null, rewritten


def test_bound_tools_are_not_converted_again() -> None:
    bound = convert_tools([get_weather])
    assert isinstance(bound, GeminiTools)
    assert prepare([HumanMessage("hi")], tools=bound)["tools"] is bound


def test_per_call_google_search_becomes_web_search_options() -> None:
    body = prepare([HumanMessage("hi")], tools=[{"google_search": {}}])
    assert body["web_search_options"] == {}
    assert "tools" not in body


@pytest.mark.parametrize(
    ("tools", "pattern"),
    [
        (["get_weather"], r"Tool 0 is 'get_weather', not a tool declaration.*bind_tools"),
        (
            [get_weather, {"type": "function", "function": {"name": "get_weather"}}],
            r"Two tools are named 'get_weather'",
        ),
        ([{"type": "function", "function": {"name": "has space"}}], r"not one Gemini accepts"),
    ],
)
def test_per_call_tools_bind_tools_refuses_are_refused(tools: list[Any], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        prepare([HumanMessage("hi")], tools=tools)


def test_per_call_tool_choice_names_a_per_call_tool() -> None:
    body = prepare([HumanMessage("hi")], tools=[get_weather], tool_choice="get_weather")
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}


# -- malformed and id-less tool calls -------------------------------------------------------


def _invalid(call_id: str | None, args: str | None) -> dict[str, Any]:
    return {
        "type": "invalid_tool_call",
        "id": call_id,
        "name": "get_weather",
        "args": args,
        "error": "bad",
    }


@pytest.mark.parametrize("args", ['{"city": "San Fr', '"Paris"', "[1, 2]", None, ""])
def test_answered_malformed_call_goes_back_with_object_arguments(args: str | None) -> None:
    history = [
        HumanMessage("Weather?"),
        AIMessage("", invalid_tool_calls=[_invalid("c1", args)]),
        ToolMessage("Invalid arguments: resend as JSON.", tool_call_id="c1", status="error"),
    ]
    sent = prepare(history)["messages"][1]["tool_calls"][0]
    assert sent["id"] == "c1"
    assert sent["function"] == {"name": "get_weather", "arguments": "{}"}


def test_malformed_call_with_object_arguments_keeps_them() -> None:
    history = [
        HumanMessage("Weather?"),
        AIMessage("", invalid_tool_calls=[_invalid("c1", '{"town": "Paris"}')]),
        ToolMessage("No such parameter 'town'.", tool_call_id="c1", status="error"),
    ]
    sent = prepare(history)["messages"][1]["tool_calls"][0]
    assert sent["function"]["arguments"] == '{"town": "Paris"}'


@pytest.mark.parametrize("answered", [False, True])
def test_malformed_call_without_id_is_refused(answered: bool) -> None:
    history: list[BaseMessage] = [
        HumanMessage("Weather?"),
        AIMessage("", invalid_tool_calls=[_invalid(None, "{bad")]),
    ]
    if answered:
        history.append(ToolMessage("error", tool_call_id="None"))
    with pytest.raises(
        ValueError, match=r"Message 1 \(ai\), invalid tool call 0 \('get_weather'\) has no id"
    ):
        prepare([*history, HumanMessage("again")])


def test_tool_call_without_id_is_refused() -> None:
    call = {"type": "tool_call", "id": None, "name": "get_weather", "args": {"city": "P"}}
    history = [HumanMessage("Weather?"), AIMessage("", tool_calls=[call])]
    with pytest.raises(ValueError, match=r"tool call 0 \('get_weather'\) has no id.*'call_1'"):
        prepare([*history, ToolMessage("sunny", tool_call_id="None")])


# -- messages of other kinds ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["wizard", "model", "User", ""])
def test_chat_message_with_an_unknown_role_is_refused(role: str) -> None:
    with pytest.raises(ValueError, match=rf"Message 1 \(chat\) has role '{role}'.*HumanMessage"):
        prepare([SystemMessage("Be brief."), ChatMessage(role=role, content="hi")])


@pytest.mark.parametrize("role", ["user", "system", "developer"])
def test_chat_message_with_a_known_role_is_sent_with_it(role: str) -> None:
    messages = prepare([ChatMessage(role=role, content="hi"), HumanMessage("go")])["messages"]
    assert messages[0]["role"] == role


def test_remove_message_is_refused_naming_the_reducer() -> None:
    history = [HumanMessage("hi", id="m1"), RemoveMessage(id="m1"), HumanMessage("again")]
    with pytest.raises(ValueError, match=r"Message 1 is a RemoveMessage \(id 'm1'\).*add_messages"):
        prepare(history)


# -- call settings ------------------------------------------------------------------------


@pytest.mark.parametrize("stop", [5, [1, 2], ["ok", None], {"a": "b"}])
def test_stop_that_is_not_strings_is_refused(stop: Any) -> None:
    with pytest.raises(ValueError, match=r"stop must be a list of strings"):
        prepare([HumanMessage("hi")], stop=stop)


@pytest.mark.parametrize("stop", [["END"], ("END", "\n\n"), "END"])
def test_stop_sequences_are_sent(stop: Any) -> None:
    assert prepare([HumanMessage("hi")], stop=stop)["stop"] == stop


@pytest.mark.parametrize(
    ("name", "value"), [("seed", 1.5), ("seed", 2.0), ("max_tokens", 100.5), ("n", 1.0)]
)
def test_whole_number_settings_refuse_floats(name: str, value: float) -> None:
    with pytest.raises(ValueError, match=rf"{name} must be a whole number, got {value}"):
        prepare([HumanMessage("hi")], **{name: value})


def test_whole_number_settings_take_ints() -> None:
    body = prepare([HumanMessage("hi")], seed=7, max_tokens=100)
    assert (body["seed"], body["max_tokens"]) == (7, 100)


@pytest.mark.parametrize("value", ["no", "false", 0, 1, [False]])
def test_parallel_tool_calls_must_be_a_bool(value: Any) -> None:
    with pytest.raises(ValueError, match=r"parallel_tool_calls must be True or False"):
        prepare([HumanMessage("hi")], parallel_tool_calls=value)


@pytest.mark.parametrize(("value", "single"), [(False, True), (True, False), (None, False)])
def test_parallel_tool_calls_bool_is_taken(value: bool | None, single: bool) -> None:
    prepared = prepare_request([HumanMessage("hi")], GEMINI, parallel_tool_calls=value)
    assert prepared.single_tool_call is single
    assert "parallel_tool_calls" not in prepared.body  # Vertex ignores it (§3)
