"""Per-model facts of Vertex AI's OpenAI-compatible endpoint, as data.

Hand-written from `docs/vertex-facts.md` (section numbers in the comments); read them through
`langchain_vertex_openai._catalog.model_facts`, never directly. A model entry lists only what
differs from its family's defaults (`FAMILIES`); ids that are not listed get the facts of the
longest listed id they extend (`gemini-3.5-flash-001` -> `gemini-3.5-flash`), else of their
family by rule (see `_catalog.py`).

Google models are keyed without the `google/` publisher, partner models with theirs. Values are
plain literals so the table reads like the pages it comes from.
"""

from __future__ import annotations

from typing import Any

RETIREMENT_GEMINI_2_5 = "2026-10-16"
"""§1: the migration guide's retirement date for Gemini 2.5 Pro, Flash and Flash-Lite."""

_LOW_TO_HIGH = ("low", "medium", "high")
_MINIMAL_TO_HIGH = ("minimal", "low", "medium", "high")
_GLOBAL_AND_MULTI_REGIONS = ("global", "us", "eu")

# §1: model-page limits (3.5 Flash and 2.5 Flash-Lite pages).
_GEMINI_LIMITS: dict[str, int] = {
    "inline_image_bytes": 7 * 1024 * 1024,
    "storage_image_bytes": 30 * 1024 * 1024,
    "pdf_bytes": 50 * 1024 * 1024,
    "input_bytes": 500 * 1024 * 1024,
}

FAMILIES: dict[str, dict[str, Any]] = {
    # Gemini 3.x (§3, §5, §6, §11). Also the rule for Gemini ids newer than the table.
    "gemini-3": {
        "thinking_control": "level",
        "reasoning_efforts": _MINIMAL_TO_HIGH,
        "input_modalities": ("text", "image", "audio", "video", "pdf"),
        "output_modalities": ("text",),
        "multiple_candidates": False,  # §3: "Multiple candidates is not enabled"
        "enforces_signatures": True,  # §6
        "per_part_media_resolution": True,  # §3
    },
    # Gemini 2.5 (§5: effort maps to a thinking budget; §6: signatures not enforced).
    "gemini-2.5": {
        "thinking_control": "budget",
        "reasoning_efforts": ("none", "low", "medium", "high"),
        "effort_budgets": {"none": 0, "low": 1024, "medium": 8192, "high": 24576},
        "can_disable_thinking": True,  # §5: thinking_budget 0 turns thinking off on 2.5 Flash
        "input_modalities": ("text", "image", "audio", "video", "pdf"),
        "output_modalities": ("text",),
        "retirement_date": RETIREMENT_GEMINI_2_5,
    },
    # §1: "Gemini 2.0 ids are gone" (and everything older with them).
    "gemini-legacy": {
        "retired": True,
        "successor": "gemini-3.5-flash",
        "input_modalities": ("text", "image", "audio", "video", "pdf"),
        "output_modalities": ("text",),
    },
    # Embedding models share the base URL (§1, `/embeddings`) but are not chat models.
    "embedding": {
        "chat_completions": False,
        "alternative": "gemini-3.5-flash",
        "not_chat_reason": "is an embedding model (served on /embeddings), not a chat model",
        "input_modalities": ("text",),
        "output_modalities": (),
        "tools": False,
        "structured_output": False,
    },
    # Open models on Model-as-a-Service, Google's Gemma or a partner's (§12).
    "open-model": {
        "thinking_control": None,
        "reasoning_efforts": None,  # not documented per model: passed through unchecked
        "input_modalities": ("text",),
        "output_modalities": ("text",),
        "alternating_turns": True,  # §12: first user, then alternating
        "continues_final_assistant": True,  # §12: prefill
    },
    # Anything else: no rule of ours applies; Vertex decides.
    "unknown": {
        "thinking_control": None,
        "reasoning_efforts": None,
        "input_modalities": ("text",),
        "output_modalities": ("text",),
    },
}
"""Defaults per family; a model entry overrides what differs."""

# Defaults of every family, for the keys no family sets.
DEFAULTS: dict[str, Any] = {
    "name": "",
    "chat_completions": True,
    "alternative": None,
    "not_chat_reason": "is marked 'Chat completions: Not supported' on its model page",
    "preview": False,
    "beta": False,
    "thinking_control": None,
    "reasoning_efforts": None,
    "default_effort": None,
    "effort_budgets": {},
    "can_disable_thinking": False,
    "retirement_date": None,
    "retired": False,
    "successor": None,
    "tools": True,
    "structured_output": True,
    "multiple_candidates": True,
    "text_beside_calls": True,
    "enforces_signatures": False,
    "thought_preservation": False,
    "per_part_media_resolution": False,
    "alternating_turns": False,
    "continues_final_assistant": False,
    "inline_think_tags": False,
    "reasoning_tokens_separate": False,
    "locations": None,
    "limits": {},
}

MODELS: dict[str, dict[str, Any]] = {
    # -- Chat Completions Gemini models (§1 overview list; §5 thinking table) ----------------
    "gemini-3.8-flash": {
        "family": "gemini-3",
        "name": "Gemini 3.8 Flash",
        "reasoning_efforts": _LOW_TO_HIGH,
        "default_effort": "medium",
        "locations": _GLOBAL_AND_MULTI_REGIONS,
        "thought_preservation": True,
    },
    "gemini-3.8-flash-cyber": {
        "family": "gemini-3",
        "name": "Gemini 3.8 Flash Cyber",
        "reasoning_efforts": _LOW_TO_HIGH,
        "default_effort": "medium",
        "thought_preservation": True,
    },
    "gemini-3.7-flash": {
        "family": "gemini-3",
        "name": "Gemini 3.7 Flash",
        "reasoning_efforts": _LOW_TO_HIGH,
        "default_effort": "medium",
        "locations": _GLOBAL_AND_MULTI_REGIONS,
        "thought_preservation": True,
    },
    "gemini-3.6-flash": {
        "family": "gemini-3",
        "name": "Gemini 3.6 Flash",
        "default_effort": "medium",
        "text_beside_calls": False,  # §3: hermes-agent #69231
        "thought_preservation": True,
    },
    "gemini-3.5-flash": {
        "family": "gemini-3",
        "name": "Gemini 3.5 Flash",
        "default_effort": "medium",
        "text_beside_calls": False,  # §3
        "thought_preservation": True,  # §6: from Gemini 3.5 Flash on
        "locations": (
            *_GLOBAL_AND_MULTI_REGIONS,
            "northamerica-northeast1",
            "europe-west2",
            "europe-west3",
            "asia-northeast1",
            "asia-south1",
            "asia-southeast1",
            "australia-southeast1",
        ),
        "limits": _GEMINI_LIMITS,
    },
    "gemini-3.5-flash-lite": {
        "family": "gemini-3",
        "name": "Gemini 3.5 Flash-Lite",
        "default_effort": "minimal",
        "text_beside_calls": False,  # §3
        "thought_preservation": True,
    },
    "gemini-3.1-pro-preview": {
        "family": "gemini-3",
        "name": "Gemini 3.1 Pro (preview)",
        "preview": True,
        "reasoning_efforts": _LOW_TO_HIGH,
        "default_effort": "high",
        "locations": ("global",),
    },
    "gemini-3.1-flash-lite": {
        "family": "gemini-3",
        "name": "Gemini 3.1 Flash-Lite",
        "default_effort": "minimal",
    },
    "gemini-3-flash-preview": {
        "family": "gemini-3",
        "name": "Gemini 3 Flash (preview)",
        "preview": True,
        "default_effort": "high",
        "locations": ("global",),  # §1: preview models need location global
    },
    "gemini-2.5-pro": {
        "family": "gemini-2.5",
        "name": "Gemini 2.5 Pro",
        "reasoning_efforts": _LOW_TO_HIGH,
        "can_disable_thinking": False,
        "successor": "gemini-3.1-pro-preview",
    },
    "gemini-2.5-flash": {
        "family": "gemini-2.5",
        "name": "Gemini 2.5 Flash",
        "successor": "gemini-3.5-flash",
    },
    # -- Gemini models that are not Chat Completions models (§1 model pages) -----------------
    "gemini-2.5-flash-lite": {
        "family": "gemini-2.5",
        "name": "Gemini 2.5 Flash-Lite",
        "chat_completions": False,
        "alternative": "gemini-3.5-flash-lite",
        "successor": "gemini-3.5-flash-lite",
        "limits": _GEMINI_LIMITS,
    },
    # The pages name these two without an id; ours are matched by rule too (`_catalog`).
    "gemini-omni-flash": {
        "family": "gemini-3",
        "name": "Gemini Omni Flash",
        "chat_completions": False,
        "alternative": "gemini-3.5-flash",
    },
    "gemini-3.5-live-translate": {
        "family": "gemini-3",
        "name": "Gemini 3.5 Live Translate",
        "chat_completions": False,
        "alternative": "gemini-3.5-flash",
    },
    # -- Image models: beta, image output only (§1, §5 thinking table, §7) -------------------
    "gemini-3.1-flash-image": {
        "family": "gemini-3",
        "name": "Gemini 3.1 Flash Image",
        "beta": True,
        "reasoning_efforts": ("minimal", "high"),
        "default_effort": "minimal",
        "output_modalities": ("text", "image"),
        "input_modalities": ("text", "image"),
        "tools": False,
        "structured_output": False,
        "locations": ("global",),
        "limits": {"inline_image_bytes": 7 * 1024 * 1024, "images_per_prompt": 14},
    },
    "gemini-3.1-flash-lite-image": {
        "family": "gemini-3",
        "name": "Gemini 3.1 Flash-Lite Image",
        "beta": True,
        "reasoning_efforts": ("minimal", "high"),
        "default_effort": "minimal",
        "output_modalities": ("text", "image"),
        "input_modalities": ("text", "image"),
        "tools": False,
        "structured_output": False,
    },
    "gemini-3-pro-image-preview": {
        "family": "gemini-3",
        "name": "Gemini 3 Pro Image (preview)",
        "beta": True,
        "preview": True,
        "reasoning_efforts": ("high",),
        "default_effort": "high",
        "output_modalities": ("text", "image"),
        "input_modalities": ("text", "image"),
        "tools": False,
        "structured_output": False,
        "locations": ("global",),
    },
    # -- Partner and open models (§1, §12) ----------------------------------------------------
    "meta/llama-3.3-70b-instruct-maas": {"family": "open-model", "name": "Llama 3.3 70B"},
    "deepseek-ai/deepseek-v3.2-maas": {"family": "open-model", "name": "DeepSeek-V3.2"},
    "deepseek-ai/deepseek-v3.1-maas": {
        "family": "open-model",
        "name": "DeepSeek-V3.1",
        "locations": ("us-central1", "us-west2"),  # §12: not global
    },
    "openai/gpt-oss-120b-maas": {
        "family": "open-model",
        "name": "gpt-oss-120b",
        "reasoning_efforts": (),  # §12: "Thinking: Not supported"
        "locations": ("global",),
    },
}
"""Every model id the fact sheet names, with what differs from its family."""

PUBLISHER_RULES: dict[str, dict[str, Any]] = {
    # §12: DeepSeek R1/V3.1 MaaS write reasoning inline, ended by </think>.
    "deepseek-ai": {"inline_think_tags": True},
    # §12: Grok reports reasoning_tokens beside completion_tokens and ignores reasoning_effort.
    # (The publisher id is not in our sources; `xai` is an assumption.)
    "xai": {"reasoning_tokens_separate": True, "reasoning_efforts": ()},
}
"""Facts shared by every open model of one publisher, listed or not."""

GOOGLE_ID_PREFIXES = ("gemini-", "gemma-", "text-embedding-", "learnlm-")
"""Bare ids we can attribute to Google (`google/` is added to them)."""
