"""Image output (beta) to LangChain `image` content blocks.

Image models answer `modalities: ["image", "text"]` in one of two shapes that Google's
pages disagree on (docs/vertex-facts.md §7): `message.audio = {"data": ..., "extra_content":
{"google": {"mime_type": "image/png"}}}` with `content: null`, or `choices[].image`. Both
become standard `image` blocks (base64 + MIME type) in the message content.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages.content import ImageContentBlock, create_image_block

from langchain_vertex_openai._shape import as_dict, malformed, optional_str
from langchain_vertex_openai._signatures import read_extra_content

_DATA_URI_RE = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+);base64,(?P<data>.*)", re.S)
# Leading base64 characters of each format's magic bytes, for images sent without a MIME
# type (docs/vertex-facts.md §7: the inner shape of `choices[].image` is not shown).
_BASE64_MAGIC = (
    ("iVBORw0KGgo", "image/png"),
    ("/9j/", "image/jpeg"),
    ("R0lGOD", "image/gif"),
    ("UklGR", "image/webp"),
)


def _sniffed_mime_type(data: str) -> str | None:
    return next((mime for magic, mime in _BASE64_MAGIC if data.startswith(magic)), None)


def _declared_mime_type(part: dict[str, Any], where: str) -> str | None:
    declared = read_extra_content(part, "mime_type")
    if declared is None:
        declared = part.get("mime_type")
    return optional_str(declared, f"{where}.mime_type")


def _image_block(part: dict[str, Any], where: str) -> ImageContentBlock:
    url = optional_str(part.get("url"), f"{where}.url")
    if url is not None:
        match = _DATA_URI_RE.fullmatch(url)
        if match is None:
            return create_image_block(url=url)
        return create_image_block(base64=match["data"], mime_type=match["mime"])
    data = optional_str(part.get("data", part.get("b64_json")), f"{where}.data")
    if not data:
        raise malformed(f"{where} carries no image data", part)
    mime_type = _declared_mime_type(part, where) or _sniffed_mime_type(data)
    if mime_type is None:
        raise malformed(f"{where} has no MIME type", part)
    return create_image_block(base64=data, mime_type=mime_type)


def is_image_audio(audio: dict[str, Any], where: str) -> bool:
    """Whether a `message.audio` object is really an image (the quick-start's shape)."""
    mime_type = _declared_mime_type(audio, where)
    if mime_type is not None:
        return mime_type.startswith("image/")
    data = audio.get("data")
    return isinstance(data, str) and _sniffed_mime_type(data) is not None


def image_blocks(
    holder: dict[str, Any], where: str, choice: dict[str, Any], choice_where: str
) -> tuple[list[ImageContentBlock], dict[str, Any] | None]:
    """The images a message (or delta) and its choice carry, and any real audio output.

    Args:
        holder: The message or delta.
        where: The holder's path, for error messages.
        choice: Its choice (for `choices[].image`).
        choice_where: The choice's path.

    Returns:
        The image blocks, and a `message.audio` that is not an image (kept for the
        caller as `additional_kwargs["audio"]`, like other OpenAI-compatible models).
    """
    blocks: list[ImageContentBlock] = []
    audio = holder.get("audio")
    other_audio = None
    if audio is not None:
        audio = as_dict(audio, f"{where}.audio")
        if is_image_audio(audio, f"{where}.audio"):
            blocks.append(_image_block(audio, f"{where}.audio"))
        else:
            other_audio = audio
    image = choice.get("image")
    if image is not None:
        images = image if isinstance(image, list) else [image]
        for position, item in enumerate(images):
            path = f"{choice_where}.image"
            path = f"{path}[{position}]" if isinstance(image, list) else path
            blocks.append(_image_block(as_dict(item, path), path))
    return blocks, other_audio
