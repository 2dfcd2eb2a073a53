"""A short tour of ChatVertexOpenAI: against Vertex AI when Google credentials and a
project are available, otherwise against the bundled emulator (and it says so).

    python examples/demo.py
"""

from __future__ import annotations

import asyncio

from _common import chat_model
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is sunny and 21°C in {city}."


def main() -> None:
    with chat_model(model="gemini-3.5-flash") as llm:
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
