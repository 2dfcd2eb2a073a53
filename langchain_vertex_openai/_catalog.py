"""What each model on Vertex AI's OpenAI-compatible endpoint is and takes, in one place.

`model_facts(model)` answers from the hand-written table in `data/_catalog_data.py`, which
follows `docs/vertex-facts.md` (§1 ids, locations, retirement and limits; §5 thinking; §6
signatures; §12 partner models). Every per-model rule of the client reads it: request
building, construction checks, profiles and error hints. Ids the table does not list get
facts by rule, in this order:

1. the longest listed id the model extends (`gemini-3.5-flash-001` is Gemini 3.5 Flash);
2. image models (`-image`, `nano-banana`) are image-output-only, like the listed ones;
   Omni and Live models are not Chat Completions models (§1);
3. the family of the version: `gemini-3*` (and newer Gemini ids) Gemini 3, `gemini-2.5*`
   Gemini 2.5, older Gemini ids gone; embedding ids are not chat models;
4. `*-maas` ids are open models (§12), with their publisher's rules;
5. anything else: no rule applies and Vertex decides.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

from langchain_vertex_openai.data._catalog_data import (
    DEFAULTS,
    FAMILIES,
    GOOGLE_ID_PREFIXES,
    MODELS,
    PUBLISHER_RULES,
)

Family = Literal["gemini-3", "gemini-2.5", "gemini-legacy", "embedding", "open-model", "unknown"]
ThinkingControl = Literal["level", "budget"]

GOOGLE = "google"
"""The publisher of Gemini models."""

_RESOURCE_RE = re.compile(r"^(?:.*/)?publishers/([^/]+)/models/([^/]+)$")
_EMBEDDING_RE = re.compile(r"(^text-embedding-|^text-multilingual-embedding-|embedding)")
_IMAGE_RULE = {
    "beta": True,
    "input_modalities": ("text", "image"),
    "output_modalities": ("text", "image"),
    "tools": False,
    "structured_output": False,
}
_NOT_CHAT_RULE = {"chat_completions": False, "alternative": "gemini-3.5-flash"}


@dataclass(frozen=True)
class ModelFacts:
    """The documented facts about one model, and the rules the client derives from them.

    Attributes:
        model: The `publisher/model` id (`google/gemini-3.5-flash`).
        publisher: `google` for Gemini, Gemma and embeddings; the partner's otherwise.
        name: The id without its publisher (`gemini-3.5-flash`).
        family: `gemini-3`, `gemini-2.5`, `gemini-legacy` (Gemini 2.0 and older, gone),
            `embedding`, `open-model` (Model-as-a-Service) or `unknown`.
        listed: Whether the fact sheet names this id (False: facts derived by rule).
        display_name: Google's name for the model (empty when not listed).
        chat_completions: Whether Google lists it as a Chat Completions model (§1).
        alternative: A Chat Completions model to use instead, when it is not one.
        not_chat_reason: Why it is not a Chat Completions model.
        preview: A preview model (served on `global` only, §1).
        beta: Image output and other features the pages call beta.
        thinking_control: How `reasoning_effort` reaches the model inside a thinking
            config: `level` (`thinking_level`, Gemini 3), `budget` (`thinking_budget`,
            Gemini 2.5), or `None` (no thinking config; partner models).
        reasoning_efforts: The `reasoning_effort` values the model takes; `()` for none;
            `None` when undocumented (sent unchecked).
        default_effort: The thinking level used when none is sent (§5), if documented.
        effort_budgets: Gemini 2.5's effort -> thinking-budget mapping (§5).
        can_disable_thinking: Whether `thinking_budget=0` / `reasoning_effort="none"` turns
            thinking off.
        retirement_date: The documented retirement date (§1), if any.
        retired_without_date: Gone with no date given (Gemini 2.0 and older).
        successor: A current model to move to when this one retires.
        input_modalities: What the model reads (`text`, `image`, `audio`, `video`, `pdf`).
        output_modalities: What it writes (`text`, `image`).
        tools: Whether it takes function tools.
        structured_output: Whether it takes `response_format` schemas.
        multiple_candidates: Whether `n > 1` works (§3).
        text_beside_calls: Whether an assistant turn may hold text and tool calls (§3).
        enforces_signatures: Whether thought signatures are validated (Gemini 3, §6).
        thought_preservation: Whether text-part signatures carry earlier reasoning (§6).
        per_part_media_resolution: Whether media resolution can differ per part (§3).
        alternating_turns: Open-model turn rules: first user, then alternating (§12).
        continues_final_assistant: A final assistant turn is continued (prefill, §12).
        inline_think_tags: Reasoning may arrive inline in `content`, ended by `</think>`.
        reasoning_tokens_separate: Usage reports reasoning beside `completion_tokens`.
        locations: Where the model is documented to be served; `None` when undocumented.
        inline_image_bytes: Largest inline image (§1), if documented.
        storage_image_bytes: Largest image from Cloud Storage, if documented.
        pdf_bytes: Largest PDF, if documented.
        input_bytes: Largest total input, if documented.
        images_per_prompt: Most images in one prompt, if documented.
    """

    model: str
    publisher: str
    name: str
    family: Family
    listed: bool
    display_name: str
    chat_completions: bool
    alternative: str | None
    not_chat_reason: str
    preview: bool
    beta: bool
    thinking_control: ThinkingControl | None
    reasoning_efforts: tuple[str, ...] | None
    default_effort: str | None
    effort_budgets: tuple[tuple[str, int], ...]
    can_disable_thinking: bool
    retirement_date: datetime.date | None
    retired_without_date: bool
    successor: str | None
    input_modalities: frozenset[str]
    output_modalities: frozenset[str]
    tools: bool
    structured_output: bool
    multiple_candidates: bool
    text_beside_calls: bool
    enforces_signatures: bool
    thought_preservation: bool
    per_part_media_resolution: bool
    alternating_turns: bool
    continues_final_assistant: bool
    inline_think_tags: bool
    reasoning_tokens_separate: bool
    locations: tuple[str, ...] | None
    inline_image_bytes: int | None
    storage_image_bytes: int | None
    pdf_bytes: int | None
    input_bytes: int | None
    images_per_prompt: int | None

    @property
    def is_gemini(self) -> bool:
        """A Gemini model (Google's request rules, thinking config and signatures apply)."""
        return self.family in ("gemini-3", "gemini-2.5", "gemini-legacy")

    @property
    def is_gemini_3(self) -> bool:
        """A Gemini 3.x model (or a newer Gemini, which gets Gemini 3's rules)."""
        return self.family == "gemini-3"

    @property
    def is_partner(self) -> bool:
        """A model of another publisher than Google."""
        return self.publisher != GOOGLE

    @property
    def image_output(self) -> bool:
        """An image model: it answers with images (beta) and takes no tools."""
        return "image" in self.output_modalities

    def retired_on(self, day: datetime.date) -> bool:
        """Whether the model is retired on `day`."""
        if self.retired_without_date:
            return True
        return self.retirement_date is not None and day >= self.retirement_date

    def budget_for(self, effort: str) -> int | None:
        """The thinking budget Gemini 2.5 gives `effort` (§5), or None."""
        return dict(self.effort_budgets).get(effort)

    def served_in(self, location: str) -> bool | None:
        """Whether the model is documented in `location`; None when undocumented."""
        return None if self.locations is None else location in self.locations


def split_model_id(model: str) -> tuple[str, str]:
    """Return `(publisher, name)` of a bare, prefixed or resource-name model id.

    A bare id is Google's when it looks like one (`gemini-...`); otherwise its publisher
    is empty.
    """
    model = model.strip()
    resource = _RESOURCE_RE.match(model)
    if resource:
        return resource.group(1), resource.group(2)
    publisher, sep, name = model.partition("/")
    if sep:
        return publisher, name
    return (GOOGLE if model.startswith(GOOGLE_ID_PREFIXES) else ""), model


def bare_name(model: str) -> str:
    """The model id without its publisher (`gemini-3.5-flash`)."""
    return split_model_id(model)[1]


def _longest_listed_prefix(key: str) -> str | None:
    matches = [listed for listed in MODELS if key.startswith(f"{listed}-")]
    return max(matches, key=len) if matches else None


def _family_rule(publisher: str, name: str) -> dict[str, Any]:
    if publisher == GOOGLE and _EMBEDDING_RE.search(name):
        return {"family": "embedding"}
    if publisher != GOOGLE or not name.startswith("gemini-"):
        return {"family": "open-model" if name.endswith("-maas") else "unknown"}
    if name.startswith("gemini-2.5"):
        return {"family": "gemini-2.5"}
    if re.match(r"^gemini-(?:1|2)[.-]", name):
        return {"family": "gemini-legacy"}
    return {"family": "gemini-3"}  # Gemini 3.x, and newer ids until the table lists them


def _entry(publisher: str, name: str) -> tuple[dict[str, Any], bool]:
    """The table entry for a model, derived by rule when it is not listed."""
    key = name if publisher == GOOGLE else f"{publisher}/{name}"
    if key in MODELS:
        return dict(MODELS[key]), True
    base = _longest_listed_prefix(key)
    if base is not None:
        entry = {k: v for k, v in MODELS[base].items() if k not in ("name", "locations")}
    else:
        entry = _family_rule(publisher, name)
    if entry["family"] in ("gemini-3", "gemini-2.5"):
        if "-image" in name or "nano-banana" in name:
            entry.update(_IMAGE_RULE)
        if "omni" in name or "-live" in name:
            entry.update(_NOT_CHAT_RULE)
        if "-preview" in name:
            entry["preview"] = True
    return entry, False


@functools.lru_cache(maxsize=512)
def model_facts(model: str) -> ModelFacts:
    """Return the facts about `model` (bare, `publisher/`-prefixed or a resource name).

    Listed ids get their documented facts; others get their family's by rule (see the
    module docstring). Never raises for an unknown id.
    """
    publisher, name = split_model_id(model)
    entry, listed = _entry(publisher, name)
    family: Family = entry["family"]
    facts: dict[str, Any] = {**DEFAULTS, **FAMILIES[family]}
    if publisher != GOOGLE:
        facts.update(PUBLISHER_RULES.get(publisher, {}))
    facts.update(entry)
    if facts["preview"] and facts["locations"] is None:
        facts["locations"] = ("global",)  # §1: preview models need location global
    retirement = facts["retirement_date"]
    limits: dict[str, int] = facts["limits"]
    return ModelFacts(
        model=f"{publisher}/{name}" if publisher else name,
        publisher=publisher,
        name=name,
        family=family,
        listed=listed,
        display_name=facts["name"],
        chat_completions=facts["chat_completions"],
        alternative=facts["alternative"],
        not_chat_reason=facts["not_chat_reason"],
        preview=facts["preview"],
        beta=facts["beta"],
        thinking_control=facts["thinking_control"],
        reasoning_efforts=facts["reasoning_efforts"],
        default_effort=facts["default_effort"],
        effort_budgets=tuple(facts["effort_budgets"].items()),
        can_disable_thinking=facts["can_disable_thinking"],
        retirement_date=datetime.date.fromisoformat(retirement) if retirement else None,
        retired_without_date=facts["retired"],
        successor=facts["successor"],
        input_modalities=frozenset(facts["input_modalities"]),
        output_modalities=frozenset(facts["output_modalities"]),
        tools=facts["tools"],
        structured_output=facts["structured_output"],
        multiple_candidates=facts["multiple_candidates"],
        text_beside_calls=facts["text_beside_calls"],
        enforces_signatures=facts["enforces_signatures"],
        thought_preservation=facts["thought_preservation"],
        per_part_media_resolution=facts["per_part_media_resolution"],
        alternating_turns=facts["alternating_turns"],
        continues_final_assistant=facts["continues_final_assistant"],
        inline_think_tags=facts["inline_think_tags"],
        reasoning_tokens_separate=facts["reasoning_tokens_separate"],
        locations=facts["locations"],
        inline_image_bytes=limits.get("inline_image_bytes"),
        storage_image_bytes=limits.get("storage_image_bytes"),
        pdf_bytes=limits.get("pdf_bytes"),
        input_bytes=limits.get("input_bytes"),
        images_per_prompt=limits.get("images_per_prompt"),
    )


def not_found_hint(model: str | None, location: str | None) -> str:
    """The fix for a 404 `Publisher Model … was not found` (docs/vertex-facts.md §1, §12).

    Args:
        model: The `publisher/model` the 404 names, if it names one.
        location: The location called; None when `base_url` is set.
    """
    facts = model_facts(model) if model else None
    if facts is not None and facts.locations:
        where = ", ".join(facts.locations)
        fix = (
            f" Pass location={facts.locations[0]!r}."
            if location is not None and location not in facts.locations
            else ""
        )
        return (
            f"{facts.model} is documented in: {where} (docs/vertex-facts.md §1).{fix} Otherwise "
            "check the model id and that the project has access to it."
        )
    if location not in (None, "global"):
        return (
            f"The model may not be served in location {location!r}: newer and preview Gemini "
            "models are served on location='global'."
        )
    if facts is not None and facts.is_partner:
        return (
            "Partner models are served in some locations only, often not on 'global': pass the "
            "location the model's page lists (e.g. location='us-central1')."
        )
    return ""


def tracing_name(model: str) -> str:
    """The name LangSmith prices a model by: Google's ids bare, partners' with publisher."""
    facts = model_facts(model)
    return facts.model if facts.is_partner else facts.name


def listed_models() -> tuple[str, ...]:
    """Every `publisher/model` id the fact sheet names."""
    return tuple(key if "/" in key else f"{GOOGLE}/{key}" for key in MODELS)
