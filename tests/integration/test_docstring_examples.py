"""The class docstring's examples run, in order, against the emulator so they cannot rot.

They run exactly as `help(ChatVertexOpenAI)` shows them (what a user pastes), reaching the
emulator the way a user would force it: `VERTEX_OPENAI_BASE_URL` and `VERTEX_ACCESS_TOKEN`.
Top-level `await` works as in `python -m asyncio`.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
import textwrap
from typing import Any

import pytest

from langchain_vertex_openai import ChatVertexOpenAI

_BLOCK = re.compile(r'\?\?\?\+? info "([^"]+)"\n\n\s*```python\n(.*?)```', re.S)


def _blocks() -> list[tuple[str, str]]:
    doc = ChatVertexOpenAI.__doc__ or ""
    return [(title, textwrap.dedent(code)) for title, code in _BLOCK.findall(doc)]


def _run(title: str, code: str, namespace: dict[str, Any]) -> None:
    compiled = compile(code, f"<docstring: {title}>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    if compiled.co_flags & inspect.CO_COROUTINE:
        asyncio.run(eval(compiled, namespace))
    else:
        exec(compiled, namespace)


def test_docstring_renders_as_written():
    # A raw docstring with escaped quotes shows the backslashes in help() and IDE hovers.
    doc = ChatVertexOpenAI.__doc__ or ""
    assert "\\" not in doc


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
    monkeypatch.setenv("VERTEX_OPENAI_BASE_URL", emulator.base_url)
    monkeypatch.setenv("VERTEX_ACCESS_TOKEN", emulator.issue_token())
    namespace: dict[str, Any] = {}
    for title, code in _blocks():
        _run(title, code, namespace)
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
