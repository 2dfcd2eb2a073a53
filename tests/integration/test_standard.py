"""langchain-tests' standard integration suite, offline against the strict emulator.

The suite downloads sample media with classic `httpx.get`; this machine has no
internet, so that one function is pointed at small, real files generated here
(a PNG, a PDF, a WAV). Everything else crosses real sockets to the emulator.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_vertex_openai import ChatVertexOpenAI
from langchain_vertex_openai.testing import VertexEmulator
from tests import media

_EMULATOR: VertexEmulator | None = None


def _offline_get(url: str, *args: object, **kwargs: object) -> httpx.Response:
    if url.endswith(".pdf"):
        content = media.PDF
    elif url.endswith((".wav", ".mp3")):
        content = media.wav(800)
    else:
        content = media.png(4, 4)
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
            "model": "gemini-3.5-flash",
            "base_url": _EMULATOR.base_url,
            "credentials": _EMULATOR.credentials(),
        }

    @property
    def model_override_value(self) -> str:
        return "gemini-3.1-pro-preview"

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
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def enable_vcr_tests(self) -> bool:
        # Skipped on purpose: every test here already runs offline against the emulator
        # over real sockets, so recording cassettes would only replay the emulator.
        return False

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
            model="gemini-3.5-flash",
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
