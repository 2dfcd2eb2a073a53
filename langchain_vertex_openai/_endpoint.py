"""Where requests go: the endpoint URL, publisher-prefixed model ids and headers.

Facts from docs/vertex-facts.md §1: the `global` location has no host prefix,
multi-regions `us`/`eu` use `aiplatform.{us,eu}.rep.googleapis.com`, and every
model id needs a publisher (`google/gemini-3.5-flash`).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from langchain_vertex_openai._catalog import split_model_id

DEFAULT_LOCATION = "global"
DEFAULT_MODEL = "google/gemini-3.5-flash"

_MULTI_REGIONS = frozenset({"us", "eu"})
# Region names look like `us-central1`, `europe-west4`, `asia-northeast1`.
_LOCATION_RE = re.compile(r"^[a-z]+(?:-[a-z]+[0-9]*)*$")
# Project ids: 6-30 chars, lowercase letters, digits, hyphens; legacy domain-scoped
# projects look like `example.com:my-project`.
_PROJECT_RE = re.compile(r"^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_ENDPOINT_ID_RE = re.compile(r"^[A-Za-z0-9_-]+$")
# What a model id is made of (`google/gemini-3.5-flash`, `meta/llama-4-maverick-...-maas`,
# `publisher/model@version`): no spaces, quotes or other characters a URL would mangle.
_MODEL_CHARS_RE = re.compile(r"^[A-Za-z0-9._@:+/-]+$")
_MODEL_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._@:+-]*$")


def normalize_model_id(model: Any) -> str:
    """Return the `publisher/model` id Vertex expects.

    A bare Gemini id gets the `google/` publisher because Vertex rejects ids
    without one (`Malformed publisher model name`). A full resource name
    (`publishers/google/models/gemini-3.5-flash`) is shortened.

    Raises:
        ValueError: If the id is empty, malformed (spaces, quotes, more than one `/`)
            or names no publisher and is not a Google model.
    """
    if not isinstance(model, str):
        msg = f"model must be a string id such as 'google/gemini-3.5-flash', got {model!r:.40}."
        raise ValueError(msg)
    return _normalized_model_id(model)


@functools.lru_cache(maxsize=256)
def _normalized_model_id(model: str) -> str:
    # Cached: every call normalizes its model id, and an app uses a handful of ids.
    model_id = model.strip()
    if not model_id:
        msg = "model must be a non-empty id such as 'google/gemini-3.5-flash'."
        raise ValueError(msg)
    if not _MODEL_CHARS_RE.match(model_id):
        raise _malformed_model(model)
    publisher, name = split_model_id(model_id)
    if not publisher and "/" not in model_id:
        msg = (
            f"model {model!r} has no publisher. Vertex AI needs 'publisher/model' ids, e.g. "
            "'google/gemini-3.5-flash' or 'meta/llama-3.3-70b-instruct-maas'."
        )
        raise ValueError(msg)
    if not publisher or not name or "/" in name:
        msg = f"model {model!r} is not a 'publisher/model' id such as 'google/gemini-3.5-flash'."
        raise ValueError(msg)
    model_id = f"{publisher}/{name}"
    if not _MODEL_ID_RE.match(model_id):
        raise _malformed_model(model)
    return model_id


def _malformed_model(model: str) -> ValueError:
    msg = (
        f"model {model!r} is not a model id: a 'publisher/model' id holds letters, digits, "
        "'.', '-' and '_' and no spaces, e.g. 'google/gemini-3.5-flash'."
    )
    return ValueError(msg)


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


def is_loopback_host(host: str) -> bool:
    """Whether `host` names this machine (`localhost`, 127.0.0.0/8, `::1`)."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":  # not `*.localhost`: resolvers need not keep it local
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def validate_base_url(base_url: str, *, allow_insecure_http: bool = False) -> str:
    """Check a `base_url` override and return it.

    Plain `http://` is accepted for loopback hosts (the emulator, a local proxy) only:
    anywhere else every request would carry the Google access token in clear.

    Raises:
        ValueError: If it is not an http(s) URL with a host, carries credentials, or is
            plain http to another host without `allow_insecure_http=True`.
    """
    example = (
        "https://aiplatform.googleapis.com/v1/projects/PROJECT/locations/global/endpoints/openapi"
    )
    try:
        parts = urlsplit(base_url.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises for a port that is not a number)
    except ValueError as error:
        msg = f"base_url {base_url!r} is not a valid URL ({error}); use e.g. {example!r}."
        raise ValueError(msg) from None
    if parts.username is not None or parts.password is not None:
        msg = (
            "base_url must not carry a user name or password (it is shown in reprs and "
            "logs); Vertex authenticates with the Google access token."
        )
        raise ValueError(msg)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        msg = f"base_url must be an http(s) URL with a host, e.g. {example!r}; got {base_url!r}."
        raise ValueError(msg)
    if scheme == "http" and not allow_insecure_http and not is_loopback_host(host):
        msg = (
            f"base_url {base_url!r} is plain http to {host!r}, which is not this machine: "
            "every request would send the Google access token in clear. Use https://"
            f"{base_url.strip()[len('http://') :]}, or pass allow_insecure_http=True if the "
            "network path is trusted end to end (e.g. a sidecar proxy on a private link)."
        )
        raise ValueError(msg)
    return base_url


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
