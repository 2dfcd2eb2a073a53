"""Media inputs: content parts and tool-result parts Vertex accepts (§8, §4), described.

The brain describes what arrived with :func:`describe`.

Facts (``docs/vertex-facts.md``):
    - ``image_url`` takes an object ``{"url"}`` or a bare string; URLs may be ``https://``,
      ``gs://`` or ``data:<MIME>;base64,<DATA>``; a URL defaults to an image MIME type, a data
      URI can carry any MIME type (PDF, audio, video) (§8).
    - ``input_audio`` is ``{"data": <base64 or URI>, "format": "wav" | "mp3" | <MIME type>}`` (§8).
    - A tool message carries multimodal function-response parts in
      ``extra_content.google.parts``: ``{"file_data": {"mime_type", "file_uri"}}`` (§4), and,
      as in Gemini's native ``Part``, ``{"inline_data": {"mime_type", "data"}}``.
    - A malformed data URI or undecodable base64 is a 400 (§11).

Emulator choices (the fact sheet is silent):
    - The MIME types Gemini reads are those of Google's model pages (images png/jpeg/webp/
      heic/heif, PDF, text/plain, the listed audio and video types; ``image/jpg`` as in the §4
      example). Others get Vertex's native ``mimeType`` refusal, whose wording is quoted from
      public reports of real 400s.
    - A URI's MIME type is guessed from its extension (fixed table below); an ``image_url`` URI
      without a known extension is an image (``image/jpeg``, §8 "defaults to an image").
    - An ``https``/``http`` ``image_url`` whose extension names a PDF, audio or video file is
      refused (§8: such URLs are read as images, so the file would be misread).
    - ``gs://`` URIs must be ``gs://<bucket>/<object>`` with a valid bucket name.
    - Protobuf-JSON accepts both ``snake_case`` and ``camelCase`` names in tool-result parts.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from typing import Any

from langchain_vertex_openai.testing.errors import (
    EMULATOR_REFUSAL,
    EMULATOR_WORDING,
    VertexError,
    invalid_argument,
)
from langchain_vertex_openai.testing.request import MediaItem

#: The MIME types the emulator's Gemini reads (emulator choice, see the module docstring).
SUPPORTED_MIME_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/jpg",
        "image/webp",
        "image/heic",
        "image/heif",
        "application/pdf",
        "text/plain",
        "audio/wav",
        "audio/x-wav",
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
#: Extension -> MIME type for URIs (deterministic; not the platform's mimetypes database).
_EXTENSIONS = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "heic": "image/heic",
    "heif": "image/heif",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "wav": "audio/wav",
    "mp3": "audio/mp3",
    "aiff": "audio/aiff",
    "aif": "audio/aiff",
    "aac": "audio/aac",
    "ogg": "audio/ogg",
    "flac": "audio/flac",
    "mp4": "video/mp4",
    "mpeg": "video/mpeg",
    "mpg": "video/mpg",
    "mov": "video/mov",
    "avi": "video/avi",
    "flv": "video/x-flv",
    "webm": "video/webm",
    "wmv": "video/wmv",
    "3gp": "video/3gpp",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
    "json": "application/json",
}
#: §8: the short ``input_audio`` formats.
_AUDIO_FORMATS = {"wav": "audio/wav", "mp3": "audio/mp3"}
_DATA_URI = re.compile(
    r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^;,]+)*?);base64,(?P<data>.*)$", re.S
)
#: Cloud Storage bucket names: 3-222 chars of a-z 0-9 . _ -, starting and ending alphanumeric.
_GS_URI = re.compile(r"^gs://(?P<bucket>[a-z0-9][a-z0-9._-]{1,220}[a-z0-9])/(?P<object>.+)$")
_WEB = ("https://", "http://")
#: Prompt tokens per media item (emulator choice; images as Gemini's 258 per image tile).
_TOKENS = {"image": 258, "application": 258, "text": 258, "audio": 100, "video": 300}


def decoded_size(data: str, path: str) -> int:
    """Decode base64 (standard or URL-safe, padding optional) and return the byte count.

    Args:
        data: The base64 text.
        path: The field path for the error.

    Returns:
        The decoded size in bytes.

    Raises:
        VertexError: 400 ``Base64 decoding failed`` (§11).
    """
    cleaned = "".join(data.split())
    padded = cleaned + "=" * (-len(cleaned) % 4)
    for altchars in (None, b"-_"):
        try:
            if cleaned:
                return len(
                    base64.b64decode(padded.encode("ascii"), altchars=altchars, validate=True)
                )
        except (binascii.Error, ValueError):
            continue
    shown = cleaned[:40]
    raise invalid_argument(
        f"Invalid value at '{path}' (TYPE_BYTES), Base64 decoding failed for \"{shown}\"", path
    )


def mime_error(mime_type: str) -> VertexError:
    """Vertex's 400 for a MIME type Gemini does not read (wording from public reports).

    Args:
        mime_type: The refused MIME type.

    Returns:
        The error.
    """
    return VertexError(
        400,
        f"Unable to submit request because it has a mimeType parameter with value {mime_type}, "
        "which is not supported. Update the mimeType and try again. Learn more: "
        "https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini",
        "INVALID_ARGUMENT",
    )


def check_mime(mime_type: str) -> str:
    """Normalise (lower case, parameters dropped) and check a MIME type.

    Args:
        mime_type: The declared MIME type.

    Returns:
        The normalised MIME type.

    Raises:
        VertexError: If Gemini does not read it.
    """
    normalised = mime_type.split(";", 1)[0].strip().lower()
    if normalised not in SUPPORTED_MIME_TYPES:
        raise mime_error(normalised or mime_type)
    return normalised


def guess_mime(uri: str) -> str | None:
    """The MIME type a URI's extension names, or None.

    Args:
        uri: A ``gs://`` or web URI.

    Returns:
        The MIME type or None.
    """
    path = uri.split("?", 1)[0].split("#", 1)[0]
    name = path.rsplit("/", 1)[-1]
    if "." not in name:
        return None
    return _EXTENSIONS.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def _check_gs(uri: str, path: str) -> None:
    if _GS_URI.match(uri) is None:
        # Emulator choice of wording: the fact sheet only names gs:// URIs as accepted.
        raise invalid_argument(
            f"Invalid value at '{path}': {json.dumps(uri[:100])} is not a valid Cloud Storage "
            "URI; expected gs://<bucket>/<object>." + EMULATOR_REFUSAL,
            path,
        )


def data_uri(url: str, path: str) -> MediaItem:
    """Check a ``data:<MIME>;base64,<DATA>`` URI (§8, §11).

    Args:
        url: The data URI.
        path: The field path.

    Returns:
        The inline media item.

    Raises:
        VertexError: A malformed URI, undecodable base64 or an unsupported MIME type.
    """
    match = _DATA_URI.match(url)
    if match is None or not match.group("mime"):
        # Emulator choice of wording (the fact sheet only says "malformed data URI" is a 400).
        raise invalid_argument(
            f"Invalid data URI at '{path}': expected data:<MIME type>;base64,<data>."
            + EMULATOR_WORDING,
            path,
        )
    size = decoded_size(match.group("data"), path)
    return MediaItem(check_mime(match.group("mime")), size=size)


def _uri_media(uri: str, path: str, *, declared: str | None, via: str) -> MediaItem:
    """A ``gs://`` or web URI with a declared or guessed MIME type."""
    if uri.startswith("gs://"):
        _check_gs(uri, path)
    elif not uri.startswith(_WEB):
        raise invalid_argument(
            f"Invalid URL at '{path}': supported schemes are https, http, gs and data."
            + EMULATOR_REFUSAL,
            path,
        )
    guessed = guess_mime(uri)
    if declared is not None:
        mime_type = declared
    elif via == "image_url":
        mime_type = guessed or "image/jpeg"  # §8: a URL defaults to an image MIME type.
        if uri.startswith(_WEB) and not mime_type.startswith("image/"):
            if mime_type in SUPPORTED_MIME_TYPES:
                # Emulator choice (module docstring): the file would be read as an image.
                raise invalid_argument(
                    f"Invalid value at '{path}': an https URL is read as an image, but "
                    f"{json.dumps(uri[:100])} is {mime_type}; pass it as a data URI or a "
                    "gs:// URI." + EMULATOR_REFUSAL,
                    path,
                )
            mime_type = "image/jpeg"
    else:
        mime_type = guessed or "application/octet-stream"
    return MediaItem(check_mime(mime_type), uri=uri, via=via)


def image_url(url: str, path: str) -> MediaItem:
    """Check the URL of an ``image_url`` part (§8).

    Args:
        url: The URL.
        path: The field path (``...image_url.url``).

    Returns:
        The media item.
    """
    if url.startswith("data:"):
        return data_uri(url, path)
    return _uri_media(url, path, declared=None, via="image_url")


def input_audio(audio: dict[str, Any], path: str) -> MediaItem:
    """Check an ``input_audio`` object (§8).

    Args:
        audio: The ``input_audio`` object.
        path: The field path (``...input_audio``).

    Returns:
        The media item.

    Raises:
        VertexError: Missing data/format, an unknown format, bad data.
    """
    data, fmt = audio.get("data"), audio.get("format")
    if not isinstance(data, str) or not data or not isinstance(fmt, str) or not fmt:
        # §8/§11: input_audio needs both data and format (wording: emulator choice).
        raise invalid_argument(
            f"Invalid value at '{path}': both 'data' and 'format' are required." + EMULATOR_WORDING,
            path,
        )
    if "/" in fmt:
        mime_type = check_mime(fmt)
    elif fmt.lower() in _AUDIO_FORMATS:
        mime_type = _AUDIO_FORMATS[fmt.lower()]
    else:
        # §8 names "wav", "mp3" or a MIME type (wording: emulator choice).
        raise invalid_argument(
            f'Invalid value at \'{path}.format\', {json.dumps(fmt)}: use "wav", "mp3" or a '
            'MIME type such as "audio/flac".' + EMULATOR_REFUSAL,
            f"{path}.format",
        )
    if data.startswith("data:"):
        item = data_uri(data, f"{path}.data")
        return MediaItem(item.mime_type, size=item.size, via="input_audio")
    if data.startswith(("gs://", *_WEB)) or "://" in data[:12]:
        return _uri_media(data, f"{path}.data", declared=mime_type, via="input_audio")
    return MediaItem(mime_type, size=decoded_size(data, f"{path}.data"), via="input_audio")


def _either(obj: dict[str, Any], snake: str) -> Any:
    camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), snake)
    return obj.get(snake, obj.get(camel))


def tool_parts(parts: list[Any], path: str, unknowns: list[tuple[str, str]]) -> list[MediaItem]:
    """Check a tool message's ``extra_content.google.parts`` (§4).

    Args:
        parts: The parts list.
        path: The field path of the list.
        unknowns: Where unknown keys are collected (strict mode reports them).

    Returns:
        The media items, in order.

    Raises:
        VertexError: A part that is not exactly one of ``file_data`` / ``inline_data``, a
            missing MIME type, a bad URI, undecodable data or an unsupported MIME type.
    """
    items: list[MediaItem] = []
    kinds = {"file_data": "file_data", "fileData": "file_data"}
    kinds |= {"inline_data": "inline_data", "inlineData": "inline_data"}
    for j, part in enumerate(parts):
        where = f"{path}[{j}]"
        if not isinstance(part, dict):
            raise invalid_argument(
                f"Invalid value at '{where}': a part must be an object." + EMULATOR_REFUSAL, where
            )
        present = [key for key in part if key in kinds]
        unknowns.extend((key, where) for key in part if key not in kinds)
        if len(present) != 1:
            # Emulator choice of wording: a function-response part holds one media field.
            raise invalid_argument(
                f"Invalid value at '{where}': a function response part needs exactly one of "
                "file_data or inline_data." + EMULATOR_REFUSAL,
                where,
            )
        key = present[0]
        body = part[key]
        inner = f"{where}.{kinds[key]}"
        if not isinstance(body, dict):
            raise invalid_argument(
                f"Invalid value at '{inner}': expected an object." + EMULATOR_REFUSAL, inner
            )
        allowed = {"mime_type", "mimeType", "display_name", "displayName"}
        allowed |= {"file_uri", "fileUri"} if kinds[key] == "file_data" else {"data"}
        unknowns.extend((name, inner) for name in body if name not in allowed)
        mime = _either(body, "mime_type")
        if not isinstance(mime, str) or not mime:
            raise invalid_argument(
                f"Invalid value at '{inner}.mime_type': the MIME type is required."
                + EMULATOR_REFUSAL,
                f"{inner}.mime_type",
            )
        mime_type = check_mime(mime)
        if kinds[key] == "file_data":
            uri = _either(body, "file_uri")
            if not isinstance(uri, str) or not uri:
                raise invalid_argument(
                    f"Invalid value at '{inner}.file_uri': the file URI is required."
                    + EMULATOR_REFUSAL,
                    f"{inner}.file_uri",
                )
            items.append(_uri_media(uri, f"{inner}.file_uri", declared=mime_type, via="file_data"))
        else:
            data = body.get("data")
            if not isinstance(data, str) or not data:
                raise invalid_argument(
                    f"Invalid value at '{inner}.data': the data is required.", f"{inner}.data"
                )
            size = decoded_size(data, f"{inner}.data")
            items.append(MediaItem(mime_type, size=size, via="inline_data"))
    return items


def tokens(item: MediaItem) -> int:
    """Prompt tokens the emulator charges for one media item (emulator choice).

    Args:
        item: The media item.

    Returns:
        The token count.
    """
    return _TOKENS.get(item.mime_type.split("/", 1)[0], 258)


def size_label(size: int) -> str:
    """``70 B``, ``2 KB`` (rounded, at least 1) or ``1.5 MB``.

    Args:
        size: Bytes.

    Returns:
        The label.
    """
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def describe(items: Iterable[MediaItem]) -> str:
    """What arrived, e.g. ``1 image/png (2 KB), 1 application/pdf (gs://b/x.pdf)``.

    Identical entries (same MIME type and size, or same URI) are counted together, in order
    of first appearance.

    Args:
        items: The media items.

    Returns:
        The description ("" when there are none).
    """
    counts: dict[tuple[str, str], int] = {}
    for item in items:
        label = item.uri if item.uri is not None else size_label(item.size or 0)
        key = (item.mime_type, label)
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{n} {mime} ({label})" for (mime, label), n in counts.items())
