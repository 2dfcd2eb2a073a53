"""The emulator's model catalog: which model ids exist and how each family behaves.

Facts from ``docs/vertex-facts.md`` §1 (ids, publisher prefix, locations) and §5 (thinking).
Choices where the fact sheet is silent are marked "emulator choice".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from langchain_vertex_openai.testing.errors import VertexError

Family = Literal["gemini-3", "gemini-2.5", "partner", "self-deployed"]

#: Gemini ids known in late 2026 (§1), served with the ``google/`` publisher prefix.
GOOGLE_MODELS: frozenset[str] = frozenset(
    {
        "gemini-3.8-flash",
        "gemini-3.7-flash",
        "gemini-3.6-flash",
        "gemini-3.5-flash",
        "gemini-3.5-flash-lite",
        "gemini-3.1-pro-preview",
        "gemini-3.1-flash-lite",
        "gemini-3-flash-preview",
        "gemini-2.5-pro",
        "gemini-2.5-flash",
        "gemini-2.5-flash-lite",
        "gemini-3.1-flash-image",
        "gemini-3-pro-image-preview",
    }
)

#: Partner (MaaS) models named in the fact sheet. Any other ``<publisher>/<id>-maas``
#: is accepted too (emulator choice: the MaaS catalogue is large and changes often).
PARTNER_MODELS: frozenset[str] = frozenset(
    {
        "meta/llama-3.3-70b-instruct-maas",
        "meta/llama-4-maverick-17b-128e-instruct-maas",
        "meta/llama3-405b-instruct-maas",
        "deepseek-ai/deepseek-v3.2-maas",
        "deepseek-ai/deepseek-r1-0528-maas",
        "qwen/qwen3-235b-a22b-instruct-2507-maas",
        "openai/gpt-oss-120b-maas",
    }
)

#: §5: 3.8/3.7 Flash and 3.1 Pro accept low/medium/high only; the other 3.x also minimal.
_LEVELS_NO_MINIMAL = frozenset({"low", "medium", "high"})
_LEVELS_WITH_MINIMAL = frozenset({"minimal", "low", "medium", "high"})
_NO_MINIMAL_MODELS = frozenset({"gemini-3.8-flash", "gemini-3.7-flash", "gemini-3.1-pro-preview"})

#: §1: multi-region locations that serve the newest Gemini models besides ``global``.
MULTI_REGIONS = frozenset({"us", "eu"})

MALFORMED_MODEL_MESSAGE = "Malformed publisher model name: expected format '<publisher>/<model>'"


@dataclass(frozen=True)
class ModelInfo:
    """What the emulator knows about the model a request names.

    Attributes:
        model: The model field as requested (echoed in responses, §1).
        publisher: The publisher part (``google``, ``meta`` ...); empty for self-deployed.
        name: The model part.
        family: ``gemini-3``, ``gemini-2.5``, ``partner`` or ``self-deployed``.
    """

    model: str
    publisher: str
    name: str
    family: Family

    @property
    def is_gemini(self) -> bool:
        """Whether this is a Google Gemini model (thinking, signatures)."""
        return self.family in ("gemini-3", "gemini-2.5")

    @property
    def is_gemini3(self) -> bool:
        """Whether this is a Gemini 3.x model (signature enforcement, §6)."""
        return self.family == "gemini-3"

    @property
    def thinking_levels(self) -> frozenset[str]:
        """The ``thinking_level`` values this model accepts (§5); empty if none."""
        if not self.is_gemini3:
            return frozenset()
        if self.name in _NO_MINIMAL_MODELS:
            return _LEVELS_NO_MINIMAL
        return _LEVELS_WITH_MINIMAL

    @property
    def thinks_by_default(self) -> bool:
        """Whether the model thinks when the request says nothing about thinking.

        Gemini 2.5 Flash-Lite does not think by default (Google's model page; emulator
        choice to model it); every other Gemini model does; partner models never do.
        """
        return self.is_gemini and self.name != "gemini-2.5-flash-lite"

    @property
    def can_disable_thinking(self) -> bool:
        """Whether thinking can be turned off (2.5 Flash and Flash-Lite only, §5)."""
        return self.family == "gemini-2.5" and self.name != "gemini-2.5-pro"

    @property
    def supports_multiple_candidates(self) -> bool:
        """``n > 1`` is refused by Gemini 3.x models (§3)."""
        return not self.is_gemini3


def _not_found(project: str, location: str, publisher: str, name: str) -> VertexError:
    # §1 / §10: the wording of the 404 for a model not served in a location.
    return VertexError(
        404,
        f"Publisher Model projects/{project}/locations/{location}/publishers/{publisher}"
        f"/models/{name} was not found or your project does not have access to it.",
        "NOT_FOUND",
    )


def resolve_model(model: object, *, project: str, location: str) -> ModelInfo:
    """Resolve the ``model`` field of a request sent to ``endpoints/openapi``.

    Args:
        model: The raw ``model`` field from the request body.
        project: The project named in the request path.
        location: The location named in the request path.

    Returns:
        The model's :class:`ModelInfo`.

    Raises:
        VertexError: 400 for a missing or malformed id (§1), 404 for an unknown model or a
            Gemini 3.x model outside ``global``/multi-region (§1).
    """
    if not isinstance(model, str) or not model:
        # Emulator choice: the fact sheet does not quote the missing-model error.
        raise VertexError(400, "Model is required.", "INVALID_ARGUMENT")
    publisher, sep, name = model.partition("/")
    if not sep or not publisher or not name or "/" in name:
        raise VertexError(400, MALFORMED_MODEL_MESSAGE, "INVALID_ARGUMENT")
    if publisher == "google":
        if name not in GOOGLE_MODELS:
            raise _not_found(project, location, publisher, name)
        family: Family = "gemini-3" if name.startswith("gemini-3") else "gemini-2.5"
        if family == "gemini-3":
            # §1: Gemini 3.x is served on global and multi-region only; preview models
            # ("setting the location to global is required") on global only.
            allowed = {"global"} if "preview" in name else {"global", *MULTI_REGIONS}
            if location not in allowed:
                raise _not_found(project, location, publisher, name)
        return ModelInfo(model, publisher, name, family)
    if model in PARTNER_MODELS or name.endswith("-maas"):
        return ModelInfo(model, publisher, name, "partner")
    # Emulator choice: other partner publishers (e.g. Anthropic, served through
    # rawPredict, not this endpoint) are reported as not found.
    raise _not_found(project, location, publisher, name)


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
