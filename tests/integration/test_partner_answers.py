"""Partner reasoning, Grok's usage and image output as the emulator serves them.

The emulator writes DeepSeek-style reasoning in the three shapes of docs/vertex-facts.md
§12 and image output in the two shapes of §7; whichever it picks, the reasoning never
reaches the answer text and images come back as `image` blocks, streamed or not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai.testing import VertexEmulator

DEEPSEEK = "deepseek-ai/deepseek-r1-0528-maas"
GROK = "xai/grok-4.1-fast-reasoning-maas"
IMAGE_MODEL = "gemini-3.1-flash-image"
PROMPT = "Why is the sky blue?"
ANSWER = f"Emulated reply from {DEEPSEEK}: {PROMPT}"


def _serve(**options: Any) -> Iterator[VertexEmulator]:
    emulator = VertexEmulator(strict=True, **options)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(params=["closing_tag", "think_tags", "reasoning_content"])
def reasoning_emulator(request: pytest.FixtureRequest) -> Iterator[VertexEmulator]:
    yield from _serve(partner_reasoning_style=request.param)


@pytest.fixture(params=["audio", "choice_image"])
def image_emulator(request: pytest.FixtureRequest) -> Iterator[VertexEmulator]:
    yield from _serve(image_style=request.param)


def llm(emulator: VertexEmulator, model: str, **kwargs: Any) -> ChatVertexOpenAI:
    return ChatVertexOpenAI(
        model=model, base_url=emulator.base_url, credentials=emulator.credentials(), **kwargs
    )


def merge(chunks: list[Any]) -> Any:
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    return merged


@pytest.mark.parametrize("output_version", ["v0", "v1"])
def test_partner_reasoning_whole_answer(reasoning_emulator, output_version):
    message = llm(reasoning_emulator, DEEPSEEK, output_version=output_version).invoke(PROMPT)
    assert message.text == ANSWER
    blocks = message.content_blocks
    (reasoning,) = [b for b in blocks if b["type"] == "reasoning"]
    assert "Considering the request" in reasoning["reasoning"]
    assert "think>" not in reasoning["reasoning"]


async def test_partner_reasoning_streamed_never_reaches_answer_text(reasoning_emulator):
    chunks = [c async for c in llm(reasoning_emulator, DEEPSEEK).astream(PROMPT)]
    assert all("Considering" not in c.text and "think>" not in c.text for c in chunks)
    merged = merge(chunks)
    assert merged.text == ANSWER
    assert "Considering the request" in merged.additional_kwargs["reasoning_content"]


def test_partner_reasoning_streamed_v1_blocks(reasoning_emulator):
    model = llm(reasoning_emulator, DEEPSEEK, output_version="v1")
    merged = merge(list(model.stream(PROMPT)))
    types = {b["type"] for b in merged.content_blocks}
    assert types == {"reasoning", "text"}
    assert merged.text == ANSWER


@pytest.mark.parametrize("streaming", [False, True])
def test_grok_usage_counts_its_reasoning_tokens_as_output(emulator, streaming):
    message = llm(emulator, GROK, streaming=streaming).invoke(PROMPT)
    raw = message.response_metadata["token_usage"]
    reasoning = raw["completion_tokens_details"]["reasoning_tokens"]
    assert reasoning > 0
    usage = message.usage_metadata
    assert usage is not None
    assert usage["output_tokens"] == raw["completion_tokens"] + reasoning
    assert usage["output_token_details"] == {"reasoning": reasoning}
    assert usage["input_tokens"] + usage["output_tokens"] == usage["total_tokens"]


@pytest.mark.parametrize("streaming", [False, True])
@pytest.mark.parametrize("output_version", ["v0", "v1"])
def test_image_output_is_image_blocks(image_emulator, streaming, output_version):
    model = llm(image_emulator, IMAGE_MODEL, streaming=streaming, output_version=output_version)
    message = model.invoke("Draw a cat")
    assert isinstance(message.content, list)
    (image,) = [b for b in message.content_blocks if b["type"] == "image"]
    assert image["mime_type"] == "image/png"
    assert image["base64"]
