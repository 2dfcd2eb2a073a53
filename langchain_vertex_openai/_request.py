"""LangChain messages and parameters to the Chat Completions request body (pure).

Google extensions travel as a top-level `extra_body: {"google": {...}}` key
(docs/vertex-facts.md §4); the user's own `extra_body` is merged into the top level,
as with `ChatOpenAI`. Parameters Vertex silently ignores (§3) are dropped with
a warning instead of being sent, so nobody believes they took effect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_vertex_openai._catalog import ModelFacts, model_facts
from langchain_vertex_openai._content import (
    MediaBudget,
    content_to_parts,
    content_to_text,
    tool_result_parts,
)
from langchain_vertex_openai._signatures import (
    MESSAGE_SIGNATURE_KEY,
    SIGNATURES_KEY,
    attach_call_signatures,
    with_signature,
)
from langchain_vertex_openai._tool_calls import (
    dumps_arguments,
    judge_arguments,
    new_tool_call_id,
)
from langchain_vertex_openai._validation import check_not_empty
from langchain_vertex_openai._warnings import warn_once

IGNORED_BY_VERTEX = frozenset(
    {
        "logprobs",
        "top_logprobs",
        "user",
        "metadata",
        "store",
        "service_tier",
        "logit_bias",
        "prediction",
        "prompt_cache_key",
        "safety_identifier",
        "verbosity",
    }
)
"""Request fields Vertex accepts and ignores (docs/vertex-facts.md §3)."""

DOCUMENTED_FOR_GEMINI = frozenset(
    {
        "model",
        "messages",
        "max_tokens",
        "max_completion_tokens",
        "n",
        "frequency_penalty",
        "presence_penalty",
        "reasoning_effort",
        "response_format",
        "seed",
        "stop",
        "stream",
        "temperature",
        "top_p",
        "tools",
        "tool_choice",
        "modalities",
        "web_search_options",
        "functions",
        "function_call",
        "extra_body",
    }
)
"""The parameters Vertex documents for Google models; it ignores any other (§3)."""

NOT_ON_THIS_ENDPOINT = {
    "top_k": "sampling is set with temperature and top_p",
    "candidate_count": "use n",
    "response_mime_type": "use with_structured_output(...) or response_format",
    "response_schema": "use with_structured_output(...) or response_format",
    "response_modalities": "use modalities=[...]",
}
"""Native Gemini API parameters (langchain-google-genai, ChatVertexAI) with no place on this
endpoint, top level or `extra_body.google` (docs/vertex-facts.md §3), and what to use instead."""

CALL_ALIASES = {"max_output_tokens": "max_tokens", "thinking_level": "reasoning_effort"}
"""The native integrations' names for per-call parameters (the model's fields take them too)."""


def not_on_this_endpoint(name: str) -> str:
    """The warning for a native-API parameter this endpoint does not have."""
    return (
        f"Vertex AI's OpenAI-compatible endpoint has no {name!r} parameter (neither top-level "
        f"nor in extra_body), so ChatVertexOpenAI does not send it; "
        f"{NOT_ON_THIS_ENDPOINT[name]}."
    )


def _warn_not_sent(name: str) -> None:
    if name in NOT_ON_THIS_ENDPOINT:
        message = not_on_this_endpoint(name)
    elif name in IGNORED_BY_VERTEX:
        message = (
            f"Vertex AI ignores the {name!r} parameter for Gemini, so ChatVertexOpenAI does "
            "not send it."
        )
    else:
        message = (
            f"Vertex AI ignores the {name!r} parameter for Gemini, so ChatVertexOpenAI does "
            "not send it (for Google extensions use extra_body={'google': {...}})."
        )
    warn_once(message, key=("not-sent", name))


def _assistant_dict(
    message: AIMessage, *, placeholder: bool, text_with_calls: bool = True
) -> dict[str, Any]:
    text = content_to_text(message.content)
    result: dict[str, Any] = {"role": "assistant", "content": text or None}
    if message.name:
        result["name"] = message.name
    signatures: dict[str, str] = message.additional_kwargs.get(SIGNATURES_KEY) or {}
    tool_calls = [
        {
            "type": "function",
            "id": call["id"],
            "function": {"name": call["name"], "arguments": dumps_arguments(call["args"])},
        }
        for call in message.tool_calls
    ]
    tool_calls += [
        {
            "type": "function",
            "id": call["id"] if call["id"] is not None else new_tool_call_id(),
            "function": {"name": call["name"] or "", "arguments": _sendable(call["args"])},
        }
        for call in message.invalid_tool_calls
    ]
    if tool_calls:
        if not text_with_calls:
            # The preamble text is dropped from history; the calls are what matter.
            result["content"] = None
        result["tool_calls"] = attach_call_signatures(
            tool_calls, signatures, needs_placeholder=placeholder
        )
    elif signatures.get(MESSAGE_SIGNATURE_KEY):
        result = with_signature(result, signatures[MESSAGE_SIGNATURE_KEY])
    return result


def _sendable(arguments: str | None) -> str:
    """A malformed call's arguments as sent back: its text if a JSON object, else `{}`.

    A function's parameters are an object schema (docs/vertex-facts.md §9), so its
    arguments are an object; what Vertex does with other text is not documented (the
    emulator refuses it), so sending `{}` is this package's choice. The ToolMessage
    answering the call says what went wrong; the text stays in `invalid_tool_calls`.
    """
    args, _ = judge_arguments(arguments or "")
    return arguments if args and arguments else "{}"


def _tool_dict(message: ToolMessage, budget: MediaBudget) -> dict[str, Any]:
    text, media_parts = tool_result_parts(message.content, budget)
    if message.status == "error":
        # Chat Completions has no error flag; without one the model cannot tell a failed
        # tool from an empty success.
        text = f"Error: {text}" if text else "Error"
    result: dict[str, Any] = {
        "role": "tool",
        "tool_call_id": message.tool_call_id,
        # Gemini needs some content even when a tool returns only media.
        "content": text or ("(see attached media)" if media_parts else ""),
    }
    if media_parts:
        result["extra_content"] = {"google": {"parts": media_parts}}
    return result


def message_to_dict(
    message: BaseMessage,
    *,
    google_model: bool = True,
    placeholder: bool = True,
    budget: MediaBudget | None = None,
    text_with_calls: bool = True,
) -> dict[str, Any]:
    """Convert one LangChain message into a Chat Completions message dict.

    Args:
        message: The message.
        google_model: Whether the model is Gemini (thought-signature placeholders).
        placeholder: Whether unsigned Gemini tool-call turns get the placeholder.
        text_with_calls: Whether the model accepts text beside tool calls.
        budget: Inline media counted so far in this request.
    """
    budget = budget if budget is not None else MediaBudget()
    if isinstance(message, SystemMessage):
        return {"role": "system", "content": content_to_text(message.content)}
    if isinstance(message, HumanMessage):
        result: dict[str, Any] = {
            "role": "user",
            "content": content_to_parts(message.content, budget),
        }
        if message.name:
            result["name"] = message.name
        return result
    if isinstance(message, AIMessage):
        return _assistant_dict(
            message, placeholder=google_model and placeholder, text_with_calls=text_with_calls
        )
    if isinstance(message, ToolMessage):
        return _tool_dict(message, budget)
    if isinstance(message, FunctionMessage):
        return {
            "role": "function",
            "name": message.name,
            "content": content_to_text(message.content),
        }
    if isinstance(message, ChatMessage):
        return {"role": message.role, "content": content_to_parts(message.content, budget)}
    msg = f"Unsupported message type {type(message).__name__}."
    raise TypeError(msg)


def deep_merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Merge `extra` into `base`, recursing into nested dicts (extra wins)."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def normalize_extra_body(extra_body: Mapping[str, Any]) -> dict[str, Any]:
    """Move a top-level `google` key under `extra_body`, where Vertex reads it.

    Google's docs nest extensions as `extra_body={"extra_body": {"google": ...}}`
    because the SDK merges `extra_body` into the top level; a `google` key left
    at the top level would be ignored.
    """
    if not isinstance(extra_body, Mapping):
        msg = (
            f"extra_body must be a dict of fields merged into the request body, got "
            f"{type(extra_body).__name__}, e.g. extra_body={{'google': {{...}}}}."
        )
        raise ValueError(msg)
    body = dict(extra_body)
    google = body.pop("google", None)
    if google is not None and not isinstance(google, Mapping):
        msg = (
            f"extra_body['google'] must be a dict of Google extensions, got "
            f"{type(google).__name__}, e.g. {{'thinking_config': {{'include_thoughts': True}}}}."
        )
        raise ValueError(msg)
    if google is not None:
        body = deep_merge(body, {"extra_body": {"google": google}})
    return body


def build_body(
    messages: Sequence[BaseMessage],
    params: Mapping[str, Any],
    *,
    google_model: bool,
    placeholder: bool = True,
) -> dict[str, Any]:
    """Assemble the JSON body: parameters (None dropped) plus converted messages.

    Args:
        messages: The conversation.
        params: Model parameters, `model_kwargs`, per-call kwargs and the
            normalised `extra_body`, already merged with call values winning.
        google_model: Whether the model is a Gemini model (thought-signature
            placeholders apply only there).
        placeholder: Whether unsigned Gemini tool-call turns get the placeholder.
    """
    body: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        # Partner models may take more than Gemini does; only known-ignored ones go.
        ignored = key not in DOCUMENTED_FOR_GEMINI if google_model else key in IGNORED_BY_VERTEX
        if ignored:
            _warn_not_sent(key)
            continue
        body[key] = value
    facts = model_facts(str(body.get("model", "")))
    budget = MediaBudget(
        model=facts.model, image_bytes=facts.inline_image_bytes, pdf_bytes=facts.pdf_bytes
    )
    text_with_calls = facts.text_beside_calls
    body["messages"] = []
    for position, message in enumerate(messages):
        try:
            body["messages"].append(
                message_to_dict(
                    message,
                    google_model=google_model,
                    placeholder=placeholder,
                    budget=budget,
                    text_with_calls=text_with_calls,
                )
            )
        except ValueError as error:
            msg = f"Message {position} ({message.type}): {error}"
            raise ValueError(msg) from error
    google = (body.get("extra_body") or {}).get("google") or {}
    _check_media(facts, budget, google.get("media_resolution"))
    if google_model:
        check_not_empty(body["messages"])
    return body


def _check_media(facts: ModelFacts, budget: MediaBudget, request_level: Any = None) -> None:
    limit = facts.images_per_prompt  # per model (docs/vertex-facts.md §1)
    if limit is not None and budget.images > limit:
        msg = (
            f"The request holds {budget.images} images; {facts.model} takes up to {limit} "
            "per prompt. Send fewer images, or split the work over several calls."
        )
        raise ValueError(msg)
    # Before Gemini 3, `detail` is one setting for the whole request (docs/vertex-facts.md §3).
    model = facts.model
    if len(budget.details) > 1 and not facts.per_part_media_resolution:
        msg = (
            f"Images in one request ask for different detail values {sorted(budget.details)}; "
            f"{model} applies one detail to the whole request. Use the same value everywhere."
        )
        raise ValueError(msg)
    level = str(request_level).lower().removeprefix("media_resolution_") if request_level else None
    if level and not facts.per_part_media_resolution:
        # The same one setting, asked for twice with different values: one would be lost.
        other = sorted(budget.details & {"low", "medium", "high"} - {level})
        if other:
            msg = (
                f"media_resolution={level!r} is set for the request, but images ask for "
                f"detail {other}; {model} applies one resolution to the whole request "
                "(docs/vertex-facts.md §3). Drop the per-image media_resolution or detail, or "
                "use the same value."
            )
            raise ValueError(msg)
