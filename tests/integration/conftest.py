"""Integration tests run against the strict emulator unless a module says otherwise."""

from __future__ import annotations

import pytest

from langchain_vertex_openai.testing import VertexEmulator


@pytest.fixture
def emulator(vertex_emulator_strict: VertexEmulator) -> VertexEmulator:
    """The strict emulator: our client must never rely on Vertex ignoring a field."""
    return vertex_emulator_strict
