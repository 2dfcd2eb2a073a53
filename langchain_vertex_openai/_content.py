"""Message content (strings and content blocks) to the parts Vertex accepts.

Vertex takes `text`, `image_url` and `input_audio` parts (docs/vertex-facts.md §8).
`image_url` carries any media Gemini reads: https and `gs://` URLs, or a
`data:<mime>;base64,` URI for images, PDFs, audio and video; an https URL is read as an
image, so other media must come inline or from Cloud Storage. Tool results carry media as
native Gemini parts under `extra_content.google.parts` (§4). langchain-core has already
normalised OpenAI `file`/`input_audio` parts and v0 blocks to v1 blocks (`type`
image/audio/file/video with `url`/`base64`/`file_id`) before we see them.

Every problem is a `ValueError` naming the block and the fix; nothing is dropped.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from dataclasses import dataclass, field
from typing import Any

# Gemini's documented input MIME types.
SUPPORTED_MIME_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/heic",
        "image/heif",
        "application/pdf",
        "text/plain",
        "audio/wav",
        "audio/mp3",
        "audio/mpeg",
        "audio/aiff",
        "audio/aac",
        "audio/ogg",
        "audio/flac",
        "audio/webm",
        "video/mp4",
        "video/mpeg",
        "video/mov",
        "video/quicktime",
        "video/avi",
        "video/x-flv",
        "video/mpg",
        "video/webm",
        "video/wmv",
        "video/3gpp",
    }
)
_MIME_ALIASES = {"image/jpg": "image/jpeg", "audio/x-wav": "audio/wav", "audio/wave": "audio/wav"}
_AUDIO_FORMATS = {"audio/wav": "wav", "audio/mp3": "mp3", "audio/mpeg": "mp3"}
MAX_INLINE_BYTES = 20 * 1024 * 1024
"""Inline media per request. Not documented for this endpoint; generateContent's limit."""
DATA_URI_RE = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)(?:;[^,]*)?;base64,(?P<data>.*)$", re.S)
_GS_URI_RE = re.compile(r"^gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]/.+$")
_MEDIA_KINDS = ("image", "audio", "file", "video")


class _ContentError(ValueError):
    pass


def _error(index: int, problem: str, fix: str) -> _ContentError:
    return _ContentError(f"Content block {index}: {problem} {fix}".strip())


@dataclass
class MediaBudget:
    """Inline bytes seen so far in one request, to refuse oversize requests early.

    The per-item limits are the model's, from its page (docs/vertex-facts.md §1), when known.
    """

    used: int = 0
    details: set[str] = field(default_factory=set)
    images: int = 0
    model: str = ""
    image_bytes: int | None = None
    pdf_bytes: int | None = None

    def add(self, size: int, index: int, mime_type: str = "") -> None:
        """Count `size` inline bytes of type `mime_type` from block `index`.

        Raises:
            ValueError: For an item over the model's limit for its kind, or once the
                request's inline media exceed `MAX_INLINE_BYTES`.
        """
        limit, kind = (
            (self.image_bytes, "image")
            if mime_type.startswith("image/")
            else (self.pdf_bytes, "PDF")
            if mime_type == "application/pdf"
            else (None, "")
        )
        if limit is not None and size > limit:
            raise _error(
                index,
                f"this inline {kind} is {size / 1e6:.1f} MB; {self.model} takes up to "
                f"{limit // (1024 * 1024)} MB per inline {kind}.",
                "Upload it to Cloud Storage and pass a gs:// URL.",
            )
        self.used += size
        if self.used > MAX_INLINE_BYTES:
            raise _error(
                index,
                f"inline media in this request add up to {self.used / 1e6:.1f} MB, over "
                f"the {MAX_INLINE_BYTES // (1024 * 1024)} MB Vertex accepts inline.",
                "Upload large files to Cloud Storage and pass gs:// URLs.",
            )


def _normalize_mime(mime_type: str) -> str:
    mime_type = mime_type.strip().lower()
    return _MIME_ALIASES.get(mime_type, mime_type)


def _check_mime(mime_type: str, index: int) -> str:
    mime_type = _normalize_mime(mime_type)
    if mime_type not in SUPPORTED_MIME_TYPES:
        raise _error(
            index,
            f"MIME type {mime_type!r} is not one Gemini reads.",
            "Use an image (png, jpeg, webp, heic), audio, video, PDF or text/plain file.",
        )
    return mime_type


def _decoded_size(data: str, index: int) -> int:
    try:
        return len(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError) as error:
        raise _error(index, f"the base64 data does not decode ({error}).", "") from error


def guess_mime_type(url: str) -> str | None:
    guessed, _ = mimetypes.guess_type(url.split("?", 1)[0])
    return _normalize_mime(guessed) if guessed else None


@dataclass(frozen=True)
class Media:
    """One media item resolved from a block: either a URI or inline base64 data."""

    mime_type: str
    uri: str | None = None
    data: str | None = None

    @property
    def as_url(self) -> str:
        """The `image_url.url` form: the URI itself, or a data URI."""
        return self.uri or f"data:{self.mime_type};base64,{self.data}"


def _from_url(url: str, declared: str | None, kind: str, index: int, budget: MediaBudget) -> Media:
    data_uri = DATA_URI_RE.match(url)
    if data_uri:
        mime_type = _check_mime(data_uri.group("mime"), index)
        budget.add(_decoded_size(data_uri.group("data"), index), index, mime_type)
        return Media(mime_type, data=data_uri.group("data"))
    if url.startswith("data:"):
        raise _error(
            index,
            f"malformed data URI {url[:40]!r}...",
            "Use data:<mime type>;base64,<data>.",
        )
    if url.startswith("gs://"):
        if not _GS_URI_RE.match(url):
            raise _error(index, f"{url!r} is not a valid gs://bucket/object URI.", "")
    elif not url.startswith("https://"):
        raise _error(
            index,
            f"the {kind} URL {url[:60]!r} is not https://, gs:// or a data URI.",
            "Vertex fetches only https and Cloud Storage URLs; pass other media as base64.",
        )
    guessed = declared or guess_mime_type(url) or ("image/jpeg" if kind == "image" else None)
    if guessed is None:
        raise _error(index, f"the MIME type of {url[:80]!r} cannot be inferred.", "Add mime_type.")
    mime_type = _check_mime(guessed, index)
    if url.startswith("https://") and not mime_type.startswith(("image/", "audio/")):
        raise _error(
            index,
            f"Vertex reads https URLs as images, so this {mime_type} file would be misread.",
            "Upload it to Cloud Storage (gs://...) or pass it as base64.",
        )
    return Media(mime_type, uri=url)


def resolve_media(block: dict[str, Any], index: int, budget: MediaBudget) -> Media:
    """Resolve a v1 image/audio/file/video block to a URI or inline data.

    Raises:
        ValueError: For missing data, unknown or unsupported MIME types, bad URIs,
            undecodable base64 and oversize inline payloads.
    """
    kind = block["type"]
    source = block.get("source")
    if isinstance(source, dict):
        # Anthropic's form: {"type": "image", "source": {"type": "base64"|"url", ...}}.
        block = {
            "type": kind,
            "base64": source.get("data"),
            "url": source.get("url"),
            "mime_type": source.get("media_type") or block.get("mime_type"),
        }
    given = block.get("mime_type")
    declared = _check_mime(given, index) if given else None
    if block.get("url"):
        return _from_url(str(block["url"]), declared, kind, index, budget)
    data = block.get("base64") or block.get("data")
    if data and not isinstance(data, str):
        raise _error(
            index,
            f"the {kind} block's base64 data is a {type(data).__name__}, not a string.",
            "Pass base64 text, e.g. base64.b64encode(raw_bytes).decode('ascii').",
        )
    if data:
        if declared is None:
            raise _error(
                index,
                f"a base64 {kind} block has no mime_type.",
                "Add mime_type, e.g. 'image/png' or 'application/pdf'.",
            )
        budget.add(_decoded_size(data, index), index, declared)
        return Media(declared, data=data)
    if block.get("file_id") or block.get("id"):
        raise _error(
            index,
            f"a {kind} block refers to a file_id.",
            "Vertex has no Files API on this endpoint: pass a gs:// URL or base64 data.",
        )
    raise _error(index, f"a {kind} block has no url or base64 data.", "Add one.")


def _audio_part(media: Media) -> dict[str, Any]:
    audio_format = _AUDIO_FORMATS.get(media.mime_type, media.mime_type)
    return {
        "type": "input_audio",
        "input_audio": {"data": media.uri or media.data, "format": audio_format},
    }


MEDIA_RESOLUTIONS = ("low", "medium", "high")
"""Vertex's media resolutions (`MEDIA_RESOLUTION_LOW` ...), docs/vertex-facts.md §4."""


def media_resolution_level(value: object) -> str:
    """Return `low`, `medium` or `high` for a level or a `MEDIA_RESOLUTION_*` name.

    Raises:
        ValueError: For any other value.
    """
    level = str(getattr(value, "name", value)).lower().removeprefix("media_resolution_")
    if level not in MEDIA_RESOLUTIONS:
        msg = f"media_resolution must be one of {', '.join(MEDIA_RESOLUTIONS)}, got {value!r}."
        raise ValueError(msg)
    return level


def _detail(block: dict[str, Any], budget: MediaBudget) -> str | None:
    extras = block.get("extras") or {}
    detail = block.get("detail") or extras.get("detail")
    resolution = block.get("media_resolution") or extras.get("media_resolution")
    if resolution:
        # A part's resolution travels as its `detail`, the per-part field the endpoint
        # ties to media resolution (docs/vertex-facts.md §3, §4).
        detail = media_resolution_level(resolution)
    if detail:
        budget.details.add(str(detail))
    return str(detail) if detail else None


def _image_url_part(block: dict[str, Any], index: int, budget: MediaBudget) -> dict[str, Any]:
    image = block["image_url"]
    url = image if isinstance(image, str) else image.get("url")
    if not url:
        raise _error(index, "an image_url part has no url.", "")
    media = _from_url(str(url), None, "image", index, budget)
    if media.mime_type.startswith("image/"):
        budget.images += 1
    part: dict[str, Any] = {"url": media.as_url}
    if isinstance(image, dict) and (image.get("detail") or image.get("media_resolution")):
        part["detail"] = _detail(image, budget)
    return {"type": "image_url", "image_url": part}


def _part(block: Any, index: int, budget: MediaBudget) -> dict[str, Any] | None:
    if isinstance(block, str):
        return {"type": "text", "text": block}
    if not isinstance(block, dict):
        raise _error(index, f"unsupported content of type {type(block).__name__}.", "")
    kind = block.get("type")
    if kind == "text":
        return {"type": "text", "text": block.get("text", "")}
    if kind == "image_url":
        return _image_url_part(block, index, budget)
    if kind == "input_audio":
        audio = block.get("input_audio") or {}
        if not isinstance(audio, dict) or not (audio.get("data") and audio.get("format")):
            raise _error(
                index,
                "input_audio needs both data and format.",
                "Use {'type': 'input_audio', 'input_audio': {'data': <base64>, 'format': 'wav'}}.",
            )
        return {"type": "input_audio", "input_audio": dict(audio)}
    if kind in _MEDIA_KINDS:
        if (
            kind == "file"
            and block.get("text")
            and str(block.get("mime_type", "")).startswith("text/")
        ):
            return {"type": "text", "text": block["text"]}
        media = resolve_media(block, index, budget)
        if media.mime_type.startswith("image/"):
            budget.images += 1
        if media.mime_type.startswith("audio/"):
            return _audio_part(media)
        image_url: dict[str, Any] = {"url": media.as_url}
        detail = _detail(block, budget)
        if detail:
            image_url["detail"] = detail
        return {"type": "image_url", "image_url": image_url}
    if kind in ("reasoning", "thinking", "tool_call", "tool_use", "function_call"):
        # Thoughts and calls are carried elsewhere, never as user content.
        return None
    raise _error(
        index,
        f"unknown block type {kind!r}.",
        "Use text, image, audio, file or video blocks (LangChain v1) or OpenAI "
        "text/image_url/input_audio parts.",
    )


def content_to_parts(
    content: str | list[Any], budget: MediaBudget | None = None
) -> str | list[dict[str, Any]]:
    """Convert a user message's content to a string or a list of Vertex parts.

    Raises:
        ValueError: Naming the block index and the fix, for blocks Vertex cannot take.
    """
    if isinstance(content, str):
        return content
    budget = budget if budget is not None else MediaBudget()
    parts = [p for i, block in enumerate(content) if (p := _part(block, i, budget)) is not None]
    if all(part["type"] == "text" for part in parts):
        return "".join(part["text"] for part in parts)
    return parts


def content_to_text(content: str | list[Any]) -> str:
    """Join the text of a message's content (system and assistant turns)."""
    if isinstance(content, str):
        return content
    texts = []
    for block in content:
        if isinstance(block, str):
            texts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            texts.append(str(block.get("text", "")))
    return "".join(texts)


def tool_result_parts(
    content: str | list[Any], budget: MediaBudget | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Split a tool result into its text and native Gemini media parts.

    Media go back as `extra_content.google.parts` (docs/vertex-facts.md §4): `file_data` for
    URIs and `inline_data` for base64.
    """
    if isinstance(content, str):
        return content, []
    budget = budget if budget is not None else MediaBudget()
    texts: list[str] = []
    parts: list[dict[str, Any]] = []
    for index, block in enumerate(content):
        if isinstance(block, str) or (isinstance(block, dict) and block.get("type") == "text"):
            texts.append(block if isinstance(block, str) else str(block.get("text", "")))
            continue
        if isinstance(block, dict) and block.get("type") == "image_url":
            url = (
                block["image_url"]
                if isinstance(block["image_url"], str)
                else block["image_url"]["url"]
            )
            block = {"type": "image", "url": url}  # noqa: PLW2901 - same media, v1 form.
        if not (isinstance(block, dict) and block.get("type") in _MEDIA_KINDS):
            raise _error(index, "tool results may hold text and media blocks only.", "")
        media = resolve_media(block, index, budget)
        if media.uri and media.uri.startswith("https://"):
            raise _error(
                index,
                "a tool result can carry gs:// or inline media, not an https URL.",
                "Return base64 data or a gs:// URI from the tool.",
            )
        if media.uri:
            parts.append({"file_data": {"mime_type": media.mime_type, "file_uri": media.uri}})
        else:
            parts.append({"inline_data": {"mime_type": media.mime_type, "data": media.data}})
    return "".join(texts), parts
