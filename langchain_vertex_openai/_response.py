"""Vertex responses and stream chunks to LangChain messages (pure functions).

Quirks handled here, each from the docs/vertex-facts.md §7: tool-call ids that are
empty, repeated, or equal to the function name; tool calls without `index`;
`finish_reason: "stop"` on tool turns; chunks without `id`/`created`; a
choice without `message`; running usage repeated on every chunk.

Error classes are imported where they are raised: `_errors` imports `openai`, which
the model class does not load until its first call (see `_clients`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from langchain_core.messages import AIMessage, AIMessageChunk, InvalidToolCall, ToolCall
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.output_parsers.openai_tools import make_invalid_tool_call, parse_tool_call
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from langchain_vertex_openai._signatures import (
    MESSAGE_SIGNATURE_KEY,
    SIGNATURES_KEY,
    read_extra_content,
    signature_of,
)
from langchain_vertex_openai._thoughts import ThoughtSplitter, split_thoughts
from langchain_vertex_openai._usage import traffic_type, usage_to_metadata

MODEL_PROVIDER = "google_vertexai_openai"
"""`response_metadata["model_provider"]`: our own, so core's best-effort
content-block parser (text, tool calls, `reasoning_content`) applies."""


def new_tool_call_id() -> str:
    """Return a fresh tool-call id for calls Vertex sent without a usable one."""
    return f"call_{uuid.uuid4().hex[:24]}"


def _call_id(raw_id: Any, name: str | None, taken: Sequence[str] | set[str]) -> str:
    """Keep Vertex's id when it identifies the call, else make a fresh one.

    Vertex sends "", the function name (colliding for parallel calls to the
    same function) or unique ids; only the last kind identifies a call.
    """
    if isinstance(raw_id, str) and raw_id and raw_id != name and raw_id not in taken:
        return raw_id
    return new_tool_call_id()


def _assign_call_ids(raw_calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    taken: set[str] = set()
    result = []
    for raw in raw_calls:
        function = raw.get("function") or {}
        call_id = _call_id(raw.get("id"), function.get("name"), taken)
        taken.add(call_id)
        result.append({**raw, "id": call_id})
    return result


def _parse_tool_calls(
    raw_calls: list[dict[str, Any]],
) -> tuple[list[ToolCall], list[InvalidToolCall], dict[str, str]]:
    tool_calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    signatures: dict[str, str] = {}
    for raw in _assign_call_ids(raw_calls):
        function = dict(raw.get("function") or {})
        # No-argument calls arrive as "", "{}" or without arguments at all.
        if not function.get("arguments"):
            function["arguments"] = "{}"
        raw_call = {**raw, "function": function}
        try:
            parsed = parse_tool_call(raw_call, return_id=True)
        except Exception as error:
            invalid.append(make_invalid_tool_call(raw_call, str(error)))
        else:
            if parsed is not None:
                tool_calls.append(parsed)  # type: ignore[arg-type]
        signature = signature_of(raw)
        if signature:
            signatures[raw["id"]] = signature
    return tool_calls, invalid, signatures


def _thought_flag(holder: dict[str, Any]) -> bool:
    extra = holder.get("extra_content")
    if not isinstance(extra, dict):
        return False
    return any(
        isinstance(extra.get(ns), dict) and extra[ns].get("thought") is True
        for ns in ("google", "vertex")
    )


def message_from_choice(choice: dict[str, Any], *, thought_tag: str | None = None) -> AIMessage:
    """Build the `AIMessage` for one non-streaming choice.

    Args:
        choice: One entry of the response's `choices`.
        thought_tag: The `thought_tag_marker` sent when thoughts were requested; its
            tags are split off the answer.
    """
    raw = choice.get("message") or {}
    content = raw.get("content") or ""
    additional_kwargs: dict[str, Any] = {}
    thoughts = ""
    if _thought_flag(raw):
        thoughts, content = content, ""
    elif thought_tag:
        thoughts, content = split_thoughts(content, thought_tag)
    if thoughts:
        additional_kwargs["reasoning_content"] = thoughts
    tool_calls, invalid_tool_calls, signatures = _parse_tool_calls(raw.get("tool_calls") or [])
    message_signature = signature_of(raw)
    if message_signature:
        signatures[MESSAGE_SIGNATURE_KEY] = message_signature
    if signatures:
        additional_kwargs[SIGNATURES_KEY] = signatures
    return AIMessage(
        content=content,
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
        requested_model: The model id sent, used when the response names none.
        single_tool_call: Keep only the first tool call (`parallel_tool_calls=False`).
        thought_tag: The `thought_tag_marker` sent when thoughts were requested.
    """
    if not isinstance(completion, dict) or not isinstance(completion.get("choices"), list):
        from langchain_vertex_openai._errors import no_choices_error

        raise no_choices_error(completion)
    usage = completion.get("usage") or None
    if not completion["choices"]:
        from langchain_vertex_openai._errors import VertexPromptBlockedError

        raise VertexPromptBlockedError(usage)
    usage_metadata = usage_to_metadata(usage) if usage else None
    traffic = traffic_type(usage) if usage else None
    model_name = completion.get("model") or requested_model
    generations = []
    for choice in completion["choices"]:
        message = message_from_choice(choice, thought_tag=thought_tag)
        dropped = _keep_first_call(message) if single_tool_call else []
        message.id = completion.get("id") or None
        message.usage_metadata = usage_metadata
        finish_reason = _finish_reason(choice.get("finish_reason"), bool(message.tool_calls))
        message.response_metadata = {
            "model_provider": MODEL_PROVIDER,
            "model_name": model_name,
            "id": completion.get("id"),
            "finish_reason": finish_reason,
            "system_fingerprint": completion.get("system_fingerprint"),
            "logprobs": choice.get("logprobs"),
            "token_usage": usage,
        }
        if traffic:
            message.response_metadata["traffic_type"] = traffic
        if dropped:
            message.response_metadata["dropped_tool_calls"] = dropped
        message.response_metadata.update(_grounding(choice))
        generations.append(
            ChatGeneration(message=message, generation_info={"finish_reason": finish_reason})
        )
    llm_output = {"token_usage": usage, "model_name": model_name, "id": completion.get("id")}
    return ChatResult(generations=generations, llm_output=llm_output)


@dataclass
class StreamState:
    """What a stream has told us so far (one per request)."""

    requested_model: str
    include_usage: bool = True
    single_tool_call: bool = False
    thoughts: ThoughtSplitter | None = None
    """Set when thoughts were requested: splits `<thought>` tags across chunks."""
    dropped_tool_calls: list[dict[str, Any]] = field(default_factory=list)
    response_id: str | None = None
    model_name: str | None = None
    system_fingerprint: str | None = None
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    chunk_count: int = 0
    saw_choice: bool = False
    call_index_by_id: dict[str, int] = field(default_factory=dict)
    call_ids: list[str] = field(default_factory=list)
    call_names: list[Any] = field(default_factory=list)
    call_args: list[str] = field(default_factory=list)
    signed_calls: set[str] = field(default_factory=set)
    message_signature_seen: bool = False


def _is_complete_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _continued_call(raw_id: Any, name: Any, state: StreamState) -> int | None:
    """The index of the call a fragment continues, if it continues one.

    With `stream_function_call_arguments` every fragment repeats name and id, and its
    `index` is unreliable (docs/vertex-facts.md §7): a known unique id continues its call; an id
    equal to the name continues the latest call of that name while its arguments are
    still incomplete JSON.
    """
    if isinstance(raw_id, str) and raw_id != name and raw_id in state.call_index_by_id:
        return state.call_index_by_id[raw_id]
    if raw_id and raw_id == name and state.call_names and state.call_names[-1] == name:
        last = len(state.call_names) - 1
        if not _is_complete_json(state.call_args[last]):
            return last
    return None


def _call_chunks(
    raw_calls: list[dict[str, Any]], state: StreamState
) -> tuple[list[Any], dict[str, str]]:
    chunks = []
    signatures: dict[str, str] = {}
    for raw in raw_calls:
        function = raw.get("function") or {}
        name = function.get("name")
        raw_id = raw.get("id")
        arguments = function.get("arguments") or ""
        continued = _continued_call(raw_id, name, state)
        if continued is not None:
            index = continued
            call_id = state.call_ids[index]
            state.call_args[index] += arguments
            chunks.append(
                tool_call_chunk(
                    name=None, args=function.get("arguments") or "", id=None, index=index
                )
            )
        elif state.single_tool_call and state.call_ids:
            state.dropped_tool_calls.append(raw)
            continue
        else:
            index = len(state.call_ids)
            call_id = _call_id(raw_id, name, state.call_ids)
            state.call_ids.append(call_id)
            state.call_names.append(name)
            state.call_args.append(arguments)
            if isinstance(raw_id, str) and raw_id and raw_id != name:
                state.call_index_by_id[raw_id] = index
            chunks.append(
                tool_call_chunk(
                    name=name, args=function.get("arguments") or "", id=call_id, index=index
                )
            )
        signature = signature_of(raw)
        if signature and call_id not in state.signed_calls:
            state.signed_calls.add(call_id)
            signatures[call_id] = signature
    return chunks, signatures


def chunk_to_message_chunk(chunk: object, state: StreamState) -> AIMessageChunk | None:
    """Convert one stream chunk; return None when it carries nothing for the user.

    Usage and finish details are only remembered here; `final_chunk` emits them
    once, since Vertex repeats running totals and chunk usages must not be summed.
    """
    if not isinstance(chunk, dict):
        msg = f"Vertex AI sent a stream event that is not a JSON object: {str(chunk)[:300]}"
        raise ValueError(msg)
    state.chunk_count += 1
    state.response_id = state.response_id or chunk.get("id") or None
    state.model_name = chunk.get("model") or state.model_name
    state.system_fingerprint = chunk.get("system_fingerprint", state.system_fingerprint)
    if chunk.get("usage"):
        state.usage = chunk["usage"]
    choice = _first_choice(chunk.get("choices"))
    if choice is None:
        return None
    state.saw_choice = True
    if choice.get("finish_reason"):
        state.finish_reason = choice["finish_reason"]
    delta = choice.get("delta") or {}
    content = delta.get("content") or ""
    additional_kwargs: dict[str, Any] = {}
    thoughts = ""
    if state.thoughts is not None:
        thoughts, content = state.thoughts.feed(content)
    if _thought_flag(delta):
        thoughts, content = thoughts + content, ""
    if thoughts:
        additional_kwargs["reasoning_content"] = thoughts
    raw_calls = delta.get("tool_calls")
    call_chunks, signatures = _call_chunks(raw_calls, state) if raw_calls else ([], {})
    message_signature = signature_of(delta)
    if message_signature and not state.message_signature_seen:
        state.message_signature_seen = True
        signatures[MESSAGE_SIGNATURE_KEY] = message_signature
    if signatures:
        additional_kwargs[SIGNATURES_KEY] = signatures
    if not (content or call_chunks or additional_kwargs):
        return None
    # Most chunks are text: an empty `tool_call_chunks` is left to its default, which
    # saves validating it on every chunk.
    calls = {"tool_call_chunks": call_chunks} if call_chunks else {}
    return AIMessageChunk(
        content=content,
        additional_kwargs=additional_kwargs,
        id=state.response_id,
        response_metadata={"model_provider": MODEL_PROVIDER},
        **calls,
    )


def _first_choice(choices: Any) -> dict[str, Any] | None:
    """Choice 0 of a chunk (Vertex sends one choice; `index` may be missing)."""
    if not choices:
        return None
    first = choices[0]
    if first.get("index", 0) == 0:
        return cast("dict[str, Any]", first)
    return next((c for c in choices if c.get("index", 0) == 0), None)


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
    """Return the closing chunk: finish reason, model, id and the last usage."""
    usage = state.usage if state.include_usage else None
    finish_reason = _finish_reason(state.finish_reason, bool(state.call_ids))
    metadata: dict[str, Any] = {
        "model_provider": MODEL_PROVIDER,
        "model_name": state.model_name or state.requested_model,
        "finish_reason": finish_reason,
        "system_fingerprint": state.system_fingerprint,
        "id": state.response_id,
    }
    if state.dropped_tool_calls:
        metadata["dropped_tool_calls"] = state.dropped_tool_calls
    if state.usage:
        metadata["token_usage"] = state.usage
        if traffic := traffic_type(state.usage):
            metadata["traffic_type"] = traffic
    thoughts, answer = state.thoughts.flush() if state.thoughts else ("", "")
    return AIMessageChunk(
        content=answer,
        additional_kwargs={"reasoning_content": thoughts} if thoughts else {},
        id=state.response_id,
        usage_metadata=usage_to_metadata(usage) if usage else None,
        response_metadata=metadata,
        chunk_position="last",
    )


def as_generation_chunk(message: AIMessageChunk) -> ChatGenerationChunk:
    """Wrap a message chunk, exposing the finish reason like other integrations."""
    finish_reason = message.response_metadata.get("finish_reason")
    info = {"finish_reason": finish_reason} if finish_reason else None
    return ChatGenerationChunk(message=message, generation_info=info)


def dumps_arguments(arguments: dict[str, Any]) -> str:
    """Serialise tool-call arguments the way they are sent back to Vertex."""
    return json.dumps(arguments, ensure_ascii=False)
