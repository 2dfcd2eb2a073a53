from enum import StrEnum

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai._structured import (
    VertexJsonOutputParser,
    response_format,
    schema_validator,
)


class Color(StrEnum):
    RED = "red"
    BLUE = "blue"


class Item(BaseModel):
    name: str
    quantity: int = Field(ge=1)


class Order(BaseModel):
    """An order."""

    customer: str
    color: Color
    items: list[Item]
    note: str | None = None


class Movie(TypedDict):
    title: str
    year: int


def _generation(text, finish_reason="stop"):
    return [
        ChatGeneration(message=AIMessage(text, response_metadata={"finish_reason": finish_reason}))
    ]


def test_response_format_inlines_refs_and_marks_optionals_nullable():
    fmt = response_format(Order, strict=None)
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "Order"
    assert fmt["json_schema"]["description"] == "An order."
    schema = fmt["json_schema"]["schema"]
    assert "$defs" not in schema
    assert "$ref" not in str(schema)
    assert schema["properties"]["items"]["items"]["properties"]["quantity"]["type"] == "integer"
    assert schema["properties"]["color"]["enum"] == ["red", "blue"]
    assert schema["properties"]["note"]["nullable"] is True
    assert "strict" not in fmt["json_schema"]
    assert response_format(Order, strict=True)["json_schema"]["strict"] is True


def test_pretty_printed_reply_in_any_key_order_parses_into_the_model():
    parser = VertexJsonOutputParser(schema_check=schema_validator(Order))
    text = '{\n  "items": [\n    {\n      "quantity": 2,\n      "name": "pen"\n    }\n  ],\n  "color": "red",\n  "customer": "Ann"\n}'
    order = parser.parse_result(_generation(text))
    assert order == Order(customer="Ann", color=Color.RED, items=[Item(name="pen", quantity=2)])


def test_typed_dict_is_validated_against_the_original_schema():
    parser = VertexJsonOutputParser(schema_check=schema_validator(Movie))
    assert parser.parse_result(_generation('{"title": "Up", "year": 2009}')) == {
        "title": "Up",
        "year": 2009,
    }
    with pytest.raises(OutputParserException, match="does not match the schema") as info:
        parser.parse_result(_generation('{"title": "Up", "year": "soon"}'))
    assert info.value.llm_output == '{"title": "Up", "year": "soon"}'


def test_fenced_json_and_length_cut_are_clear_errors_with_raw_text():
    parser = VertexJsonOutputParser()
    fenced = '```json\n{"a": 1}\n```'
    with pytest.raises(OutputParserException, match="markdown fence") as info:
        parser.parse_result(_generation(fenced))
    assert info.value.llm_output == fenced
    with pytest.raises(OutputParserException, match="max_tokens") as info:
        parser.parse_result(_generation('{"a": ', "length"))
    assert info.value.llm_output == '{"a":'


def test_partial_objects_grow_while_streaming_for_dicts():
    parser = VertexJsonOutputParser()
    pieces = ['{"title": "Up', '", "year": 20', "09}"]
    outputs = list(parser.transform(iter(AIMessageChunk(p) for p in pieces)))
    assert outputs[0] == {"title": "Up"}
    assert outputs[-1] == {"title": "Up", "year": 2009}


def test_bad_arguments_fail_before_any_request():
    llm = ChatVertexOpenAI(project="p-12345")
    with pytest.raises(ValueError, match="needs a schema"):
        llm.with_structured_output(None)
    with pytest.raises(ValueError, match="json_mode"):
        llm.with_structured_output(Movie, method="json_mode", strict=True)
    with pytest.raises(ValueError, match="Unknown method"):
        llm.with_structured_output(Movie, method="xml")


def test_recursive_model_is_rejected_naming_the_problem():
    class Node(BaseModel):
        value: int
        children: list["Node"] = []

    with pytest.raises(ValueError, match="recursive"):
        ChatVertexOpenAI(project="p-12345").with_structured_output(Node)
