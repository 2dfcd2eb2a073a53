"""Vertex usage counts to LangChain `usage_metadata`: the one place for token rules.

Vertex leaves hidden thinking out of `completion_tokens` (unlike OpenAI) and
either reports it as `completion_tokens_details.reasoning_tokens` or only
counts it in `total_tokens` (docs/vertex-facts.md §5). LangChain expects
`input_tokens + output_tokens == total_tokens` with reasoning inside the
output, so the output is `total - prompt` whenever the total is larger than
`prompt + completion`. Streams repeat running totals on every chunk, so the
last reported usage is the usage: never add chunks up.

Grok (the catalogue's `reasoning_tokens_separate`) also leaves reasoning out of
`completion_tokens` and reports it as `reasoning_tokens` (docs/vertex-facts.md §12),
whatever its total says: there the output is always `completion + reasoning`.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata

from langchain_vertex_openai._catalog import model_facts
from langchain_vertex_openai._shape import as_dict, optional_dict


def counts_reasoning_apart(model: str) -> bool:
    """Whether `model` reports reasoning beside, not inside, `completion_tokens` (Grok)."""
    return model_facts(model).reasoning_tokens_separate


def _count(value: Any) -> int:
    return value if type(value) is int and value >= 0 else 0  # JSON booleans are not counts


def usage_to_metadata(usage: object, *, reasoning_apart: bool = False) -> UsageMetadata:
    """Convert a Vertex `usage` object into LangChain's `UsageMetadata`.

    Args:
        usage: The answer's `usage` object.
        reasoning_apart: The model reports `reasoning_tokens` outside
            `completion_tokens` whatever its total says (`counts_reasoning_apart`).

    Raises:
        VertexResponseError: `usage` or its details are not JSON objects.
    """
    usage = as_dict(usage, "usage")
    prompt = _count(usage.get("prompt_tokens"))
    completion = _count(usage.get("completion_tokens"))
    total = _count(usage.get("total_tokens"))
    completion_details = (
        optional_dict(usage.get("completion_tokens_details"), "usage.completion_tokens_details")
        or {}
    )
    prompt_details = (
        optional_dict(usage.get("prompt_tokens_details"), "usage.prompt_tokens_details") or {}
    )
    reported_reasoning = completion_details.get("reasoning_tokens")

    visible_sum = prompt + completion
    if reasoning_apart and reported_reasoning is not None:
        reasoning = _count(reported_reasoning)
        output = max(completion + reasoning, total - prompt)
        total = prompt + output
    elif total > visible_sum:
        output = total - prompt
        reasoning = (
            _count(reported_reasoning) if reported_reasoning is not None else total - visible_sum
        )
    else:
        # OpenAI convention (partner models): completion already includes reasoning.
        output = completion
        reasoning = _count(reported_reasoning)
        total = visible_sum
    # A reported figure larger than what the total leaves room for cannot all be output.
    reasoning = min(reasoning, output)

    metadata = UsageMetadata(input_tokens=prompt, output_tokens=output, total_tokens=total)
    input_details = InputTokenDetails()
    if prompt_details.get("cached_tokens") is not None:
        input_details["cache_read"] = _count(prompt_details["cached_tokens"])
    if prompt_details.get("audio_tokens") is not None:
        input_details["audio"] = _count(prompt_details["audio_tokens"])
    if input_details:
        metadata["input_token_details"] = input_details
    output_details = OutputTokenDetails()
    if reasoning:
        output_details["reasoning"] = reasoning
    if completion_details.get("audio_tokens") is not None:
        output_details["audio"] = _count(completion_details["audio_tokens"])
    if output_details:
        metadata["output_token_details"] = output_details
    return metadata


def traffic_type(usage: dict[str, Any]) -> str | None:
    """Return Vertex's `ON_DEMAND` / `PROVISIONED_THROUGHPUT` marker, if reported."""
    extra = usage.get("extra_properties")
    google = extra.get("google") if isinstance(extra, dict) else None
    value = google.get("traffic_type") if isinstance(google, dict) else None
    return value if isinstance(value, str) else None
