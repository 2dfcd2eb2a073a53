"""langchain-tests' standard integration suite, offline against the strict emulator.

The suite downloads sample media with classic `httpx.get`; this machine has no
internet, so that one function is pointed at small, real files generated here
(a PNG, a PDF, a WAV). Everything else crosses real sockets to the emulator.
"""

from __future__ import annotations

import base64
import io
import struct
import wave
import zlib
from collections.abc import Iterator

import httpx
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai.testing import VertexEmulator

_EMULATOR: VertexEmulator | None = None


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(b"\x00\x00" * 800)
    return buffer.getvalue()


def _offline_get(url: str, *args: object, **kwargs: object) -> httpx.Response:
    if url.endswith(".pdf"):
        content = _pdf()
    elif url.endswith((".wav", ".mp3")):
        content = _wav()
    else:
        content = _png()
    return httpx.Response(200, content=content, request=httpx.Request("GET", url))


@pytest.fixture(scope="module", autouse=True)
def emulator() -> Iterator[VertexEmulator]:
    global _EMULATOR  # noqa: PLW0603
    with VertexEmulator(strict=True) as running:
        _EMULATOR = running
        yield running
    _EMULATOR = None


@pytest.fixture(autouse=True)
def offline_media(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(httpx, "get", _offline_get)


class TestChatVertexOpenAIStandard(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatVertexOpenAI

    @property
    def chat_model_params(self) -> dict:
        assert _EMULATOR is not None
        return {
            "model": "gemini-2.5-flash",
            "base_url": _EMULATOR.base_url,
            "credentials": _EMULATOR.credentials(),
        }

    @property
    def model_override_value(self) -> str:
        return "gemini-2.5-pro"

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_audio_inputs(self) -> bool:
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(self) -> dict:
        return {"invoke": ["reasoning_output"], "stream": ["reasoning_output"]}

    def invoke_with_reasoning_output(self, *, stream: bool = False):
        assert _EMULATOR is not None
        llm = ChatVertexOpenAI(
            model="gemini-2.5-flash",
            base_url=_EMULATOR.base_url,
            credentials=_EMULATOR.credentials(),
        )
        prompt = "Explain step by step why the sky is blue."
        if stream:
            merged = None
            for chunk in llm.stream(prompt):
                merged = chunk if merged is None else merged + chunk
            return merged
        return llm.invoke(prompt)


def test_offline_media_is_real(offline_media: None) -> None:
    assert httpx.get("x.png").content.startswith(b"\x89PNG")
    assert base64.b64encode(httpx.get("x.pdf").content).startswith(b"JVBERi0")
