"""Gemini settings beyond OpenAI's parameters, validated and placed where Vertex reads them.

`reasoning_effort` is a top-level field; everything else goes under
`extra_body.google` (docs/vertex-facts.md §4, §5): `thinking_config` (`include_thoughts`,
`thinking_budget` for Gemini 2.5, `thinking_level` for 3.x), `thought_tag_marker`,
`safety_settings` and `cached_content`. Vertex refuses `reasoning_effort` together with
`thinking_config`, so an effort is translated into the config when thoughts are
requested; combinations that cannot work fail here, before any request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from langchain_vertex_openai._catalog import ModelFacts, model_facts
from langchain_vertex_openai._content import media_resolution_level
from langchain_vertex_openai._thoughts import THOUGHT_TAG

_THRESHOLDS = frozenset(
    {
        "BLOCK_NONE",
        "BLOCK_ONLY_HIGH",
        "BLOCK_MEDIUM_AND_ABOVE",
        "BLOCK_LOW_AND_ABOVE",
        "OFF",
        "HARM_BLOCK_THRESHOLD_UNSPECIFIED",
    }
)
_CACHE_RE = re.compile(r"^projects/[^/]+/locations/([^/]+)/cachedContents/[^/]+$")
SETTINGS = (
    "reasoning_effort",
    "thinking_budget",
    "include_thoughts",
    "safety_settings",
    "cached_content",
    "media_resolution",
)
"""Parameters this module turns into request fields."""


def check_effort(facts: ModelFacts, effort: str) -> None:
    """Refuse a `reasoning_effort` the model does not take (docs/vertex-facts.md §5, §12).

    Raises:
        ValueError: Listing the values the model takes.
    """
    allowed = facts.reasoning_efforts
    if allowed is None or effort in allowed:
        return
    if not allowed:
        msg = f"{facts.model} takes no reasoning_effort (its page documents no thinking control)."
    else:
        msg = (
            f"reasoning_effort={effort!r} is not accepted by {facts.model}; use one of "
            f"{', '.join(allowed)}."
        )
    raise ValueError(msg)


def _thinking_config(facts: ModelFacts, settings: Mapping[str, Any]) -> dict[str, Any]:
    effort = settings.get("reasoning_effort")
    budget = settings.get("thinking_budget")
    config: dict[str, Any] = {}
    if budget is not None:
        if facts.thinking_control != "budget":
            msg = (
                f"thinking_budget is deprecated on {facts.model} (Vertex answers intermittent "
                "400s); use reasoning_effort instead."
                if facts.thinking_control == "level"
                else f"thinking_budget is a Gemini 2.5 setting; {facts.model} does not take it."
            )
            raise ValueError(msg)
        if budget < -1:
            msg = f"thinking_budget must be -1 (dynamic), 0 (off) or positive, got {budget}."
            raise ValueError(msg)
        if budget == 0 and not facts.can_disable_thinking:
            msg = f"{facts.model} cannot turn thinking off; use a positive thinking_budget or -1."
            raise ValueError(msg)
        config["thinking_budget"] = budget
    if settings.get("include_thoughts") and facts.thinking_control is not None:
        config["include_thoughts"] = True
        if effort is not None:
            # Only one of reasoning_effort and thinking_config may be sent (§5).
            if facts.thinking_control == "level":
                config["thinking_level"] = effort
            else:
                config["thinking_budget"] = facts.budget_for(effort)
    return config


def _media_resolution(facts: ModelFacts, value: object) -> str:
    # Request-level: `extra_body.google.media_resolution` with Vertex's enum name (§4).
    if not facts.is_gemini:
        msg = f"media_resolution is a Gemini setting; {facts.model} does not take it."
        raise ValueError(msg)
    return f"MEDIA_RESOLUTION_{media_resolution_level(value).upper()}"


def _safety_settings(value: Any) -> list[dict[str, str]]:
    items = (
        list(value.items())
        if isinstance(value, Mapping)
        else [(entry.get("category"), entry.get("threshold")) for entry in value]
    )
    result = []
    for raw_category, raw_threshold in items:
        # Enum members (e.g. google.genai's HarmCategory) are accepted by name.
        category = str(getattr(raw_category, "name", raw_category))
        threshold = str(getattr(raw_threshold, "name", raw_threshold))
        if not category.startswith("HARM_CATEGORY_"):
            msg = f"safety_settings category {category!r} must be a HARM_CATEGORY_... name."
            raise ValueError(msg)
        if threshold not in _THRESHOLDS:
            msg = f"safety_settings threshold {threshold!r} must be one of {sorted(_THRESHOLDS)}."
            raise ValueError(msg)
        result.append({"category": category, "threshold": threshold})
    return result


def _cached_content(value: str, location: str) -> str:
    match = _CACHE_RE.match(value)
    if not match:
        msg = (
            f"cached_content {value!r} must be a resource name "
            "'projects/{project}/locations/{region}/cachedContents/{id}'."
        )
        raise ValueError(msg)
    if location == "global" or match.group(1) != location:
        msg = (
            f"cached_content lives in {match.group(1)!r} but the model calls location "
            f"{location!r}; context caching is regional (not on 'global'): set "
            f"location={match.group(1)!r}."
        )
        raise ValueError(msg)
    return value


def google_settings(
    model: str, settings: Mapping[str, Any], *, location: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (top-level fields, `extra_body.google` fields) for the given settings.

    Raises:
        ValueError: For conflicting or malformed settings, naming the fix.
    """
    effort = settings.get("reasoning_effort")
    if effort is not None and settings.get("thinking_budget") is not None:
        msg = "Set reasoning_effort or thinking_budget, not both (Vertex refuses the pair)."
        raise ValueError(msg)
    facts = model_facts(model)
    if effort is not None:
        check_effort(facts, effort)
    top: dict[str, Any] = {}
    google: dict[str, Any] = {}
    thinking = _thinking_config(facts, settings)
    if thinking:
        google["thinking_config"] = thinking
        if thinking.get("include_thoughts"):
            google["thought_tag_marker"] = THOUGHT_TAG
    elif effort is not None:
        top["reasoning_effort"] = effort
    if settings.get("media_resolution"):
        google["media_resolution"] = _media_resolution(facts, settings["media_resolution"])
    if settings.get("safety_settings"):
        google["safety_settings"] = _safety_settings(settings["safety_settings"])
    if settings.get("cached_content"):
        # A base_url override has no known location; Vertex then decides.
        google["cached_content"] = (
            _cached_content(settings["cached_content"], location)
            if location
            else settings["cached_content"]
        )
    return top, google


def check_no_conflict(body: Mapping[str, Any]) -> None:
    """Refuse a body that sends `reasoning_effort` beside a `thinking_config`.

    Raises:
        ValueError: When both are present (e.g. one set through `extra_body`).
    """
    google = (body.get("extra_body") or {}).get("google") or {}
    if "reasoning_effort" in body and "thinking_config" in google:
        msg = (
            "reasoning_effort and extra_body.google.thinking_config cannot be sent together; "
            "use reasoning_effort, or thinking_budget/include_thoughts."
        )
        raise ValueError(msg)
