"""Pytest plugin: fixtures that start a local Vertex AI emulator around each test.

Registered through the ``pytest11`` entry point, so it is loaded by every pytest run in an
environment where the package is installed. It must therefore import nothing heavy: the
emulator itself is imported lazily inside the fixtures.

Fixtures:
    vertex_emulator: an emulator in default mode (unsupported request fields are ignored,
        as Vertex does).
    vertex_emulator_strict: an emulator in strict mode (fields Vertex silently ignores are
        rejected with a 400, so a client that relies on them fails loudly).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from langchain_vertex_openai.testing.server import VertexEmulator


@pytest.fixture
def vertex_emulator() -> Iterator[VertexEmulator]:
    """A running emulator in default mode (what Vertex does), stopped after the test.

    Yields:
        The started :class:`VertexEmulator`.
    """
    from langchain_vertex_openai.testing.server import VertexEmulator

    with VertexEmulator(strict=False) as emulator:
        yield emulator


@pytest.fixture
def vertex_emulator_strict() -> Iterator[VertexEmulator]:
    """A running emulator in strict mode, stopped after the test.

    Yields:
        The started :class:`VertexEmulator` with ``strict=True``.
    """
    from langchain_vertex_openai.testing.server import VertexEmulator

    with VertexEmulator(strict=True) as emulator:
        yield emulator
