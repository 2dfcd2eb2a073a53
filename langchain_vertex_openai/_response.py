"""Vertex responses and stream chunks to LangChain messages (pure functions).

Quirks handled here, each from docs/vertex-facts.md §7: tool-call ids that are
empty, repeated, or equal to the function name; tool calls without `index`;
`finish_reason: "stop"` on tool turns; chunks without `id`/`created`; a
choice without `message`; running usage repeated on every chunk. Tool-call
arguments are judged by one rule, streamed or not (`judge_arguments`), and a
piece that is not shaped as Chat Completions sends it raises `VertexResponseError`
(`_shape`).

Error classes are imported where they are raised: `_errors` imports `openai`, which
the model class does not load until its first call (see `_clients`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, InvalidToolCall, ToolCall
from langchain_core.messages.tool import invalid_tool_call, tool_call, tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from langchain_vertex_openai._images import image_blocks
from langchain_vertex_openai._reasoning import (
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
from langchain_vertex_openai._usage import counts_reasoning_apart, traffic_type, usage_to_metadata

MODEL_PROVIDER = "google_vertexai_openai"
"""`response_metadata["model_provider"]`: our own, so core's best-effort
content-block parser (text, tool calls, `reasoning_content`) applies."""

INVALID_CALL_ERRORS_KEY = "invalid_tool_call_errors"
"""`response_metadata` key: tool-call id -> why the call is in `invalid_tool_calls`.

Streamed messages need it: langchain-core's chunk merging keeps no `error` on
invalid tool calls."""


def is_partner_model(model: str) -> bool:
    """Whether `model` (`publisher/name`) is a partner (MaaS) model, not Gemini."""
    publisher, slash, _ = model.partition("/")
    return bool(slash) and publisher != "google"


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


def _assign_call_ids(raw_calls: list[dict[str, Any]]) -> list[str]:
    taken: set[str] = set()
    result = []
    for raw in raw_calls:
        call_id = _call_id(raw.get("id"), raw["function"].get("name"), taken)
        taken.add(call_id)
        result.append(call_id)
    return result


def judge_arguments(arguments: str) -> tuple[dict[str, Any] | None, str | None]:
    """Judge a call's complete argument text: `(args, None)`, or `(None, reason)`.

    One rule for whole and streamed answers: no arguments mean `{}`; anything else
    must be complete JSON naming an object (`"Paris"`, `42` or `[1, 2]` cannot be
    keyword arguments), else the call is invalid and is not run.
    """
    if not arguments:
        return {}, None
    try:
        # strict=False: raw control characters inside strings, as langchain-core allows.
        parsed = json.loads(arguments, strict=False)
    except ValueError as error:
        return None, f"are not complete JSON ({error}); the answer may have been cut off"
    if not isinstance(parsed, dict):
        return None, f"are JSON {type(parsed).__name__}, not an object of named arguments"
    return parsed, None


def judge_call(name: str | None, arguments: str) -> tuple[dict[str, Any] | None, str | None]:
    """Judge a whole tool call: `(args, None)` if it can run, else `(None, error)`."""
    if not name:
        return None, f"The tool call names no function (arguments: {arguments[:200]!r})."
    args, reason = judge_arguments(arguments)
    if args is None:
        return None, f"Function {name!r} arguments {reason}: {arguments[:200]!r}"
    return args, None


def _call_function(raw: object, where: str) -> tuple[str | None, str]:
    """A tool call's (name, argument text), checked for shape."""
    function = as_dict(as_dict(raw, where).get("function"), f"{where}.function")
    name = optional_str(function.get("name"), f"{where}.function.name")
    arguments = function.get("arguments")
    if isinstance(arguments, dict):
        # Not the wire format, but unambiguous: a gateway that already decoded it.
        return name, dumps_arguments(arguments)
    return name, optional_str(arguments, f"{where}.function.arguments") or ""


def _parse_tool_calls(
    raw_calls: list[Any], where: str
) -> tuple[list[ToolCall], list[InvalidToolCall], dict[str, str]]:
    functions = [_call_function(raw, f"{where}[{i}]") for i, raw in enumerate(raw_calls)]
    tool_calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    signatures: dict[str, str] = {}
    for raw, (name, arguments), call_id in zip(
        raw_calls, functions, _assign_call_ids(raw_calls), strict=True
    ):
        args, error = judge_call(name, arguments)
        if args is not None and name:
            tool_calls.append(tool_call(name=name, args=args, id=call_id))
        else:
            invalid.append(invalid_tool_call(name=name, args=arguments, id=call_id, error=error))
        signature = signature_of(raw)
        if signature:
            signatures[call_id] = signature
    return tool_calls, invalid, signatures


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
    tool_calls, invalid_tool_calls, signatures = _parse_tool_calls(
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
    return {
        call["id"] or "": call["error"] or "" for call in message.invalid_tool_calls if call["id"]
    }


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
    dropped_tool_calls: list[dict[str, Any]] = field(default_factory=list)
    response_id: str | None = None
    model_name: str | None = None
    system_fingerprint: str | None = None
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    chunk_count: int = 0
    saw_choice: bool = False
    call_index_by_id: dict[str, int] = field(default_factory=dict)
    call_index_by_raw_index: dict[int, int] = field(default_factory=dict)
    call_ids: list[str] = field(default_factory=list)
    call_names: list[str | None] = field(default_factory=list)
    call_args: list[str] = field(default_factory=list)
    signed_calls: set[str] = field(default_factory=set)
    message_signature_seen: bool = False

    def __post_init__(self) -> None:
        if self.inline_reasoning is None and is_partner_model(self.requested_model):
            implicit = opens_reasoning_implicitly(self.requested_model)
            self.inline_reasoning = InlineReasoning(implicit_open=implicit)


def _is_complete_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _continued_call(raw: dict[str, Any], name: str | None, state: StreamState) -> int | None:
    """The index of the call a fragment continues, if it continues one.

    With `stream_function_call_arguments` every fragment repeats name and id, and its
    `index` is unreliable (docs/vertex-facts.md §7): a known unique id continues its
    call; an id equal to the name continues the latest call of that name while its
    arguments are still incomplete JSON. A fragment with neither id nor name (the
    OpenAI convention, e.g. partner models) continues the call its `index` started.
    """
    raw_id = raw.get("id")
    if isinstance(raw_id, str) and raw_id != name and raw_id in state.call_index_by_id:
        return state.call_index_by_id[raw_id]
    if raw_id and raw_id == name and state.call_names and state.call_names[-1] == name:
        last = len(state.call_names) - 1
        if not _is_complete_json(state.call_args[last]):
            return last
    if not raw_id and name is None and state.call_ids:
        raw_index = raw.get("index")
        if isinstance(raw_index, int) and raw_index in state.call_index_by_raw_index:
            return state.call_index_by_raw_index[raw_index]
        return len(state.call_ids) - 1
    return None


def _collect_calls(raw_calls: list[Any], state: StreamState, where: str) -> dict[str, str]:
    """Remember the calls a delta carries (judged when the stream ends); return signatures."""
    signatures: dict[str, str] = {}
    for position, raw in enumerate(raw_calls):
        name, arguments = _call_function(raw, f"{where}[{position}]")
        continued = _continued_call(raw, name, state)
        if continued is not None:
            call_id = state.call_ids[continued]
            state.call_args[continued] += arguments
        elif state.single_tool_call and state.call_ids:
            state.dropped_tool_calls.append(raw)
            continue
        else:
            index = len(state.call_ids)
            call_id = _call_id(raw.get("id"), name, state.call_ids)
            state.call_ids.append(call_id)
            state.call_names.append(name)
            state.call_args.append(arguments)
            raw_id = raw.get("id")
            if isinstance(raw_id, str) and raw_id and raw_id != name:
                state.call_index_by_id[raw_id] = index
            if isinstance(raw.get("index"), int):
                state.call_index_by_raw_index.setdefault(raw["index"], index)
        signature = signature_of(raw)
        if signature and call_id not in state.signed_calls:
            state.signed_calls.add(call_id)
            signatures[call_id] = signature
    return signatures


def _judged_call_chunks(state: StreamState) -> tuple[list[Any], dict[str, str]]:
    """The stream's tool calls as chunks, judged whole like a non-streamed answer's.

    They are sent only now because langchain-core's chunk merging parses arguments
    leniently: `{"city": "San Fr` cut off by `length` would merge into a runnable call
    `{"city": "San Fr"}`. An invalid call's text is therefore sent JSON-encoded when
    it would otherwise parse leniently as an object, so that merging leaves it in
    `invalid_tool_calls` (its `args` then decode with `json.loads` to the raw text);
    why each is invalid goes in `response_metadata["invalid_tool_call_errors"]`.
    """
    chunks = []
    errors: dict[str, str] = {}
    for index, (call_id, name, arguments) in enumerate(
        zip(state.call_ids, state.call_names, state.call_args, strict=True)
    ):
        args, error = judge_call(name, arguments)
        sent = arguments
        if args is None:
            errors[call_id] = error or ""
            if _parses_as_object(arguments):
                sent = json.dumps(arguments, ensure_ascii=False)
        chunks.append(tool_call_chunk(name=name, args=sent, id=call_id, index=index))
    return chunks, errors


def _parses_as_object(arguments: str) -> bool:
    from langchain_core.utils.json import parse_partial_json

    try:
        return not arguments or isinstance(parse_partial_json(arguments), dict)
    except ValueError:
        return False


def _stream_event(chunk: object) -> dict[str, Any]:
    if isinstance(chunk, list):
        # A list-shaped error event: the SDK only recognises error objects.
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
    if state.inline_reasoning is not None:
        thoughts, content = state.inline_reasoning.feed(content)
    elif state.thoughts is not None:
        thoughts, content = state.thoughts.feed(content)
        # Thought deltas are flagged; an answer flagged beside its signature is not one.
        if _thought_flag(delta) and signature_of(delta) is None:
            thoughts, content = thoughts + content, ""
    thoughts = reasoning_field(delta, "choices[0].delta") + thoughts
    if thoughts:
        additional_kwargs["reasoning_content"] = thoughts
    images: list[Any] = []
    if "audio" in delta or "image" in choice:
        images, audio = image_blocks(delta, "choices[0].delta", choice, "choices[0]")
        if audio is not None:
            additional_kwargs["audio"] = audio
    raw_calls = optional_list(delta.get("tool_calls"), "choices[0].delta.tool_calls")
    signatures = (
        _collect_calls(raw_calls, state, "choices[0].delta.tool_calls") if raw_calls else {}
    )
    message_signature = signature_of(delta)
    if message_signature and not state.message_signature_seen:
        state.message_signature_seen = True
        signatures[MESSAGE_SIGNATURE_KEY] = message_signature
    if signatures:
        additional_kwargs[SIGNATURES_KEY] = signatures
    if not (content or images or additional_kwargs):
        return None
    return AIMessageChunk(
        content=_with_images(content, images),
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
    call_chunks, call_errors = _judged_call_chunks(state)
    runnable = len(call_chunks) - len(call_errors)
    finish_reason = _finish_reason(state.finish_reason, runnable > 0)
    metadata: dict[str, Any] = {
        "model_provider": MODEL_PROVIDER,
        "model_name": state.model_name or state.requested_model,
        "finish_reason": finish_reason,
        "system_fingerprint": state.system_fingerprint,
        "id": state.response_id,
    }
    if state.dropped_tool_calls:
        metadata["dropped_tool_calls"] = state.dropped_tool_calls
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


def dumps_arguments(arguments: dict[str, Any]) -> str:
    """Serialise tool-call arguments the way they are sent back to Vertex."""
    return json.dumps(arguments, ensure_ascii=False)
