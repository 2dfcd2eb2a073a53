"""The client and the emulator on the same facts, end to end (docs/vertex-facts.md).

The emulator answers as the fact sheet says (its own tests pin that); these tests check
that ``ChatVertexOpenAI`` reads those answers right: image output in both documented shapes,
DeepSeek-style reasoning in every shape the emulator can send, streamed or not, and Gemini
3.5 Flash in a single region.
"""

from __future__ import annotations

import base64
from functools import reduce

import pytest

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai.testing import VertexEmulator

DEEPSEEK = "deepseek-ai/deepseek-v3.2-maas"


def _model(emulator: VertexEmulator, model: str, **kwargs) -> ChatVertexOpenAI:
    return ChatVertexOpenAI(
        model=model, base_url=emulator.base_url, credentials=emulator.credentials(), **kwargs
    )


def _images(message) -> list[dict]:
    content = message.content if isinstance(message.content, list) else []
    return [block for block in content if isinstance(block, dict) and block["type"] == "image"]


@pytest.mark.parametrize("image_style", ["audio", "choice_image"])
@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_image_output_becomes_an_image_block(image_style, stream):
    with VertexEmulator(strict=True, image_style=image_style) as emu:
        llm = _model(emu, "gemini-3.1-flash-image")
        if stream:
            message = reduce(lambda a, b: a + b, llm.stream("Draw a teal square"))
        else:
            message = llm.invoke("Draw a teal square")
        (image,) = _images(message)
        assert image["mime_type"] == "image/png"
        assert base64.b64decode(image["base64"]).startswith(b"\x89PNG")


@pytest.mark.parametrize("style", ["closing_tag", "think_tags", "reasoning_content"])
@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_partner_reasoning_is_reasoning_not_answer_text(style, stream):
    with VertexEmulator(strict=True, partner_reasoning_style=style, location="us-central1") as emu:
        llm = _model(emu, DEEPSEEK, location="us-central1")
        if stream:
            message = reduce(lambda a, b: a + b, llm.stream("Hello there"))
        else:
            message = llm.invoke("Hello there")
        assert message.text == f"Emulated reply from {DEEPSEEK}: Hello there"
        assert "think>" not in message.text
        assert "Considering the request" in message.additional_kwargs["reasoning_content"]


def test_gemini_35_flash_in_a_single_region():
    with VertexEmulator(strict=True, location="europe-west2") as emu:
        llm = _model(emu, "gemini-3.5-flash", location="europe-west2")
        assert llm.invoke("Hello there").text.endswith("Hello there")
