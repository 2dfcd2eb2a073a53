"""What we send is checked before anything is sent, each refusal naming where and the fix.

Pure: the checks run on LangChain messages, tool declarations and settings, so nothing
here opens a socket (the emulator tests in tests/integration/test_input_validation.py show
that nothing reaches the server).
"""

from __future__ import annotations

import math
import re
import typing
from typing import Literal

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    trim_messages,
)
from langchain_core.tools import tool
from pydantic import BaseModel
from typing_extensions import TypedDict

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai._tools import convert_tools, gemini_schema
from langchain_vertex_openai._validation import MAX_SCHEMA_DEPTH, find_recursion, validate_request
from tests.helpers import prepare_request

GEMINI_3 = "google/gemini-3.5-flash"
GEMINI_25 = "google/gemini-2.5-flash"
LLAMA = "meta/llama-3.3-70b-instruct-maas"


def prepare(messages: list[BaseMessage], model: str = GEMINI_3, **kwargs):
    return prepare_request(messages, model, **kwargs)


def call(name: str, call_id: str | None, **args) -> dict:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def refused(messages: list[BaseMessage], pattern: str, model: str = GEMINI_3) -> str:
    with pytest.raises(ValueError, match=pattern) as info:
        prepare(messages, model=model)
    return str(info.value)


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return "sunny"


@tool
def get_time(city: str) -> str:
    """Get the local time in a city."""
    return "noon"


# -- content ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "pattern"),
    [
        ({"type": "text", "text": None}, r"Message 1 \(human\), content block 1: .*text is None"),
        ({"type": "text", "text": 42}, r"content block 1: a text block's text is a int \(42\)"),
        ({"type": "text"}, r"content block 1: a text block's text is None"),
        ({"type": "image_url", "image_url": 7}, r"content block 1: image_url is a int"),
        ({"type": "image_url", "image_url": None}, r"content block 1: image_url is a NoneType"),
    ],
)
def test_malformed_blocks_are_refused_naming_message_and_block(block, pattern):
    messages = [SystemMessage("s"), HumanMessage(content=[{"type": "text", "text": "a"}, block])]
    message = refused(messages, pattern)
    assert "str" in message or "url" in message  # names what to pass instead


def test_text_none_in_an_ai_or_tool_message_is_refused_too():
    ai = AIMessage(content=[{"type": "text", "text": None}])
    refused([HumanMessage("hi"), ai, HumanMessage("go")], r"Message 1 \(ai\), content block 0")
    turn = AIMessage("", tool_calls=[call("get_weather", "c1", city="Paris")])
    result = ToolMessage(content=[{"type": "text", "text": None}], tool_call_id="c1")
    refused([HumanMessage("hi"), turn, result], r"Message 2 \(tool\), content block 0")


@pytest.mark.parametrize(
    ("message", "where"),
    [
        (HumanMessage("caf\ud800e"), r"Message 0 \(human\): "),
        (HumanMessage(content=[{"type": "text", "text": "ok"}, "x\udcff"]), "content block 1"),
        (HumanMessage(content=[{"type": "text", "text": "\ud83d"}]), "content block 0"),
    ],
)
def test_lone_surrogates_are_refused_with_the_fix(message, where):
    text = refused([message], where)
    assert "lone surrogate" in text
    assert "encode('utf-8', 'replace')" in text


def test_lone_surrogates_in_tool_arguments_and_results_are_refused():
    turn = AIMessage("", tool_calls=[call("get_weather", "c1", city="Par\ud800is")])
    refused([HumanMessage("hi"), turn], r"Message 1 \(ai\), tool call 0: .*lone surrogate")
    good = AIMessage("", tool_calls=[call("get_weather", "c1", city="Paris")])
    result = ToolMessage("sun\udc80ny", tool_call_id="c1")
    refused([HumanMessage("hi"), good, result], r"Message 2 \(tool\): .*lone surrogate")


def test_real_non_ascii_text_passes():
    body = prepare([HumanMessage("Grüße, 你好 🌍"), AIMessage("¡Hola!"), HumanMessage("ça va")])
    assert body.body["messages"][0]["content"] == "Grüße, 你好 🌍"


# -- history ------------------------------------------------------------------------------------


def test_orphan_tool_message_left_by_trim_messages_names_the_trim_fix():
    history = [
        HumanMessage("What's the weather in Paris?"),
        AIMessage("", tool_calls=[call("get_weather", "c1", city="Paris")]),
        ToolMessage("sunny", tool_call_id="c1"),
        AIMessage("It is sunny."),
        HumanMessage("And tomorrow?"),
    ]
    trimmed = trim_messages(history, max_tokens=3, token_counter=len, strategy="last")
    assert isinstance(trimmed[0], ToolMessage)  # the cut trim_messages makes by default
    text = refused(trimmed, r"Message 0 \(tool\) answers tool call 'c1', but no earlier AI")
    assert 'start_on="human"' in text
    fixed = trim_messages(
        history, max_tokens=3, token_counter=len, strategy="last", start_on="human"
    )
    prepare(fixed)


def test_tool_message_matching_no_call_is_refused():
    turn = AIMessage("", tool_calls=[call("get_weather", "c1", city="Paris")])
    text = refused(
        [HumanMessage("hi"), turn, ToolMessage("sunny", tool_call_id="c9")],
        r"Message 2 \(tool\) has tool_call_id 'c9', which matches no tool call",
    )
    assert "['c1']" in text  # the call still waiting for its answer


@pytest.mark.parametrize("after", [HumanMessage("next"), AIMessage("done"), None])
def test_unanswered_tool_call_is_refused(after):
    turn = AIMessage("", tool_calls=[call("get_weather", "c1", city="Paris")])
    messages = [HumanMessage("hi"), turn, *([after] if after else [])]
    text = refused(messages, r"Message 1 \(ai\) calls 'get_weather' \(id 'c1'\), but no")
    assert "tool_call_id='c1'" in text


def test_one_of_two_parallel_calls_unanswered_is_refused():
    turn = AIMessage("", tool_calls=[call("get_weather", "a"), call("get_time", "b")])
    messages = [HumanMessage("hi"), turn, ToolMessage("sunny", tool_call_id="a"), HumanMessage("?")]
    refused(messages, r"calls 'get_time' \(id 'b'\)")


@pytest.mark.parametrize(
    ("tool_call", "pattern"),
    [
        (call("", "c1"), r"Message 1 \(ai\), tool call 0 has no name"),
        (call("get_weather", None), r"tool call 0 \('get_weather'\) has no id"),
    ],
)
def test_tool_call_without_name_or_id_is_refused(tool_call, pattern):
    turn = AIMessage("", tool_calls=[tool_call])
    refused([HumanMessage("hi"), turn, ToolMessage("x", tool_call_id="c1")], pattern)


def test_empty_call_ids_as_vertex_sends_them_pair_with_empty_tool_call_ids():
    turn = AIMessage("", tool_calls=[call("get_weather", "")])
    prepare([HumanMessage("hi"), turn, ToolMessage("sunny", tool_call_id=""), HumanMessage("?")])


def test_legitimate_histories_pass():
    parallel = AIMessage("", tool_calls=[call("get_weather", "a"), call("get_time", "b")])
    sequential = AIMessage("", tool_calls=[call("get_weather", "c")])
    history = [
        SystemMessage("be brief"),
        HumanMessage("hi"),
        parallel,
        ToolMessage("noon", tool_call_id="b"),  # answered in any order
        ToolMessage("sunny", tool_call_id="a"),
        sequential,
        ToolMessage("rain", tool_call_id="c"),
        AIMessage("Sunny at noon, then rain."),
        HumanMessage("thanks"),
    ]
    for model in (GEMINI_3, GEMINI_25, LLAMA):
        assert len(prepare(history, model=model).body["messages"]) == len(history)


def test_a_final_assistant_turn_is_refused_on_gemini_3_only():
    history = [HumanMessage("Write a haiku"), AIMessage("Autumn")]
    text = refused(history, r"Message 1 \(ai\) ends the conversation")
    assert "Requests ending with a model turn are not supported." in text
    prepare(history, model=LLAMA)  # partner models continue it (prefill)


# -- partner turn rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("messages", "pattern"),
    [
        (
            [SystemMessage("s"), AIMessage("Hello!"), HumanMessage("hi")],
            r"Message 1 \(ai\) is the first",
        ),
        ([HumanMessage("a"), HumanMessage("b")], r"Messages 0 and 1 are both user turns"),
        (
            [HumanMessage("a"), AIMessage("b"), SystemMessage("s"), AIMessage("c")],
            r"Messages 1 and 3 are both assistant turns",
        ),
    ],
)
def test_partner_models_take_alternating_turns_starting_with_user(messages, pattern):
    text = refused(messages, pattern, model=LLAMA)
    assert "§12" in text
    prepare(messages[-1:] if isinstance(messages[-1], HumanMessage) else [HumanMessage("x")])


def test_partner_tool_turns_count_as_the_assistant_turn():
    turn = AIMessage("", tool_calls=[call("get_weather", "a")])
    answer = [HumanMessage("hi"), turn, ToolMessage("sunny", tool_call_id="a"), AIMessage("Sunny")]
    prepare([*answer, HumanMessage("thanks")], model=LLAMA)
    prepare([HumanMessage("hi"), turn, ToolMessage("sunny", tool_call_id="a")], model=LLAMA)
    prepare(
        [HumanMessage("hi"), turn, ToolMessage("x", tool_call_id="a"), HumanMessage("more")],
        model=LLAMA,
    )


def test_gemini_takes_consecutive_user_turns():
    prepare([HumanMessage("a"), HumanMessage("b")], model=GEMINI_3)


# -- tools --------------------------------------------------------------------------------------


def bind(llm_tools, **kwargs):
    return ChatVertexOpenAI(model=GEMINI_3, project="my-project-123").bind_tools(
        llm_tools, **kwargs
    )


def function(name: str, parameters: dict | None = None) -> dict:
    spec: dict = {"name": name, "description": "d"}
    if parameters is not None:
        spec["parameters"] = parameters
    return {"type": "function", "function": spec}


@pytest.mark.parametrize(
    "name", ["1st_tool", "get weather", "get/weather", "x" * 65, "", "wetter-für-paris"]
)
def test_tool_names_gemini_refuses_are_refused_at_bind(name):
    with pytest.raises(ValueError, match=re.escape(f"Tool name {name!r} is not one Gemini")):
        bind([function(name)])


@pytest.mark.parametrize("name", ["_private", "ns.get:weather-v2", "x" * 64])
def test_tool_names_gemini_accepts_pass(name):
    bind([function(name)])


def test_two_different_tools_with_one_name_are_refused():
    other = function("get_weather", {"type": "object", "properties": {"x": {"type": "integer"}}})
    with pytest.raises(ValueError, match="Two tools are named 'get_weather'"):
        bind([get_weather, other])


def test_the_same_tool_twice_is_sent_once():
    assert len(convert_tools([get_weather, get_weather])) == 1


def test_parameters_that_are_not_an_object_are_refused():
    with pytest.raises(ValueError, match=r"Tool 'f': parameters must be an object schema"):
        bind([function("f", {"type": "array", "items": {"type": "string"}})])


def test_tool_choice_naming_an_unbound_tool_is_refused_at_bind_and_per_call():
    with pytest.raises(ValueError, match="tool_choice names 'nope', which is not one of"):
        bind([get_weather], tool_choice="nope")
    with pytest.raises(ValueError, match="tool_choice names 'nope'"):
        prepare(
            [HumanMessage("hi")],
            tools=convert_tools([get_weather]),
            tool_choice={"type": "function", "function": {"name": "nope"}},
        )


@pytest.mark.parametrize("choice", ["any", "required", True])
def test_forcing_a_call_without_tools_is_refused(choice):
    with pytest.raises(ValueError, match="no function tools are bound"):
        bind([], tool_choice=choice)
    with pytest.raises(ValueError, match="no function tools are bound"):
        bind([{"google_search": {}}], tool_choice=choice)
    with pytest.raises(ValueError, match="no function tools are bound"):
        prepare([HumanMessage("hi")], tool_choice="required")


def test_malformed_tool_shapes_are_refused_not_crashing():
    with pytest.raises(ValueError, match="'function' is 'x', not an object"):
        prepare([HumanMessage("hi")], tools=[{"type": "function", "function": "x"}])
    with pytest.raises(ValueError, match="tool_choice names None"):
        prepare(
            [HumanMessage("hi")],
            tools=convert_tools([get_weather]),
            tool_choice={"type": "function", "function": "get_weather"},
        )


def test_lone_surrogate_in_a_tool_description_is_refused_at_bind():
    with pytest.raises(ValueError, match="Tool 'f': the declaration: the text holds a lone"):
        bind([{"type": "function", "function": {"name": "f", "description": "bad \ud800"}}])


def test_per_call_tool_choice_in_langchain_forms_is_translated():
    tools = convert_tools([get_weather])
    assert prepare([HumanMessage("hi")], tools=tools, tool_choice="any").body["tool_choice"] == (
        "required"
    )
    named = prepare([HumanMessage("hi")], tools=tools, tool_choice="get_weather")
    assert named.body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert "tool_choice" not in prepare([HumanMessage("hi")], tools=tools, tool_choice=False).body
    with pytest.raises(ValueError, match="no function tools are bound"):
        prepare([HumanMessage("hi")], tool_choice=True)


def test_per_call_tools_are_checked_too():
    other = function("f", {"type": "object", "properties": {"x": {"type": "string"}}})
    with pytest.raises(ValueError, match="Two tools are named 'f'"):
        prepare([HumanMessage("hi")], tools=[function("f"), other])


# -- schemas ------------------------------------------------------------------------------------


class Node(BaseModel):
    """A tree node."""

    name: str
    children: list[Node] = []


class Team(BaseModel):
    """Two levels of the same shape: nested, not recursive."""

    lead: Member
    deputy: Member | None = None


class Member(BaseModel):
    name: str
    mentor: Mentor | None = None


class Mentor(BaseModel):
    name: str


Team.model_rebuild()
Member.model_rebuild()


@tool
def walk(tree: Node) -> str:
    """Walk a tree."""
    return ""


def _walk(tree: Node) -> str:
    """Walk a tree.

    Args:
        tree: The tree.
    """
    return ""


RECURSIVE = "the schema is recursive (Node -> Node), and Gemini does not accept recursive"


TREE = {
    "title": "plant",
    "description": "Plant a tree.",
    "type": "object",
    "properties": {"root": {"$ref": "#/$defs/Node"}},
    "$defs": Node.model_json_schema()["$defs"],
}


@pytest.mark.parametrize("recursive", [Node, walk, _walk, TREE])
def test_recursive_tools_are_refused_not_cut_to_empty_items(recursive):
    with pytest.raises(ValueError, match=re.escape(RECURSIVE)):
        bind([recursive])


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_recursive_structured_output_is_refused_in_every_method(method):
    llm = ChatVertexOpenAI(model=GEMINI_3, project="my-project-123")
    with pytest.raises(ValueError, match=re.escape(RECURSIVE)):
        llm.with_structured_output(Node, method=method)
    llm.with_structured_output(Node, method="json_mode")  # no schema is sent


def test_mutual_recursion_is_named_as_a_cycle():
    schema = {
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/A"}},
        "$defs": {
            "A": {"type": "object", "properties": {"b": {"$ref": "#/$defs/B"}}},
            "B": {"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}}},
        },
    }
    assert find_recursion(schema) == ["A", "B", "A"]
    with pytest.raises(ValueError, match=re.escape("(A -> B -> A)")):
        gemini_schema(schema)


def test_nested_but_not_recursive_models_are_inlined():
    parameters = convert_tools([Team])[0]["function"]["parameters"]
    mentor = parameters["properties"]["lead"]["properties"]["mentor"]
    assert mentor["properties"]["name"] == {"type": "string"}
    assert parameters["properties"]["deputy"]["nullable"] is True


def deep_schema(levels: int) -> dict:
    schema: dict = {"type": "object", "properties": {}}
    node = schema
    for _ in range(levels):
        child: dict = {"type": "object", "properties": {}}
        node["properties"]["x"] = child
        node = child
    return schema


def test_schemas_nested_2000_levels_are_refused_without_recursion_error():
    deep = deep_schema(2000)
    with pytest.raises(ValueError, match=f"nested more than {MAX_SCHEMA_DEPTH} levels"):
        bind([function("f", deep)])
    llm = ChatVertexOpenAI(model=GEMINI_3, project="my-project-123")
    with pytest.raises(ValueError, match="Structured-output schema 'deep'.* nested more than"):
        llm.with_structured_output({"title": "deep", "description": "d", **deep})
    with pytest.raises(ValueError, match="response_format schema 'deep'.* nested more than"):
        prepare(
            [HumanMessage("hi")],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "deep", "schema": deep},
            },
        )
    bind([function("f", deep_schema(30))])  # deep, but sendable


def test_string_enums_are_kept_and_null_becomes_nullable():
    schema = gemini_schema({"type": "object", "properties": {"unit": {"enum": ["c", "f", None]}}})
    assert schema["properties"]["unit"] == {"enum": ["c", "f"], "nullable": True}


def test_number_and_boolean_enums_go_into_the_description():
    class Pick(BaseModel):
        level: Literal[1, 2, 3]
        ratio: Literal[0.5, 1]
        flag: Literal[True]

    properties = convert_tools([Pick])[0]["function"]["parameters"]["properties"]
    assert properties["level"] == {"type": "integer", "description": "(one of 1, 2, 3)"}
    assert properties["ratio"]["type"] == "number"
    assert "one of 0.5, 1" in properties["ratio"]["description"]
    assert properties["flag"]["type"] == "boolean"
    assert not any("enum" in prop for prop in properties.values())


def test_a_null_only_enum_becomes_nullable_not_an_empty_enum():
    schema = gemini_schema({"type": "object", "properties": {"x": {"const": None}}})
    assert schema["properties"]["x"] == {"nullable": True}


def test_enums_mixing_kinds_are_refused_naming_the_property():
    class Mixed(BaseModel):
        size: Literal["auto", 1]

    with pytest.raises(ValueError, match=r"Tool 'Mixed': the enum at \$\.size holds int, str"):
        convert_tools([Mixed])


# -- construction -------------------------------------------------------------------------------


def build(**overrides):
    return ChatVertexOpenAI(
        **{"model": "gemini-3.5-flash", "project": "my-project-123", **overrides}
    )


@pytest.mark.parametrize(
    "model",
    [
        "gemini 3.5 flash",
        "google/gemini 3.5",
        "google/gemini-3.5-flash\n",
        "meta/llama\t3",
        'x/"y"',
    ],
)
def test_malformed_model_ids_are_refused_at_construction(model):
    if model.strip() != model:  # surrounding whitespace is forgiven, as before
        assert build(model=model).model_name == model.strip()
        return
    with pytest.raises(ValueError, match="is not a model id"):
        build(model=model)


def test_malformed_per_call_model_is_refused():
    with pytest.raises(ValueError, match="is not a model id"):
        prepare([HumanMessage("hi")], model="google/gemini 3")


@pytest.mark.parametrize("key", ["", "   ", "Bearer ", "\n"])
def test_empty_api_key_is_refused(key):
    with pytest.raises(ValueError, match="api_key is empty"):
        build(api_key=key)


@pytest.mark.parametrize("key", ["Bearer ya29.a0token", "bearer ya29.a0token", " ya29.a0token\n"])
def test_bearer_prefix_and_surrounding_whitespace_are_stripped(key):
    llm = build(api_key=key)
    assert llm.access_token is not None
    assert llm.access_token.get_secret_value() == "ya29.a0token"


@pytest.mark.parametrize("key", ["ya29.a0\ntoken", "ya29.a0\x00token", "ya29 token", "ya29\x7f"])
def test_control_characters_in_a_key_are_refused_without_echoing_it(key):
    with pytest.raises(ValueError, match="space or control character") as info:
        build(api_key=key)
    assert "ya29" not in str(info.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"max_tokens": True},
        {"max_completion_tokens": False},
        {"n": True},
        {"seed": True},
        {"max_retries": True},
        {"timeout": True},
        {"temperature": True},
        {"top_p": False},
    ],
)
def test_booleans_for_numbers_are_refused(overrides):
    name = next(iter(overrides)).replace("max_completion_tokens", "max_tokens")
    with pytest.raises(ValueError, match=f"{name} must be a number, got (True|False)"):
        build(**overrides)


def test_booleans_for_numbers_are_refused_per_call():
    with pytest.raises(ValueError, match="max_tokens must be a number"):
        prepare([HumanMessage("hi")], max_tokens=True)


@pytest.mark.parametrize("timeout", [math.nan, math.inf, -math.inf, -1.0, 0])
def test_timeout_not_finite_and_positive_is_refused_naming_timeout(timeout):
    with pytest.raises(ValueError, match="timeout must be a positive, finite number"):
        build(timeout=timeout)
    with pytest.raises(ValueError, match="timeout must be a positive, finite number"):
        prepare([HumanMessage("hi")], timeout=timeout)


def test_good_values_are_kept():
    llm = build(timeout=12.5, max_tokens=100, n=1, seed=0, api_key="ya29.ok")
    assert (llm.timeout, llm.max_tokens, llm.n, llm.seed) == (12.5, 100, 1, 0)


# -- cost ---------------------------------------------------------------------------------------


def test_the_pass_accepts_a_typical_agent_history():
    # The benchmark in benchmarks/ times this shape; here it only has to pass.
    turn = AIMessage("", tool_calls=[call("get_weather", "a"), call("get_time", "b")])
    history = [
        SystemMessage("You are a travel assistant."),
        HumanMessage("Weather and time in Paris?"),
        turn,
        ToolMessage("sunny", tool_call_id="a"),
        ToolMessage("noon", tool_call_id="b"),
        AIMessage("Sunny, noon."),
        HumanMessage(
            content=[
                {"type": "text", "text": "And this?"},
                {"type": "image", "url": "gs://b/p.png"},
            ]
        ),
        AIMessage("A photo of the Eiffel tower."),
        HumanMessage("Thanks — merci!"),
        AIMessage("De rien."),
    ]
    validate_request(
        [*history, HumanMessage("bye")],
        model=GEMINI_3,
        tools=convert_tools([get_weather, get_time, Team]),
        tool_choice="auto",
    )


def test_chained_definitions_expanding_too_deep_are_refused_without_recursion_error():
    definitions = {}
    for position in range(60):
        top = deep_schema(30)
        node = top
        while node["properties"]:
            node = node["properties"]["x"]
        if position + 1 < 60:
            node["properties"]["next"] = {"$ref": f"#/$defs/D{position + 1}"}
        definitions[f"D{position}"] = top
    schema = {
        "type": "object",
        "properties": {"root": {"$ref": "#/$defs/D0"}},
        "$defs": definitions,
    }
    with pytest.raises(ValueError, match="nested more than"):
        gemini_schema(schema)


@pytest.mark.parametrize(
    "overrides", [{"temperature": 5}, {"max_tokens": True}, {"model": "gemini 3"}, {"n": "x"}]
)
def test_construction_errors_never_quote_the_access_token(overrides):
    with pytest.raises(ValueError) as info:
        ChatVertexOpenAI(api_key="ya29.secret-token", project="my-project-123", **overrides)
    assert "secret-token" not in str(info.value)


class TreeDict(TypedDict):
    """A tree."""

    name: str
    kids: list[TreeDict]


class LegacyTreeDict(typing.TypedDict):
    """A tree, as a typing.TypedDict (pydantic cannot read it on Python < 3.12)."""

    name: str
    kids: list[LegacyTreeDict]


@pytest.mark.parametrize("schema", [TreeDict, LegacyTreeDict])
@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_recursive_typeddicts_are_refused_not_sent_cut_or_crashing(schema, method):
    llm = ChatVertexOpenAI(model=GEMINI_3, project="my-project-123")
    with pytest.raises(ValueError, match="the schema is recursive"):
        llm.with_structured_output(schema, method=method)
    with pytest.raises(ValueError, match="the schema is recursive"):
        bind([schema])
