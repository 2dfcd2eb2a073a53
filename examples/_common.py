"""Shared by the examples: a model on Vertex AI when credentials exist, else the emulator."""

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
    if real_vertex_available() and not os.environ.get("VERTEX_EXAMPLES_OFFLINE"):
        print("Using Vertex AI with your application-default credentials.\n")
        yield ChatVertexOpenAI(**kwargs)
        return
    from langchain_vertex_openai.testing import VertexEmulator

    with VertexEmulator() as emulator:
        print(
            "No Google credentials/project found: using the bundled Vertex emulator at\n"
            f"  {emulator.base_url}\n(deterministic replies, real HTTP, real token refresh).\n"
        )
        yield ChatVertexOpenAI(
            base_url=emulator.base_url, credentials=emulator.credentials(), **kwargs
        )
