"""Vertex-specific profile facts layered over the generated data (docs/vertex-facts.md §4).

Hand-written and small on purpose: only what neither the generated models.dev data nor the
model catalogue (`data/_catalog_data.py`, which holds per-model facts) says.
"""

from __future__ import annotations

from typing import Any

AUGMENTATIONS: dict[str, dict[str, Any]] = {}
"""Per model id (without `google/`): keys that override or extend the generated profile."""

GEMINI_DEFAULTS: dict[str, Any] = {
    "tool_choice": True,
    "image_url_inputs": True,
    # Media in tool results travel as extra_content.google.parts (docs/vertex-facts.md §4).
    "image_tool_message": True,
    "pdf_tool_message": True,
}
"""True of every Gemini model on this endpoint (`tool_choice` and https/gs:// URLs)."""
