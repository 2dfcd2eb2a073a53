"""The emulator's model catalogue: which ids it serves, where, and how each model behaves.

Written from ``docs/vertex-facts.md`` (§1 ids, locations, Chat Completions support, image
models; §3 request rules; §5 thinking levels and defaults; §6 signatures; §12 partner
models), independently of the client's catalogue (the wall: nothing here is imported from
the client). ``tests/unit/test_catalog_contract.py`` pins the two to the same facts.

Where the facts are silent the emulator chooses, and says so: a Gemini model without a
documented region list is served in every location (inventing 404s would be worse than
missing one); an unlisted ``<publisher>/<id>-maas`` id is served as a plain open model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from langchain_vertex_openai.testing.errors import VertexError

Family = Literal["gemini-3", "gemini-2.5", "partner", "self-deployed"]
PartnerReasoning = Literal["none", "deepseek", "grok"]

_LOW_TO_HIGH = ("low", "medium", "high")
_MINIMAL_TO_HIGH = ("minimal", "low", "medium", "high")
#: §5: Gemini 2.5 efforts (``none`` from Google's notebook; ``minimal`` is NOT one).
GEMINI_2_5_EFFORTS = ("none", "low", "medium", "high")
#: §5: ``reasoning_effort`` -> thinking budget on Gemini 2.5.
EFFORT_BUDGETS = {"none": 0, "low": 1024, "medium": 8192, "high": 24576}
#: §1: the multi-region locations.
MULTI_REGIONS = ("us", "eu")
_GLOBAL_AND_MULTI = ("global", *MULTI_REGIONS)


@dataclass(frozen=True)
class GeminiFacts:
    """What the fact sheet says about one Gemini id.

    Attributes:
        family: ``gemini-3`` or ``gemini-2.5``.
        chat_completions: Listed as a Chat Completions model (§1); False: the model page
            says "Chat completions: Not supported".
        levels: Gemini 3: the ``thinking_level`` values (§5 table); Gemini 2.5: the
            ``reasoning_effort`` values.
        default_level: The level used when the request sets none (§5 table).
        locations: Where it is documented to be served (§1); None when undocumented.
        preview: A preview model ("setting the location to global is required", §1).
        image_output: An image model: answers with images, no tools, no structured output
            (§1, beta).
        text_beside_calls: Whether an assistant turn may hold text and tool calls (§3).
        can_disable_thinking: Whether ``thinking_budget: 0`` turns thinking off (§5).
    """

    family: Literal["gemini-3", "gemini-2.5"]
    chat_completions: bool = True
    levels: tuple[str, ...] = _MINIMAL_TO_HIGH
    default_level: str | None = None
    locations: tuple[str, ...] | None = None
    preview: bool = False
    image_output: bool = False
    text_beside_calls: bool = True
    can_disable_thinking: bool = False


#: Every Gemini id the fact sheet names (§1), served with the ``google/`` publisher prefix.
GEMINI_MODELS: dict[str, GeminiFacts] = {
    # §1 Chat Completions list; §5 thinking table; §3 text beside calls (hermes-agent #69231).
    "gemini-3.8-flash": GeminiFacts(
        "gemini-3", levels=_LOW_TO_HIGH, default_level="medium", locations=_GLOBAL_AND_MULTI
    ),
    "gemini-3.8-flash-cyber": GeminiFacts("gemini-3", levels=_LOW_TO_HIGH, default_level="medium"),
    "gemini-3.7-flash": GeminiFacts(
        "gemini-3", levels=_LOW_TO_HIGH, default_level="medium", locations=_GLOBAL_AND_MULTI
    ),
    "gemini-3.6-flash": GeminiFacts("gemini-3", default_level="medium", text_beside_calls=False),
    "gemini-3.5-flash": GeminiFacts(
        "gemini-3",
        default_level="medium",
        text_beside_calls=False,
        locations=(
            *_GLOBAL_AND_MULTI,
            "northamerica-northeast1",
            "europe-west2",
            "europe-west3",
            "asia-northeast1",
            "asia-south1",
            "asia-southeast1",
            "australia-southeast1",
        ),
    ),
    "gemini-3.5-flash-lite": GeminiFacts(
        "gemini-3", default_level="minimal", text_beside_calls=False
    ),
    "gemini-3.1-pro-preview": GeminiFacts(
        "gemini-3", levels=_LOW_TO_HIGH, default_level="high", locations=("global",), preview=True
    ),
    "gemini-3.1-flash-lite": GeminiFacts("gemini-3", default_level="minimal"),
    "gemini-3-flash-preview": GeminiFacts("gemini-3", default_level="high", preview=True),
    "gemini-2.5-pro": GeminiFacts("gemini-2.5", levels=_LOW_TO_HIGH),
    "gemini-2.5-flash": GeminiFacts(
        "gemini-2.5", levels=GEMINI_2_5_EFFORTS, can_disable_thinking=True
    ),
    # §1: "Chat completions: Not supported" on their model pages. The pages give Omni Flash
    # and Live Translate no id; these two are the emulator's spelling.
    "gemini-2.5-flash-lite": GeminiFacts(
        "gemini-2.5", levels=GEMINI_2_5_EFFORTS, chat_completions=False, can_disable_thinking=True
    ),
    "gemini-omni-flash": GeminiFacts("gemini-3", chat_completions=False),
    "gemini-3.5-live-translate": GeminiFacts("gemini-3", chat_completions=False),
    # §1 image models (beta, image output only); §5 their levels.
    "gemini-3.1-flash-image": GeminiFacts(
        "gemini-3",
        levels=("minimal", "high"),
        default_level="minimal",
        locations=("global",),
        image_output=True,
    ),
    "gemini-3.1-flash-lite-image": GeminiFacts(
        "gemini-3", levels=("minimal", "high"), default_level="minimal", image_output=True
    ),
    "gemini-3-pro-image-preview": GeminiFacts(
        "gemini-3",
        levels=("high",),
        default_level="high",
        locations=("global",),
        preview=True,
        image_output=True,
    ),
}


@dataclass(frozen=True)
class PartnerFacts:
    """What the fact sheet says about one partner (MaaS) model (§12).

    Attributes:
        reasoning: ``deepseek`` (reasoning text before the answer, as a
            ``reasoning_content`` field or inline ending with ``</think>``), ``grok``
            (``reasoning_tokens`` reported beside ``completion_tokens``) or ``none``.
        locations: Where it is documented to be served; None when undocumented.
    """

    reasoning: PartnerReasoning = "none"
    locations: tuple[str, ...] | None = None


#: Partner models named in the fact sheet (§1, §12).
PARTNER_MODELS: dict[str, PartnerFacts] = {
    "meta/llama-3.3-70b-instruct-maas": PartnerFacts(),
    "meta/llama-4-maverick-17b-128e-instruct-maas": PartnerFacts(),
    "meta/llama3-405b-instruct-maas": PartnerFacts(),
    "deepseek-ai/deepseek-v3.2-maas": PartnerFacts(reasoning="deepseek"),
    "deepseek-ai/deepseek-v3.1-maas": PartnerFacts(
        reasoning="deepseek", locations=("us-central1", "us-west2")
    ),
    "deepseek-ai/deepseek-r1-0528-maas": PartnerFacts(reasoning="deepseek"),
    "qwen/qwen3-235b-a22b-instruct-2507-maas": PartnerFacts(),
    "openai/gpt-oss-120b-maas": PartnerFacts(locations=("global",)),  # "Thinking: Not supported"
}

#: §12: publishers whose every model shares a reasoning shape. ``xai`` (Grok) is the
#: emulator's guess at the publisher id: the fact sheet names the model, not the id.
PUBLISHER_REASONING: dict[str, PartnerReasoning] = {"deepseek-ai": "deepseek", "xai": "grok"}

MALFORMED_MODEL_MESSAGE = "Malformed publisher model name: expected format '<publisher>/<model>'"


@dataclass(frozen=True)
class ModelInfo:
    """What the emulator knows about the model a request names.

    Attributes:
        model: The model field as requested (echoed in responses, §1).
        publisher: The publisher part (``google``, ``meta`` ...); empty for self-deployed.
        name: The model part.
        family: ``gemini-3``, ``gemini-2.5``, ``partner`` or ``self-deployed``.
        gemini: The Gemini facts (None for other families).
        partner: The partner facts (None for other families).
    """

    model: str
    publisher: str
    name: str
    family: Family
    gemini: GeminiFacts | None = None
    partner: PartnerFacts | None = None

    @property
    def is_gemini(self) -> bool:
        """Whether this is a Google Gemini model (thinking, signatures)."""
        return self.family in ("gemini-3", "gemini-2.5")

    @property
    def is_gemini3(self) -> bool:
        """Whether this is a Gemini 3.x model (signature enforcement, §6)."""
        return self.family == "gemini-3"

    @property
    def thinking_levels(self) -> tuple[str, ...]:
        """Gemini 3: the ``thinking_level`` values; Gemini 2.5: the efforts (§5)."""
        return self.gemini.levels if self.gemini is not None else ()

    @property
    def default_level(self) -> str | None:
        """The thinking level a Gemini 3 model uses when the request sets none (§5)."""
        return self.gemini.default_level if self.gemini is not None else None

    @property
    def thinks_by_default(self) -> bool:
        """Whether the model thinks when the request says nothing about thinking.

        Every Gemini model does (§5: Gemini 3 cannot turn thinking off, 2.5 thinks unless
        the budget is 0); partner models think only when they are reasoning models.
        """
        return self.is_gemini

    @property
    def can_disable_thinking(self) -> bool:
        """Whether thinking can be turned off (``thinking_budget: 0``, §5)."""
        return self.gemini is not None and self.gemini.can_disable_thinking

    @property
    def supports_multiple_candidates(self) -> bool:
        """``n > 1`` is refused by Gemini 3.x models (§3)."""
        return not self.is_gemini3

    @property
    def image_output(self) -> bool:
        """Whether this is an image model (answers with images, no tools, §1)."""
        return self.gemini is not None and self.gemini.image_output

    @property
    def text_beside_calls(self) -> bool:
        """Whether an assistant turn may hold text and tool calls (§3)."""
        return self.gemini is None or self.gemini.text_beside_calls

    @property
    def partner_reasoning(self) -> PartnerReasoning:
        """The partner model's reasoning shape (§12), ``none`` for other families."""
        return self.partner.reasoning if self.partner is not None else "none"


def _not_found(project: str, location: str, publisher: str, name: str) -> VertexError:
    # §1 / §10: the wording of the 404 for a model not served in a location.
    return VertexError(
        404,
        f"Publisher Model projects/{project}/locations/{location}/publishers/{publisher}"
        f"/models/{name} was not found or your project does not have access to it.",
        "NOT_FOUND",
    )


def _served_in(locations: tuple[str, ...] | None, preview: bool) -> tuple[str, ...] | None:
    if locations is not None:
        return locations
    return ("global",) if preview else None


def resolve_model(model: object, *, project: str, location: str) -> ModelInfo:
    """Resolve the ``model`` field of a request sent to ``endpoints/openapi``.

    Args:
        model: The raw ``model`` field from the request body.
        project: The project named in the request path.
        location: The location named in the request path.

    Returns:
        The model's :class:`ModelInfo`.

    Raises:
        VertexError: 400 for a missing or malformed id (§1) or a model that is not a Chat
            Completions model; 404 for an unknown model or one not served in ``location``.
    """
    if not isinstance(model, str) or not model:
        # Emulator choice: the fact sheet does not quote the missing-model error.
        raise VertexError(
            400, "Model is required. (The wording is the emulator's choice.)", "INVALID_ARGUMENT"
        )
    publisher, sep, name = model.partition("/")
    if not sep or not publisher or not name or "/" in name:
        raise VertexError(400, MALFORMED_MODEL_MESSAGE, "INVALID_ARGUMENT")
    if publisher == "google":
        facts = GEMINI_MODELS.get(name)
        if facts is None:
            raise _not_found(project, location, publisher, name)
        served = _served_in(facts.locations, facts.preview)
        if served is not None and location not in served:
            raise _not_found(project, location, publisher, name)
        if not facts.chat_completions:
            raise not_a_chat_model(model)
        return ModelInfo(model, publisher, name, facts.family, gemini=facts)
    partner = PARTNER_MODELS.get(model)
    if partner is None and name.endswith("-maas"):
        # Emulator choice: the MaaS catalogue is large and changes often.
        partner = PartnerFacts(reasoning=PUBLISHER_REASONING.get(publisher, "none"))
    if partner is None:
        # Emulator choice: other publishers (e.g. Anthropic, served through rawPredict,
        # not this endpoint) are reported as not found.
        raise _not_found(project, location, publisher, name)
    if partner.locations is not None and location not in partner.locations:
        raise _not_found(project, location, publisher, name)
    return ModelInfo(model, publisher, name, "partner", partner=partner)


def not_a_chat_model(model: str) -> VertexError:
    """The answer to a Gemini id whose model page says "Chat completions: Not supported".

    Args:
        model: The requested id.

    Returns:
        The error (§1 states the fact; the status and wording are the emulator's).
    """
    listed = ", ".join(
        f"google/{name}"
        for name, facts in GEMINI_MODELS.items()
        if facts.chat_completions and not facts.image_output
    )
    return VertexError(
        400,
        f"{model} is not supported by the Chat Completions API (its model page says "
        f"'Chat completions: Not supported', docs/vertex-facts.md §1). Chat Completions "
        f"models: {listed}. (Status and wording are the emulator's choice: Google does not "
        "document this error.)",
        "INVALID_ARGUMENT",
    )


def self_deployed_model(model: object) -> ModelInfo:
    """Model info for a self-deployed endpoint (``endpoints/{NUMERIC_ID}``, §1).

    Such endpoints run the user's own serving container, which accepts any model field.

    Args:
        model: The raw ``model`` field (may be missing).

    Returns:
        A :class:`ModelInfo` of family ``self-deployed``.
    """
    text = model if isinstance(model, str) else ""
    publisher, _, name = text.rpartition("/")
    return ModelInfo(text, publisher, name or text, "self-deployed")
