"""Structured extraction over a folder of documents.

python examples/extraction.py [folder]   # default: examples/documents
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

from _common import chat_model
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, Field


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"


class Person(BaseModel):
    """The main person a document is about."""

    name: str = Field(description="Full name")
    age: int | None = Field(default=None, description="Age in years, if stated")
    city: str | None = Field(default=None, description="City, if stated")
    sentiment: Sentiment = Field(description="Tone of the document about them")


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "documents"
    paths = sorted(folder.glob("*.txt"))
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Extract the main person from the document."), ("human", "{text}")]
    )
    with chat_model(model="gemini-3.5-flash") as llm:
        chain = prompt | llm.with_structured_output(Person)
        people = chain.batch(
            [{"text": p.read_text()} for p in paths], config={"max_concurrency": 4}
        )
    for path, person in zip(paths, people, strict=True):
        print(f"{path.name}: {person.model_dump_json()}")


if __name__ == "__main__":
    main()
