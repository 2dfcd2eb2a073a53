"""Against the real Vertex AI endpoint: skipped unless credentials and a project exist.

Run with `GOOGLE_CLOUD_PROJECT=my-project python -m pytest -m vertex`.
"""

from __future__ import annotations

import os

import pytest

from langchain_vertex_openai import ChatVertexOpenAI


def _live_settings() -> tuple[str, object] | None:
    project = os.environ.get("GOOGLE_CLOUD_PROJECT")
    if not project:
        return None
    try:
        import google.auth

        credentials, _ = google.auth.default(
            scopes=["https://www.googleapis.com/auth/cloud-platform"]
        )
    except Exception:
        return None
    return project, credentials


_SETTINGS = _live_settings()
pytestmark = [
    pytest.mark.vertex,
    pytest.mark.skipif(
        _SETTINGS is None, reason="needs GOOGLE_CLOUD_PROJECT and Google credentials"
    ),
]


@pytest.fixture
def llm():
    assert _SETTINGS is not None
    project, credentials = _SETTINGS
    return ChatVertexOpenAI(
        model=os.environ.get("VERTEX_TEST_MODEL", "gemini-3.5-flash"),
        project=project,
        credentials=credentials,
        max_tokens=200,
    )


def test_live_invoke(llm):
    message = llm.invoke("Reply with the single word: pong")
    assert "pong" in message.text.lower()
    usage = message.usage_metadata
    assert usage["input_tokens"] + usage["output_tokens"] == usage["total_tokens"]


def test_live_stream(llm):
    chunks = list(llm.stream("Count from 1 to 5, separated by spaces."))
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged += chunk
    assert "3" in merged.text
    assert merged.usage_metadata["total_tokens"] > 0


async def test_live_tool_round_trip(llm):
    def get_weather(city: str) -> str:
        """Get the weather for a city."""
        return "sunny"

    bound = llm.bind_tools([get_weather], tool_choice="get_weather")
    call = await bound.ainvoke("What's the weather in Paris?")
    assert call.tool_calls[0]["name"] == "get_weather"
