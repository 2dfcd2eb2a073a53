import base64

import pytest
from langchain_core.messages import HumanMessage

from langchain_vertex_openai._content import (
    MAX_INLINE_BYTES,
    MediaBudget,
    content_to_parts,
)
from langchain_vertex_openai._request import build_body

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32).decode()
WAV = base64.b64encode(b"RIFF" + b"\x00" * 40).decode()
PDF = base64.b64encode(b"%PDF-1.4 tiny").decode()


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            {"type": "image", "url": "https://example.com/cat.png"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        ),
        (
            {"type": "image", "url": "gs://bucket/cat.jpg"},
            {"type": "image_url", "image_url": {"url": "gs://bucket/cat.jpg"}},
        ),
        (
            {"type": "image", "base64": PNG, "mime_type": "image/png"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        ),
        (
            {
                "type": "image_url",
                "image_url": {"url": f"data:image/png;base64,{PNG}", "detail": "low"},
            },
            {
                "type": "image_url",
                "image_url": {"url": f"data:image/png;base64,{PNG}", "detail": "low"},
            },
        ),
        (
            {"type": "image_url", "image_url": "gs://bucket/a.webp"},
            {"type": "image_url", "image_url": {"url": "gs://bucket/a.webp"}},
        ),
        (
            {"type": "audio", "base64": WAV, "mime_type": "audio/wav"},
            {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}},
        ),
        (
            {"type": "audio", "url": "gs://bucket/talk.mp3"},
            {
                "type": "input_audio",
                "input_audio": {"data": "gs://bucket/talk.mp3", "format": "mp3"},
            },
        ),
        (
            {"type": "audio", "base64": WAV, "mime_type": "audio/flac"},
            {"type": "input_audio", "input_audio": {"data": WAV, "format": "audio/flac"}},
        ),
        (
            {"type": "file", "base64": PDF, "mime_type": "application/pdf"},
            {"type": "image_url", "image_url": {"url": f"data:application/pdf;base64,{PDF}"}},
        ),
        (
            {"type": "file", "url": "gs://bucket/report.pdf"},
            {"type": "image_url", "image_url": {"url": "gs://bucket/report.pdf"}},
        ),
        (
            {"type": "video", "url": "gs://bucket/clip.mp4"},
            {"type": "image_url", "image_url": {"url": "gs://bucket/clip.mp4"}},
        ),
        (
            {"type": "video", "base64": PNG, "mime_type": "video/mp4"},
            {"type": "image_url", "image_url": {"url": f"data:video/mp4;base64,{PNG}"}},
        ),
        (
            {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}},
            {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}},
        ),
    ],
)
def test_every_form_reaches_a_part_vertex_accepts(block, expected):
    parts = content_to_parts([{"type": "text", "text": "look"}, block])
    assert parts == [{"type": "text", "text": "look"}, expected]


@pytest.mark.parametrize(
    ("block", "match"),
    [
        ({"type": "hologram", "data": "x"}, "unknown block type 'hologram'"),
        ({"type": "image", "base64": PNG}, "no mime_type"),
        ({"type": "file", "url": "gs://bucket/blob"}, "cannot be inferred"),
        ({"type": "file", "base64": PNG, "mime_type": "application/zip"}, "not one Gemini reads"),
        ({"type": "file", "url": "https://example.com/report.pdf"}, "Cloud Storage"),
        ({"type": "image", "url": "ftp://example.com/a.png"}, "https://, gs://"),
        ({"type": "image", "url": "gs://"}, "not a valid gs://"),
        ({"type": "image_url", "image_url": {"url": "data:;base64,aGk="}}, "malformed data URI"),
        ({"type": "image", "base64": "not base64!!", "mime_type": "image/png"}, "does not decode"),
        ({"type": "image", "file_id": "file-123"}, "gs:// URL or base64"),
        ({"type": "input_audio", "input_audio": {"data": WAV}}, "data and format"),
    ],
)
def test_bad_blocks_fail_with_the_index_and_fix(block, match):
    with pytest.raises(ValueError, match="Content block 1") as info:
        content_to_parts(["text first", block])
    assert match in str(info.value)


def test_oversize_inline_payload_is_refused_before_the_request():
    big = base64.b64encode(b"\x00" * (MAX_INLINE_BYTES // 2 + 10)).decode()
    budget = MediaBudget()
    content_to_parts([{"type": "image", "base64": big, "mime_type": "image/png"}], budget)
    with pytest.raises(ValueError, match="Cloud Storage"):
        content_to_parts([{"type": "image", "base64": big, "mime_type": "image/png"}], budget)


def test_mixed_detail_is_refused_before_gemini_3_only():
    message = HumanMessage(
        content=[
            {"type": "image_url", "image_url": {"url": "gs://bucket/a.png", "detail": "low"}},
            {"type": "image_url", "image_url": {"url": "gs://bucket/b.png", "detail": "high"}},
        ]
    )
    with pytest.raises(ValueError, match="different detail values"):
        build_body([message], {"model": "google/gemini-2.5-flash"}, google_model=True)
    build_body([message], {"model": "google/gemini-3.5-flash"}, google_model=True)
