"""Vertex responses and stream chunks to LangChain messages (pure functions).

Quirks handled here, each from docs/vertex-facts.md §7: `finish_reason: "stop"` on
tool turns; chunks without `id`/`created`; a choice without `message`; running usage
repeated on every chunk. Tool calls (ids, fragments, one judgement of their arguments)
are `_tool_calls`'s; a piece that is not shaped as Chat Completions sends it raises
`VertexResponseError` (`_shape`).

Error classes are imported where they are raised: `_errors` imports `openai`, which
the model class does not load until its first call (see `_clients`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from langchain_vertex_openai._catalog import model_facts
from langchain_vertex_openai._images import image_blocks
from langchain_vertex_openai._reasoning import (
    REASONING,
    InlineReasoning,
    opens_reasoning_implicitly,
    reasoning_field,
    split_inline_reasoning,
)
from langchain_vertex_openai._shape import (
    as_dict,
    malformed,
    optional_dict,
    optional_list,
    optional_str,
    wrong_type,
)
from langchain_vertex_openai._signatures import (
    MESSAGE_SIGNATURE_KEY,
    SIGNATURES_KEY,
    read_extra_content,
    signature_of,
)
from langchain_vertex_openai._thoughts import ThoughtSplitter, split_thoughts
from langchain_vertex_openai._tool_calls import StreamedCalls, parse_tool_calls
from langchain_vertex_openai._usage import counts_reasoning_apart, traffic_type, usage_to_metadata

__all__ = [
    "INVALID_CALL_ERRORS_KEY",
    "MODEL_PROVIDER",
    "StreamState",
    "as_generation_chunk",
    "chat_result_from_completion",
    "check_finished",
    "chunk_to_message_chunk",
    "final_chunk",
    "is_partner_model",
    "message_from_choice",
]

MODEL_PROVIDER = "google_vertexai_openai"
"""`response_metadata["model_provider"]`: our own, so core's best-effort
content-block parser (text, tool calls, `reasoning_content`) applies."""

INVALID_CALL_ERRORS_KEY = "invalid_tool_call_errors"
"""`response_metadata` key: tool-call id -> why the call is in `invalid_tool_calls`.

Streamed messages need it: langchain-core's chunk merging keeps no `error` on
invalid tool calls."""


def is_partner_model(model: str) -> bool:
    """Whether `model` (`publisher/name`) is a partner (MaaS) model, not Google's."""
    facts = model_facts(model)
    return facts.is_partner and bool(facts.publisher)


def _thought_flag(holder: dict[str, Any]) -> bool:
    return read_extra_content(holder, "thought") is True


def _with_images(text: str, images: list[Any]) -> str | list[Any]:
    """Message content: the text, or a list of blocks when images came with it."""
    if not images:
        return text
    return [{"type": "text", "text": text}, *images] if text else list(images)


def message_from_choice(
    choice: object,
    *,
    thought_tag: str | None = None,
    partner: bool = False,
    where: str = "choices[0]",
) -> AIMessage:
    """Build the `AIMessage` for one non-streaming choice.

    Only text asked for as thoughts becomes reasoning: Gemini's tagged thoughts (the
    `thought_tag_marker` sent) and, for partner models, `<think>` text. A message-level
    `extra_content.google.thought: true` beside a signature marks no thought (Gemini
    sends it on plain answers, docs/vertex-facts.md §5), so it is ignored here.

    Args:
        choice: One entry of the response's `choices`.
        thought_tag: The `thought_tag_marker` sent when thoughts were requested; its
            tags are split off the answer.
        partner: The model is a partner model: `<think>` text is reasoning.
        where: The choice's path, for error messages.

    Raises:
        VertexResponseError: The choice is not shaped as Chat Completions sends it.
    """
    choice = as_dict(choice, where)
    # Vertex has been seen to omit `message` (docs/vertex-facts.md §5).
    raw = optional_dict(choice.get("message"), f"{where}.message") or {}
    content = optional_str(raw.get("content"), f"{where}.message.content") or ""
    thoughts = ""
    if partner:
        thoughts, content = split_inline_reasoning(content)
    elif thought_tag:
        thoughts, content = split_thoughts(content, thought_tag)
    thoughts = reasoning_field(raw, f"{where}.message") + thoughts
    additional_kwargs: dict[str, Any] = {}
    if thoughts:
        additional_kwargs["reasoning_content"] = thoughts
    images, audio = image_blocks(raw, f"{where}.message", choice, where)
    if audio is not None:
        additional_kwargs["audio"] = audio
    raw_calls = optional_list(raw.get("tool_calls"), f"{where}.message.tool_calls") or []
    tool_calls, invalid_tool_calls, signatures = parse_tool_calls(
        raw_calls, f"{where}.message.tool_calls"
    )
    message_signature = signature_of(raw)
    if message_signature:
        signatures[MESSAGE_SIGNATURE_KEY] = message_signature
    if signatures:
        additional_kwargs[SIGNATURES_KEY] = signatures
    return AIMessage(
        content=_with_images(content, images),
        additional_kwargs=additional_kwargs,
        tool_calls=tool_calls,
        invalid_tool_calls=invalid_tool_calls,
    )


def _grounding(choice: dict[str, Any]) -> dict[str, Any]:
    """Citations and grounding metadata from Google Search grounding, kept as sent."""
    raw = choice.get("message") or {}
    found: dict[str, Any] = {}
    if raw.get("annotations"):
        found["annotations"] = raw["annotations"]
    for holder in (raw, choice):
        metadata = read_extra_content(holder, "grounding_metadata")
        if metadata is not None:
            found["grounding_metadata"] = metadata
    return found


# Gemini's native block reasons, reported to pass through some compatible layers.
_SAFETY_FINISH_REASONS = frozenset(
    {"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_SAFETY"}
)


def _finish_reason(raw: Any, has_tool_calls: bool) -> Any:
    # Vertex ends some tool turns with "stop"; the calls themselves decide.
    if has_tool_calls and raw in (None, "stop"):
        return "tool_calls"
    if raw in _SAFETY_FINISH_REASONS:
        return "content_filter"
    return raw


def _keep_first_call(message: AIMessage) -> list[dict[str, Any]]:
    """Enforce `parallel_tool_calls=False`, which Vertex ignores; return what was cut."""
    calls: list[Any] = [*message.tool_calls, *message.invalid_tool_calls]
    if len(calls) <= 1:
        return []
    if message.tool_calls:
        message.tool_calls = message.tool_calls[:1]
        message.invalid_tool_calls = []
    else:
        message.invalid_tool_calls = message.invalid_tool_calls[:1]
    return calls[1:]


def _invalid_call_errors(message: AIMessage) -> dict[str, str]:
    return {call["id"]: call["error"] or "" for call in message.invalid_tool_calls if call["id"]}


def chat_result_from_completion(
    completion: object,
    *,
    requested_model: str,
    single_tool_call: bool = False,
    thought_tag: str | None = None,
) -> ChatResult:
    """Build a `ChatResult` from a non-streaming completion body.

    Args:
        completion: The parsed JSON body.
        requested_model: The model id sent (`publisher/name`), used when the response
            names none, and to read partner models' reasoning and usage.
        single_tool_call: Keep only the first tool call (`parallel_tool_calls=False`).
        thought_tag: The `thought_tag_marker` sent when thoughts were requested.

    Raises:
        VertexResponseError: The body is not shaped like a chat completion.
        VertexPromptBlockedError: No choices: the prompt was blocked.
    """
    if not isinstance(completion, dict) or not isinstance(completion.get("choices"), list):
        from langchain_vertex_openai._errors import no_choices_error

        raise no_choices_error(completion)
    usage = optional_dict(completion.get("usage"), "usage") or None
    if not completion["choices"]:
        from langchain_vertex_openai._errors import VertexPromptBlockedError

        raise VertexPromptBlockedError(usage)
    reasoning_apart = counts_reasoning_apart(requested_model)
    usage_metadata = usage_to_metadata(usage, reasoning_apart=reasoning_apart) if usage else None
    traffic = traffic_type(usage) if usage else None
    response_id = optional_str(completion.get("id"), "id") or None
    model_name = optional_str(completion.get("model"), "model") or requested_model
    partner = is_partner_model(requested_model)
    generations = []
    for position, choice in enumerate(completion["choices"]):
        where = f"choices[{position}]"
        message = message_from_choice(choice, thought_tag=thought_tag, partner=partner, where=where)
        dropped = _keep_first_call(message) if single_tool_call else []
        message.id = response_id
        message.usage_metadata = usage_metadata
        finish_reason = _finish_reason(
            optional_str(choice.get("finish_reason"), f"{where}.finish_reason"),
            bool(message.tool_calls),
        )
        message.response_metadata = {
            "model_provider": MODEL_PROVIDER,
            "model_name": model_name,
            "id": response_id,
            "finish_reason": finish_reason,
            "system_fingerprint": completion.get("system_fingerprint"),
            "logprobs": choice.get("logprobs"),
            "token_usage": usage,
        }
        if traffic:
            message.response_metadata["traffic_type"] = traffic
        if dropped:
            message.response_metadata["dropped_tool_calls"] = dropped
        if errors := _invalid_call_errors(message):
            message.response_metadata[INVALID_CALL_ERRORS_KEY] = errors
        message.response_metadata.update(_grounding(choice))
        generations.append(
            ChatGeneration(message=message, generation_info={"finish_reason": finish_reason})
        )
    llm_output = {"token_usage": usage, "model_name": model_name, "id": response_id}
    return ChatResult(generations=generations, llm_output=llm_output)


@dataclass
class StreamState:
    """What a stream has told us so far (one per request)."""

    requested_model: str
    include_usage: bool = True
    single_tool_call: bool = False
    thoughts: ThoughtSplitter | None = None
    """Set when thoughts were requested: splits `<thought>` tags across chunks."""
    inline_reasoning: InlineReasoning | None = None
    """Partner models' `<think>` splitter (set from `requested_model`)."""
    response_id: str | None = None
    model_name: str | None = None
    system_fingerprint: str | None = None
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    chunk_count: int = 0
    saw_choice: bool = False
    calls: StreamedCalls = field(default_factory=StreamedCalls)
    """The tool calls collected so far, judged when the stream ends."""
    message_signature_seen: bool = False

    def __post_init__(self) -> None:
        self.calls.single = self.single_tool_call
        if self.inline_reasoning is None and is_partner_model(self.requested_model):
            implicit = opens_reasoning_implicitly(self.requested_model)
            self.inline_reasoning = InlineReasoning(implicit_open=implicit)


def _stream_event(chunk: object) -> dict[str, Any]:
    if isinstance(chunk, list):
        # A list-shaped error event: the SDK only recognises error objects (§7, §10).
        raise malformed("the stream carried an event that is a list", chunk)
    if not isinstance(chunk, dict):
        raise wrong_type("a stream event", chunk, "a JSON object")
    return chunk


def chunk_to_message_chunk(chunk: object, state: StreamState) -> AIMessageChunk | None:
    """Convert one stream chunk; return None when it carries nothing for the user.

    Usage, finish details and tool calls are only remembered here; `final_chunk`
    emits them once, since Vertex repeats running totals (chunk usages must not be
    summed) and tool calls can only be judged whole.

    Raises:
        VertexResponseError: The event is not shaped as Chat Completions sends it.
    """
    # Per chunk, so the usual shapes are checked inline and the helpers only run otherwise.
    if type(chunk) is not dict:
        chunk = _stream_event(chunk)
    state.chunk_count += 1
    state.response_id = state.response_id or optional_str(chunk.get("id"), "id") or None
    state.model_name = optional_str(chunk.get("model"), "model") or state.model_name
    state.system_fingerprint = chunk.get("system_fingerprint", state.system_fingerprint)
    usage = optional_dict(chunk.get("usage"), "usage")
    if usage:
        state.usage = usage
    choice = _first_choice(optional_list(chunk.get("choices"), "choices"))
    if choice is None:
        return None
    state.saw_choice = True
    finish_reason = optional_str(choice.get("finish_reason"), "choices[0].finish_reason")
    if finish_reason:
        state.finish_reason = finish_reason
    delta = optional_dict(choice.get("delta"), "choices[0].delta") or {}
    content = optional_str(delta.get("content"), "choices[0].delta.content") or ""
    additional_kwargs: dict[str, Any] = {}
    thoughts = ""
    field_reasoning = reasoning_field(delta, "choices[0].delta") if REASONING in delta else ""
    if state.inline_reasoning is not None:
        if field_reasoning:
            state.inline_reasoning.field_seen()
        thoughts, content = state.inline_reasoning.feed(content)
    elif state.thoughts is not None:
        thoughts, content = state.thoughts.feed(content)
        # Thought deltas are flagged; an answer flagged beside its signature is not one.
        if _thought_flag(delta) and signature_of(delta) is None:
            thoughts, content = thoughts + content, ""
    thoughts = field_reasoning + thoughts
    if thoughts:
        additional_kwargs["reasoning_content"] = thoughts
    images: list[Any] = []
    if "audio" in delta or "image" in choice:
        images, audio = image_blocks(delta, "choices[0].delta", choice, "choices[0]")
        if audio is not None:
            additional_kwargs["audio"] = audio
    raw_calls = optional_list(delta.get("tool_calls"), "choices[0].delta.tool_calls")
    signatures = state.calls.add(raw_calls, "choices[0].delta.tool_calls") if raw_calls else {}
    message_signature = signature_of(delta)
    if message_signature and not state.message_signature_seen:
        state.message_signature_seen = True
        signatures[MESSAGE_SIGNATURE_KEY] = message_signature
    if signatures:
        additional_kwargs[SIGNATURES_KEY] = signatures
    if not (content or images or additional_kwargs):
        return None
    return AIMessageChunk(
        content=_with_images(content, images) if images else content,
        additional_kwargs=additional_kwargs,
        id=state.response_id,
        response_metadata={"model_provider": MODEL_PROVIDER},
    )


def _first_choice(choices: list[Any] | None) -> dict[str, Any] | None:
    """Choice 0 of a chunk (Vertex sends one choice; `index` may be missing)."""
    if not choices:
        return None
    first = choices[0]
    if isinstance(first, dict) and first.get("index", 0) == 0:
        return first  # the usual case, checked once per chunk
    checked = [as_dict(choice, f"choices[{i}]") for i, choice in enumerate(choices)]
    return next((c for c in checked if c.get("index", 0) == 0), None)


def check_finished(state: StreamState) -> None:
    """Raise unless the stream reached a finish reason.

    Raises:
        VertexPromptBlockedError: The stream carried usage but no choice at all: Vertex's
            shape for a prompt blocked by safety filters.
        VertexConnectionError: The stream stopped before the model finished.
    """
    if state.finish_reason is not None:
        return
    from langchain_vertex_openai._errors import VertexPromptBlockedError, incomplete_stream_error

    if not state.saw_choice and state.usage is not None:
        raise VertexPromptBlockedError(state.usage)
    raise incomplete_stream_error(state.chunk_count)


def final_chunk(state: StreamState) -> AIMessageChunk:
    """Return the closing chunk: tool calls, finish reason, model, id and the last usage."""
    usage = state.usage if state.include_usage else None
    call_chunks, call_errors = state.calls.judged_chunks()
    runnable = len(call_chunks) - len(call_errors)
    finish_reason = _finish_reason(state.finish_reason, runnable > 0)
    metadata: dict[str, Any] = {
        "model_provider": MODEL_PROVIDER,
        "model_name": state.model_name or state.requested_model,
        "finish_reason": finish_reason,
        "system_fingerprint": state.system_fingerprint,
        "id": state.response_id,
    }
    if state.calls.dropped:
        metadata["dropped_tool_calls"] = state.calls.dropped
    if call_errors:
        metadata[INVALID_CALL_ERRORS_KEY] = call_errors
    if state.usage:
        metadata["token_usage"] = state.usage
        if traffic := traffic_type(state.usage):
            metadata["traffic_type"] = traffic
    splitter = state.inline_reasoning or state.thoughts
    thoughts, answer = splitter.flush() if splitter else ("", "")
    reasoning_apart = counts_reasoning_apart(state.requested_model)
    calls = {"tool_call_chunks": call_chunks} if call_chunks else {}
    return AIMessageChunk(
        content=answer,
        additional_kwargs={"reasoning_content": thoughts} if thoughts else {},
        id=state.response_id,
        usage_metadata=usage_to_metadata(usage, reasoning_apart=reasoning_apart) if usage else None,
        response_metadata=metadata,
        chunk_position="last",
        **calls,
    )


def as_generation_chunk(message: AIMessageChunk) -> ChatGenerationChunk:
    """Wrap a message chunk, exposing the finish reason like other integrations."""
    finish_reason = message.response_metadata.get("finish_reason")
    info = {"finish_reason": finish_reason} if finish_reason else None
    return ChatGenerationChunk(message=message, generation_info=info)
