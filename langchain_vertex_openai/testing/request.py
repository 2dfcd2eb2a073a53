"""The emulator's normalised view of a validated chat request (built by ``rules.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_vertex_openai.testing.catalog import ModelInfo


@dataclass
class CallRef:
    """A tool call found in an assistant message of the request history.

    Attributes:
        name: Function name.
        arguments: The arguments as sent (a JSON string, normally).
        id: The call id as sent.
        signature: ``extra_content.google.thought_signature`` of the call, if any.
    """

    name: str
    arguments: Any
    id: str | None
    signature: str | None


@dataclass(frozen=True)
class MediaItem:
    """One media input the request carried (a content part or a tool-result part, §8/§4).

    Attributes:
        mime_type: The effective MIME type (declared, from a data URI, an ``input_audio``
            format, or guessed from a URI's extension).
        size: Decoded size in bytes of inline data, or None for a URI.
        uri: The ``gs://`` / ``https://`` URI, or None for inline data.
        via: The part that carried it: ``image_url``, ``input_audio``, ``file_data`` or
            ``inline_data``.
    """

    mime_type: str
    size: int | None = None
    uri: str | None = None
    via: str = "image_url"


@dataclass
class Msg:
    """One message of the request, normalised.

    Attributes:
        index: Position in ``messages``.
        role: ``system``, ``user``, ``assistant`` or ``tool`` (``developer`` is folded into
            ``system`` and ``function`` into ``tool``).
        text: All text parts joined with newlines.
        images: Number of ``image_url`` parts.
        audios: Number of ``input_audio`` parts.
        tool_calls: Calls of an assistant message.
        tool_call_id: ``tool_call_id`` of a tool message.
        name: ``name`` of the message (function name of a legacy ``function`` message).
        signature: ``extra_content.google.thought_signature`` on the message itself.
        image_details: ``detail`` values of the message's ``image_url`` parts.
        media: Every media item of the message, in order (content parts, then the
            ``extra_content.google.parts`` of a tool message).
    """

    index: int
    role: str
    text: str = ""
    images: int = 0
    audios: int = 0
    tool_calls: list[CallRef] = field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None
    signature: str | None = None
    image_details: list[str] = field(default_factory=list)
    media: list[MediaItem] = field(default_factory=list)


@dataclass
class ToolSpec:
    """A function tool bound to the request.

    Attributes:
        name: Function name.
        description: Function description.
        parameters: The JSON schema of the parameters (``{}`` when absent).
    """

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass
class Thinking:
    """The effective thinking settings (§5).

    Attributes:
        enabled: Whether the model thinks at all.
        budget: Maximum thinking tokens, or None for the model's dynamic default.
        level: Gemini 3 ``thinking_level`` (or the level ``reasoning_effort`` maps to).
        include_thoughts: ``thinking_config.include_thoughts``.
        tag_marker: ``thought_tag_marker`` (e.g. ``"think"``), or None for untagged.
    """

    enabled: bool = False
    budget: int | None = None
    level: str | None = None
    include_thoughts: bool = False
    tag_marker: str | None = None


@dataclass
class ChatRequest:
    """A validated request, ready for the brain and the renderer.

    Attributes:
        model: The resolved model.
        messages: Normalised messages.
        stream: Whether to answer with SSE.
        n: Number of choices.
        max_tokens: Output limit (``max_tokens`` or ``max_completion_tokens``).
        stop: Stop sequences.
        tools: Function tools.
        tool_choice: ``none``, ``auto``, ``required`` or ``validated``.
        forced_tool: The function named by an object ``tool_choice``.
        response_format: The ``response_format`` object, if any.
        thinking: Effective thinking settings.
        stream_function_call_arguments: ``extra_body.google.stream_function_call_arguments``.
        safety: ``extra_body.google.safety_settings`` as ``{category: threshold}``.
        body: The raw request body.
    """

    model: ModelInfo
    messages: list[Msg]
    stream: bool = False
    n: int = 1
    max_tokens: int | None = None
    stop: list[str] = field(default_factory=list)
    tools: list[ToolSpec] = field(default_factory=list)
    tool_choice: str = "auto"
    forced_tool: str | None = None
    response_format: dict[str, Any] | None = None
    thinking: Thinking = field(default_factory=Thinking)
    stream_function_call_arguments: bool = False
    safety: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
