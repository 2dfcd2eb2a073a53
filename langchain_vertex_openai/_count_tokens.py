"""Exact token counts from Vertex's native `countTokens` method (Google models only).

`countTokens` lives beside the OpenAI-compatible endpoint under the same project,
location and credentials: `.../locations/{l}/publishers/google/models/{model}:countTokens`.
It takes native Gemini `contents`, so messages are converted here (pure functions).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage

from langchain_vertex_openai._catalog import bare_name
from langchain_vertex_openai._content import (
    DATA_URI_RE,
    content_to_parts,
    content_to_text,
    guess_mime_type,
)

_ENDPOINT_SUFFIX = re.compile(r"/endpoints/[^/]+/?$")


def count_tokens_url(base_url: str, model: str) -> str:
    """Return the `countTokens` URL next to an `.../endpoints/...` base URL.

    Raises:
        ValueError: If the base URL does not end in `/endpoints/{id}`.
    """
    if not _ENDPOINT_SUFFIX.search(base_url):
        msg = f"Cannot derive the countTokens URL from base_url {base_url!r}."
        raise ValueError(msg)
    root = _ENDPOINT_SUFFIX.sub("", base_url)
    return f"{root}/publishers/google/models/{bare_name(model)}:countTokens"


def _native_part(part: dict[str, Any]) -> dict[str, Any]:
    if part["type"] == "text":
        return {"text": part["text"]}
    if part["type"] == "input_audio":
        audio = part["input_audio"]
        audio_format = str(audio["format"])
        mime_type = audio_format if "/" in audio_format else f"audio/{audio_format}"
        return {"inlineData": {"mimeType": mime_type, "data": audio["data"]}}
    url = part["image_url"]["url"]
    # The parts come from content_to_parts, which already validated their data URIs.
    inline = DATA_URI_RE.match(url)
    if inline:
        return {"inlineData": {"mimeType": inline.group("mime"), "data": inline.group("data")}}
    # A URL without a telling extension is read as an image, as Vertex does.
    return {"fileData": {"fileUri": url, "mimeType": guess_mime_type(url) or "image/jpeg"}}


def _parts(message: BaseMessage) -> list[dict[str, Any]]:
    if isinstance(message, AIMessage):
        parts: list[dict[str, Any]] = []
        if text := content_to_text(message.content):
            parts.append({"text": text})
        parts += [
            {"functionCall": {"name": call["name"], "args": call["args"]}}
            for call in message.tool_calls
        ]
        return parts
    if isinstance(message, ToolMessage):
        result = content_to_text(message.content)
        return [
            {"functionResponse": {"name": message.name or "tool", "response": {"content": result}}}
        ]
    converted = content_to_parts(message.content)
    if isinstance(converted, str):
        return [{"text": converted}] if converted else []
    return [_native_part(part) for part in converted]


def count_tokens_body(messages: Sequence[BaseMessage]) -> dict[str, Any]:
    """Convert messages to a `countTokens` request body."""
    body: dict[str, Any] = {"contents": []}
    system = [m for m in messages if isinstance(m, SystemMessage)]
    if system:
        text = "\n".join(content_to_text(m.content) for m in system)
        body["systemInstruction"] = {"parts": [{"text": text}]}
    for message in messages:
        if isinstance(message, SystemMessage):
            continue
        parts = _parts(message)
        if parts:
            role = "model" if isinstance(message, AIMessage) else "user"
            body["contents"].append({"role": role, "parts": parts})
    return body


def total_tokens(response: Any) -> int:
    """Read `totalTokens` from a `countTokens` answer.

    Raises:
        ValueError: If the answer has no count.
    """
    count = response.get("totalTokens") if isinstance(response, dict) else None
    if isinstance(count, int):
        return count
    msg = f"countTokens answered without totalTokens: {json.dumps(response)[:200]}"
    raise ValueError(msg)
