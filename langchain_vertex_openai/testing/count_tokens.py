"""The native ``publishers/{publisher}/models/{model}:countTokens`` method.

Not part of the OpenAI-compatible surface, but served under the same project, location
and credentials. Request and response follow the native Vertex API (``contents`` of
``parts``; ``totalTokens`` and ``totalBillableCharacters``). Counting is the emulator's
own deterministic estimate (``wire.count_tokens``: 3 per content plus text/4), the same
one its chat completions report as ``prompt_tokens`` for a text-only conversation, so a
client's exact count can be checked against a real call. Emulator choice: media parts add
the same per-item tokens as in chat (258 per image or PDF).
"""

from __future__ import annotations

import re
from typing import Any

from langchain_vertex_openai.testing.errors import VertexError
from langchain_vertex_openai.testing.wire import count_tokens

COUNT_ROUTE = re.compile(
    r"^/(?:v1|v1beta1)/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
    r"/publishers/(?P<publisher>[^/]+)/models/(?P<model>[^/:]+):countTokens$"
)
_PER_CONTENT = 3
_PER_MEDIA = 258


def _invalid(message: str) -> VertexError:
    return VertexError(400, message, "INVALID_ARGUMENT")


def _content_tokens(content: Any, where: str) -> tuple[int, int]:
    if not isinstance(content, dict) or not isinstance(content.get("parts"), list):
        raise _invalid(f"Invalid JSON payload received. {where} must have a list of parts.")
    if not content["parts"]:
        raise _invalid(f"Unable to submit request because {where} has no parts.")
    tokens, characters = _PER_CONTENT, 0
    for part in content["parts"]:
        if not isinstance(part, dict):
            raise _invalid(f"Invalid JSON payload received. {where}.parts must hold objects.")
        if isinstance(part.get("text"), str):
            tokens += count_tokens(part["text"])
            characters += len(part["text"].replace(" ", ""))
        elif "inlineData" in part or "fileData" in part:
            tokens += _PER_MEDIA
        elif "functionCall" in part or "functionResponse" in part:
            tokens += count_tokens(str(part.get("functionCall") or part.get("functionResponse")))
        else:
            raise _invalid(f"Invalid JSON payload received. Unknown part in {where}: {part}.")
    return tokens, characters


def count_tokens_response(body: Any) -> dict[str, int]:
    """Answer a ``countTokens`` request body.

    Args:
        body: The parsed JSON body.

    Returns:
        ``{"totalTokens", "totalBillableCharacters"}``.

    Raises:
        VertexError: For a malformed body (Vertex-shaped 400).
    """
    if not isinstance(body, dict) or not isinstance(body.get("contents"), list):
        raise _invalid("Invalid JSON payload received. 'contents' must be a list.")
    if not body["contents"]:
        raise _invalid("Unable to submit request because it has no contents.")
    total, characters = 0, 0
    items = (
        [("systemInstruction", body["systemInstruction"])] if body.get("systemInstruction") else []
    )
    items += [(f"contents[{i}]", content) for i, content in enumerate(body["contents"])]
    for where, content in items:
        tokens, chars = _content_tokens(content, where)
        total += tokens
        characters += chars
    return {"totalTokens": total, "totalBillableCharacters": characters}
