"""Vertex usage counts to LangChain `usage_metadata`: the one place for token rules.

Vertex leaves hidden thinking out of `completion_tokens` (unlike OpenAI) and
either reports it as `completion_tokens_details.reasoning_tokens` or only
counts it in `total_tokens` (docs/vertex-facts.md §5). LangChain expects
`input_tokens + output_tokens == total_tokens` with reasoning inside the
output, so the output is `total - prompt` whenever the total is larger than
`prompt + completion`. Streams repeat running totals on every chunk, so the
last reported usage is the usage: never add chunks up.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def usage_to_metadata(usage: dict[str, Any]) -> UsageMetadata:
    """Convert a Vertex `usage` object into LangChain's `UsageMetadata`."""
    prompt = _count(usage.get("prompt_tokens"))
    completion = _count(usage.get("completion_tokens"))
    total = _count(usage.get("total_tokens"))
    completion_details = usage.get("completion_tokens_details") or {}
    prompt_details = usage.get("prompt_tokens_details") or {}
    reported_reasoning = completion_details.get("reasoning_tokens")

    visible_sum = prompt + completion
    if total > visible_sum:
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
    google = (usage.get("extra_properties") or {}).get("google") or {}
    value = google.get("traffic_type")
    return value if isinstance(value, str) else None
