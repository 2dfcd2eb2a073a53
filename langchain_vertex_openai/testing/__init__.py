"""A local emulator of Vertex AI's OpenAI-compatible Chat Completions endpoint.

The emulator is a real HTTP server on loopback, written from the endpoint's fact sheet
(``docs/vertex-facts.md``) and independent of the client code, so it catches a client's wrong
assumptions about the wire format, auth and the refusals of Gemini models. Section numbers
(``§N``) throughout this package refer to that fact sheet.

Example:
    >>> import openai
    >>> from langchain_vertex_openai.testing import VertexEmulator
    >>> with VertexEmulator(strict=True) as emu:  # doctest: +SKIP
    ...     client = openai.OpenAI(base_url=emu.base_url, api_key=emu.issue_token())

Names are imported lazily so that importing this package (e.g. through the pytest plugin)
stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_vertex_openai.testing.credentials import EmulatorCredentials
    from langchain_vertex_openai.testing.script import Responder, ScriptedItem
    from langchain_vertex_openai.testing.server import RecordedRequest, VertexEmulator

__all__ = ["EmulatorCredentials", "RecordedRequest", "Responder", "ScriptedItem", "VertexEmulator"]

_LAZY = {
    "EmulatorCredentials": "langchain_vertex_openai.testing.credentials",
    "RecordedRequest": "langchain_vertex_openai.testing.server",
    "Responder": "langchain_vertex_openai.testing.script",
    "ScriptedItem": "langchain_vertex_openai.testing.script",
    "VertexEmulator": "langchain_vertex_openai.testing.server",
}


def __getattr__(name: str) -> Any:
    """Import public names on first access.

    Args:
        name: The attribute requested from this package.

    Returns:
        The public object.

    Raises:
        AttributeError: If ``name`` is not a public name of this package.
    """
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
