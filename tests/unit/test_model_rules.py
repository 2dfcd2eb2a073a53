"""What a model is allowed to do, decided at construction from the catalogue (no sockets)."""

from __future__ import annotations

import base64
import datetime
import warnings

import pytest
from langchain_core.messages import HumanMessage

from langchain_vertex_openai import ChatVertexOpenAI, RetiredModelWarning
from langchain_vertex_openai._catalog import model_facts, not_found_hint
from langchain_vertex_openai._settings import check_model

PROJECT = "my-project-123"


@pytest.mark.parametrize(
    ("model", "alternative"),
    [
        ("gemini-2.5-flash-lite", "gemini-3.5-flash-lite"),
        ("google/gemini-omni-flash", "gemini-3.5-flash"),
        ("gemini-3.5-live-translate", "gemini-3.5-flash"),
        ("gemini-embedding-001", "gemini-3.5-flash"),
    ],
)
def test_models_not_on_chat_completions_are_refused_naming_an_alternative(model, alternative):
    with pytest.raises(ValueError, match="not") as info:
        ChatVertexOpenAI(model=model, project=PROJECT)
    message = str(info.value)
    assert f"model='{alternative}'" in message
    assert "docs/vertex-facts.md §1" in message


def test_refusal_holds_with_a_base_url_too():
    with pytest.raises(ValueError, match="Chat completions: Not supported"):
        ChatVertexOpenAI(model="gemini-2.5-flash-lite", base_url="http://127.0.0.1:9/v1")


def test_retired_model_warns_once_with_date_and_successor_and_still_builds():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        llm = ChatVertexOpenAI(model="gemini-2.5-flash", project=PROJECT)
        ChatVertexOpenAI(model="gemini-2.5-flash", project=PROJECT, temperature=0.1)
    assert [w.category for w in caught] == [RetiredModelWarning]
    message = str(caught[0].message)
    assert "2026-10-16" in message
    assert "model='gemini-3.5-flash'" in message
    assert caught[0].filename == __file__  # points at the user's line, not ours
    assert llm.model_name == "google/gemini-2.5-flash"


def test_retirement_is_judged_on_the_date():
    facts = model_facts("gemini-2.5-pro")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_model(facts, location="global", today=datetime.date(2026, 10, 15))
    with pytest.warns(RetiredModelWarning, match="gemini-3.1-pro-preview"):
        check_model(facts, location="global", today=datetime.date(2026, 10, 16))


def test_current_models_build_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for model in ("gemini-3.5-flash", "gemini-3.8-flash", "meta/llama-3.3-70b-instruct-maas"):
            ChatVertexOpenAI(model=model, project=PROJECT)


def test_the_keyerror_case_is_a_value_error_listing_the_efforts():
    with (
        pytest.warns(RetiredModelWarning),
        pytest.raises(ValueError, match="use one of none, low, medium, high") as info,
    ):
        ChatVertexOpenAI(
            model="gemini-2.5-flash-preview-09-2025",
            reasoning_effort="minimal",
            include_thoughts=True,
            project=PROJECT,
        )
    assert not isinstance(info.value, KeyError)


@pytest.mark.parametrize(
    ("model", "effort", "listed"),
    [
        ("gemini-3.1-pro-preview", "minimal", "low, medium, high"),
        ("gemini-3-pro-image-preview", "low", "high"),
        ("gemini-3.1-flash-image", "medium", "minimal, high"),
        ("gemini-3.5-flash", "none", "minimal, low, medium, high"),
    ],
)
def test_efforts_a_model_does_not_take_are_refused(model, effort, listed):
    with pytest.raises(ValueError, match=f"use one of {listed}\\."):
        ChatVertexOpenAI(model=model, reasoning_effort=effort, project=PROJECT)


def test_efforts_are_checked_per_call_too():
    llm = ChatVertexOpenAI(
        model="gemini-3.8-flash", project=PROJECT, base_url="https://x.example/v1"
    )
    with pytest.raises(ValueError, match="use one of low, medium, high"):
        llm._prepare([], None, False, {"reasoning_effort": "minimal"})


@pytest.mark.filterwarnings("ignore::langchain_vertex_openai.RetiredModelWarning")
def test_include_thoughts_uses_the_model_s_thinking_control():
    llm = ChatVertexOpenAI(
        model="gemini-2.5-pro", reasoning_effort="high", include_thoughts=True, project=PROJECT
    )
    google = llm._prepare([], None, False, {}).body["extra_body"]["google"]
    assert google["thinking_config"] == {"include_thoughts": True, "thinking_budget": 24576}
    llm = ChatVertexOpenAI(
        model="gemini-3.7-flash", reasoning_effort="low", include_thoughts=True, project=PROJECT
    )
    google = llm._prepare([], None, False, {}).body["extra_body"]["google"]
    assert google["thinking_config"] == {"include_thoughts": True, "thinking_level": "low"}


def test_regional_partner_on_global_gets_a_location_hint():
    with pytest.warns(UserWarning, match="us-central1, us-west2 only") as caught:
        ChatVertexOpenAI(model="deepseek-ai/deepseek-v3.1-maas", project=PROJECT)
    assert "location='us-central1'" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ChatVertexOpenAI(
            model="deepseek-ai/deepseek-v3.1-maas", project=PROJECT, location="us-west2"
        )


def test_gemini_outside_its_documented_regions_gets_a_hint():
    with pytest.warns(UserWarning, match="not in location='us-central1'"):
        ChatVertexOpenAI(model="gemini-3.5-flash", project=PROJECT, location="us-central1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ChatVertexOpenAI(model="gemini-3.5-flash", project=PROJECT, location="asia-south1")
        ChatVertexOpenAI(model="gemini-3.6-flash", project=PROJECT, location="us-central1")


def test_no_location_rule_applies_with_a_base_url():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ChatVertexOpenAI(model="deepseek-ai/deepseek-v3.1-maas", base_url="http://127.0.0.1:9/v1")
        ChatVertexOpenAI(
            model="gemini-3.1-pro-preview",
            base_url="http://127.0.0.1:9/v1",
            location="us-central1",
        )


def test_not_found_hint_names_the_documented_locations():
    hint = not_found_hint("google/gemini-3.1-pro-preview", "us-central1")
    assert "documented in: global" in hint and "Pass location='global'" in hint
    hint = not_found_hint("deepseek-ai/deepseek-v3.1-maas", "global")
    assert "us-central1, us-west2" in hint and "Pass location='us-central1'" in hint
    assert "Pass location" not in not_found_hint("google/gemini-3.1-pro-preview", None)
    assert "location='global'" in not_found_hint("google/gemini-3.6-flash", "europe-west1")
    assert "Partner models" in not_found_hint("qwen/qwen3-next-maas", "global")


@pytest.mark.parametrize("model", ["gemini-3.1-flash-image", "gemini-3-pro-image-preview"])
def test_image_models_refuse_tools_and_structured_output(model):
    llm = ChatVertexOpenAI(model=model, project=PROJECT)

    def get_weather(city: str) -> str:
        """Get the weather."""
        return "sunny"

    with pytest.raises(ValueError, match="image-output model .* does not take function tools"):
        llm.bind_tools([get_weather])
    for method in ("json_schema", "function_calling", "json_mode"):
        with pytest.raises(ValueError, match="does not take structured output"):
            llm.with_structured_output({"type": "object", "properties": {}}, method=method)
    assert llm.profile["tool_calling"] is False
    assert llm.profile["structured_output"] is False


def test_text_models_still_bind_tools():
    llm = ChatVertexOpenAI(model="gemini-3.5-flash", project=PROJECT)
    assert llm.bind_tools([{"type": "function", "function": {"name": "f", "parameters": {}}}])


def test_media_resolution_is_a_request_level_gemini_setting():
    llm = ChatVertexOpenAI(model="gemini-3.5-flash", project=PROJECT, media_resolution="low")
    body = llm._prepare([], None, False, {}).body
    assert body["extra_body"]["google"]["media_resolution"] == "MEDIA_RESOLUTION_LOW"
    body = llm._prepare([], None, False, {"media_resolution": "MEDIA_RESOLUTION_HIGH"}).body
    assert body["extra_body"]["google"]["media_resolution"] == "MEDIA_RESOLUTION_HIGH"
    with pytest.raises(ValueError, match="media_resolution is a Gemini setting"):
        ChatVertexOpenAI(
            model="meta/llama-3.3-70b-instruct-maas", project=PROJECT, media_resolution="low"
        )
    with pytest.raises(ValueError, match="low, medium, high"):
        llm._prepare([], None, False, {"media_resolution": "ultra"})


def test_per_call_model_override_gets_the_same_rules():
    llm = ChatVertexOpenAI(model="gemini-3.5-flash", project=PROJECT)
    with pytest.raises(ValueError, match="model='gemini-3.5-flash-lite'"):
        llm._prepare([], None, False, {"model": "gemini-2.5-flash-lite"})
    with pytest.warns(RetiredModelWarning, match="2026-10-16"):
        llm._prepare([], None, False, {"model": "gemini-2.5-pro"})


def _inline(mime_type: str, size: int) -> dict:
    return {
        "type": "file",
        "base64": base64.b64encode(b"\0" * size).decode(),
        "mime_type": mime_type,
    }


def test_inline_media_limits_are_the_model_s():
    big_image = HumanMessage([{"type": "text", "text": "see"}, _inline("image/png", 8 << 20)])
    flash = ChatVertexOpenAI(model="gemini-3.5-flash", project=PROJECT)
    with pytest.raises(ValueError, match="up to 7 MB per inline image") as info:
        flash._prepare([big_image], None, False, {})
    assert "gs://" in str(info.value) and "Message 0" in str(info.value)
    # A model whose page gives no per-image limit keeps only the request-wide cap.
    assert ChatVertexOpenAI(model="gemini-3.8-flash", project=PROJECT)._prepare(
        [big_image], None, False, {}
    )
    small = HumanMessage([{"type": "text", "text": "see"}, _inline("image/png", 6 << 20)])
    assert flash._prepare([small], None, False, {})


def test_images_per_prompt_are_the_model_s():
    llm = ChatVertexOpenAI(model="gemini-3.1-flash-image", project=PROJECT)
    images = [{"type": "image", "url": f"gs://bucket/{i}.png"} for i in range(15)]
    with pytest.raises(ValueError, match="15 images; google/gemini-3.1-flash-image takes up to 14"):
        llm._prepare([HumanMessage([{"type": "text", "text": "mix"}, *images])], None, False, {})
    assert llm._prepare(
        [HumanMessage([{"type": "text", "text": "mix"}, *images[:14]])], None, False, {}
    )
    pdfs = [
        {"type": "file", "url": f"gs://bucket/{i}.pdf", "mime_type": "application/pdf"}
        for i in range(15)
    ]
    assert llm._prepare([HumanMessage([{"type": "text", "text": "read"}, *pdfs])], None, False, {})
