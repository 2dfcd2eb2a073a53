"""Vertex-specific profile facts layered over the generated data (docs/vertex-facts.md §5).

Hand-written and small on purpose: only what the generated models.dev data does not say.
"""

from __future__ import annotations

from typing import Any

_LOW_TO_HIGH = ["low", "medium", "high"]
_MINIMAL_TO_HIGH = ["minimal", "low", "medium", "high"]
_GEMINI_25 = ["none", "low", "medium", "high"]

AUGMENTATIONS: dict[str, dict[str, Any]] = {
    "gemini-3.8-flash": {"reasoning_effort_levels": _LOW_TO_HIGH},
    "gemini-3.7-flash": {"reasoning_effort_levels": _LOW_TO_HIGH},
    "gemini-3.1-pro-preview": {"reasoning_effort_levels": _LOW_TO_HIGH},
    "gemini-3.6-flash": {"reasoning_effort_levels": _MINIMAL_TO_HIGH},
    "gemini-3.5-flash": {"reasoning_effort_levels": _MINIMAL_TO_HIGH},
    "gemini-3.5-flash-lite": {"reasoning_effort_levels": _MINIMAL_TO_HIGH},
    "gemini-3.1-flash-lite": {"reasoning_effort_levels": _MINIMAL_TO_HIGH},
    "gemini-3-flash-preview": {"reasoning_effort_levels": _MINIMAL_TO_HIGH},
    "gemini-2.5-pro": {"reasoning_effort_levels": _GEMINI_25[1:]},
    "gemini-2.5-flash": {"reasoning_effort_levels": _GEMINI_25},
    "gemini-2.5-flash-lite": {"reasoning_effort_levels": _GEMINI_25},
}
"""Per model id (without `google/`): keys that override or extend the generated profile."""

GEMINI_DEFAULTS: dict[str, Any] = {
    "tool_choice": True,
    "image_url_inputs": True,
    # Media in tool results travel as extra_content.google.parts (docs/vertex-facts.md §4).
    "image_tool_message": True,
    "pdf_tool_message": True,
}
"""True of every Gemini model on this endpoint (`tool_choice` and https/gs:// URLs)."""
