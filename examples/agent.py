"""A LangGraph agent with tools and memory, three turns on one thread.

python examples/agent.py
"""

from __future__ import annotations

from _common import chat_model
from langchain.agents import create_agent
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"Sunny, 21°C in {city}."


@tool
def get_population(city: str) -> int:
    """Get the population of a city."""
    return {"Paris": 2_100_000, "Lyon": 520_000}.get(city, 100_000)


def main() -> None:
    with chat_model(model="gemini-3.5-flash") as llm:
        agent = create_agent(llm, [get_weather, get_population], checkpointer=InMemorySaver())
        config = {"configurable": {"thread_id": "demo"}}
        for question in (
            "Use get_weather for 'Paris'",
            "Now use get_population for 'Paris'",
            "And use get_weather for 'Lyon'",
        ):
            state = agent.invoke({"messages": [("user", question)]}, config)
            print(f"> {question}\n{state['messages'][-1].text}\n")
        calls = [m for m in state["messages"] if getattr(m, "tool_calls", None)]
        print(f"{len(calls)} tool-call turns, each sent back with its thought signature.")


if __name__ == "__main__":
    main()
