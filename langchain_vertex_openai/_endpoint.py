"""Where requests go: the endpoint URL, publisher-prefixed model ids and headers.

Facts from docs/vertex-facts.md §1: the `global` location has no host prefix,
multi-regions `us`/`eu` use `aiplatform.{us,eu}.rep.googleapis.com`, and every
model id needs a publisher (`google/gemini-2.5-flash`).
"""

from __future__ import annotations

import re

DEFAULT_LOCATION = "global"
DEFAULT_MODEL = "google/gemini-3.5-flash"
GOOGLE_PUBLISHER = "google"

_MULTI_REGIONS = frozenset({"us", "eu"})
# Region names look like `us-central1`, `europe-west4`, `asia-northeast1`.
_LOCATION_RE = re.compile(r"^[a-z]+(?:-[a-z]+[0-9]*)*$")
# Project ids: 6-30 chars, lowercase letters, digits, hyphens; legacy domain-scoped
# projects look like `example.com:my-project`.
_PROJECT_RE = re.compile(r"^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_ENDPOINT_ID_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_RESOURCE_MODEL_RE = re.compile(r"^(?:.*/)?publishers/([^/]+)/models/([^/]+)$")
# What a model id is made of (`google/gemini-3.5-flash`, `meta/llama-4-maverick-...-maas`,
# `publisher/model@version`): no spaces, quotes or other characters a URL would mangle.
_MODEL_CHARS_RE = re.compile(r"^[A-Za-z0-9._@:+/-]+$")
_MODEL_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._@:+-]*$")
# Bare ids we can attribute to Google; anything else must name its publisher.
_GOOGLE_MODEL_PREFIXES = ("gemini-", "gemma-", "text-embedding-", "learnlm-")


def normalize_model_id(model: str) -> str:
    """Return the `publisher/model` id Vertex expects.

    A bare Gemini id gets the `google/` publisher because Vertex rejects ids
    without one (`Malformed publisher model name`). A full resource name
    (`publishers/google/models/gemini-2.5-flash`) is shortened.

    Raises:
        ValueError: If the id is empty, malformed (spaces, quotes, more than one `/`)
            or names no publisher and is not a Google model.
    """
    model_id = model.strip()
    if not model_id:
        msg = "model must be a non-empty id such as 'google/gemini-2.5-flash'."
        raise ValueError(msg)
    if not _MODEL_CHARS_RE.match(model_id):
        raise _malformed_model(model)
    resource = _RESOURCE_MODEL_RE.match(model_id)
    if resource:
        model_id = f"{resource.group(1)}/{resource.group(2)}"
    elif "/" in model_id:
        publisher, _, name = model_id.partition("/")
        if not publisher or not name or "/" in name:
            msg = (
                f"model {model!r} is not a 'publisher/model' id such as 'google/gemini-2.5-flash'."
            )
            raise ValueError(msg)
    elif model_id.startswith(_GOOGLE_MODEL_PREFIXES):
        model_id = f"{GOOGLE_PUBLISHER}/{model_id}"
    else:
        msg = (
            f"model {model!r} has no publisher. Vertex AI needs 'publisher/model' ids, e.g. "
            "'google/gemini-2.5-flash' or 'meta/llama-3.3-70b-instruct-maas'."
        )
        raise ValueError(msg)
    if not _MODEL_ID_RE.match(model_id):
        raise _malformed_model(model)
    return model_id


def _malformed_model(model: str) -> ValueError:
    msg = (
        f"model {model!r} is not a model id: a 'publisher/model' id holds letters, digits, "
        "'.', '-' and '_' and no spaces, e.g. 'google/gemini-3.5-flash'."
    )
    return ValueError(msg)


def is_gemini_3(model: str) -> bool:
    """Whether `model` (with or without `google/`) is a Gemini 3.x model."""
    return bare_model_name(model).startswith("gemini-3")


def bare_model_name(model: str) -> str:
    """Return the model id without its publisher (`gemini-2.5-flash`)."""
    return model.split("/", 1)[1] if "/" in model else model


def validate_project(project: str) -> str:
    """Check a Google Cloud project id and return it.

    Raises:
        ValueError: If it cannot be a project id (a number is fine too).
    """
    if project.isdigit() or _PROJECT_RE.match(project):
        return project
    msg = (
        f"project {project!r} is not a Google Cloud project id: 6-30 lowercase letters, "
        "digits and hyphens, starting with a letter (e.g. 'my-project-123')."
    )
    raise ValueError(msg)


def validate_location(location: str) -> str:
    """Check a Vertex location (`global`, `us`, `eu` or a region) and return it.

    Raises:
        ValueError: If it does not look like a Google Cloud location.
    """
    if _LOCATION_RE.match(location):
        return location
    msg = (
        f"location {location!r} is not a Vertex AI location: use 'global' (the default), a "
        "multi-region ('us', 'eu') or a region such as 'us-central1'."
    )
    raise ValueError(msg)


def validate_endpoint_id(endpoint_id: str) -> str:
    """Check a self-deployed endpoint's id (it becomes a URL path segment) and return it.

    Raises:
        ValueError: If it could not be an endpoint id.
    """
    if _ENDPOINT_ID_RE.match(endpoint_id):
        return endpoint_id
    msg = f"endpoint_id {endpoint_id!r} must be the numeric id of a Vertex AI endpoint."
    raise ValueError(msg)


def vertex_host(location: str) -> str:
    """Return the API host serving `location`."""
    if location == "global":
        return "aiplatform.googleapis.com"
    if location in _MULTI_REGIONS:
        return f"aiplatform.{location}.rep.googleapis.com"
    return f"{location}-aiplatform.googleapis.com"


def vertex_base_url(project: str, location: str, endpoint_id: str | None = None) -> str:
    """Return the OpenAI-compatible base URL (the SDK appends `/chat/completions`).

    Args:
        project: Google Cloud project id.
        location: `global`, a multi-region or a region.
        endpoint_id: A self-deployed Model Garden endpoint; `None` for the shared
            `openapi` endpoint that serves Gemini and partner (MaaS) models.
    """
    endpoint = validate_endpoint_id(endpoint_id) if endpoint_id is not None else "openapi"
    return (
        f"https://{vertex_host(location)}/v1/projects/{project}/locations/{location}"
        f"/endpoints/{endpoint}"
    )
