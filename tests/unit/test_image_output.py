"""Image output (beta): both documented answer shapes become `image` content blocks."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk

from langchain_vertex_openai import VertexResponseError
from langchain_vertex_openai._response import (
    StreamState,
    chat_result_from_completion,
    chunk_to_message_chunk,
    final_chunk,
)
from langchain_vertex_openai._signatures import MESSAGE_SIGNATURE_KEY, SIGNATURES_KEY

MODEL = "google/gemini-3.1-flash-image"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(16)).decode()
JPEG = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(16)).decode()


def parse(message: dict[str, Any] | None, **choice: Any) -> AIMessage:
    body = {
        "choices": [{"finish_reason": "stop", "index": 0, "message": message, **choice}],
        "model": MODEL,
        "object": "chat.completion",
    }
    result = chat_result_from_completion(body, requested_model=MODEL)
    ai = result.generations[0].message
    assert isinstance(ai, AIMessage)
    return ai


def images(ai: AIMessage) -> list[dict[str, Any]]:
    return [b for b in ai.content_blocks if b["type"] == "image"]


def test_quick_start_shape_message_audio_with_an_image_mime_type():
    ai = parse(
        {
            "audio": {"data": PNG, "extra_content": {"google": {"mime_type": "image/png"}}},
            "content": None,
            "extra_content": {"google": {"thought_signature": "c2ln"}},
            "role": "assistant",
        }
    )
    assert isinstance(ai.content, list)
    (block,) = ai.content
    assert (block["type"], block["base64"], block["mime_type"]) == ("image", PNG, "image/png")
    assert images(ai) == [block]
    assert ai.text == ""
    # The signature Gemini puts on image output is kept for the next turn.
    assert ai.additional_kwargs[SIGNATURES_KEY] == {MESSAGE_SIGNATURE_KEY: "c2ln"}
    assert "audio" not in ai.additional_kwargs


def test_examples_shape_choice_image_beside_text():
    ai = parse(
        {"content": "Here is a cat.", "role": "assistant"},
        image={"data": JPEG, "mime_type": "image/jpeg"},
    )
    assert ai.text == "Here is a cat."
    assert [b["type"] for b in ai.content_blocks] == ["text", "image"]
    assert images(ai)[0]["mime_type"] == "image/jpeg"


@pytest.mark.parametrize(
    "image",
    [
        {"url": f"data:image/png;base64,{PNG}"},
        {"b64_json": PNG},
        {"data": PNG, "extra_content": {"google": {"mime_type": "image/png"}}},
        [{"data": PNG}],
    ],
    ids=["data uri", "b64_json", "extra_content mime", "list, sniffed"],
)
def test_choice_image_variants(image):
    (block,) = images(parse({"content": None, "role": "assistant"}, image=image))
    assert (block["base64"], block["mime_type"]) == (PNG, "image/png")


def test_real_audio_output_is_kept_as_audio_not_an_image():
    # OpenAI's audio output shape: no MIME type, and the data is not an image.
    audio = {"data": base64.b64encode(b"ID3\x03" + bytes(8)).decode(), "id": "a1"}
    ai = parse({"audio": audio, "content": "hi", "role": "assistant"})
    assert ai.content == "hi"
    assert ai.additional_kwargs["audio"] == audio


def test_an_image_without_a_mime_type_that_cannot_be_recognised_is_an_error():
    with pytest.raises(VertexResponseError, match="no MIME type") as info:
        parse({"content": None, "role": "assistant"}, image={"data": "AAAA"})
    assert info.value.raw == {"data": "AAAA"}


def test_content_blocks_used_by_output_version_v1_keep_the_image():
    ai = parse({"content": "A cat.", "role": "assistant"}, image={"data": PNG})
    blocks = ai.content_blocks
    assert blocks[1]["type"] == "image"
    assert blocks[1]["base64"] == PNG


def test_streamed_image_output():
    state = StreamState(requested_model=MODEL)
    events = [
        {"choices": [{"delta": {"content": "A cat:", "role": "assistant"}, "index": 0}]},
        {
            "choices": [
                {
                    "delta": {
                        "audio": {
                            "data": PNG,
                            "extra_content": {"google": {"mime_type": "image/png"}},
                        },
                        "role": "assistant",
                    },
                    "finish_reason": "stop",
                    "index": 0,
                }
            ]
        },
    ]
    chunks = [c for e in events if (c := chunk_to_message_chunk(e, state)) is not None]
    merged = chunks[0]
    for chunk in [*chunks[1:], final_chunk(state)]:
        merged = merged + chunk
    assert isinstance(merged, AIMessageChunk)
    assert merged.text == "A cat:"
    assert [b["type"] for b in merged.content_blocks] == ["text", "image"]
    assert merged.content_blocks[1]["base64"] == PNG
