"""Names users bring from langchain-google-genai and ChatVertexAI are understood."""

from __future__ import annotations

import warnings

import pytest
from langchain_core.messages import HumanMessage
from pydantic import BaseModel, ValidationError

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai._call import prepare_call


def _body(llm: ChatVertexOpenAI, **call) -> dict:
    return llm._prepare([HumanMessage("hi")], None, False, call).body


@pytest.mark.parametrize(
    ("native", "ours", "value"),
    [
        ("max_output_tokens", "max_tokens", 128),
        ("thinking_level", "reasoning_effort", "low"),
        ("project_id", "project", "my-project"),
    ],
)
def test_native_names_set_our_fields(native, ours, value):
    llm = ChatVertexOpenAI(model="gemini-3.5-flash", **{native: value})
    assert getattr(llm, ours) == value
    assert llm.model_kwargs == {}  # a field, not an unknown parameter


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_output_tokens": 0}, "max_tokens must be at least 1"),
        ({"thinking_level": "extreme"}, "'minimal', 'low', 'medium' or 'high'"),
        ({"project_id": "Not A Project"}, "not a Google Cloud project id"),
    ],
)
def test_native_names_are_validated_like_ours(kwargs, message):
    with pytest.raises(ValidationError, match=message):
        ChatVertexOpenAI(model="gemini-3.5-flash", **kwargs)


def test_one_setting_under_two_names_is_refused():
    with pytest.raises(ValidationError, match="max_tokens and max_output_tokens"):
        ChatVertexOpenAI(max_tokens=10, max_output_tokens=20)
    with pytest.raises(ValidationError, match="project and project_id"):
        ChatVertexOpenAI(project="my-project", project_id="other-project")


def test_native_names_reach_the_request():
    llm = ChatVertexOpenAI(model="gemini-3.5-flash", max_output_tokens=64, thinking_level="low")
    body = _body(llm)
    assert body["max_tokens"] == 64
    assert body["reasoning_effort"] == "low"
    assert "max_output_tokens" not in body
    assert "thinking_level" not in body


def test_native_names_work_per_call():
    llm = ChatVertexOpenAI(model="gemini-3.5-flash")
    body = _body(llm, max_output_tokens=32, thinking_level="high")
    assert body["max_tokens"] == 32
    assert body["reasoning_effort"] == "high"
    with pytest.raises(ValueError, match="max_tokens and max_output_tokens"):
        _body(llm, max_tokens=1, max_output_tokens=2)
    with pytest.raises(ValueError, match="max_tokens must be at least 1"):
        _body(llm, max_output_tokens=0)


def test_top_k_warns_that_the_endpoint_has_none_on_the_users_line():
    with pytest.warns(UserWarning, match="has no 'top_k' parameter") as caught:
        llm = ChatVertexOpenAI(model="gemini-3.5-flash", top_k=40)
    assert caught[0].filename == __file__
    assert "extra_body={'google'" not in str(caught[0].message)
    assert "top_k" not in llm.model_kwargs
    assert "top_k" not in _body(llm)


def test_top_k_per_call_warns_that_the_endpoint_has_none():
    llm = ChatVertexOpenAI(model="gemini-3.5-flash")
    with pytest.warns(UserWarning, match="has no 'top_k' parameter"):
        body = _body(llm, top_k=5)
    assert "top_k" not in body


def test_partner_models_keep_top_k():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # langchain-core's "transferred to model_kwargs"
        llm = ChatVertexOpenAI(model="meta/llama-3.3-70b-instruct-maas", top_k=40)
    assert llm.model_kwargs == {"top_k": 40}
    assert _body(llm)["top_k"] == 40


def test_openai_only_parameters_do_not_point_at_extra_body():
    llm = ChatVertexOpenAI(model="gemini-3.5-flash")
    with pytest.warns(UserWarning, match="ignores the 'logit_bias'") as caught:
        _body(llm, logit_bias={"1": 2})
    assert "extra_body" not in str(caught[0].message)


def test_prepare_call_maps_native_names_without_a_model():
    prepared = prepare_call(
        [HumanMessage("hi")],
        defaults={"model": "google/gemini-3.5-flash"},
        extra_body=None,
        call_kwargs={"max_output_tokens": 7},
        stop=None,
        stream=False,
        stream_usage=True,
        cache_location="global",
    )
    assert prepared.body["max_tokens"] == 7


class Person(BaseModel):
    name: str


def test_strict_tools_warning_lands_on_the_users_line():
    llm = ChatVertexOpenAI(model="gemini-3.5-flash")
    with pytest.warns(UserWarning, match="strict=True") as caught:
        llm.bind_tools([Person], strict=True)
    assert caught[0].filename == __file__
