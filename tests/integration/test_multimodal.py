"""Multimodal input end to end (issue 4): every content-block form reaches the strict emulator
in a form Vertex accepts, and the emulator's description of what it received proves the media
arrived (MIME type plus decoded size for inline data, or the URI)."""

from __future__ import annotations

import asyncio
import base64

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai.testing import VertexEmulator
from tests import media
from tests.helpers import emulator_model

PDF_BYTES = media.PDF
PNG_BYTES = media.png()
WAV_BYTES = media.wav()
PNG = base64.b64encode(PNG_BYTES).decode()
WAV = base64.b64encode(WAV_BYTES).decode()
PDF = base64.b64encode(PDF_BYTES).decode()
#: What the emulator says for each inline item (all are under 1 KB: sizes in bytes).
SEEN_PNG = f"image/png ({len(PNG_BYTES)} B)"
SEEN_WAV = f"audio/wav ({len(WAV_BYTES)} B)"
SEEN_PDF = f"application/pdf ({len(PDF_BYTES)} B)"
FLASH = "gemini-3.5-flash"
REPLY = f"Emulated reply from google/{FLASH}: Describe"


@pytest.fixture
def llm(vertex_emulator_strict: VertexEmulator) -> ChatVertexOpenAI:
    return emulator_model(vertex_emulator_strict, FLASH)


def ask(llm: ChatVertexOpenAI, *blocks: dict, stream: bool = False) -> str:
    message = HumanMessage(content=[{"type": "text", "text": "Describe"}, *blocks])
    if stream:
        return "".join(chunk.text for chunk in llm.stream([message]))
    return llm.invoke([message]).text


FORMS = {
    # LangChain v1 blocks.
    "v1-image-base64": ({"type": "image", "base64": PNG, "mime_type": "image/png"}, SEEN_PNG),
    "v1-image-https": (
        {"type": "image", "url": "https://example.com/cat.png"},
        "image/png (https://example.com/cat.png)",
    ),
    "v1-image-data-url": ({"type": "image", "url": f"data:image/png;base64,{PNG}"}, SEEN_PNG),
    "v1-audio-base64": ({"type": "audio", "base64": WAV, "mime_type": "audio/wav"}, SEEN_WAV),
    "v1-file-pdf-base64": (
        {"type": "file", "base64": PDF, "mime_type": "application/pdf"},
        SEEN_PDF,
    ),
    "v1-video-base64": (
        {"type": "video", "base64": PNG, "mime_type": "video/mp4"},
        f"video/mp4 ({len(PNG_BYTES)} B)",
    ),
    # gs:// URIs for each media kind.
    "gs-image": (
        {"type": "image", "url": "gs://my-bucket/photos/cat.jpg", "mime_type": "image/jpeg"},
        "image/jpeg (gs://my-bucket/photos/cat.jpg)",
    ),
    "gs-pdf": (
        {"type": "file", "url": "gs://my-bucket/docs/report.pdf", "mime_type": "application/pdf"},
        "application/pdf (gs://my-bucket/docs/report.pdf)",
    ),
    "gs-video": (
        {"type": "video", "url": "gs://my-bucket/clips/talk.mp4", "mime_type": "video/mp4"},
        "video/mp4 (gs://my-bucket/clips/talk.mp4)",
    ),
    "gs-audio": (
        {"type": "audio", "url": "gs://my-bucket/audio/voice.wav", "mime_type": "audio/wav"},
        "audio/wav (gs://my-bucket/audio/voice.wav)",
    ),
    # OpenAI format.
    "openai-image_url-data": (
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        SEEN_PNG,
    ),
    "openai-image_url-https": (
        {"type": "image_url", "image_url": {"url": "https://example.com/dog.jpg"}},
        "image/jpeg (https://example.com/dog.jpg)",
    ),
    "openai-input_audio": (
        {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}},
        SEEN_WAV,
    ),
    "openai-file": (
        {
            "type": "file",
            "file": {"filename": "report.pdf", "file_data": f"data:application/pdf;base64,{PDF}"},
        },
        SEEN_PDF,
    ),
    # Older LangChain v0 blocks.
    "v0-image-base64": (
        {"type": "image", "source_type": "base64", "data": PNG, "mime_type": "image/png"},
        SEEN_PNG,
    ),
    "v0-image-url": (
        {"type": "image", "source_type": "url", "url": "https://example.com/cat.png"},
        "image/png (https://example.com/cat.png)",
    ),
}


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
@pytest.mark.parametrize(("block", "seen"), list(FORMS.values()), ids=list(FORMS))
def test_each_block_form_arrives(llm, block, seen, stream):
    assert ask(llm, block, stream=stream) == f"{REPLY} (received: 1 {seen})"


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_mixed_media_in_one_message(llm, vertex_emulator_strict, stream):
    text = ask(
        llm,
        {"type": "image", "base64": PNG, "mime_type": "image/png"},
        {"type": "audio", "base64": WAV, "mime_type": "audio/wav"},
        {"type": "file", "url": "gs://bucket-1/x.pdf", "mime_type": "application/pdf"},
        stream=stream,
    )
    assert text == (
        f"{REPLY} (received: 1 {SEEN_PNG}, 1 {SEEN_WAV}, 1 application/pdf (gs://bucket-1/x.pdf))"
    )
    (request,) = vertex_emulator_strict.chat_requests
    kinds = [part["type"] for part in request.body["messages"][0]["content"]]
    assert kinds == ["text", "image_url", "input_audio", "image_url"]


def test_media_in_earlier_turns_is_resent(llm, vertex_emulator_strict):
    first = HumanMessage(
        content=[
            {"type": "text", "text": "Describe"},
            {"type": "image", "base64": PNG, "mime_type": "image/png"},
        ]
    )
    reply = llm.invoke([first])
    follow_up = llm.invoke([first, reply, HumanMessage("Repeat exactly: and now?")])
    assert follow_up.text == "and now?"
    sent = vertex_emulator_strict.last_request.body["messages"][0]["content"]
    assert sent[1] == {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}


def test_async_invoke(llm):
    message = HumanMessage(
        content=[
            {"type": "text", "text": "Describe"},
            {"type": "audio", "base64": WAV, "mime_type": "audio/wav"},
        ]
    )
    result = asyncio.run(llm.ainvoke([message]))
    assert result.text == f"{REPLY} (received: 1 {SEEN_WAV})"


# -- media inside tool results ---------------------------------------------------------------


@tool
def render_chart(city: str) -> list:
    """Render the weather chart of a city."""
    return [
        {"type": "text", "text": f"chart of {city}"},
        {"type": "image", "base64": PNG, "mime_type": "image/png"},
    ]


@tool
def fetch_scan(name: str) -> list:
    """Fetch a scanned document from Cloud Storage."""
    return [{"type": "file", "url": f"gs://scans/{name}.pdf", "mime_type": "application/pdf"}]


# Gemini 2.5 (retired, signatures not enforced) stays covered beside Gemini 3.
@pytest.mark.filterwarnings("ignore::langchain_vertex_openai.RetiredModelWarning")
@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-3.8-flash"])
@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_tool_returning_an_image(vertex_emulator_strict, model, stream):
    llm = ChatVertexOpenAI(
        model=model,
        base_url=vertex_emulator_strict.base_url,
        credentials=vertex_emulator_strict.credentials(),
    ).bind_tools([render_chart])
    messages: list = [HumanMessage("Use render_chart for 'Paris'")]
    call = llm.invoke(messages)
    assert isinstance(call, AIMessage) and call.tool_calls[0]["name"] == "render_chart"
    result = render_chart.invoke(call.tool_calls[0])
    assert isinstance(result, ToolMessage) and isinstance(result.content, list)
    messages += [call, result]
    if stream:
        text = "".join(chunk.text for chunk in llm.stream(messages))
    else:
        text = llm.invoke(messages).text
    assert text == (
        f"Based on the tool results: render_chart: chart of Paris (received: 1 {SEEN_PNG})"
    )
    sent = vertex_emulator_strict.last_request.body["messages"][-1]
    assert sent["extra_content"] == {
        "google": {"parts": [{"inline_data": {"mime_type": "image/png", "data": PNG}}]}
    }


def test_tool_returning_only_a_gs_file(vertex_emulator_strict):
    llm = ChatVertexOpenAI(
        model=FLASH,
        base_url=vertex_emulator_strict.base_url,
        credentials=vertex_emulator_strict.credentials(),
    ).bind_tools([fetch_scan])
    messages: list = [HumanMessage("Use fetch_scan for 'lease'")]
    call = llm.invoke(messages)
    messages += [call, fetch_scan.invoke(call.tool_calls[0])]
    text = llm.invoke(messages).text
    assert text.startswith("Based on the tool results: fetch_scan: ")
    assert text.endswith("(received: 1 application/pdf (gs://scans/lease.pdf))")


# -- refused on the client, before any request ---------------------------------------------------

#: Just over 20 MB decoded: "AAAA" decodes to three zero bytes, so this costs no encoding.
OVERSIZE = "AAAA" * (20 * 1024 * 1024 // 3 + 1)


@pytest.mark.parametrize(
    ("block", "fragment"),
    [
        ({"type": "hologram", "data": "x"}, "unknown block type 'hologram'"),
        ({"type": "audio", "base64": WAV}, "has no mime_type"),
        ({"type": "file", "base64": PDF}, "has no mime_type"),
        ({"type": "file", "base64": OVERSIZE, "mime_type": "application/pdf"}, "20 MB"),
        ({"type": "image", "base64": PNG, "mime_type": "image/gif"}, "'image/gif'"),
        ({"type": "file", "base64": PDF, "mime_type": "application/zip"}, "application/zip"),
        (
            {"type": "file", "url": "https://example.com/r.pdf", "mime_type": "application/pdf"},
            "https URLs as images",
        ),
        ({"type": "image", "url": "gs://B/x.png"}, "not a valid gs://bucket/object URI"),
        ({"type": "image", "base64": "%%%", "mime_type": "image/png"}, "does not decode"),
    ],
    ids=[
        "unknown-type",
        "audio-no-mime",
        "file-no-mime",
        "oversize",
        "gif",
        "zip",
        "https-pdf",
        "bad-gs",
        "bad-base64",
    ],
)
@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_client_side_refusals_name_the_block(llm, vertex_emulator_strict, block, fragment, stream):
    with pytest.raises(ValueError, match=r"Message 0 \(human\): Content block 1: ") as caught:
        ask(llm, block, stream=stream)
    assert fragment in str(caught.value)
    assert vertex_emulator_strict.requests == []


def test_base64_image_without_mime_type_is_refused_before_any_request(llm, vertex_emulator_strict):
    # langchain-core's tracing formatter refuses this block before the model sees it, with
    # its own message (no block index); the request is never sent either way.
    with pytest.raises(ValueError, match="mime_type"):
        ask(llm, {"type": "image", "base64": PNG})
    assert vertex_emulator_strict.requests == []


def test_oversize_counts_the_whole_request(llm, vertex_emulator_strict):
    half = "AAAA" * (11 * 1024 * 1024 // 3)
    blocks = [{"type": "audio", "base64": half, "mime_type": "audio/wav"}] * 2
    with pytest.raises(ValueError, match=r"Content block 2: inline media .* over the 20 MB"):
        ask(llm, *blocks)
    assert vertex_emulator_strict.requests == []
