"""LangChain integration for Vertex AI's OpenAI-compatible Chat Completions endpoint."""

from langchain_vertex_openai._errors import (
    VertexAPIError,
    VertexAuthenticationError,
    VertexBadRequestError,
    VertexConnectionError,
    VertexContextOverflowError,
    VertexNotFoundError,
    VertexPermissionDeniedError,
    VertexRateLimitError,
    VertexServerError,
    VertexTimeoutError,
)
from langchain_vertex_openai._version import __version__
from langchain_vertex_openai.auth import GoogleCredentialsProvider, VertexAuthError
from langchain_vertex_openai.chat_models import ChatVertexOpenAI

__all__ = [
    "ChatVertexOpenAI",
    "GoogleCredentialsProvider",
    "VertexAPIError",
    "VertexAuthError",
    "VertexAuthenticationError",
    "VertexBadRequestError",
    "VertexConnectionError",
    "VertexContextOverflowError",
    "VertexNotFoundError",
    "VertexPermissionDeniedError",
    "VertexRateLimitError",
    "VertexServerError",
    "VertexTimeoutError",
    "__version__",
]
