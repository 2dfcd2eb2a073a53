from typing import Literal

import pytest
from pydantic import BaseModel, Field

from langchain_vertex_openai._tools import convert_tool_choice, convert_tools, gemini_schema

_REJECTED = {
    "$schema",
    "additionalProperties",
    "propertyNames",
    "const",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "$ref",
    "$defs",
}


def _keywords(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "properties":
                yield key
            yield from _keywords(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keywords(item)


class Address(BaseModel):
    city: str
    kind: Literal["home"] = "home"


class Person(BaseModel):
    """A person."""

    name: str
    age: int = Field(gt=0, description="Age in years")
    address: Address | None = None
    tags: list[Address] = []


def test_pydantic_schema_is_cut_to_what_gemini_accepts():
    tool = convert_tools([Person])[0]
    params = tool["function"]["parameters"]
    assert not (_REJECTED & set(_keywords(params)))
    assert params["type"] == "object"
    assert params["properties"]["address"]["nullable"] is True
    assert params["properties"]["address"]["properties"]["city"] == {"type": "string"}
    assert params["properties"]["address"]["properties"]["kind"]["enum"] == ["home"]
    assert params["properties"]["age"]["minimum"] == 0
    assert "greater than 0" in params["properties"]["age"]["description"]
    assert params["properties"]["tags"]["items"]["properties"]["city"] == {"type": "string"}


def test_tool_without_parameters_gets_an_empty_object():
    def ping() -> str:
        """Ping."""
        return "pong"

    assert convert_tools([ping])[0]["function"]["parameters"] == {
        "type": "object",
        "properties": {},
    }


def test_recursive_schema_is_refused_with_a_clear_message():
    schema = {
        "$defs": {"Node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/Node"}}}},
        "$ref": "#/$defs/Node",
    }
    with pytest.raises(ValueError, match="recursive"):
        gemini_schema(schema)


def test_strict_is_not_sent_and_warns(monkeypatch):
    with pytest.warns(UserWarning, match="strict"):
        tool = convert_tools([Person], strict=True)[0]
    assert "strict" not in tool["function"]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("any", "required"),
        ("required", "required"),
        (True, "required"),
        (None, None),
        ("Person", {"type": "function", "function": {"name": "Person"}}),
    ],
)
def test_tool_choice_forms(choice, expected):
    assert convert_tool_choice(choice, convert_tools([Person])) == expected


def test_unknown_tool_name_is_refused():
    with pytest.raises(ValueError, match="not one of the bound tools"):
        convert_tool_choice("nope", convert_tools([Person]))


def test_both_exclusive_bounds_are_kept_in_the_description():
    class Count(BaseModel):
        count: int = Field(gt=0, lt=10, description="How many")

    prop = convert_tools([Count])[0]["function"]["parameters"]["properties"]["count"]
    assert prop["minimum"] == 0
    assert prop["maximum"] == 10
    assert prop["description"].startswith("How many (")
    assert "greater than 0" in prop["description"]
    assert "less than 10" in prop["description"]


def test_validated_tool_choice_is_passed_through():
    assert convert_tool_choice("validated", convert_tools([Person])) == "validated"
