"""Catalogue-driven behaviour over real sockets, against the strict emulator."""

from __future__ import annotations

import base64

import pytest
from langchain_core.messages import HumanMessage

from langchain_vertex_openai import ChatVertexOpenAI, VertexNotFoundError
from langchain_vertex_openai.testing import VertexEmulator

# A 1x1 transparent PNG.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def _model(emulator: VertexEmulator, **kwargs: object) -> ChatVertexOpenAI:
    return ChatVertexOpenAI(
        base_url=emulator.base_url, credentials=emulator.credentials(), max_retries=0, **kwargs
    )


def test_404_names_the_locations_where_the_model_is_documented():
    # Gemini 3.1 Pro (preview) is documented on `global` only (docs/vertex-facts.md §1).
    with VertexEmulator(location="us-central1", strict=True) as emulator:
        llm = _model(emulator, model="gemini-3.1-pro-preview")
        with pytest.raises(VertexNotFoundError) as info:
            llm.invoke("hi")
    message = str(info.value)
    assert "was not found" in message  # Vertex's own words stay
    assert "google/gemini-3.1-pro-preview is documented in: global" in message
    assert len(emulator.requests) == 1  # a 404 is not retried


def test_regional_partner_model_on_global_warns_then_its_404_names_the_regions(emulator):
    # DeepSeek-V3.1 is documented in us-central1 and us-west2 only (docs/vertex-facts.md §12).
    with pytest.warns(UserWarning, match="us-central1, us-west2 only"):
        llm = ChatVertexOpenAI(
            model="deepseek-ai/deepseek-v3.1-maas",
            project=emulator.project,
            location="global",
            credentials=emulator.credentials(),
            max_retries=0,
        )
    # The same model pointed at the emulator (base_url: no location rule) gets its 404.
    llm = llm.model_copy(update={"base_url": emulator.base_url})
    with pytest.raises(VertexNotFoundError, match="documented in: us-central1, us-west2"):
        llm.invoke("hi")


def test_media_resolution_reaches_vertex_request_level_and_per_part(emulator):
    llm = _model(emulator, model="gemini-3.5-flash", media_resolution="medium")
    message = HumanMessage(
        content=[
            {"type": "text", "text": "Repeat exactly: seen"},
            {"type": "image", "base64": PNG, "mime_type": "image/png", "media_resolution": "low"},
            {"type": "image", "base64": PNG, "mime_type": "image/png", "media_resolution": "high"},
        ]
    )
    assert llm.invoke([message]).content == "seen"
    body = emulator.requests[-1].body
    assert body["extra_body"]["google"]["media_resolution"] == "MEDIA_RESOLUTION_MEDIUM"
    details = [p["image_url"].get("detail") for p in body["messages"][0]["content"][1:]]
    assert details == ["low", "high"]


def test_per_part_media_resolutions_must_agree_before_gemini_3(emulator):
    llm = _model(emulator, model="meta/llama-3.3-70b-instruct-maas")
    message = HumanMessage(
        content=[
            {"type": "text", "text": "hi"},
            {"type": "image", "base64": PNG, "mime_type": "image/png", "media_resolution": "low"},
            {"type": "image", "base64": PNG, "mime_type": "image/png", "media_resolution": "high"},
        ]
    )
    with pytest.raises(ValueError, match="different detail values"):
        llm.invoke([message])
    assert emulator.requests == []


_TOOL = {
    "type": "function",
    "function": {"name": "f", "parameters": {"type": "object", "properties": {}}},
}


def _ask(llm: ChatVertexOpenAI, prompt: str, *, stream: bool, **kwargs: object) -> object:
    return list(llm.stream(prompt, **kwargs)) if stream else llm.invoke(prompt, **kwargs)


@pytest.mark.parametrize(
    ("call_kwargs", "what"),
    [
        ({"tools": [_TOOL]}, "function tools"),
        ({"response_format": {"type": "json_object"}}, "structured output"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_image_models_refuse_per_call_tools_and_formats_before_sending(
    emulator, call_kwargs, what, stream
):
    # Image models take no tools and no structured output (docs/vertex-facts.md §1), passed
    # per call as well as through bind_tools / with_structured_output.
    llm = _model(emulator, model="gemini-3.1-flash-image")
    with pytest.raises(ValueError, match=f"image-output model .* does not take {what}"):
        _ask(llm, "Draw a cat", stream=stream, **call_kwargs)
    assert emulator.requests == []
    # A plain-text format is no structured output; a text model takes both.
    assert llm.invoke("Draw a cat", response_format={"type": "text"}).content
    assert _model(emulator, model="gemini-3.5-flash").invoke("hi", **call_kwargs)


@pytest.mark.filterwarnings("ignore::langchain_vertex_openai.RetiredModelWarning")
def test_request_and_image_resolutions_must_agree_before_gemini_3(emulator):
    # Gemini 2.5 has one resolution per request (docs/vertex-facts.md §3): asking for two
    # would lose one; Gemini 3 takes a per-image value beside the request's.
    def image(resolution: str) -> HumanMessage:
        block = {"type": "image", "base64": PNG, "mime_type": "image/png"}
        return HumanMessage(
            content=[
                {"type": "text", "text": "Repeat exactly: seen"},
                {**block, "media_resolution": resolution},
            ]
        )

    older = _model(emulator, model="gemini-2.5-flash", media_resolution="high")
    with pytest.raises(ValueError, match=r"media_resolution='high' is set for the request"):
        older.invoke([image("low")])
    assert emulator.requests == []
    assert older.invoke([image("high")]).content == "seen"
    newer = _model(emulator, model="gemini-3.5-flash", media_resolution="high")
    assert newer.invoke([image("low")]).content == "seen"
