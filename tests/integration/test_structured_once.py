"""`with_structured_output` converts and cuts its schema once per binding, not per call."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from langchain_vertex_openai import ChatVertexOpenAI, _structured, _tools


class Contact(BaseModel):
    name: str
    age: int | None = None


@pytest.fixture
def counted(monkeypatch):
    calls = {"cut at binding": 0, "cut per call": 0, "json schema": 0}

    def counting(key, real):
        def wrapper(*args, **kwargs):
            calls[key] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        _structured, "gemini_schema", counting("cut at binding", _structured.gemini_schema)
    )
    monkeypatch.setattr(_tools, "gemini_schema", counting("cut per call", _tools.gemini_schema))
    real_json_schema = Contact.model_json_schema.__func__

    def model_json_schema(cls, *args, **kwargs):
        calls["json schema"] += 1
        return real_json_schema(cls, *args, **kwargs)

    monkeypatch.setattr(Contact, "model_json_schema", classmethod(model_json_schema))
    return calls


@pytest.mark.parametrize("schema", [Contact, Contact.model_json_schema()])
def test_the_schema_is_prepared_once_per_binding(emulator, counted, schema):
    llm = ChatVertexOpenAI(base_url=emulator.base_url, credentials=emulator.credentials())
    counted.update(dict.fromkeys(counted, 0))  # a dict schema was built above
    structured = llm.with_structured_output(schema)
    prepared = dict(counted)
    for _ in range(3):
        result = structured.invoke("Ada Lovelace, 36")
        assert result is not None
    assert prepared["cut at binding"] == 1
    # One build for what is sent, one for the trace (langchain-core's form, which the
    # standard suite checks); none per call.
    assert prepared["json schema"] <= 2
    assert counted == prepared  # the calls reused what the binding prepared
    sent = [r.body["response_format"]["json_schema"]["schema"] for r in emulator.chat_requests]
    assert sent[0] == sent[1] == sent[2]
    assert "$defs" not in sent[0] and "anyOf" not in str(sent[0])


def test_a_raw_response_format_is_still_cut_on_each_call(emulator, counted):
    # Agents bind pydantic's schema as it is; those must still reach Gemini cut.
    llm = ChatVertexOpenAI(base_url=emulator.base_url, credentials=emulator.credentials())
    raw = {
        "type": "json_schema",
        "json_schema": {"name": "Contact", "schema": Contact.model_json_schema()},
    }
    llm.bind(response_format=raw).invoke("Ada Lovelace, 36")
    assert counted["cut per call"] == 1
    assert "anyOf" not in str(emulator.last_request.body["response_format"])
