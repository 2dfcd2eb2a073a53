"""The class docstring's examples run, in order, against the emulator so they cannot rot.

`ChatVertexOpenAI` is swapped for a subclass that points at the emulator unless an
example sets `base_url` itself; everything else runs as written.
"""

from __future__ import annotations

import asyncio
import base64
import re
import textwrap
from typing import Any

import pytest
from pydantic import model_validator

import langchain_vertex_openai
from langchain_vertex_openai import ChatVertexOpenAI
from tests import media

_BLOCK = re.compile(r'\?\?\?\+? info "([^"]+)"\n\n\s*```python\n(.*?)```', re.S)


def _blocks() -> list[tuple[str, str]]:
    doc = ChatVertexOpenAI.__doc__ or ""
    return [
        (title, textwrap.dedent(code).replace('\\"', '"')) for title, code in _BLOCK.findall(doc)
    ]


def test_docstring_has_the_convention_sections():
    titles = [title for title, _ in _blocks()]
    for section in (
        "Instantiate",
        "Invoke",
        "Stream",
        "Async",
        "Tool calling",
        "Structured output",
        "Multimodal",
        "Token usage",
        "Response metadata",
    ):
        assert section in titles


def test_docstring_examples_run_against_the_emulator(vertex_emulator, monkeypatch):
    emulator = vertex_emulator

    class OfflineChatVertexOpenAI(ChatVertexOpenAI):
        @model_validator(mode="before")
        @classmethod
        def _to_emulator(cls, values: Any) -> Any:
            if isinstance(values, dict) and "base_url" not in values:
                values = {
                    **values,
                    "base_url": emulator.base_url,
                    "credentials": emulator.credentials(),
                }
            return values

    monkeypatch.setattr(langchain_vertex_openai, "ChatVertexOpenAI", OfflineChatVertexOpenAI)
    namespace: dict[str, Any] = {"pdf_b64": base64.b64encode(media.PDF).decode()}
    for title, code in _blocks():
        if "await " in code:
            wrapped = "async def _example():\n" + textwrap.indent(code, "    ")
            exec(compile(wrapped, f"<docstring: {title}>", "exec"), namespace)
            asyncio.run(namespace["_example"]())
        else:
            exec(compile(code, f"<docstring: {title}>", "exec"), namespace)
    assert namespace["msg"].response_metadata["model_provider"] == "google_vertexai_openai"
    assert emulator.requests, "the examples reached the emulator"


@pytest.mark.parametrize("title", ["Tool calling"])
def test_tool_calling_example_really_calls_the_tool(vertex_emulator, title):
    code = dict(_blocks())[title]
    llm = ChatVertexOpenAI(
        model="gemini-3.5-flash",
        base_url=vertex_emulator.base_url,
        credentials=vertex_emulator.credentials(),
    )
    namespace: dict[str, Any] = {"llm": llm}
    exec(compile(code, f"<docstring: {title}>", "exec"), namespace)
    assert namespace["msg"].tool_calls[0]["name"] == "get_weather"
