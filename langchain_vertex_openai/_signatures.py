"""Gemini thought signatures: captured from responses, replayed on later requests.

Gemini 2.5/3 attach an opaque `thought_signature` to tool calls (and to some
text answers) under `extra_content.google` (a gateway was seen to use
`extra_content.vertex`). Gemini 3 rejects a later request whose assistant
tool-call turn lacks the signature it was given (docs/vertex-facts.md §6), so we keep
them in the message's `additional_kwargs` under one key, which survives
`dumpd`/`load`, JSON and LangGraph checkpointers, and put them back verbatim.
History that never had one (written by hand, or from another model) gets the
placeholder Vertex accepts instead.
"""

from __future__ import annotations

from typing import Any

SIGNATURES_KEY = "__vertex_thought_signatures__"
"""`additional_kwargs` key: a dict of tool-call id -> signature."""

MESSAGE_SIGNATURE_KEY = "__message__"
"""Entry in that dict for a signature carried by the message itself."""

PLACEHOLDER_SIGNATURE = "skip_thought_signature_validator"
"""The only placeholder Vertex accepts for calls that never had a signature."""

_NAMESPACES = ("google", "vertex")


def read_extra_content(holder: dict[str, Any], key: str) -> Any:
    """Return `holder.extra_content.{google|vertex}.<key>`, or None."""
    extra = holder.get("extra_content")
    if not isinstance(extra, dict):
        return None
    for namespace in _NAMESPACES:
        scoped = extra.get(namespace)
        if isinstance(scoped, dict) and key in scoped:
            return scoped[key]
    return None


def signature_of(holder: dict[str, Any]) -> str | None:
    """Return the thought signature on a message, delta or tool call dict."""
    value = read_extra_content(holder, "thought_signature")
    if value is None:
        # A 2025 recording duplicated it at the top level of the message.
        value = holder.get("thought_signature")
    return value if isinstance(value, str) and value else None


def signature_for_call(signatures: dict[str, str], call_id: str) -> str | None:
    """Return the captured signature for one tool call, if any."""
    value = signatures.get(call_id)
    return value if isinstance(value, str) and value else None


def with_signature(holder: dict[str, Any], signature: str) -> dict[str, Any]:
    """Return `holder` with `extra_content.google.thought_signature` set."""
    extra = dict(holder.get("extra_content") or {})
    google = dict(extra.get("google") or {})
    google["thought_signature"] = signature
    extra["google"] = google
    return {**holder, "extra_content": extra}


def attach_call_signatures(
    tool_calls: list[dict[str, Any]],
    signatures: dict[str, str],
    *,
    needs_placeholder: bool,
) -> list[dict[str, Any]]:
    """Put captured signatures back on an assistant turn's OpenAI-format tool calls.

    With parallel calls Gemini signs only the first one, so only the first call
    gets the placeholder when no signature was ever captured for it.
    """
    result = []
    for position, call in enumerate(tool_calls):
        signature = signature_for_call(signatures, call["id"])
        if signature is None and position == 0 and needs_placeholder:
            signature = PLACEHOLDER_SIGNATURE
        result.append(with_signature(call, signature) if signature else call)
    return result
