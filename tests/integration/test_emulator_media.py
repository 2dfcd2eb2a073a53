"""The emulator's media checks (docs/vertex-facts.md §8, §4) and its description of what arrived."""

from __future__ import annotations

import base64

import pytest

from langchain_vertex_openai.testing import VertexEmulator
from tests.helpers import post_chat, sse_events

FLASH = "google/gemini-2.5-flash"
#: A PNG signature and 16 more bytes: 24 bytes decoded.
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()
KB2 = base64.b64encode(b"\x00" * 2048).decode()


@pytest.fixture(params=[False, True], ids=["default", "strict"])
def emu(request):
    with VertexEmulator(strict=request.param) as emulator:
        yield emulator


def answer(emu: VertexEmulator, messages: list, **extra) -> str:
    response = post_chat(emu, {"model": FLASH, "messages": messages, **extra})
    assert response.status_code == 200, response.text
    if extra.get("stream"):
        chunks = sse_events(response)
        return "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    return response.json()["choices"][0]["message"]["content"]


def error(emu: VertexEmulator, messages: list, status: int = 400) -> dict:
    response = post_chat(emu, {"model": FLASH, "messages": messages})
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == status and body["status"] == "INVALID_ARGUMENT"
    return body


def user(*parts: dict) -> list[dict]:
    return [{"role": "user", "content": [{"type": "text", "text": "Describe"}, *parts]}]


def image_url(url: str) -> dict:
    return {"type": "image_url", "image_url": {"url": url}}


# -- what arrived --------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_description_names_mime_sizes_and_uris(emu, stream):
    messages = user(
        image_url(f"data:image/png;base64,{KB2}"),
        {"type": "input_audio", "input_audio": {"data": PNG, "format": "wav"}},
        image_url("gs://bucket/x.pdf"),
        image_url(f"data:application/pdf;base64,{PNG}"),
        image_url("gs://bucket/clip.mp4"),
        {"type": "input_audio", "input_audio": {"data": "gs://bucket/a.mp3", "format": "mp3"}},
        image_url("https://example.com/photo"),
    )
    text = answer(emu, messages, stream=stream)
    assert text == (
        f"Emulated reply from {FLASH}: Describe (received: 1 image/png (2 KB), "
        "1 audio/wav (24 B), 1 application/pdf (gs://bucket/x.pdf), 1 application/pdf (24 B), "
        "1 video/mp4 (gs://bucket/clip.mp4), 1 audio/mp3 (gs://bucket/a.mp3), "
        "1 image/jpeg (https://example.com/photo))"
    )


def test_identical_items_are_counted_together(emu):
    png = image_url(f"data:image/png;base64,{PNG}")
    assert answer(emu, user(png, png)).endswith("(received: 2 image/png (24 B))")


def test_description_only_for_the_last_user_message(emu):
    messages = [
        *user(image_url(f"data:image/png;base64,{PNG}")),
        {"role": "assistant", "content": "A picture."},
        {"role": "user", "content": "Thanks"},
    ]
    assert answer(emu, messages) == f"Emulated reply from {FLASH}: Thanks"
    messages[-1] = {"role": "user", "content": "Repeat exactly: same as before"}
    assert answer(emu, messages) == "same as before"


def test_input_audio_formats(emu):
    for fmt, mime in [("wav", "audio/wav"), ("mp3", "audio/mp3"), ("audio/flac", "audio/flac")]:
        part = {"type": "input_audio", "input_audio": {"data": PNG, "format": fmt}}
        assert answer(emu, user(part)).endswith(f"(received: 1 {mime} (24 B))")
    uri = {"type": "input_audio", "input_audio": {"data": f"data:audio/ogg;base64,{PNG}"}}
    uri["input_audio"]["format"] = "wav"  # the data URI's MIME type wins
    assert answer(emu, user(uri)).endswith("(received: 1 audio/ogg (24 B))")


def test_media_counts_in_prompt_tokens(emu):
    plain = post_chat(emu, {"model": FLASH, "messages": user()}).json()["usage"]["prompt_tokens"]
    messages = user(image_url(f"data:image/png;base64,{PNG}"), image_url("gs://bucket/v.mp4"))
    usage = post_chat(emu, {"model": FLASH, "messages": messages}).json()["usage"]
    assert usage["prompt_tokens"] == plain + 258 + 300


# -- tool results with media (§4) ----------------------------------------------------------------


def _tool_turn(parts: list, content: str = "(see attached media)") -> list[dict]:
    call = {
        "id": "render",
        "type": "function",
        "function": {"name": "render", "arguments": "{}"},
    }
    return [
        {"role": "user", "content": "Render the chart"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {
            "role": "tool",
            "tool_call_id": "render",
            "content": content,
            "extra_content": {"google": {"parts": parts}},
        },
    ]


RENDER = {
    "type": "function",
    "function": {
        "name": "render",
        "description": "Render a chart.",
        "parameters": {"type": "object", "properties": {}},
    },
}


def test_tool_result_media_is_described(emu):
    parts = [
        {"inline_data": {"mime_type": "image/png", "data": KB2}},
        {"file_data": {"mime_type": "application/pdf", "file_uri": "gs://bucket/r.pdf"}},
        {"fileData": {"mimeType": "image/jpg", "fileUri": "gs://bucket/c.jpg"}},
    ]
    text = answer(emu, _tool_turn(parts), tools=[RENDER])
    assert text == (
        "Based on the tool results: render: (see attached media) (received: 1 image/png (2 KB), "
        "1 application/pdf (gs://bucket/r.pdf), 1 image/jpg (gs://bucket/c.jpg))"
    )


@pytest.mark.parametrize(
    ("part", "fragment"),
    [
        ({"inline_data": {"mime_type": "image/png", "data": "%%%"}}, "Base64 decoding failed"),
        ({"inline_data": {"data": PNG}}, "mime_type': the MIME type is required"),
        ({"file_data": {"mime_type": "image/png"}}, "file_uri': the file URI is required"),
        ({"file_data": {"mime_type": "image/png", "file_uri": "gs://B/x"}}, "Cloud Storage URI"),
        ({"inline_data": {"mime_type": "image/gif", "data": PNG}}, "value image/gif"),
        ({}, "exactly one of file_data or inline_data"),
        (
            {
                "inline_data": {"mime_type": "image/png", "data": PNG},
                "file_data": {"mime_type": "image/png", "file_uri": "gs://bucket/x.png"},
            },
            "exactly one of file_data or inline_data",
        ),
        ("image", "a part must be an object"),
    ],
)
def test_bad_tool_result_parts(emu, part, fragment):
    response = post_chat(emu, {"model": FLASH, "messages": _tool_turn([part]), "tools": [RENDER]})
    assert response.status_code == 400
    assert fragment in response.json()["error"]["message"]


def test_unknown_keys_in_tool_parts_and_parts_elsewhere_are_strict_only(emu):
    part = {"inline_data": {"mime_type": "image/png", "data": PNG, "bogus": 1}}
    response = post_chat(emu, {"model": FLASH, "messages": _tool_turn([part]), "tools": [RENDER]})
    misplaced = [
        {
            "role": "user",
            "content": "Hi",
            "extra_content": {"google": {"parts": [{"inline_data": {}}]}},
        }
    ]
    elsewhere = post_chat(emu, {"model": FLASH, "messages": misplaced})
    if emu.strict:
        assert 'Unknown name "bogus"' in response.json()["error"]["message"]
        assert 'Unknown name "parts"' in elsewhere.json()["error"]["message"]
    else:
        assert response.status_code == 200 and elsewhere.status_code == 200


# -- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "fragment"),
    [
        (image_url(f"data:image/gif;base64,{PNG}"), "mimeType parameter with value image/gif"),
        (image_url(f"data:application/zip;base64,{PNG}"), "with value application/zip"),
        (image_url("gs://bucket/notes.docx"), "with value application/vnd.openxml"),
        (image_url("gs://x/a.png"), "not a valid Cloud Storage URI"),
        (image_url("gs://Bucket/a.png"), "not a valid Cloud Storage URI"),
        (image_url("gs://bucket"), "not a valid Cloud Storage URI"),
        (image_url("https://example.com/report.pdf"), "is application/pdf"),
        (image_url("https://example.com/song.mp3"), "is audio/mp3"),
        (image_url("ftp://example.com/a.png"), "Invalid URL"),
        (
            {"type": "input_audio", "input_audio": {"data": PNG, "format": "flac"}},
            'use "wav", "mp3" or a MIME type',
        ),
        (
            {"type": "input_audio", "input_audio": {"data": PNG, "format": "audio/midi"}},
            "with value audio/midi",
        ),
        (
            {"type": "input_audio", "input_audio": {"data": "gs://b", "format": "wav"}},
            "not a valid Cloud Storage URI",
        ),
        (
            {"type": "input_audio", "input_audio": {"data": "data:audio/wav,xx", "format": "wav"}},
            "Invalid data URI",
        ),
    ],
)
def test_bad_media_parts(emu, part, fragment):
    assert fragment in error(emu, user(part))["message"]


def test_mime_refusal_uses_vertex_wording(emu):
    message = error(emu, user(image_url(f"data:image/bmp;base64,{PNG}")))["message"]
    assert message == (
        "Unable to submit request because it has a mimeType parameter with value image/bmp, "
        "which is not supported. Update the mimeType and try again. Learn more: "
        "https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini"
    )


def test_accepted_mime_spellings(emu):
    for mime in ("image/jpg", "IMAGE/PNG", "video/quicktime", "text/plain", "audio/x-wav"):
        text = answer(emu, user(image_url(f"data:{mime};base64,{PNG}")))
        assert "(received: 1 " in text
