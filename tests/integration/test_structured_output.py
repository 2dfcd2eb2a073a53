"""Structured extraction against the strict emulator: every method, include_raw, errors."""

from __future__ import annotations

from enum import StrEnum

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from tests.helpers import emulator_model


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"


class Address(BaseModel):
    city: str = Field(description="City name")
    country: str | None = Field(default=None, description="Country, if stated")


class Contact(BaseModel):
    """A person mentioned in the document."""

    name: str
    age: int | None = Field(default=None, ge=0)
    sentiment: Sentiment
    addresses: list[Address] = Field(default_factory=list)


class ContactDict(TypedDict):
    name: str
    age: int


CONTACT_SCHEMA = {
    "title": "ContactSchema",
    "description": "A contact",
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
}

DOCUMENTS = [
    "Meeting notes: 'Ada Lovelace', 36, was delighted; she lives in 'London'.",
    "Complaint from 'Alan Turing', 41, who lives in 'Manchester'.",
    "A note about 'Grace Hopper', 85, from 'Arlington'.",
]


@pytest.fixture
def llm(emulator):
    return emulator_model(emulator)


def test_extraction_pipeline_over_a_batch(llm, emulator):
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Extract the contact from the document."), ("human", "{document}")]
    )
    chain = prompt | llm.with_structured_output(Contact)
    contacts = chain.batch([{"document": d} for d in DOCUMENTS], config={"max_concurrency": 3})
    assert all(isinstance(c, Contact) for c in contacts)
    assert [c.name for c in contacts] == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    for request in emulator.requests:
        fmt = request.body["response_format"]
        assert fmt["type"] == "json_schema"
        assert fmt["json_schema"]["name"] == "Contact"
        schema = str(fmt["json_schema"]["schema"])
        assert "$ref" not in schema
        assert "$defs" not in schema
        assert "anyOf" not in schema


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
@pytest.mark.parametrize(
    "schema", [Contact, ContactDict, CONTACT_SCHEMA], ids=["pydantic", "typeddict", "dict"]
)
def test_each_method_and_schema_kind(llm, method, schema):
    result = llm.with_structured_output(schema, method=method).invoke(DOCUMENTS[0])
    if schema is Contact:
        assert isinstance(result, Contact)
        assert result.name == "Ada Lovelace"
    else:
        assert isinstance(result, dict)
        assert result["name"] == "Ada Lovelace"
        assert isinstance(result["age"], int)


def test_function_calling_forces_the_schema_tool(llm, emulator):
    llm.with_structured_output(Contact, method="function_calling").invoke(DOCUMENTS[1])
    body = emulator.last_request.body
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Contact"}}
    assert "parallel_tool_calls" not in body


def test_json_mode(llm, emulator):
    result = llm.with_structured_output(method="json_mode").invoke(
        "Return a JSON object with 'title' and 'year' keys about the film Up"
    )
    assert isinstance(result, dict)
    assert set(result) == {"title", "year"}
    assert emulator.last_request.body["response_format"] == {"type": "json_object"}


def test_include_raw_success_and_parsing_error(llm, emulator):
    structured = llm.with_structured_output(Contact, include_raw=True)
    ok = structured.invoke(DOCUMENTS[0])
    assert ok["parsing_error"] is None
    assert isinstance(ok["parsed"], Contact)
    assert ok["raw"].content.startswith("{")
    emulator.queue_reply('```json\n{"name": "x"}\n```')
    failed = structured.invoke(DOCUMENTS[0])
    assert failed["parsed"] is None
    assert isinstance(failed["parsing_error"], OutputParserException)
    assert failed["raw"].content.startswith("```json")


def test_fenced_and_cut_off_replies_are_clear_errors(llm, emulator):
    structured = llm.with_structured_output(Contact)
    emulator.queue_reply('```json\n{"name": "x"}\n```')
    with pytest.raises(OutputParserException, match="markdown fence") as info:
        structured.invoke(DOCUMENTS[0])
    assert "```json" in info.value.llm_output
    emulator.queue_reply('{\n  "name": "Ada', finish_reason="length")
    with pytest.raises(OutputParserException, match="max_tokens"):
        structured.invoke(DOCUMENTS[0])


def test_reply_that_breaks_the_original_schema_is_reported(llm, emulator):
    emulator.queue_reply('{\n  "sentiment": "ecstatic",\n  "name": "Ada"\n}')
    with pytest.raises(OutputParserException, match="does not match the schema"):
        llm.with_structured_output(Contact).invoke(DOCUMENTS[0])


def test_streaming_yields_growing_partial_dicts(llm):
    chunks = list(llm.with_structured_output(CONTACT_SCHEMA).stream(DOCUMENTS[0]))
    assert chunks[-1]["name"] == "Ada Lovelace"
    assert len(chunks) >= 1
    sizes = [len(c) for c in chunks]
    assert sizes == sorted(sizes)


async def test_async_structured_output(llm):
    result = await llm.with_structured_output(Contact).ainvoke(DOCUMENTS[2])
    assert result.name == "Grace Hopper"


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_safety_block_is_a_refusal_not_none(llm, emulator, method):
    from langchain_core.exceptions import ModelRefusalError

    emulator.queue_reply("", finish_reason="content_filter")
    with pytest.raises(ModelRefusalError, match="safety filter"):
        llm.with_structured_output(Contact, method=method).invoke(DOCUMENTS[0])


def test_function_calling_without_a_call_is_a_clear_error(llm, emulator):
    emulator.queue_reply("I would rather not.")
    with pytest.raises(OutputParserException, match="without calling the structured-output tool"):
        llm.with_structured_output(Contact, method="function_calling").invoke(DOCUMENTS[0])
