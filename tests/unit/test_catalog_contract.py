"""The contract between the two model catalogues: the client's and the emulator's.

The emulator keeps its own catalogue (``testing/catalog.py``, which imports nothing from the
client: an emulator sharing the client's assumptions could not catch them). Both are written
from docs/vertex-facts.md; this test pins them to the same facts, so a fact changed on one
side only fails here, naming the model and the fact.
"""

from __future__ import annotations

from typing import Any

import pytest

from langchain_vertex_openai._catalog import listed_models, model_facts
from langchain_vertex_openai.testing import catalog as emu_catalog
from langchain_vertex_openai.testing.errors import VertexError

_FAMILIES = {"gemini-3": "gemini-3", "gemini-2.5": "gemini-2.5", "partner": "open-model"}


def _emulator_listed() -> list[str]:
    return [f"google/{name}" for name in emu_catalog.GEMINI_MODELS] + list(
        emu_catalog.PARTNER_MODELS
    )


ALL_IDS = sorted(set(listed_models()) | set(_emulator_listed()))


def _emulator_info(model: str) -> tuple[emu_catalog.ModelInfo, bool]:
    """The emulator's view of ``model``, and whether it answers chat requests for it."""
    publisher, _, name = model.partition("/")
    gemini = emu_catalog.GEMINI_MODELS.get(name) if publisher == "google" else None
    partner = emu_catalog.PARTNER_MODELS.get(model)
    locations = (gemini.locations if gemini else partner.locations if partner else None) or (
        "global",
    )
    try:
        return emu_catalog.resolve_model(model, project="p", location=locations[0]), True
    except VertexError as error:
        if error.status != 400 or gemini is None:
            raise AssertionError(f"{model}: the emulator does not serve it ({error})") from error
        return emu_catalog.ModelInfo(model, publisher, name, gemini.family, gemini=gemini), False


def _served_locations(info: emu_catalog.ModelInfo) -> tuple[str, ...] | None:
    facts = info.gemini or info.partner
    assert facts is not None
    if facts.locations is not None:
        return tuple(sorted(facts.locations))
    preview = info.gemini is not None and info.gemini.preview
    return ("global",) if preview else None


def emulator_side(model: str) -> dict[str, Any]:
    info, answers = _emulator_info(model)
    facts: dict[str, Any] = {
        "family": _FAMILIES[info.family],
        "chat_completions": answers,
        "locations": _served_locations(info),
        "image_output": info.image_output,
        "tools": not info.image_output,
        "structured_output": not info.image_output,
        "multiple_candidates": info.supports_multiple_candidates,
        "text_beside_calls": info.text_beside_calls,
        "enforces_signatures": info.is_gemini3,
    }
    if info.is_gemini:
        facts["efforts"] = frozenset(info.thinking_levels)
        facts["default_effort"] = info.default_level
        facts["can_disable_thinking"] = info.can_disable_thinking
        if info.family == "gemini-2.5":
            facts["budgets"] = {e: emu_catalog.EFFORT_BUDGETS[e] for e in info.thinking_levels}
    else:
        facts["inline_think_tags"] = info.partner_reasoning == "deepseek"
        facts["reasoning_tokens_separate"] = info.partner_reasoning == "grok"
    return facts


def client_side(model: str) -> dict[str, Any]:
    facts = model_facts(model)
    side: dict[str, Any] = {
        "family": facts.family,
        "chat_completions": facts.chat_completions,
        "locations": tuple(sorted(facts.locations)) if facts.locations is not None else None,
        "image_output": facts.image_output,
        "tools": facts.tools,
        "structured_output": facts.structured_output,
        "multiple_candidates": facts.multiple_candidates,
        "text_beside_calls": facts.text_beside_calls,
        "enforces_signatures": facts.enforces_signatures,
    }
    if facts.is_gemini:
        side["efforts"] = frozenset(facts.reasoning_efforts or ())
        side["default_effort"] = facts.default_effort
        side["can_disable_thinking"] = facts.can_disable_thinking
        if facts.family == "gemini-2.5":
            side["budgets"] = {e: facts.budget_for(e) for e in facts.reasoning_efforts or ()}
    else:
        side["inline_think_tags"] = facts.inline_think_tags
        side["reasoning_tokens_separate"] = facts.reasoning_tokens_separate
    return side


def test_every_model_the_client_lists_is_in_the_emulator_catalogue():
    missing = sorted(set(listed_models()) - set(_emulator_listed()))
    assert not missing, f"add these to testing/catalog.py (docs/vertex-facts.md §1/§12): {missing}"


@pytest.mark.parametrize("model", ALL_IDS)
def test_both_catalogues_hold_the_same_facts(model):
    emulator, client = emulator_side(model), client_side(model)
    differ = {key: (emulator[key], client[key]) for key in emulator if emulator[key] != client[key]}
    assert not differ, f"{model}: (emulator, client) disagree on {differ}"


def test_the_contract_compares_something():
    # A guard against a vacuous pass: the facts that vary between models do vary.
    sides = [client_side(model) for model in ALL_IDS]
    for key in ("chat_completions", "image_output", "text_beside_calls", "locations", "family"):
        assert len({repr(side[key]) for side in sides}) > 1, key
    assert {"inline_think_tags"} <= set(client_side("deepseek-ai/deepseek-v3.2-maas"))


def test_grok_publisher_rule_agrees():
    # Neither side lists a Grok id; both derive its facts from the publisher (§12).
    assert emulator_side("xai/grok-4-maas")["reasoning_tokens_separate"]
    assert client_side("xai/grok-4-maas")["reasoning_tokens_separate"]
