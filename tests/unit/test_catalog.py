"""The model catalogue: documented facts for every listed id, family rules for the rest."""

import dataclasses
import datetime
from pathlib import Path

import pytest

from langchain_vertex_openai._catalog import ModelFacts, listed_models, model_facts, tracing_name

# docs/vertex-facts.md §1: the compatibility overview's Chat Completions Gemini models.
CHAT_COMPLETIONS_GEMINI = [
    "gemini-3.8-flash-cyber",
    "gemini-3.8-flash",
    "gemini-3.7-flash",
    "gemini-3.6-flash",
    "gemini-3.5-flash-lite",
    "gemini-3.5-flash",
    "gemini-3.1-pro-preview",
    "gemini-3.1-flash-lite",
    "gemini-3-flash-preview",
    "gemini-2.5-pro",
    "gemini-2.5-flash",
]
NOT_CHAT_COMPLETIONS = ["gemini-2.5-flash-lite", "gemini-omni-flash", "gemini-3.5-live-translate"]
IMAGE_MODELS = [
    "gemini-3.1-flash-image",
    "gemini-3.1-flash-lite-image",
    "gemini-3-pro-image-preview",
]

# §5: the thinking page's table (levels, default).
THINKING_TABLE = {
    "gemini-3.8-flash": (("low", "medium", "high"), "medium"),
    "gemini-3.8-flash-cyber": (("low", "medium", "high"), "medium"),
    "gemini-3.7-flash": (("low", "medium", "high"), "medium"),
    "gemini-3.6-flash": (("minimal", "low", "medium", "high"), "medium"),
    "gemini-3.5-flash": (("minimal", "low", "medium", "high"), "medium"),
    "gemini-3.5-flash-lite": (("minimal", "low", "medium", "high"), "minimal"),
    "gemini-3.1-flash-lite": (("minimal", "low", "medium", "high"), "minimal"),
    "gemini-3.1-pro-preview": (("low", "medium", "high"), "high"),
    "gemini-3-flash-preview": (("minimal", "low", "medium", "high"), "high"),
    "gemini-3.1-flash-image": (("minimal", "high"), "minimal"),
    "gemini-3.1-flash-lite-image": (("minimal", "high"), "minimal"),
    "gemini-3-pro-image-preview": (("high",), "high"),
}


def test_every_listed_id_is_in_the_catalogue_and_nothing_else():
    google = {m.removeprefix("google/") for m in listed_models() if m.startswith("google/")}
    assert google == {*CHAT_COMPLETIONS_GEMINI, *NOT_CHAT_COMPLETIONS, *IMAGE_MODELS}
    for model in listed_models():
        assert model_facts(model).listed, model


@pytest.mark.parametrize("name", CHAT_COMPLETIONS_GEMINI)
def test_overview_models_are_chat_completions_models(name):
    facts = model_facts(name)
    assert facts.chat_completions
    assert facts.publisher == "google"
    assert facts.model == f"google/{name}"
    assert facts.tools and facts.structured_output
    assert facts.is_gemini


@pytest.mark.parametrize("name", NOT_CHAT_COMPLETIONS)
def test_models_whose_page_says_not_supported_name_a_listed_alternative(name):
    facts = model_facts(f"google/{name}")
    assert not facts.chat_completions
    assert facts.alternative in CHAT_COMPLETIONS_GEMINI
    assert model_facts(facts.alternative).retirement_date is None


@pytest.mark.parametrize(("name", "expected"), THINKING_TABLE.items())
def test_thinking_levels_and_defaults_follow_the_thinking_page(name, expected):
    facts = model_facts(name)
    assert (facts.reasoning_efforts, facts.default_effort) == expected
    assert facts.thinking_control == "level"
    assert facts.is_gemini_3 and not facts.multiple_candidates and facts.enforces_signatures


@pytest.mark.parametrize("name", IMAGE_MODELS)
def test_image_models_are_image_output_only(name):
    facts = model_facts(name)
    assert facts.image_output and facts.beta
    assert not facts.tools and not facts.structured_output


def test_gemini_2_5_retires_and_maps_effort_to_budgets():
    for name in ("gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite"):
        facts = model_facts(name)
        assert facts.retirement_date == datetime.date(2026, 10, 16)
        assert facts.retired_on(datetime.date(2026, 12, 1))
        assert not facts.retired_on(datetime.date(2026, 10, 15))
        assert facts.thinking_control == "budget"
        assert model_facts(facts.successor).chat_completions
        assert "minimal" not in facts.reasoning_efforts
    flash = model_facts("gemini-2.5-flash")
    assert [flash.budget_for(e) for e in ("none", "low", "medium", "high")] == [
        0,
        1024,
        8192,
        24576,
    ]
    assert flash.can_disable_thinking
    pro = model_facts("gemini-2.5-pro")
    assert pro.reasoning_efforts == ("low", "medium", "high") and not pro.can_disable_thinking


def test_the_keyerror_model_gets_gemini_2_5_flash_facts_by_rule():
    # ChatVertexOpenAI(model="gemini-2.5-flash-preview-09-2025", reasoning_effort="minimal",
    # include_thoughts=True) raised KeyError: 'minimal' when the two effort tables disagreed.
    facts = model_facts("gemini-2.5-flash-preview-09-2025")
    assert not facts.listed
    assert facts.family == "gemini-2.5"
    assert facts.reasoning_efforts == ("none", "low", "medium", "high")
    assert facts.budget_for("minimal") is None
    assert facts.retirement_date == datetime.date(2026, 10, 16)
    assert facts.preview and facts.locations == ("global",)


def test_locations_are_per_model():
    flash = model_facts("gemini-3.5-flash")
    assert flash.served_in("europe-west2") and flash.served_in("us")
    assert flash.served_in("us-central1") is False
    assert model_facts("gemini-3.1-pro-preview").locations == ("global",)
    assert model_facts("gemini-3.8-flash").locations == ("global", "us", "eu")
    assert model_facts("gemini-3.6-flash").served_in("us-central1") is None  # undocumented
    deepseek = model_facts("deepseek-ai/deepseek-v3.1-maas")
    assert deepseek.locations == ("us-central1", "us-west2")
    assert deepseek.served_in("global") is False


def test_text_beside_calls_refused_on_3_5_and_3_6_only():
    refusing = {n for n in CHAT_COMPLETIONS_GEMINI if not model_facts(n).text_beside_calls}
    assert refusing == {"gemini-3.5-flash", "gemini-3.5-flash-lite", "gemini-3.6-flash"}


def test_inline_limits_from_the_model_pages():
    flash = model_facts("gemini-3.5-flash")
    assert flash.inline_image_bytes == 7 * 1024 * 1024
    assert flash.pdf_bytes == 50 * 1024 * 1024
    assert flash.input_bytes == 500 * 1024 * 1024
    image = model_facts("gemini-3.1-flash-image")
    assert (image.inline_image_bytes, image.images_per_prompt) == (7 * 1024 * 1024, 14)
    assert model_facts("gemini-3.8-flash").inline_image_bytes is None  # not documented


@pytest.mark.parametrize(
    "spelling",
    [
        "gemini-3.5-flash",
        "google/gemini-3.5-flash",
        " google/gemini-3.5-flash ",
        "projects/p/locations/global/publishers/google/models/gemini-3.5-flash",
    ],
)
def test_bare_prefixed_and_resource_ids_are_the_same_model(spelling):
    assert model_facts(spelling) == model_facts("google/gemini-3.5-flash")


@pytest.mark.parametrize(
    ("model", "family", "like"),
    [
        ("gemini-3.5-flash-001", "gemini-3", "gemini-3.5-flash"),
        ("gemini-3.8-flash-preview-11-2026", "gemini-3", "gemini-3.8-flash"),
        ("gemini-3.1-pro-preview-customtools", "gemini-3", "gemini-3.1-pro-preview"),
        ("gemini-2.5-pro-preview-06-05", "gemini-2.5", "gemini-2.5-pro"),
        ("gemini-3.1-flash-image-preview", "gemini-3", "gemini-3.1-flash-image"),
    ],
)
def test_unknown_variants_get_the_facts_of_the_model_they_extend(model, family, like):
    facts, base = model_facts(model), model_facts(like)
    assert facts.family == family and not facts.listed
    assert facts.reasoning_efforts == base.reasoning_efforts
    assert facts.tools == base.tools
    assert facts.text_beside_calls == base.text_beside_calls
    assert facts.retirement_date == base.retirement_date


def test_family_rules_for_unlisted_ids():
    newer = model_facts("gemini-4-argon")
    assert newer.family == "gemini-3" and newer.chat_completions and not newer.multiple_candidates
    assert newer.reasoning_efforts == ("minimal", "low", "medium", "high")
    assert newer.locations is None
    gone = model_facts("gemini-2.0-flash")
    assert gone.family == "gemini-legacy" and gone.retired_on(datetime.date(2026, 12, 1))
    assert model_facts(gone.successor).chat_completions
    image = model_facts("gemini-3.5-flash-image")
    assert image.image_output and not image.tools
    live = model_facts("gemini-live-3.5-flash")
    assert not live.chat_completions and live.alternative
    embedding = model_facts("gemini-embedding-001")
    assert embedding.family == "embedding" and not embedding.chat_completions
    assert model_facts("text-embedding-005").family == "embedding"


def test_open_and_partner_models():
    llama = model_facts("meta/llama-3.3-70b-instruct-maas")
    assert llama.is_partner and llama.family == "open-model"
    assert llama.alternating_turns and llama.continues_final_assistant
    assert llama.reasoning_efforts is None  # undocumented: passed through unchecked
    assert llama.thinking_control is None and not llama.enforces_signatures
    gemma = model_facts("google/gemma-4-26b-a4b-it-maas")
    assert gemma.family == "open-model" and not gemma.is_partner and not gemma.is_gemini
    assert model_facts("deepseek-ai/deepseek-r1-0528-maas").inline_think_tags
    grok = model_facts("xai/grok-4.1-fast-maas")
    assert grok.reasoning_tokens_separate and grok.reasoning_efforts == ()
    assert model_facts("openai/gpt-oss-120b-maas").reasoning_efforts == ()
    other = model_facts("anthropic/claude-sonnet-9")
    assert other.family == "unknown" and other.chat_completions and other.reasoning_efforts is None


def test_facts_are_frozen_and_hashable():
    facts = model_facts("gemini-3.5-flash")
    assert isinstance(facts, ModelFacts)
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.tools = False  # type: ignore[misc]
    assert len({facts, model_facts("google/gemini-3.5-flash")}) == 1


def test_every_listed_id_is_in_the_fact_sheet():
    # A model fact lands in docs/vertex-facts.md first, then in the catalogue.
    sheet = (Path(__file__).resolve().parents[2] / "docs" / "vertex-facts.md").read_text()
    missing = [
        m
        for m in listed_models()
        if f"`{m}`" not in sheet and f"`{m.removeprefix('google/')}`" not in sheet
    ]
    assert not missing, f"add these to docs/vertex-facts.md first: {missing}"


def test_tracing_names_are_what_langsmith_prices_by():
    assert tracing_name("google/gemini-3.5-flash") == "gemini-3.5-flash"
    assert tracing_name("gemini-3.5-flash") == "gemini-3.5-flash"
    assert tracing_name("meta/llama-3.3-70b-instruct-maas") == "meta/llama-3.3-70b-instruct-maas"
