"""Shared by the examples: a model on Vertex AI when credentials exist, else the emulator.

`VERTEX_EXAMPLES_OFFLINE=1` forces the bundled emulator even when credentials exist;
`VERTEX_OPENAI_BASE_URL` (with `VERTEX_ACCESS_TOKEN`) sends every model to that endpoint,
e.g. an emulator started with `python -m langchain_vertex_openai.testing`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from langchain_vertex_openai import ChatVertexOpenAI


def real_vertex_available() -> bool:
    """Whether Google credentials and a project are configured here."""
    try:
        import google.auth

        _, adc_project = google.auth.default()
    except Exception:
        return False
    return bool(os.environ.get("GOOGLE_CLOUD_PROJECT") or adc_project)


@contextlib.contextmanager
def chat_model(**kwargs: Any) -> Iterator[ChatVertexOpenAI]:
    """Yield a model on real Vertex AI, or on the bundled emulator (and say which)."""
    if os.environ.get("VERTEX_OPENAI_BASE_URL") and not os.environ.get("VERTEX_EXAMPLES_OFFLINE"):
        print(f"Using VERTEX_OPENAI_BASE_URL={os.environ['VERTEX_OPENAI_BASE_URL']}\n")
        yield ChatVertexOpenAI(**kwargs)
        return
    if real_vertex_available() and not os.environ.get("VERTEX_EXAMPLES_OFFLINE"):
        print(
            "Using Vertex AI with your application-default credentials (billed to your project;\n"
            "VERTEX_EXAMPLES_OFFLINE=1 forces the emulator).\n"
        )
        yield ChatVertexOpenAI(**kwargs)
        return
    from langchain_vertex_openai.testing import VertexEmulator

    reason = (
        "VERTEX_EXAMPLES_OFFLINE is set"
        if os.environ.get("VERTEX_EXAMPLES_OFFLINE")
        else "No Google credentials/project found"
    )
    with VertexEmulator() as emulator:
        print(
            f"{reason}: using the bundled Vertex emulator at\n"
            f"  {emulator.base_url}\n(deterministic replies, real HTTP, real token refresh).\n"
        )
        yield ChatVertexOpenAI(
            base_url=emulator.base_url, credentials=emulator.credentials(), **kwargs
        )
