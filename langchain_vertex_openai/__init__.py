"""LangChain integration for Vertex AI's OpenAI-compatible Chat Completions endpoint.

Public names are imported on first use, so importing the package (as the bundled
pytest plugin does in every test session) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from langchain_vertex_openai._version import __version__

if TYPE_CHECKING:
    from langchain_vertex_openai._errors import (
        VertexAPIError,
        VertexAuthenticationError,
        VertexAuthError,
        VertexBadRequestError,
        VertexConnectionError,
        VertexContextOverflowError,
        VertexNotFoundError,
        VertexPermissionDeniedError,
        VertexPromptBlockedError,
        VertexRateLimitError,
        VertexResponseError,
        VertexServerError,
        VertexTimeoutError,
    )
    from langchain_vertex_openai._settings import RetiredModelWarning
    from langchain_vertex_openai._structured import VertexRefusalError
    from langchain_vertex_openai.auth import GoogleCredentialsProvider
    from langchain_vertex_openai.chat_models import ChatVertexOpenAI

_ERRORS = "langchain_vertex_openai._errors"
_LAZY = {
    "ChatVertexOpenAI": "langchain_vertex_openai.chat_models",
    "GoogleCredentialsProvider": "langchain_vertex_openai.auth",
    "RetiredModelWarning": "langchain_vertex_openai._settings",
    "VertexAuthError": _ERRORS,
    "VertexAPIError": _ERRORS,
    "VertexAuthenticationError": _ERRORS,
    "VertexBadRequestError": _ERRORS,
    "VertexConnectionError": _ERRORS,
    "VertexContextOverflowError": _ERRORS,
    "VertexNotFoundError": _ERRORS,
    "VertexPermissionDeniedError": _ERRORS,
    "VertexPromptBlockedError": _ERRORS,
    "VertexRateLimitError": _ERRORS,
    "VertexRefusalError": "langchain_vertex_openai._structured",
    "VertexResponseError": _ERRORS,
    "VertexServerError": _ERRORS,
    "VertexTimeoutError": _ERRORS,
}

__all__ = [
    "ChatVertexOpenAI",
    "GoogleCredentialsProvider",
    "RetiredModelWarning",
    "VertexAPIError",
    "VertexAuthError",
    "VertexAuthenticationError",
    "VertexBadRequestError",
    "VertexConnectionError",
    "VertexContextOverflowError",
    "VertexNotFoundError",
    "VertexPermissionDeniedError",
    "VertexPromptBlockedError",
    "VertexRateLimitError",
    "VertexRefusalError",
    "VertexResponseError",
    "VertexServerError",
    "VertexTimeoutError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
