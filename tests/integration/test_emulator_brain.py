"""The emulator's deterministic answers: tool arguments, structured output, thinking, limits,
plus the command-line entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import openai
import pytest

from langchain_vertex_openai.testing import VertexEmulator
from tests.helpers import post_chat, sse_events

FLASH = "google/gemini-2.5-flash"
G3 = "google/gemini-3.8-flash"


def post(emu: VertexEmulator, body) -> dict:
    response = post_chat(emu, body)
    assert response.status_code == 200, response.text
    if body.get("stream"):
        return {"chunks": sse_events(response)}
    return response.json()


def ask(emu: VertexEmulator, prompt: str, model: str = FLASH, **extra) -> dict:
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], **extra}
    return post(emu, body)["choices"][0]


def tool(name: str, parameters: dict | None = None) -> dict:
    function: dict = {"name": name, "description": f"The {name} tool."}
    if parameters is not None:
        function["parameters"] = parameters
    return {"type": "function", "function": function}


def check(instance, schema: dict, root: dict | None = None, path: str = "$") -> None:
    """A tiny JSON-schema checker (jsonschema is not installed): raise on mismatch."""
    root = root or schema
    if "$ref" in schema:
        target = root
        for part in schema["$ref"][2:].split("/"):
            target = target[part]
        check(instance, target, root, path)
        return
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                check(instance, option, root, path)
                return
            except AssertionError as exc:
                errors.append(exc)
        raise AssertionError(f"{path}: no anyOf branch matches: {errors}")
    if "const" in schema:
        assert instance == schema["const"], path
    if "enum" in schema:
        assert instance in schema["enum"], path
    kinds = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
    }
    kind = schema.get("type")
    if kind == "null":
        assert instance is None, path
    elif kind:
        assert isinstance(instance, kinds[kind]), f"{path}: {instance!r} is not {kind}"
        assert kind == "boolean" or not isinstance(instance, bool), path
    if isinstance(instance, (int, float)) and not isinstance(instance, bool):
        assert instance >= schema.get("minimum", instance), path
        assert instance <= schema.get("maximum", instance), path
    if isinstance(instance, dict):
        for name in schema.get("required", []):
            assert name in instance, f"{path}: missing {name}"
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            assert set(instance) <= set(properties), path
        for name, value in instance.items():
            if name in properties:
                check(value, properties[name], root, f"{path}.{name}")
    if isinstance(instance, list):
        assert len(instance) >= schema.get("minItems", 0), path
        for i, item in enumerate(instance):
            check(item, schema.get("items", {}), root, f"{path}[{i}]")


BOOKING = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "description": "City name"},
        "nights": {"type": "integer", "minimum": 1, "maximum": 30},
        "budget": {"type": "number"},
        "breakfast": {"type": "boolean"},
        "room": {"type": "string", "enum": ["single", "double", "suite"]},
        "guests": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                "required": ["name", "age"],
            },
        },
        "address": {
            "type": "object",
            "properties": {"street": {"type": "string"}, "zip": {"type": "string"}},
            "required": ["street"],
        },
        "note": {"type": "string", "nullable": True},
    },
    "required": ["city", "nights", "budget", "breakfast", "room", "guests", "address"],
}


# -- tools ------------------------------------------------------------------------------------


def test_tool_arguments_validate_and_use_prompt_values(vertex_emulator):
    choice = ask(
        vertex_emulator,
        "Please call book_hotel for 'Lisbon' for 3 nights with a budget of 450.5",
        tools=[tool("book_hotel", BOOKING)],
    )
    (call,) = choice["message"]["tool_calls"]
    args = json.loads(call["function"]["arguments"])
    check(args, BOOKING)
    assert args["city"] == "Lisbon"
    assert args["nights"] == 3
    assert args["budget"] == 450.5
    assert args["breakfast"] is True
    assert args["room"] == "single"
    assert len(args["guests"]) == 1
    assert "note" not in args  # optional and not mentioned
    assert call["function"]["arguments"] == json.dumps(args, separators=(",", ":"), sort_keys=True)


def test_optional_argument_included_when_named(vertex_emulator):
    parameters = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["city"],
    }
    choice = ask(
        vertex_emulator,
        "use get_weather for 'Paris' with unit: celsius",
        tools=[tool("get_weather", parameters)],
    )
    args = json.loads(choice["message"]["tool_calls"][0]["function"]["arguments"])
    assert args == {"city": "Paris", "unit": "celsius"}


def test_parallel_calls_take_values_from_their_own_segment(vertex_emulator):
    parameters = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    }
    choice = ask(
        vertex_emulator,
        "First multiply 3 and 4, then multiply 5 and 6.",
        tools=[tool("multiply", parameters), tool("add", parameters)],
    )
    calls = choice["message"]["tool_calls"]
    assert [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] == [
        ("multiply", {"a": 3, "b": 4}),
        ("multiply", {"a": 5, "b": 6}),
    ]


def test_refs_and_no_parameter_tools(vertex_emulator):
    schema = {
        "type": "object",
        "$defs": {
            "Point": {
                "type": "object",
                "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                "required": ["x", "y"],
            }
        },
        "properties": {
            "start": {"$ref": "#/$defs/Point"},
            "label": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["start", "label"],
    }
    choice = ask(
        vertex_emulator,
        "call draw at 1 2 and then now",
        tools=[tool("draw", schema), tool("now")],
    )
    draw, now = choice["message"]["tool_calls"]
    args = json.loads(draw["function"]["arguments"])
    check(args, schema)
    assert args["start"] == {"x": 1.0, "y": 2.0}
    assert now["function"]["arguments"] == "{}"


def test_tool_choice_modes(vertex_emulator):
    tools = [tool("alpha", {"type": "object", "properties": {}}), tool("beta")]
    assert "tool_calls" not in ask(vertex_emulator, "hello", tools=tools)["message"]
    required = ask(vertex_emulator, "hello", tools=tools, tool_choice="required")
    assert required["message"]["tool_calls"][0]["function"]["name"] == "alpha"
    named = {"type": "function", "function": {"name": "beta"}}
    forced = ask(vertex_emulator, "alpha please", tools=tools, tool_choice=named)
    assert [c["function"]["name"] for c in forced["message"]["tool_calls"]] == ["beta"]
    none = ask(vertex_emulator, "use alpha", tools=tools, tool_choice="none")
    assert "tool_calls" not in none["message"]


def test_answer_from_tool_results(vertex_emulator):
    messages = [
        {"role": "user", "content": "weather in Paris and time?"},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": "{}"},
                },
                {"id": "", "type": "function", "function": {"name": "now", "arguments": "{}"}},
            ],
        },
        {"role": "tool", "tool_call_id": "", "content": "Sunny"},
        {"role": "tool", "tool_call_id": "", "content": [{"type": "text", "text": "Noon"}]},
    ]
    body = {"model": FLASH, "messages": messages, "tools": [tool("get_weather"), tool("now")]}
    content = post(vertex_emulator, body)["choices"][0]["message"]["content"]
    assert content == "Based on the tool results: get_weather: Sunny; now: Noon"


# -- structured output (§7) -------------------------------------------------------------------


def test_json_schema_reply_is_valid_pretty_and_reordered(vertex_emulator):
    schema = {
        "type": "object",
        "$defs": {
            "Tag": {
                "type": "object",
                "properties": {"label": {"type": "string"}},
                "required": ["label"],
            }
        },
        "properties": {
            "setup": {"type": "string"},
            "punchline": {"type": "string"},
            "rating": {"type": "integer", "minimum": 1, "maximum": 5},
            "tags": {"type": "array", "items": {"$ref": "#/$defs/Tag"}},
        },
        "required": ["setup", "punchline", "rating", "tags"],
        "additionalProperties": False,
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "Joke", "schema": schema, "strict": True}}
    content = ask(vertex_emulator, "A joke about 'cats', rated 9", response_format=fmt)["message"][
        "content"
    ]
    value = json.loads(content)
    check(value, schema)
    assert content == json.dumps(value, indent=2)
    assert list(value) == list(reversed(list(schema["properties"])))
    assert value["rating"] == 5  # clamped to the maximum


def test_json_object_reply(vertex_emulator):
    content = ask(
        vertex_emulator,
        "Return JSON with 'setup' and 'punchline' keys.",
        response_format={"type": "json_object"},
    )["message"]["content"]
    assert set(json.loads(content)) == {"setup", "punchline"}
    assert content.startswith("{\n  ")


def test_structured_output_through_sdk_parse(vertex_emulator):
    from pydantic import BaseModel

    class City(BaseModel):
        name: str
        population: int

    client = openai.OpenAI(
        base_url=vertex_emulator.base_url, api_key=vertex_emulator.issue_token(), max_retries=0
    )
    parsed = (
        client.beta.chat.completions.parse(
            model=FLASH,
            messages=[{"role": "user", "content": "The city 'Oslo' has 700000 people"}],
            response_format=City,
        )
        .choices[0]
        .message.parsed
    )
    assert parsed == City(name="Oslo", population=700000)


# -- text brain -------------------------------------------------------------------------------


def test_text_rules(vertex_emulator):
    emu = vertex_emulator
    assert ask(emu, "Repeat exactly: Bonjour le monde")["message"]["content"] == (
        "Bonjour le monde"
    )
    assert ask(emu, 'Please say "pong"')["message"]["content"] == "pong"
    long = "word " * 100
    echo = ask(emu, long)["message"]["content"]
    assert echo.startswith(f"Emulated reply from {FLASH}: word word") and echo.endswith("...")
    messages = [
        {"role": "user", "content": "My name is Ada"},
        {"role": "assistant", "content": "Hi Ada"},
        {"role": "user", "content": "I like tea"},
        {"role": "assistant", "content": "Nice"},
        {"role": "user", "content": "What did I say?"},
    ]
    said = post(emu, {"model": FLASH, "messages": messages})["choices"][0]["message"]
    assert said["content"] == 'You said (2 earlier messages): "My name is Ada"; "I like tea"'
    messages[-1] = {"role": "user", "content": "What is my name?"}
    named = post(emu, {"model": FLASH, "messages": messages})["choices"][0]["message"]
    assert named["content"] == "Your name is Ada."


# -- thinking (§5) ----------------------------------------------------------------------------


def _thoughts(marker: str | None = None) -> dict:
    google: dict = {"thinking_config": {"include_thoughts": True}}
    if marker:
        google["thought_tag_marker"] = marker
    return {"extra_body": {"google": google}}


def test_thoughts_untagged_and_tagged(vertex_emulator):
    answer = f"Emulated reply from {FLASH}: Hi"
    plain = ask(vertex_emulator, "Hi", **_thoughts())
    content = plain["message"]["content"]
    assert content.endswith(answer) and len(content) > len(answer)
    assert "<" not in content
    tagged = ask(vertex_emulator, "Hi", **_thoughts("think"))["message"]["content"]
    assert tagged.startswith("<think>") and tagged.endswith(f"</think>{answer}")


def test_streamed_thoughts_are_flagged(vertex_emulator):
    body = {
        "model": FLASH,
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": True,
        **_thoughts(),
    }
    chunks = post(vertex_emulator, body)["chunks"]
    deltas = [c["choices"][0]["delta"] for c in chunks]
    flagged = [d for d in deltas if d.get("extra_content", {}).get("google", {}).get("thought")]
    assert flagged and deltas[0] is flagged[0]
    answer = "".join(d.get("content", "") for d in deltas if d not in flagged)
    assert answer == f"Emulated reply from {FLASH}: Hi"
    usage = chunks[-1]["usage"]
    thought_chars = sum(len(d["content"]) for d in flagged)
    assert usage["completion_tokens_details"]["reasoning_tokens"] >= thought_chars // 4


def _reasoning(emu, **extra) -> int:
    body = {"messages": [{"role": "user", "content": "Hi"}], **extra}
    usage = post(emu, body)["usage"]
    return usage.get("completion_tokens_details", {}).get("reasoning_tokens", 0)


@pytest.mark.parametrize(
    ("model", "default", "other"),
    [
        # docs/vertex-facts.md §5, the thinking table's defaults.
        ("google/gemini-3.8-flash", "medium", "high"),
        ("google/gemini-3.5-flash", "medium", "minimal"),
        ("google/gemini-3.5-flash-lite", "minimal", "high"),
        ("google/gemini-3.1-flash-lite", "minimal", "medium"),
        ("google/gemini-3.1-pro-preview", "high", "low"),
        ("google/gemini-3-flash-preview", "high", "low"),
    ],
)
def test_gemini3_thinks_at_its_documented_default_level(vertex_emulator, model, default, other):
    unset = _reasoning(vertex_emulator, model=model)
    assert unset == _reasoning(vertex_emulator, model=model, reasoning_effort=default)
    assert unset != _reasoning(vertex_emulator, model=model, reasoning_effort=other)


def test_gemini25_thinking_budget(vertex_emulator):
    assert _reasoning(vertex_emulator, model=FLASH) > 0
    off = {"google": {"thinking_config": {"thinking_budget": 0}}}
    assert _reasoning(vertex_emulator, model=FLASH, extra_body=off) == 0
    five = {"google": {"thinking_config": {"thinking_budget": 5}}}
    assert _reasoning(vertex_emulator, model=FLASH, extra_body=five) == 5


# -- limits, safety, n ------------------------------------------------------------------------


def test_max_tokens_and_stop(vertex_emulator):
    off = {"reasoning_effort": "none"}
    choice = ask(vertex_emulator, "one two three four five six seven eight", max_tokens=3, **off)
    assert choice["finish_reason"] == "length"
    assert len(choice["message"]["content"]) == 12
    starved = ask(vertex_emulator, "Hi", max_completion_tokens=4)  # thinking eats the budget
    assert starved["finish_reason"] == "length" and "content" not in starved["message"]
    cut = ask(vertex_emulator, "Repeat exactly: alpha STOP beta", stop=["STOP"], **off)
    assert cut["message"]["content"] == "alpha " and cut["finish_reason"] == "stop"


def test_safety_trigger(vertex_emulator):
    blocked = ask(vertex_emulator, "please EMULATOR_BLOCK this")
    assert blocked["finish_reason"] == "content_filter"
    assert blocked["message"] == {"role": "assistant"}
    body = {
        "model": FLASH,
        "stream": True,
        "messages": [{"role": "user", "content": "EMULATOR_BLOCK"}],
    }
    (chunk,) = post(vertex_emulator, body)["chunks"]
    assert chunk["choices"][0]["finish_reason"] == "content_filter"
    assert chunk["usage"]["completion_tokens"] == 0
    with VertexEmulator(safety_trigger=None) as emu:
        assert ask(emu, "EMULATOR_BLOCK")["finish_reason"] == "stop"


def test_n_choices_stream(vertex_emulator):
    body = {"model": FLASH, "n": 2, "stream": True, "messages": [{"role": "user", "content": "Hi"}]}
    chunks = post(vertex_emulator, body)["chunks"]
    finished = [c["choices"][0]["index"] for c in chunks if "finish_reason" in c["choices"][0]]
    assert finished == [0, 1]
    assert "usage" in chunks[-1] and all("usage" not in c for c in chunks[:-1])


def test_stream_function_call_arguments_fragments(vertex_emulator):
    parameters = {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    }
    body = {
        "model": G3,
        "stream": True,
        "messages": [
            {"role": "user", "content": "get_weather for 'Paris' and get_weather for 'Rome'"}
        ],
        "tools": [tool("get_weather", parameters)],
        "extra_body": {"google": {"stream_function_call_arguments": True}},
    }
    chunks = post(vertex_emulator, body)["chunks"]
    fragments = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks
        if "tool_calls" in c["choices"][0]["delta"]
    ]
    assert len(fragments) == 4
    assert [f["index"] for f in fragments] == [1, 0, 0, 1]
    assert all(f["function"]["name"] == "get_weather" for f in fragments)
    joined = fragments[0]["function"]["arguments"] + fragments[1]["function"]["arguments"]
    assert json.loads(joined) == {"city": "Paris"}


# -- command line -----------------------------------------------------------------------------


def test_cli_serves_and_prints_usage():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "langchain_vertex_openai.testing", "--port", "0", "--strict"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        info: dict[str, str] = {}
        deadline = time.monotonic() + 15
        while "token" not in info and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            key, sep, value = line.partition(": ")
            if sep and key in ("base_url", "token", "port"):
                info[key] = value.strip()
        assert info.get("base_url", "").endswith(
            "/v1/projects/emulator-project/locations/global/endpoints/openapi"
        ), info
        assert int(info["port"]) > 0
        client = openai.OpenAI(base_url=info["base_url"], api_key=info["token"], max_retries=0)
        reply = client.chat.completions.create(
            model=FLASH, messages=[{"role": "user", "content": "Repeat exactly: cli"}]
        )
        assert reply.choices[0].message.content == "cli"
        with pytest.raises(openai.BadRequestError):
            client.chat.completions.create(
                model=FLASH, messages=[{"role": "user", "content": "x"}], user="strict"
            )
    finally:
        process.terminate()
        process.communicate(timeout=10)  # reaps it and closes both pipes
    assert process.returncode == 0
