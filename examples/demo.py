"""A short tour of ChatVertexOpenAI: against Vertex AI when Google credentials and a
project are available, otherwise against the bundled emulator (and it says so).

    python examples/demo.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator

from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from langchain_vertex_openai import ChatVertexOpenAI


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is sunny and 21°C in {city}."


def _real_vertex_available() -> bool:
    try:
        import google.auth

        _, adc_project = google.auth.default()
    except Exception:
        return False
    return bool(os.environ.get("GOOGLE_CLOUD_PROJECT") or adc_project)


@contextlib.contextmanager
def chat_model() -> Iterator[ChatVertexOpenAI]:
    if _real_vertex_available():
        print("Using Vertex AI with your application-default credentials.\n")
        yield ChatVertexOpenAI(model="gemini-2.5-flash")
        return
    from langchain_vertex_openai.testing import VertexEmulator

    with VertexEmulator() as emulator:
        print(
            "No Google credentials/project found: using the bundled Vertex emulator at\n"
            f"  {emulator.base_url}\n(deterministic replies, real HTTP, real token refresh).\n"
        )
        yield ChatVertexOpenAI(
            model="gemini-2.5-flash", base_url=emulator.base_url, credentials=emulator.credentials()
        )


def main() -> None:
    with chat_model() as llm:
        print("== invoke")
        reply = llm.invoke(
            [SystemMessage("You are concise."), HumanMessage("Repeat exactly: Hello from Gemini")]
        )
        print(reply.content)
        print("usage:", reply.usage_metadata)

        print("\n== stream")
        for chunk in llm.stream("Say something short about the sea"):
            print(chunk.text, end="|", flush=True)
        print()

        print("\n== async batch")
        replies = asyncio.run(llm.abatch(["Repeat exactly: one", "Repeat exactly: two"]))
        print([r.content for r in replies])

        print("\n== tool calling round trip")
        with_tools = llm.bind_tools([get_weather])
        question = HumanMessage("Use get_weather for 'Paris', please.")
        call = with_tools.invoke([question])
        print("tool calls:", call.tool_calls)
        results = [
            ToolMessage(get_weather.invoke(c["args"]), tool_call_id=c["id"])
            for c in call.tool_calls
        ]
        answer = with_tools.invoke([question, call, *results])
        print("answer:", answer.content)


if __name__ == "__main__":
    main()
