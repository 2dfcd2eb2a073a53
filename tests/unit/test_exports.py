"""The package's public names: pinned, importable, and every public error among them."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import langchain_vertex_openai

PUBLIC = [
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


def test_all_is_pinned():
    assert langchain_vertex_openai.__all__ == PUBLIC
    assert dir(langchain_vertex_openai) == sorted(PUBLIC)


def test_every_public_name_imports():
    for name in PUBLIC:
        assert getattr(langchain_vertex_openai, name) is not None, name


def test_every_public_vertex_error_is_exported():
    # A new error class users may catch must be importable from the package itself.
    modules = [m.name for m in pkgutil.iter_modules(langchain_vertex_openai.__path__)]
    assert "_errors" in modules
    for module_name in modules:
        if module_name in ("testing", "__main__"):
            continue  # the emulator's own errors are not the client's
        module = importlib.import_module(f"langchain_vertex_openai.{module_name}")
        for name, value in inspect.getmembers(module, inspect.isclass):
            if name.startswith("Vertex") and issubclass(value, Exception):
                assert name in PUBLIC, f"{module_name}.{name} is not exported"
                assert getattr(langchain_vertex_openai, name) is value


def test_refusal_error_is_a_langchain_refusal():
    from langchain_core.exceptions import ModelRefusalError

    assert issubclass(langchain_vertex_openai.VertexRefusalError, ModelRefusalError)
