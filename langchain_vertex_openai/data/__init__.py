"""Model profiles: generated data, Vertex-specific augmentations and the model catalogue."""

from __future__ import annotations

from typing import Any

from langchain_vertex_openai.data._profiles import _PROFILES
from langchain_vertex_openai.data.profile_augmentations import AUGMENTATIONS, GEMINI_DEFAULTS

# Keys of the generated data that are not `ModelProfile` keys.
_NON_PROFILE_KEYS = frozenset({"attachment", "temperature"})


def model_profile(model: str) -> dict[str, Any] | None:
    """Return the profile of a Vertex model id, with or without the `google/` prefix.

    The catalogue (`docs/vertex-facts.md`) wins over the generated data where both speak:
    reasoning efforts, tool calling and structured output (image models take neither).
    """
    # Imported here: `_catalog` reads its table from this package.
    from langchain_vertex_openai._catalog import model_facts

    facts = model_facts(model)
    key = facts.model if facts.is_partner else facts.name
    base = _PROFILES.get(key)
    if base is None and facts.listed:
        base = {"name": facts.display_name, "text_outputs": True}  # what the catalogue says
    if base is None:
        return None
    profile = {k: v for k, v in base.items() if k not in _NON_PROFILE_KEYS}
    if facts.is_gemini:
        profile.update(GEMINI_DEFAULTS)
    if facts.reasoning_efforts is not None:
        profile["reasoning_effort_levels"] = list(facts.reasoning_efforts)
    if facts.listed or facts.image_output:
        for modality in ("text", "image", "audio", "video", "pdf"):
            profile.setdefault(f"{modality}_inputs", modality in facts.input_modalities)
        profile["tool_calling"] = facts.tools
        profile["structured_output"] = facts.structured_output
        profile["image_outputs"] = facts.image_output
        if not facts.tools:
            profile["tool_choice"] = False
    profile.update(AUGMENTATIONS.get(key, {}))
    return profile
