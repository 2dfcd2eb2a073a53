"""Hostile inputs found in review: each is refused with a ValueError naming the fix.

Pure: `prepare_call` builds the request without sending it, so nothing here opens a socket.
"""

from __future__ import annotations

import datetime

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai._call import prepare_call
from tests.helpers import prepare_request


def prepare(messages: list[BaseMessage]) -> object:
    return prepare_call(
        messages,
        defaults={"model": "google/gemini-3.5-flash"},
        extra_body=None,
        call_kwargs={},
        stop=None,
        stream=False,
        stream_usage=True,
        cache_location="global",
    )


@pytest.mark.parametrize("data", [5, b"aGVsbG8=", ["aGVsbG8="]])
def test_base64_data_that_is_not_a_string_is_refused_naming_the_fix(data: object) -> None:
    block = {"type": "image", "base64": data, "mime_type": "image/png"}
    with pytest.raises(ValueError, match=r"Message 0 .*block 0.*not a string.*b64encode"):
        prepare([HumanMessage(content=[block])])


@pytest.mark.parametrize("audio", ["aGVsbG8=", ["aGVsbG8=", "wav"], 5])
def test_input_audio_that_is_not_a_dict_is_refused_naming_the_fix(audio: object) -> None:
    block = {"type": "input_audio", "input_audio": audio}
    with pytest.raises(ValueError, match=r"Message 0 .*input_audio needs.*'format': 'wav'"):
        prepare([HumanMessage(content=[block])])


@pytest.mark.parametrize(
    "value", [{1, 2}, object(), datetime.date(2026, 12, 1), float("nan")], ids=repr
)
def test_tool_call_args_that_are_not_json_are_refused_naming_the_call(value: object) -> None:
    history = [
        HumanMessage("weather?"),
        AIMessage("", tool_calls=[{"name": "f", "args": {"a": value}, "id": "c1"}]),
        ToolMessage("sunny", tool_call_id="c1"),
    ]
    with pytest.raises(ValueError, match=r"Message 1 \(ai\), tool call 0 \('f'\).*JSON values"):
        prepare(history)


def function_tool(parameters: object) -> dict:
    return {"type": "function", "function": {"name": "f", "parameters": parameters}}


@pytest.mark.parametrize(
    ("tool", "pattern"),
    [
        ({"type": "function"}, r"Tool 0: 'function' is None, not an object"),
        (function_tool([1]), r"Tool 'f': parameters must be an object schema"),
        (function_tool({"type": "object", "properties": None}), r"'properties' at \$ is None"),
        (function_tool({"type": "object", "properties": [1]}), r"'properties' at \$ is \[1\]"),
        (
            function_tool({"type": "object", "properties": {"a": {"$ref": 5}}}),
            r"Tool 'f': a \$ref is 5, not a reference string",
        ),
        (
            function_tool(
                {"type": "object", "$defs": [1], "properties": {"a": {"$ref": "#/$defs/0"}}}
            ),
            r"Tool 'f': '\$defs' is a list, not an object of named schemas",
        ),
    ],
    ids=["no-function", "params-list", "props-none", "props-list", "ref-int", "defs-list"],
)
def test_malformed_tool_declarations_are_refused_naming_the_tool(tool: dict, pattern: str) -> None:
    model = ChatVertexOpenAI(
        model="gemini-3.5-flash", project="my-project-123", api_key="ya29.test"
    )
    with pytest.raises(ValueError, match=pattern):
        model.bind_tools([tool])


@pytest.mark.parametrize("tools", [None, 5, {"type": "function"}], ids=repr)
def test_tools_that_are_not_a_list_are_refused_in_bind_tools(tools: object) -> None:
    model = ChatVertexOpenAI(
        model="gemini-3.5-flash", project="my-project-123", api_key="ya29.test"
    )
    with pytest.raises(ValueError, match=r"tools is a \w+, not a list.*bind_tools\(\[\.\.\.\]\)"):
        model.bind_tools(tools)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tools", "pattern"),
    [(5, r"tools is a int, not a list"), (["f"], r"Tool 0 is 'f', not a tool declaration")],
)
def test_per_call_tools_of_the_wrong_type_are_refused_before_sending(
    tools: object, pattern: str
) -> None:
    history = [HumanMessage("hi")]
    with pytest.raises(ValueError, match=pattern):
        prepare_call(
            history,
            defaults={"model": "google/gemini-3.5-flash"},
            extra_body=None,
            call_kwargs={"tools": tools},
            stop=None,
            stream=False,
            stream_usage=True,
            cache_location="global",
        )


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"temperature": "hot"}, r"temperature must be a number, got 'hot' \(a str\)"),
        ({"top_p": [1]}, r"top_p must be a number, got \[1\] \(a list\)"),
        ({"max_tokens": "5"}, r"max_tokens must be a number, got '5' \(a str\)"),
        ({"timeout": "5"}, r"timeout must be a number of seconds, got '5'"),
        ({"stream_options": "x"}, r"stream_options must be a dict such as"),
        ({"extra_body": "x"}, r"extra_body must be a dict of fields merged"),
        ({"extra_body": {"google": "x"}}, r"extra_body\['google'\] must be a dict"),
        ({"model": 5}, r"model must be a string id such as 'google/gemini-3.5-flash', got 5"),
    ],
    ids=lambda value: repr(value) if isinstance(value, dict) else "",
)
def test_per_call_kwargs_of_the_wrong_type_are_refused_naming_the_fix(
    kwargs: dict, pattern: str
) -> None:
    with pytest.raises(ValueError, match=pattern):
        prepare_request([HumanMessage("hi")], **kwargs)


def test_model_kwargs_that_are_not_a_dict_are_refused_naming_the_fix() -> None:
    with pytest.raises(ValueError, match=r"model_kwargs must be a dict of extra request fields"):
        ChatVertexOpenAI(
            model="gemini-3.5-flash", project="my-project-123", api_key="ya29.t", model_kwargs="x"
        )


def test_an_unanswered_invalid_tool_call_is_refused_naming_the_fix() -> None:
    # A malformed call (args cut off) is sent back in the history, so Gemini refuses the
    # request unless a ToolMessage answers it, as it does for a valid call.
    broken = {"name": "f", "args": '{"city": "Par', "id": "c1", "error": "cut off"}
    history = [
        HumanMessage("weather?"),
        AIMessage("", invalid_tool_calls=[{**broken, "type": "invalid_tool_call"}]),
        HumanMessage("and now?"),
    ]
    with pytest.raises(ValueError, match=r"Message 1 \(ai\) calls 'f' \(id 'c1'\).*ToolMessage"):
        prepare(history)
    prepare([*history[:2], ToolMessage("bad arguments", tool_call_id="c1", status="error")])
