"""Message content (strings and content blocks) to the parts Vertex accepts.

Vertex takes `text`, `image_url` and `input_audio` parts (Vertex notes §8).
`image_url` carries any media Gemini reads: https and `gs://` URLs, or a
`data:<mime>;base64,` URI for images, PDFs, audio and video. langchain-core
has already normalised OpenAI `file`/`input_audio` parts and v0 blocks to v1
blocks (`type` image/audio/file/video with `url`/`base64`/`file_id`) before we
see them.
"""

from __future__ import annotations

from typing import Any

_AUDIO_FORMATS = {"audio/wav": "wav", "audio/x-wav": "wav", "audio/mpeg": "mp3", "audio/mp3": "mp3"}
_MEDIA_BLOCKS = ("image", "audio", "file", "video")


def _block_error(index: int, problem: str, fix: str) -> ValueError:
    return ValueError(f"Content block {index}: {problem} {fix}")


def _media_url(block: dict[str, Any], index: int) -> str:
    if block.get("url"):
        return str(block["url"])
    data = block.get("base64") or block.get("data")
    if data:
        mime_type = block.get("mime_type")
        if not mime_type:
            raise _block_error(
                index,
                f"a base64 {block['type']} block has no mime_type.",
                "Add mime_type, e.g. 'image/png' or 'application/pdf'.",
            )
        return f"data:{mime_type};base64,{data}"
    if block.get("file_id") or block.get("id"):
        raise _block_error(
            index,
            f"a {block['type']} block refers to a file_id.",
            "Vertex has no Files API on this endpoint: pass a gs:// URL or base64 data.",
        )
    raise _block_error(index, f"a {block['type']} block has no url or base64 data.", "Add one.")


def _audio_part(block: dict[str, Any], index: int) -> dict[str, Any]:
    mime_type = block.get("mime_type") or ""
    data = block.get("base64") or block.get("data") or block.get("url")
    if not data:
        raise _block_error(index, "an audio block has no data.", "Add base64 data or a gs:// URL.")
    audio_format = _AUDIO_FORMATS.get(mime_type, mime_type)
    if not audio_format:
        raise _block_error(
            index, "an audio block has no mime_type.", "Add mime_type, e.g. 'audio/wav'."
        )
    return {"type": "input_audio", "input_audio": {"data": data, "format": audio_format}}


def _part(block: Any, index: int) -> dict[str, Any] | None:
    if isinstance(block, str):
        return {"type": "text", "text": block}
    if not isinstance(block, dict):
        raise _block_error(index, f"unsupported content of type {type(block).__name__}.", "")
    kind = block.get("type")
    if kind == "text":
        return {"type": "text", "text": block.get("text", "")}
    if kind == "image_url":
        image = block["image_url"]
        url = image if isinstance(image, str) else image.get("url")
        part: dict[str, Any] = {"url": url}
        if isinstance(image, dict) and image.get("detail"):
            part["detail"] = image["detail"]
        return {"type": "image_url", "image_url": part}
    if kind == "input_audio":
        return {"type": "input_audio", "input_audio": dict(block["input_audio"])}
    if kind == "audio":
        return _audio_part(block, index)
    if kind in _MEDIA_BLOCKS:
        if kind == "file" and block.get("mime_type", "").startswith("text/") and block.get("text"):
            return {"type": "text", "text": block["text"]}
        image_url: dict[str, Any] = {"url": _media_url(block, index)}
        detail = (block.get("extras") or {}).get("detail") or block.get("detail")
        if detail:
            image_url["detail"] = detail
        return {"type": "image_url", "image_url": image_url}
    if kind in ("reasoning", "thinking"):
        # Thoughts are never sent back as content.
        return None
    if kind in ("tool_call", "tool_use", "function_call"):
        return None
    raise _block_error(
        index,
        f"unknown block type {kind!r}.",
        "Use text, image, audio, file or video blocks (LangChain v1) or OpenAI "
        "text/image_url/input_audio parts.",
    )


def content_to_parts(content: str | list[Any]) -> str | list[dict[str, Any]]:
    """Convert a user message's content to a string or a list of Vertex parts.

    Raises:
        ValueError: Naming the block index and the fix, for blocks Vertex cannot take.
    """
    if isinstance(content, str):
        return content
    parts = [part for i, block in enumerate(content) if (part := _part(block, i)) is not None]
    if all(part["type"] == "text" for part in parts):
        return "".join(part["text"] for part in parts)
    return parts


def content_to_text(content: str | list[Any]) -> str:
    """Join the text of a message's content (system, assistant and tool turns)."""
    if isinstance(content, str):
        return content
    texts = []
    for block in content:
        if isinstance(block, str):
            texts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            texts.append(str(block.get("text", "")))
    return "".join(texts)
