"""Model profiles: generated data plus Vertex-specific augmentations."""

from __future__ import annotations

from typing import Any

from langchain_vertex_openai.data._profiles import _PROFILES
from langchain_vertex_openai.data.profile_augmentations import AUGMENTATIONS, GEMINI_DEFAULTS

# Keys of the generated data that are not `ModelProfile` keys.
_NON_PROFILE_KEYS = frozenset({"attachment", "temperature"})


def model_profile(model: str) -> dict[str, Any] | None:
    """Return the profile of a Vertex model id, with or without the `google/` prefix."""
    key = model.removeprefix("google/")
    base = _PROFILES.get(key)
    if base is None:
        return None
    profile = {k: v for k, v in base.items() if k not in _NON_PROFILE_KEYS}
    if key.startswith("gemini-"):
        profile.update(GEMINI_DEFAULTS)
    profile.update(AUGMENTATIONS.get(key, {}))
    return profile
